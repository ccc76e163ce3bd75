package web_test

import (
	"slices"
	"strings"

	"github.com/escalate-project/escalate"
)

// The expected policy of the authorisation matrix, written from issue 4's
// "Need to know", escalate.Can (access.go) and doc/lifecycle.md, as a small
// function of who asks (their role, or none when signed out), how they
// relate to what they ask for, and what kind of route it is.

// authzRel is how the actor relates to the route's target.
type authzRel string

const (
	// relOwn: the actor works at X, the raising agency of escalation A.
	// X's practitioner raised it; X's manager and senior manager are the
	// practitioner's management line.
	relOwn authzRel = "own"
	// relReceiving: the actor works at Y, the agency the disagreement is
	// with. Y's practitioner is named on the case.
	relReceiving authzRel = "receiving"
	// relOtherAgency: the actor works at Z, in A but uninvolved.
	relOtherAgency authzRel = "other-agency"
	// relOtherPartnership: the actor works at X in A; the target (escalation,
	// contact, person, token) is in partnership B.
	relOtherPartnership authzRel = "other-partnership"
)

var authzRels = []authzRel{relOwn, relReceiving, relOtherAgency, relOtherPartnership}

// authzKind is what a route does, as far as access goes.
type authzKind int

const (
	kindPublic        authzKind = iota // anyone, signed in or not
	kindNowhere                        // no such page or endpoint: not found for everyone
	kindSignedIn                       // anyone signed in (pages) or with a token (API)
	kindRaise                          // signed in with a role that does more than administer
	kindList                           // signed in; lists only what need to know allows
	kindOwnToken                       // signed in, and only one's own API token
	kindContactsEdit                   // Business Manager and administrator
	kindOverview                       // Business Manager, chair, vice chair, administrator
	kindReports                        // Business Manager, chair, vice chair: the board reports
	kindAdminRead                      // administrator, and the Business Manager read-only (web/contacts_store.go adminReaders)
	kindAdminWrite                     // administrator only
	kindOversightRead                  // administrator, Business Manager, chair, vice chair: the role-change history
	kindCase                           // an escalation: need to know, per action
	kindLearnRead                      // the learning log and proformas: Business Manager, chair, vice chair; others not found
	kindLearnWrite                     // changing them: the Business Manager only
	kindPrivacyRead                    // who has seen what: Business Manager and data protection officer; others not found
	kindPrivacyDPO                     // retention, legal holds, subject access: the data protection officer only
	// kindDissent is a Child Protection Conference dissent page: not found
	// where the policy does not switch dissents on (the matrix's Wirral);
	// authzDissentExpect is its rule where it does (Surrey).
	kindDissent
)

// authzSpec is one route of the matrix.
type authzSpec struct {
	kind authzKind
	// action is the escalate action a case route takes (escalate.ActionView
	// for reading one).
	action string
	// api is true for the JSON API, which authenticates by token and
	// leaves the stage rules to the service (a rule refused is 409, after
	// access was granted); pages only offer what applies at this stage.
	api bool
}

// authzLine is the management line above a practitioner: at X, above the
// one who raised A; at Y, above the one named on it.
var authzLine = []escalate.Role{escalate.RoleManager, escalate.RoleSeniorManager}

// authzRoles are the roles the matrix's people hold, one person each per
// agency: the core roles of a partnership.
var authzRoles = []escalate.Role{escalate.RolePractitioner, escalate.RoleManager, escalate.RoleSafeguardingLead,
	escalate.RoleSeniorManager, escalate.RoleBusinessManager, escalate.RoleChair, escalate.RoleViceChair,
	escalate.RoleDelegatedSafeguardingPartner, escalate.RoleIndependentScrutineer, escalate.RoleLeadSafeguardingPartner,
	escalate.RoleConferenceChair, escalate.RoleAdmin}

// authzSide is which side of escalation A the actor is on: "raising" (the
// raiser and their management line), "receiving" (the practitioner named at
// Y and their management line, whom need to know reaches up), or "" (not a
// party). At A's first stage the policy (Wirral stage 1) brings in
// practitioners only, so no other role is a party by its role, and Y has no
// escalation contact.
func authzSide(role escalate.Role, rel authzRel) string {
	switch {
	case rel == relOwn && (role == escalate.RolePractitioner || slices.Contains(authzLine, role)):
		return "raising"
	case rel == relReceiving && (role == escalate.RolePractitioner || slices.Contains(authzLine, role)):
		return "receiving"
	}
	return ""
}

// authzCase is need to know for one action on escalation A at stage 1.
// The administrator manages accounts and does not read cases (access.go
// leaves admin out of Oversight; doc/lifecycle.md).
func authzCase(role escalate.Role, rel authzRel, action string) bool {
	side := authzSide(role, rel)
	party := side != ""
	oversight := slices.Contains(escalate.Oversight, role)
	bm := role == escalate.RoleBusinessManager
	switch action {
	case escalate.ActionView, escalate.ActionRiskImmediate:
		return party || oversight
	case escalate.ActionRecordAdd, escalate.ActionRiskRaise, escalate.ActionClockShorten, escalate.ActionEscalate,
		escalate.ActionPartyName, escalate.ActionPartyRemove:
		return party || bm
	case escalate.ActionRecordApprove:
		return (party || bm) && slices.Contains(escalate.Approvers, role)
	case escalate.ActionOutcomeAgree, escalate.ActionOutcomeConfirm:
		return side == "receiving" // a stage between agencies: the receiving side agrees
	case escalate.ActionRedirect:
		return side == "raising" || bm
	case escalate.ActionWithdraw:
		return side == "raising"
	case escalate.ActionDetermine:
		return oversight
	case escalate.ActionLearningRecord:
		// On closed escalation C, whose parties are A's (learning_step.go).
		return party || bm
	}
	return false
}

// authzOffered is whether a page offers the action on A as it stands: not
// at its final stage (no determination yet) and with no agreed outcome
// awaiting written confirmation.
func authzOffered(action string) bool {
	return action != escalate.ActionDetermine && action != escalate.ActionOutcomeConfirm
}

// authzExpect is the matrix's policy: may role (none when "") do what
// route sp does, on a target related to them by rel? targeted is true when
// the route names a target (an escalation, contact, person or token).
func authzExpect(role escalate.Role, rel authzRel, sp authzSpec, targeted bool) bool {
	signedIn := role != ""
	crosses := targeted && rel == relOtherPartnership // nothing crosses partnerships
	has := func(rs ...escalate.Role) bool { return slices.Contains(rs, role) }
	switch sp.kind {
	case kindPublic:
		return true
	case kindNowhere:
		return false
	case kindSignedIn, kindList:
		return signedIn
	case kindRaise:
		return signedIn && !has(escalate.RoleAdmin, escalate.RoleDataProtectionOfficer)
	case kindOwnToken:
		return signedIn && (rel == relOwn || rel == relReceiving)
	case kindContactsEdit:
		return has(escalate.RoleBusinessManager, escalate.RoleAdmin) && !crosses
	case kindOverview:
		return has(escalate.RoleBusinessManager, escalate.RoleChair, escalate.RoleViceChair, escalate.RoleDelegatedSafeguardingPartner, escalate.RoleAdmin)
	case kindReports:
		// The partnership is the actor's own: a report names no target.
		// Under Working Together 2023 it goes to the lead and delegated
		// safeguarding partners and the independent scrutineer too.
		return has(escalate.RoleBusinessManager, escalate.RoleChair, escalate.RoleViceChair,
			escalate.RoleLeadSafeguardingPartner, escalate.RoleDelegatedSafeguardingPartner, escalate.RoleIndependentScrutineer)
	case kindAdminRead:
		return has(escalate.RoleAdmin, escalate.RoleBusinessManager) && !crosses
	case kindAdminWrite:
		return has(escalate.RoleAdmin) && !crosses
	case kindOversightRead:
		return has(escalate.RoleAdmin, escalate.RoleBusinessManager, escalate.RoleChair, escalate.RoleViceChair)
	case kindLearnRead:
		return has(escalate.RoleBusinessManager, escalate.RoleChair, escalate.RoleViceChair, escalate.RoleDelegatedSafeguardingPartner) && !crosses
	case kindLearnWrite:
		return has(escalate.RoleBusinessManager) && !crosses
	case kindPrivacyRead:
		return has(escalate.RoleBusinessManager, escalate.RoleDataProtectionOfficer) && !crosses
	case kindPrivacyDPO:
		return has(escalate.RoleDataProtectionOfficer) && !crosses
	case kindDissent:
		return false // the matrix's partnership follows Wirral, which has no dissents
	case kindCase:
		if !signedIn || crosses {
			return false
		}
		return authzCase(role, rel, sp.action) && (sp.api || authzOffered(sp.action))
	}
	return false
}

// authzMaySee is whether role, related by rel, may see escalation A: what
// lists may show them.
func authzMaySee(role escalate.Role, rel authzRel) bool {
	return role != "" && rel != relOtherPartnership && authzCase(role, rel, escalate.ActionView)
}

// authzTargeted reports whether a pattern names a target.
func authzTargeted(pattern string) bool { return strings.Contains(pattern, "{") }
