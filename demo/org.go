package demo

import (
	"fmt"
	"slices"
	"strings"

	"github.com/escalate-project/escalate"
)

// agency is a demo agency. Kinds are the words the packs' routing rules
// match (health-provider, primary-care) and the raise pages group by.
type agency struct {
	key, name, kind string
	first           [4]string // first names of its practitioner, manager, senior manager and safeguarding lead
}

var agencies = []agency{
	{"school", "Demo Primary School", "school", [4]string{"Alex", "Bryn", "Carys", "Dev"}},
	{"care", "Demo Children's Social Care", "childrens-social-care", [4]string{"Sam", "Tamsin", "Uri", "Vic"}},
	{"police", "Demo Police", "police", [4]string{"Jordan", "Kit", "Lee", "Mo"}},
	{"health", "Demo Community Health Trust", "health-provider", [4]string{"Robin", "Sasha", "Toni", "Umi"}},
	{"gp", "Demo GP Practice", "primary-care", [4]string{"Morgan", "Nico", "Ola", "Pip"}},
	{"housing", "Demo Housing Association", "housing", [4]string{"Casey", "Dale", "Eli", "Fen"}},
	{"probation", "Demo Probation Service", "probation", [4]string{"Jamie", "Kai", "Lou", "Max"}},
	{"voluntary", "Demo Family Support (voluntary sector)", "voluntary-sector", [4]string{"Riley", "Shay", "Tate", "Val"}},
	// The partnership's own team: the Business Manager, the board's chair
	// and vice chair, and the administrator.
	{"partnership", "Demo Partnership Team", "partnership", [4]string{"Taylor", "Quinn", "Rowan", "Ash"}},
}

// frontLine are the roles every agency has, in the order of agency.first;
// each reports to the next but one up (practitioner → manager → senior
// manager; the safeguarding lead to the senior manager).
var frontLine = []escalate.Role{
	escalate.RolePractitioner, escalate.RoleManager, escalate.RoleSeniorManager, escalate.RoleSafeguardingLead,
}

// teamRoles are the partnership team's roles, in the order of its first names.
var teamRoles = []escalate.Role{
	escalate.RoleBusinessManager, escalate.RoleChair, escalate.RoleViceChair, escalate.RoleAdmin,
}

// posts are the accounts some agencies have besides their front line: a
// board member representing the agency on the partnership board (Wirral
// stage 3, Hounslow stage 5's chair from an agency not involved), and the
// health posts H&F's routing alerts.
var posts = []struct {
	agency string
	role   escalate.Role
	first  string
}{
	{"school", escalate.RoleBoardMember, "Bo"},
	{"care", escalate.RoleBoardMember, "Cal"},
	{"police", escalate.RoleBoardMember, "Drew"},
	{"health", escalate.RoleBoardMember, "Eden"},
	{"health", escalate.RoleDesignatedNurse, "Frankie"},
	{"gp", escalate.RoleNamedGP, "Kerry"},
}

// SignInRoles are the roles the demo prints a sign-in for, in order, where
// the partnership's policy uses them (Uses).
var SignInRoles = []escalate.Role{
	escalate.RolePractitioner, escalate.RoleManager, escalate.RoleSafeguardingLead, escalate.RoleSeniorManager,
	escalate.RoleBoardMember, escalate.RoleDesignatedNurse, escalate.RoleBusinessManager, escalate.RoleChair,
	escalate.RoleViceChair, escalate.RoleConferenceChair, escalate.RoleDataProtectionOfficer, escalate.RoleAdmin,
}

// headline is the user key of the account printed for role r: the school's
// practitioner, who raised many of the demo escalations; children's social
// care's managers (its manager is its escalation contact), against whom
// most were raised and on whom they wait; health's Designated Nurse; and
// the partnership team.
func headline(r escalate.Role) string {
	switch {
	case r == escalate.RolePractitioner:
		return "school/" + string(r)
	case r == escalate.RoleDesignatedNurse:
		return "health/" + string(r)
	case slices.Contains(teamRoles, r):
		return "partnership/" + string(r)
	}
	return "care/" + string(r)
}

// title is a role as a surname part: "Safeguarding-Lead".
func title(r escalate.Role) string {
	parts := strings.Split(string(r), "-")
	for i, p := range parts {
		parts[i] = strings.ToUpper(p[:1]) + p[1:]
	}
	return strings.Join(parts, "-")
}

// people creates the agencies and their people.
func (s *seeder) people() error {
	ctx := s.ctx
	s.agencies = map[string]*escalate.Agency{}
	s.users = map[string]*escalate.User{}
	for _, a := range agencies {
		ag := &escalate.Agency{PartnershipID: s.p.ID, Name: a.name, Kind: a.kind}
		if err := s.db.CreateAgency(ctx, ag); err != nil {
			return err
		}
		s.agencies[a.key] = ag
		roles, managers := frontLine, []int{1, 2, -1, 2}
		if a.key == "partnership" {
			roles, managers = teamRoles, []int{-1, -1, -1, -1}
		}
		// Create the most senior first, so managers exist when named.
		made := make([]*escalate.User, len(roles))
		for _, i := range []int{2, 1, 0, 3} {
			r := roles[i]
			key := a.key + "/" + string(r)
			email := fmt.Sprintf("%s.%s@%s.example", r, a.key, s.p.Key)
			if headline(r) == key {
				email = fmt.Sprintf("%s@%s.example", r, s.p.Key)
			}
			u := &escalate.User{PartnershipID: s.p.ID, AgencyID: ag.ID, Roles: []escalate.Role{r},
				Name: a.first[i] + " Demo-" + title(r), Email: email}
			if m := managers[i]; m >= 0 {
				u.ManagerID = made[m].ID
			}
			if err := s.db.CreateUser(ctx, u); err != nil {
				return err
			}
			if err := s.db.SetPasswordHash(ctx, u.ID, s.hash); err != nil {
				return err
			}
			made[i] = u
			s.users[key] = u
		}
	}
	for _, p := range posts {
		if err := s.account(p.agency, p.role, p.first, s.users[p.agency+"/"+string(escalate.RoleSeniorManager)].ID); err != nil {
			return err
		}
	}
	// Each agency's manager is its escalation contact: a new disagreement
	// against it reaches them at once, as an administrator would set up.
	for _, a := range agencies {
		if m, ok := s.users[a.key+"/"+string(escalate.RoleManager)]; ok {
			if err := s.db.AddEscalationContact(ctx, s.agencies[a.key].ID, m.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

// account creates one more person at agency holding role, managed by
// manager (0 for none).
func (s *seeder) account(agency string, r escalate.Role, first string, manager int64) error {
	key := agency + "/" + string(r)
	email := fmt.Sprintf("%s.%s@%s.example", r, agency, s.p.Key)
	if headline(r) == key {
		email = fmt.Sprintf("%s@%s.example", r, s.p.Key)
	}
	u := &escalate.User{PartnershipID: s.p.ID, AgencyID: s.agencies[agency].ID, Roles: []escalate.Role{r},
		Name: first + " Demo-" + title(r), Email: email, ManagerID: manager}
	if err := s.db.CreateUser(s.ctx, u); err != nil {
		return err
	}
	if err := s.db.SetPasswordHash(s.ctx, u.ID, s.hash); err != nil {
		return err
	}
	s.users[key] = u
	return nil
}

// contact is a demo directory entry: who to reach for a role the policies
// name, in which agency.
type contact struct {
	role          escalate.Role
	agency, first string
	job           string
}

var contacts = []contact{
	{escalate.RoleFrontDoor, "care", "Wren", "Front door duty manager (MASH)"},
	{escalate.RoleLADO, "care", "Ellis", "Local Authority Designated Officer"},
	{escalate.RoleHeadOfService, "care", "Harper", "Head of Service, Safeguarding"},
	{escalate.RoleConferenceChair, "care", "Indie", "Independent Child Protection Conference Chair"},
	{escalate.RolePolice, "police", "Jules", "Public Protection Desk (call 999 in an emergency)"},
	{escalate.RoleDesignatedNurse, "health", "Frankie", "Designated Nurse, Safeguarding Children"},
	{escalate.RoleDesignatedDoctor, "health", "Glen", "Designated Doctor, Safeguarding Children"},
	{escalate.RoleNamedNurse, "health", "Haven", "Named Nurse, Safeguarding Children"},
	{escalate.RoleNamedDoctor, "health", "Ira", "Named Doctor, Safeguarding Children"},
	{escalate.RoleHeadOfSafeguard, "health", "Jody", "Head of Safeguarding"},
	{escalate.RoleNamedGP, "gp", "Kerry", "Named GP, Safeguarding Children"},
	{escalate.RoleBusinessManager, "partnership", "Taylor", "Partnership Business Manager"},
	{escalate.RoleBoardMember, "partnership", "Lane", "Partnership board member"},
	// Several immediate-risk routes start with your own DSL; the demo
	// practitioner works at the school.
	{escalate.RoleSafeguardingLead, "school", "Morgan", "Designated Safeguarding Lead, Demo Primary School"},
}

// contacts fills the directory: the common posts, then every role the
// policy declares, at children's social care. It returns how many it made.
func (s *seeder) contacts() (int, error) {
	ctx := s.ctx
	list := contacts
	for _, d := range s.pol.Roles {
		list = append(list, contact{d.Key, "care", "Noor", d.Name})
	}
	n := 0
	for i, c := range list {
		if !s.pol.KnownRole(c.role) {
			continue
		}
		ct := &escalate.Contact{PartnershipID: s.p.ID, AgencyID: s.agencies[c.agency].ID, Role: c.role,
			Name: c.first + " Demo-" + title(c.role), JobTitle: c.job,
			Phone: fmt.Sprintf("020 7946 0%03d", i), Email: fmt.Sprintf("%s.%s@%s.example", c.role, c.agency, s.p.Key),
			LastVerified: s.day(verifiedAgo(i), 9, 0).In(london).Format("2006-01-02")}
		if err := s.db.CreateContact(ctx, ct); err != nil {
			return n, fmt.Errorf("contact %s: %w", c.role, err)
		}
		n++
	}
	return n, nil
}

// verifiedAgo is how many days before now the ith contact was last
// checked, before the directory was set up 40 days ago: one in the list is
// well past the six months after which the directory flags it.
func verifiedAgo(i int) int {
	if i == 3 {
		return 230
	}
	return 45 + 20*(i%3)
}

// Uses reports whether policy p gives role r something to do: the core
// roles always; a post only where a stage, a meeting or a routing rule
// names it.
func Uses(p *escalate.Policy, r escalate.Role) bool {
	if r != escalate.RoleBoardMember && r != escalate.RoleDesignatedNurse {
		return true
	}
	for _, st := range p.Stages {
		if slices.Contains(st.Raising, r) || slices.Contains(st.Receive, r) ||
			st.Meeting != nil && (st.Meeting.Chair == r || slices.Contains(st.Meeting.Attendees, r)) {
			return true
		}
	}
	for _, rule := range p.Routing {
		if slices.Contains(rule.Alert, r) {
			return true
		}
	}
	return false
}

// signInKey is the user key printed for role r in this partnership: the
// headline account, except that where a meeting is chaired from an agency
// not involved (Hounslow stage 5) the board member printed is the police's,
// who chairs the demo's meetings.
func (s *seeder) signInKey(r escalate.Role) string {
	if r == escalate.RoleBoardMember {
		for _, st := range s.pol.Stages {
			if st.Meeting != nil && st.Meeting.UninvolvedChair {
				return "police/" + string(r)
			}
		}
	}
	return headline(r)
}
