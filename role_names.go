package escalate

import "strings"

// builtinRoleNames are how a practitioner reads the built-in roles.
var builtinRoleNames = map[Role]string{
	RolePractitioner:                 "practitioner",
	RoleManager:                      "line manager",
	RoleSafeguardingLead:             "named or designated safeguarding lead",
	RoleSeniorManager:                "senior manager",
	RoleBusinessManager:              "Partnership Business Manager",
	RoleChair:                        "Partnership Chair",
	RoleViceChair:                    "Partnership Vice Chair",
	RoleAdmin:                        "administrator",
	RoleBoardMember:                  "board member",
	RoleHeadOfService:                "Head of Service",
	RoleDesignatedNurse:              "Designated Nurse",
	RoleDesignatedDoctor:             "Designated Doctor",
	RoleNamedNurse:                   "Named Nurse",
	RoleNamedDoctor:                  "Named Doctor",
	RoleNamedGP:                      "Named GP",
	RoleLADO:                         "Local Authority Designated Officer (LADO)",
	RoleFrontDoor:                    "children's services front door",
	RolePolice:                       "police (999 in an emergency)",
	RoleConferenceChair:              "Child Protection Conference Chair",
	RoleHeadOfSafeguard:              "Head of Safeguarding",
	RoleLeadSafeguardingPartner:      "lead safeguarding partners",
	RoleDelegatedSafeguardingPartner: "delegated safeguarding partners",
	RoleIndependentScrutineer:        "independent scrutineer",
	RoleDataProtectionOfficer:        "data protection officer",
}

// RoleName returns how a practitioner reads role r under policy p: the name
// the policy declares for it, the built-in name, or the key itself.
func (p *Policy) RoleName(r Role) string {
	for _, d := range p.Roles {
		if d.Key == r && d.Name != "" {
			return d.Name
		}
	}
	if n, ok := builtinRoleNames[r]; ok {
		return n
	}
	return string(r)
}

// aRole returns role r's name under p with its indefinite article: "a board
// member", "an independent scrutineer". Names that begin with a capital,
// such as "Partnership Chair", read "the Partnership Chair".
func (p *Policy) aRole(r Role) string {
	n := p.RoleName(r)
	switch {
	case n == "":
		return ""
	case n[0] >= 'A' && n[0] <= 'Z':
		return "the " + n
	case strings.ContainsRune("aeiou", rune(n[0])):
		return "an " + n
	}
	return "a " + n
}
