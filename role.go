package escalate

import "slices"

// Role is a part a person plays, or a post a policy names. Policies name roles,
// never people; accounts hold roles, and routing (routing.go) turns the roles a
// stage names into the people who act.
type Role string

// The roles a user account can hold.
const (
	RolePractitioner     Role = "practitioner"
	RoleManager          Role = "manager"
	RoleSafeguardingLead Role = "safeguarding-lead"
	RoleSeniorManager    Role = "senior-manager"
	RoleBusinessManager  Role = "business-manager"
	RoleChair            Role = "chair"
	RoleViceChair        Role = "vice-chair"
	RoleAdmin            Role = "admin"
	// RoleConferenceChair is the independent Child Protection Conference
	// chair, who records conference dissents (dissent.go). It is also a post
	// a policy may name.
	RoleConferenceChair Role = "conference-chair"
)

// Posts a policy names that accounts can hold too, so that the person who
// must act at a stage can sign in and act: a board member who represents
// an agency on the partnership board, a head of service, the named and
// designated safeguarding professionals of health.
const (
	RoleBoardMember      Role = "board-member"
	RoleHeadOfService    Role = "head-of-service"
	RoleDesignatedNurse  Role = "designated-nurse"
	RoleDesignatedDoctor Role = "designated-doctor"
	RoleNamedNurse       Role = "named-nurse"
	RoleNamedDoctor      Role = "named-doctor"
	RoleNamedGP          Role = "named-gp"
	RoleHeadOfSafeguard  Role = "head-of-safeguarding"
)

// The partnership's governance under Working Together to Safeguard
// Children 2023, in place of the older board chair: the lead safeguarding
// partners (the heads of the local authority, the integrated care board and
// the police), the delegated safeguarding partners who run the arrangements
// for them, and the independent scrutineer. Accounts can hold them; a
// policy's final stage may be heard by the delegated safeguarding partners
// or mediated by the independent scrutineer, and the board report goes to
// all three.
const (
	RoleLeadSafeguardingPartner      Role = "lead-safeguarding-partner"
	RoleDelegatedSafeguardingPartner Role = "delegated-safeguarding-partner"
	RoleIndependentScrutineer        Role = "independent-scrutineer"
)

// GovernanceRoles are the Working Together 2023 roles, in order of seniority.
var GovernanceRoles = []Role{RoleLeadSafeguardingPartner, RoleDelegatedSafeguardingPartner, RoleIndependentScrutineer}

// Posts reached through the contacts directory only: services outside the
// escalation process (the LADO, the front door, the police in an emergency).
const (
	RoleLADO      Role = "lado"
	RoleFrontDoor Role = "front-door"
	RolePolice    Role = "police-emergency"
)

// UserRoles lists, in order of seniority, the built-in roles a user account
// can hold. An account may also hold a role its partnership's policy
// declares (Policy.Roles), see HoldableRole.
var UserRoles = []Role{
	RolePractitioner, RoleManager, RoleSafeguardingLead, RoleSeniorManager,
	RoleHeadOfService, RoleNamedNurse, RoleNamedDoctor, RoleNamedGP,
	RoleDesignatedNurse, RoleDesignatedDoctor, RoleHeadOfSafeguard,
	RoleBoardMember, RoleBusinessManager, RoleChair, RoleViceChair,
	RoleDelegatedSafeguardingPartner, RoleIndependentScrutineer, RoleLeadSafeguardingPartner,
	RoleConferenceChair, RoleAdmin,
}

// BuiltinRoles is every role a policy may name without declaring it.
var BuiltinRoles = append(slices.Clone(UserRoles), RoleLADO, RoleFrontDoor, RolePolice)

// PartnershipRoles are the roles that belong to the partnership rather than
// to either agency in a disagreement: when a stage names one, its holders
// anywhere in the partnership act (a board member: the board member of the
// agency on that side, when it has one).
var PartnershipRoles = []Role{RoleBusinessManager, RoleChair, RoleViceChair, RoleBoardMember,
	RoleLeadSafeguardingPartner, RoleDelegatedSafeguardingPartner, RoleIndependentScrutineer}

// IsPartnershipRole reports whether r belongs to the partnership.
func IsPartnershipRole(r Role) bool { return slices.Contains(PartnershipRoles, r) }

// IsUserRole reports whether r is a built-in role a user account can hold.
func IsUserRole(r Role) bool { return slices.Contains(UserRoles, r) }

// HoldableRole reports whether an account of a partnership following p may
// hold r: a built-in user role, or a role p declares. p may be nil.
func HoldableRole(p *Policy, r Role) bool {
	if IsUserRole(r) {
		return true
	}
	return p != nil && slices.ContainsFunc(p.Roles, func(d RoleDef) bool { return d.Key == r })
}
