package demo

import (
	"fmt"

	"github.com/escalate-project/escalate"
)

// dpoFirst is the demo data protection officer's first name; AllAccounts
// lists the account.
const dpoFirst = "Quinn"

// dpoFor says what signing in as the data protection officer shows.
const dpoFor = "data protection officer: who has seen what, retention and legal holds, subject access"

// dataProtectionOfficer adds the partnership's data protection officer, in
// the partnership team: who has seen what, retention and legal holds,
// subject access (doc/privacy.md).
func (s *seeder) dataProtectionOfficer() error {
	r := escalate.RoleDataProtectionOfficer
	u := &escalate.User{PartnershipID: s.p.ID, AgencyID: s.agencies["partnership"].ID, Roles: []escalate.Role{r},
		Name: dpoFirst + " Demo-" + title(r), Email: fmt.Sprintf("%s@%s.example", r, s.p.Key)}
	if err := s.db.CreateUser(s.ctx, u); err != nil {
		return err
	}
	if err := s.db.SetPasswordHash(s.ctx, u.ID, s.hash); err != nil {
		return err
	}
	s.users[headline(r)] = u
	return nil
}
