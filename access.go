package escalate

import (
	"slices"
	"time"
)

// Parties are the facts about who is involved in an escalation that only the
// store knows. Build them with NewParties so the roles follow the policy.
type Parties struct {
	// RaiserLine is the raiser's line manager, that manager's manager, and
	// so on up.
	RaiserLine []int64
	// Involved are users who have taken part: added or approved a record,
	// or were named to deal with the escalation.
	Involved []int64
	// RaisingRoles and ReceivingRoles are the roles the policy has brought
	// in from each agency at the stages reached so far. Practitioners are
	// left out: a practitioner takes part by being involved, not because
	// of their role, so a whole agency's front line does not see a case.
	RaisingRoles   []Role
	ReceivingRoles []Role
	// WithinAgency is true when the current stage is within the raising
	// agency (Hounslow stage 1: the worker's own line manager).
	WithinAgency bool
}

// Oversight are the roles that oversee every escalation of their partnership.
var Oversight = []Role{RoleBusinessManager, RoleChair, RoleViceChair}

// NewParties returns the parties of e under policy p, given the raiser's
// management line and the users involved so far.
func NewParties(p *Policy, e *Escalation, raiserLine, involved []int64) Parties {
	ps := Parties{RaiserLine: raiserLine, Involved: involved}
	for i := 0; i <= e.Stage && i < len(p.Stages); i++ {
		st := &p.Stages[i]
		ps.RaisingRoles = addRoles(ps.RaisingRoles, st.Raising)
		ps.ReceivingRoles = addRoles(ps.ReceivingRoles, st.Receive)
	}
	if st := e.CurrentStage(p); st != nil {
		ps.WithinAgency = st.Scope == "within-agency"
	}
	return ps
}

func addRoles(to, from []Role) []Role {
	for _, r := range from {
		if r != RolePractitioner && !slices.Contains(to, r) {
			to = append(to, r)
		}
	}
	return to
}

// Access actions that are not events.
const (
	// ActionList is seeing that an escalation exists, in a list.
	ActionList = "escalation.list"
)

// Can reports whether actor may take action (an Event action, e.g.
// ActionView, ActionRecordAdd) on e. For ActionRaise, e may be nil. Nothing
// crosses partnerships, disabled accounts may do nothing, and a closed
// escalation may only be viewed. The rules themselves check what a role
// must hold (approvers) and what the case must be (open, right stage); Can
// decides who is a party at all. See doc/lifecycle.md.
func Can(actor *User, e *Escalation, parties Parties, action string) bool {
	if actor == nil || actor.Disabled {
		return false
	}
	if action == ActionRaise {
		return len(actor.Roles) > 0
	}
	if e == nil || actor.PartnershipID != e.PartnershipID {
		return false
	}
	raiser := actor.ID == e.RaisedBy
	line := slices.Contains(parties.RaiserLine, actor.ID)
	involved := slices.Contains(parties.Involved, actor.ID)
	raisingRole := actor.AgencyID == e.RaisingAgencyID && slices.ContainsFunc(parties.RaisingRoles, actor.HasRole)
	receivingRole := actor.AgencyID == e.ReceivingAgencyID && slices.ContainsFunc(parties.ReceivingRoles, actor.HasRole)
	raising := raiser || line || (involved && actor.AgencyID == e.RaisingAgencyID) || raisingRole
	receiving := (involved && actor.AgencyID == e.ReceivingAgencyID) || receivingRole
	party := raising || receiving || involved
	oversight := slices.ContainsFunc(Oversight, actor.HasRole)

	switch action {
	case ActionView, ActionList:
		return party || oversight
	case ActionRiskImmediate:
		// Anyone who can see the case may record what they did to protect
		// the child, even after it closed.
		return party || oversight
	case ActionLearningRecord:
		// The learning step comes after closure, for those who could
		// record on the case while it was open.
		return e.Status.Closed() && (party || actor.HasRole(RoleBusinessManager))
	}
	if e.Status.Closed() {
		return false
	}
	switch action {
	case ActionRecordAdd, ActionRiskRaise, ActionRiskLower, ActionClockShorten:
		return party || actor.HasRole(RoleBusinessManager)
	case ActionRecordApprove:
		return (party || actor.HasRole(RoleBusinessManager)) && slices.ContainsFunc(Approvers, actor.HasRole)
	case ActionOutcomeAgree, ActionOutcomeConfirm:
		// The receiving side confirms the agreed outcome; at a stage within
		// the raising agency there is no receiving side yet, so the
		// raiser's management line agrees it.
		if parties.WithinAgency {
			return line || raisingRole
		}
		return receiving
	case ActionEscalate:
		// Either side may escalate when they cannot agree; the Business
		// Manager refers to the Chair (Redbridge 4.9).
		return party || actor.HasRole(RoleBusinessManager)
	case ActionRedirect:
		return raising || actor.HasRole(RoleBusinessManager)
	case ActionWithdraw:
		return raiser || line
	case ActionDetermine:
		return slices.ContainsFunc(Oversight, actor.HasRole)
	case ActionClockRecompute:
		return actor.HasRole(RoleAdmin) || actor.HasRole(RoleBusinessManager)
	}
	return false
}

// ViewEvent returns the event that records actor viewing e: need to know is
// audited, so every read of a case leaves a trace.
func ViewEvent(now time.Time, actor *User, e *Escalation) Event {
	ev := Event{At: now, Action: ActionView, Ref: e.Ref, Data: map[string]any{"stage": e.Stage, "version": e.Version}}
	if actor != nil {
		ev.Actor = actor.ID
	}
	return ev
}
