package web_test

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/escalate-project/escalate"
)

func TestAdministratorLimitsPages(t *testing.T) {
	c := newOrg(t)
	admin, stranger := c.users["admin"], c.users["stranger"]
	self := "/admin/people/" + orgItoa(admin.ID)
	other := "/admin/people/" + orgItoa(stranger.ID)

	t.Run("ErrOversightForSelf", func(t *testing.T) {
		// The oversight roles, and the other roles that open cases: a
		// board member (a partnership role), the Designated Nurse, a line
		// manager.
		for _, r := range append(slices.Clone(escalate.Oversight), escalate.RoleBoardMember, escalate.RoleDesignatedNurse, escalate.RoleManager) {
			res := c.post(t, "admin", self+"/roles", url.Values{"roles": {"admin", string(r)}})
			if res.StatusCode != 403 || !slices.Equal(summaryLinks(res.body), []string{"roles"}) ||
				!strings.Contains(res.body, "You cannot give yourself the") {
				t.Errorf("giving oneself %s: %d %v", r, res.StatusCode, summaryLinks(res.body))
			}
		}
		if u := c.user(t, admin.ID); !slices.Equal(u.Roles, []escalate.Role{escalate.RoleAdmin}) {
			t.Errorf("roles changed to %v", u.Roles)
		}
	})
	t.Run("ErrSelfAsManager", func(t *testing.T) {
		page := c.get(t, "admin", other)
		if strings.Contains(page.body, `<option value="`+orgItoa(admin.ID)+`"`) {
			t.Error("the line manager list offers the administrator themselves")
		}
		res := c.post(t, "admin", other+"/manager", url.Values{"manager": {orgItoa(admin.ID)}})
		if res.StatusCode != 403 || !slices.Equal(summaryLinks(res.body), []string{"manager"}) {
			t.Errorf("making oneself the line manager: %d %v", res.StatusCode, summaryLinks(res.body))
		}
		res = c.post(t, "admin", "/admin/people/new", url.Values{"name": {"New Person"}, "email": {"new.person@wirral.example"},
			"agency": {orgItoa(stranger.AgencyID)}, "roles": {"practitioner"}, "manager": {orgItoa(admin.ID)}})
		if res.StatusCode != 403 || !slices.Equal(summaryLinks(res.body), []string{"manager"}) {
			t.Errorf("a new person managed by oneself: %d %v", res.StatusCode, summaryLinks(res.body))
		}
		if u := c.user(t, stranger.ID); u.ManagerID == admin.ID {
			t.Error("the administrator became the line manager")
		}
		if _, err := c.db.FindUserByEmail(context.Background(), admin.PartnershipID, "new.person@wirral.example"); escalate.ErrorCode(err) != escalate.ENOTFOUND {
			t.Errorf("the refused person was added: %v", err)
		}
	})
	t.Run("ErrSelfAsContact", func(t *testing.T) {
		// Given a manager's role by someone else, the administrator is
		// still not offered as, and cannot make themselves, their agency's
		// escalation contact.
		ctx := context.Background()
		if err := c.db.SetRoles(ctx, admin.ID, []escalate.Role{escalate.RoleAdmin, escalate.RoleManager}); err != nil {
			t.Fatal(err)
		}
		defer c.db.SetRoles(ctx, admin.ID, []escalate.Role{escalate.RoleAdmin})
		agency := "/admin/agencies/" + orgItoa(admin.AgencyID)
		page := c.get(t, "admin", agency)
		if page.StatusCode != 200 || strings.Contains(page.body, `<option value="`+orgItoa(admin.ID)+`"`) {
			t.Errorf("the agency page (%d) offers the administrator themselves as its contact", page.StatusCode)
		}
		res := c.post(t, "admin", agency+"/contacts", url.Values{"user": {orgItoa(admin.ID)}})
		if res.StatusCode != 400 || !slices.Equal(summaryLinks(res.body), []string{"user"}) {
			t.Errorf("making oneself the contact: %d %v", res.StatusCode, summaryLinks(res.body))
		}
		if cs, err := c.db.EscalationContacts(ctx, admin.PartnershipID); err != nil || len(cs[admin.AgencyID]) != 0 {
			t.Errorf("contacts after a refused self-add: %v %v", cs[admin.AgencyID], err)
		}
	})
	t.Run("GrantListed", func(t *testing.T) {
		if res := c.post(t, "admin", other+"/roles", url.Values{"roles": {"practitioner", "chair"}}); res.StatusCode != 303 {
			t.Fatalf("giving another person the chair: %d", res.StatusCode)
		}
		// (The stranger is a chair now.)
		for who, want := range map[string]int{"admin": 200, "bm": 200, "chair": 200, "jo": 403, "stranger": 200} {
			res := c.get(t, who, "/admin/role-changes")
			if res.StatusCode != want {
				t.Errorf("%s: GET /admin/role-changes = %d, want %d", who, res.StatusCode, want)
				continue
			}
			if want == 200 && (!strings.Contains(res.body, stranger.Name) || !strings.Contains(res.body, admin.Name) ||
				!strings.Contains(res.body, "Oversight</strong>")) {
				t.Errorf("%s: the history does not show who gave the chair to whom", who)
			}
		}
		// The Business Manager and the Chair are told, by email and in
		// their notifications.
		for _, who := range []string{"bm", "chair"} {
			ns, err := c.db.Notifications(context.Background(), c.users[who], 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(ns) == 0 || ns[0].SubjectKey != "account-oversight-granted" {
				t.Errorf("%s's notifications: %+v, want the oversight grant first", who, ns)
			}
		}
	})
}
