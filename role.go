package escalate

import "slices"

// Role is a part a person plays, or a post a policy names. Policies name roles,
// never people; the contacts directory maps roles to people.
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
	// RoleDataProtectionOfficer is the partnership's data protection
	// officer: who has seen what, retention and legal holds, subject
	// access requests (doc/privacy.md). It opens no case by itself.
	RoleDataProtectionOfficer Role = "data-protection-officer"
)

// UserRoles lists, in order of seniority, the roles a user account can hold.
var UserRoles = []Role{
	RolePractitioner, RoleManager, RoleSafeguardingLead, RoleSeniorManager,
	RoleBusinessManager, RoleChair, RoleViceChair, RoleConferenceChair, RoleDataProtectionOfficer, RoleAdmin,
}

// Posts a policy may name besides the user roles: people reached through the
// contacts directory rather than by signing in. A policy file may declare more.
const (
	RoleBoardMember      Role = "board-member"
	RoleHeadOfService    Role = "head-of-service"
	RoleDesignatedNurse  Role = "designated-nurse"
	RoleDesignatedDoctor Role = "designated-doctor"
	RoleNamedNurse       Role = "named-nurse"
	RoleNamedDoctor      Role = "named-doctor"
	RoleNamedGP          Role = "named-gp"
	RoleLADO             Role = "lado"
	RoleFrontDoor        Role = "front-door"
	RolePolice           Role = "police-emergency"
	RoleHeadOfSafeguard  Role = "head-of-safeguarding"
)

// BuiltinRoles is every role a policy may name without declaring it.
var BuiltinRoles = append(slices.Clone(UserRoles),
	RoleBoardMember, RoleHeadOfService, RoleDesignatedNurse, RoleDesignatedDoctor,
	RoleNamedNurse, RoleNamedDoctor, RoleNamedGP, RoleLADO, RoleFrontDoor, RolePolice,
	RoleHeadOfSafeguard,
)

// IsUserRole reports whether r is a role a user account can hold.
func IsUserRole(r Role) bool { return slices.Contains(UserRoles, r) }
