package sqlstore

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/escalate-project/escalate"
)

func TestAdministratorLimits(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		f := newSessFixture(t, db)
		mk := func(email string, roles ...escalate.Role) *escalate.User {
			u := &escalate.User{PartnershipID: f.p.ID, AgencyID: f.agency.ID, Name: "Person " + email, Email: email, Roles: roles}
			if err := db.CreateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
			return u
		}
		admin := mk("admin@example.org", escalate.RoleAdmin)
		bm := mk("bm@example.org", escalate.RoleBusinessManager)
		chair := mk("chair@example.org", escalate.RoleChair)
		prac := mk("prac@example.org", escalate.RolePractitioner)
		as := escalate.NewContextWithUser(ctx, admin)
		accountMail := func(t *testing.T) []int64 {
			t.Helper()
			rows, err := db.db.QueryContext(ctx, `SELECT recipient_user FROM outbox WHERE kind = 'account.oversight-granted' ORDER BY recipient_user`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var to []int64
			for rows.Next() {
				var id int64
				rows.Scan(&id)
				to = append(to, id)
			}
			return to
		}

		t.Run("ErrSelfOversight", func(t *testing.T) {
			// Every role that opens cases: the oversight roles, the board
			// member (a partnership role), a line manager, the
			// Designated Nurse and the rest.
			n := 0
			for _, r := range escalate.UserRoles {
				if !escalate.OpensCases(r) {
					continue
				}
				n++
				err := db.SetRoles(as, admin.ID, []escalate.Role{escalate.RoleAdmin, r})
				wantEscErr(t, err, escalate.EFORBIDDEN, "roles")
			}
			if n < len(escalate.UserRoles)-2 {
				t.Fatalf("only %d of %d roles open cases", n, len(escalate.UserRoles))
			}
			err := db.SetRoles(as, admin.ID, []escalate.Role{escalate.RoleAdmin, escalate.RoleBoardMember})
			if msg := escalate.ErrorMessage(err); !strings.Contains(msg, "board member role: it opens the cases") {
				t.Errorf("board member for oneself: %q", msg)
			}
			got, _ := db.FindUser(ctx, admin.ID)
			if !slices.Equal(got.Roles, []escalate.Role{escalate.RoleAdmin}) {
				t.Errorf("roles changed to %v", got.Roles)
			}
			// Roles that oversee nothing are theirs to change.
			if err := db.SetRoles(as, admin.ID, []escalate.Role{escalate.RoleAdmin, escalate.RolePractitioner}); err != nil {
				t.Errorf("adding practitioner to oneself: %v", err)
			}
		})
		t.Run("ErrSelfManager", func(t *testing.T) {
			err := db.SetManager(as, prac.ID, admin.ID)
			wantEscErr(t, err, escalate.EFORBIDDEN, "manager")
			nu := &escalate.User{PartnershipID: f.p.ID, AgencyID: f.agency.ID, Name: "New", Email: "new@example.org",
				Roles: []escalate.Role{escalate.RolePractitioner}, ManagerID: admin.ID}
			wantEscErr(t, db.CreateUser(as, nu), escalate.EFORBIDDEN, "manager")
			if got, _ := db.FindUser(ctx, prac.ID); got.ManagerID != 0 {
				t.Errorf("manager set to %d", got.ManagerID)
			}
			// Someone else as line manager is fine.
			if err := db.SetManager(as, prac.ID, bm.ID); err != nil {
				t.Errorf("another manager: %v", err)
			}
		})
		t.Run("ErrSelfContact", func(t *testing.T) {
			// An administrator who also manages, given the role by another
			// administrator, still cannot make themselves the agency's
			// escalation contact: it opens every case raised against it.
			other := mk("admin2@example.org", escalate.RoleAdmin)
			if err := db.SetRoles(escalate.NewContextWithUser(ctx, other), admin.ID, []escalate.Role{escalate.RoleAdmin, escalate.RoleManager}); err != nil {
				t.Fatal(err)
			}
			err := db.AddEscalationContact(as, f.agency.ID, admin.ID)
			wantEscErr(t, err, escalate.EFORBIDDEN, "user")
			if cs, _ := db.EscalationContacts(ctx, f.p.ID); len(cs[f.agency.ID]) != 0 {
				t.Fatalf("contacts after a refused self-add: %v", cs[f.agency.ID])
			}
			if err := db.AddEscalationContact(escalate.NewContextWithUser(ctx, other), f.agency.ID, admin.ID); err != nil {
				t.Errorf("another administrator making them the contact: %v", err)
			}
			if err := db.RemoveEscalationContact(ctx, f.agency.ID, admin.ID); err != nil {
				t.Fatal(err)
			}
			if err := db.SetRoles(escalate.NewContextWithUser(ctx, other), admin.ID, []escalate.Role{escalate.RoleAdmin}); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("GrantRecordedAndEmailed", func(t *testing.T) {
			if to := accountMail(t); len(to) != 0 {
				t.Fatalf("mail before any grant: %v", to)
			}
			if err := db.SetRoles(as, prac.ID, []escalate.Role{escalate.RolePractitioner, escalate.RoleViceChair}); err != nil {
				t.Fatal(err)
			}
			if to := accountMail(t); !slices.Equal(to, []int64{bm.ID, chair.ID}) {
				t.Errorf("oversight grant mailed to %v, want the Business Manager %d and the Chair %d", to, bm.ID, chair.ID)
			}
			cs, err := db.RoleChanges(ctx, f.p.ID, 10)
			if err != nil {
				t.Fatal(err)
			}
			c := cs[0]
			if c.UserID != prac.ID || c.ActorID != admin.ID || !c.Oversight || !slices.Equal(c.Added, []escalate.Role{escalate.RoleViceChair}) || len(c.Removed) != 0 {
				t.Errorf("newest change %+v", c)
			}
			// Taking it away is recorded, not mailed.
			if err := db.SetRoles(as, prac.ID, []escalate.Role{escalate.RolePractitioner}); err != nil {
				t.Fatal(err)
			}
			cs, _ = db.RoleChanges(ctx, f.p.ID, 10)
			if cs[0].Oversight || !slices.Equal(cs[0].Removed, []escalate.Role{escalate.RoleViceChair}) || len(accountMail(t)) != 2 {
				t.Errorf("after removing: %+v, mail %v", cs[0], accountMail(t))
			}
			// A new account made with an oversight role from the command line.
			cli := WithActor(ctx, "cli:ops")
			nu := &escalate.User{PartnershipID: f.p.ID, AgencyID: f.agency.ID, Name: "Second", Email: "second@example.org",
				Roles: []escalate.Role{escalate.RoleBusinessManager}}
			if err := db.CreateUser(cli, nu); err != nil {
				t.Fatal(err)
			}
			// The Business Manager, the Chair and the new Business Manager.
			if to := accountMail(t); !slices.Equal(to, []int64{bm.ID, bm.ID, chair.ID, chair.ID, nu.ID}) {
				t.Errorf("mails after a new Business Manager from the command line: %v", to)
			}
			cs, _ = db.RoleChanges(ctx, f.p.ID, 10)
			if cs[0].UserID != nu.ID || cs[0].Actor != "cli:ops" || !cs[0].Oversight {
				t.Errorf("the new account's change: %+v", cs[0])
			}
		})
	})
}
