package web_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/sqlstore"
)

// auditActionCount counts the audit events with the given action.
func (c *cases) auditActionCount(t *testing.T, action string) int {
	t.Helper()
	evs, err := c.db.AuditEvents(context.Background(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ev := range evs {
		if ev.Action == action {
			n++
		}
	}
	return n
}

func (c *cases) user(t *testing.T, id int64) *escalate.User {
	t.Helper()
	u, err := c.db.FindUser(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestAdminPages(t *testing.T) {
	c := newOrg(t)
	stranger := c.users["stranger"]
	person := "/admin/people/" + orgItoa(stranger.ID)
	t.Run("Access", func(t *testing.T) {
		for who, want := range map[string]int{"jo": 403, "chair": 403, "stranger": 403, "bm": 200, "admin": 200} {
			res := c.get(t, who, "/admin")
			if res.StatusCode != want {
				t.Errorf("%s: GET /admin = %d, want %d", who, res.StatusCode, want)
			}
			if want == 200 && !strings.Contains(res.body, "Robin Hale") {
				t.Errorf("%s: the people list lacks Robin Hale", who)
			}
			if got := strings.Contains(res.body, `href="/admin/people/new"`); got != (who == "admin") {
				t.Errorf("%s: add-a-person link shown %v", who, got)
			}
		}
		// The Business Manager reads but cannot change.
		for _, path := range []string{"/admin/agencies/new", "/admin/people/new", person} {
			if res := c.get(t, "bm", path); res.StatusCode != 403 {
				t.Errorf("bm: GET %s = %d, want 403", path, res.StatusCode)
			}
		}
		for path, form := range map[string]url.Values{
			"/admin/agencies/new": {"name": {"New Agency"}, "kind": {"school"}},
			person + "/roles":     {"roles": {"admin"}},
			person + "/status":    {"status": {"disable"}},
		} {
			if res := c.post(t, "bm", path, form); res.StatusCode != 403 {
				t.Errorf("bm: POST %s = %d, want 403", path, res.StatusCode)
			}
		}
		if u := c.user(t, stranger.ID); u.Disabled || u.HasRole(escalate.RoleAdmin) {
			t.Errorf("a refused change was made: %+v", u)
		}
	})
	t.Run("AddAgency", func(t *testing.T) {
		res := c.post(t, "admin", "/admin/agencies/new", url.Values{"name": {"Wirral Community NHS Trust"}, "kind": {"Health Provider"}})
		if res.StatusCode != 400 || !slices.Equal(summaryLinks(res.body), []string{"kind"}) {
			t.Errorf("bad kind: %d %v", res.StatusCode, summaryLinks(res.body))
		}
		res = c.post(t, "admin", "/admin/agencies/new", url.Values{"name": {"Wirral Community NHS Trust"}, "kind": {"health-provider"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("add agency: %d\n%s", res.StatusCode, res.body)
		}
		res = c.post(t, "admin", "/admin/agencies/new", url.Values{"name": {"Wirral Community NHS Trust"}, "kind": {"health-provider"}})
		if res.StatusCode != 400 || !slices.Equal(summaryLinks(res.body), []string{"name"}) {
			t.Errorf("duplicate agency: %d %v", res.StatusCode, summaryLinks(res.body))
		}
		if !strings.Contains(c.get(t, "bm", "/admin").body, "Wirral Community NHS Trust") {
			t.Error("the new agency is not listed")
		}
	})
	t.Run("AddPerson", func(t *testing.T) {
		form := url.Values{"name": {"Pat Kay"}, "email": {"pat.kay@wirral.example"}, "agency": {orgItoa(c.agencies["care"].ID)},
			"roles": {"practitioner", "manager"}, "manager": {orgItoa(c.users["sam"].ID)}}
		empty := c.post(t, "admin", "/admin/people/new", url.Values{})
		if empty.StatusCode != 400 || !slices.Equal(summaryLinks(empty.body), []string{"name", "email", "agency", "roles"}) {
			t.Errorf("empty form: %d %v", empty.StatusCode, summaryLinks(empty.body))
		}
		res := c.post(t, "admin", "/admin/people/new", form)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("add person: %d\n%s", res.StatusCode, res.body)
		}
		u, err := c.db.FindUserByEmail(context.Background(), stranger.PartnershipID, "pat.kay@wirral.example")
		if err != nil || u.ManagerID != c.users["sam"].ID || !u.HasRole(escalate.RoleManager) {
			t.Fatalf("stored %+v, %v", u, err)
		}
		res = c.post(t, "admin", "/admin/people/new", form)
		if res.StatusCode != 400 || !slices.Equal(summaryLinks(res.body), []string{"email"}) {
			t.Errorf("duplicate email: %d %v", res.StatusCode, summaryLinks(res.body))
		}
	})
	t.Run("RolesAndManager", func(t *testing.T) {
		if res := c.get(t, "admin", person); res.StatusCode != 200 || !strings.Contains(res.body, "Robin Hale") {
			t.Fatalf("person page: %d", res.StatusCode)
		}
		before := c.auditActionCount(t, "user.roles")
		res := c.post(t, "admin", person+"/roles", url.Values{"roles": {"practitioner", "safeguarding-lead"}})
		if res.StatusCode != http.StatusSeeOther || !c.user(t, stranger.ID).HasRole(escalate.RoleSafeguardingLead) {
			t.Errorf("set roles: %d", res.StatusCode)
		}
		if c.auditActionCount(t, "user.roles") != before+1 {
			t.Error("the roles change was not audited")
		}
		for _, form := range []url.Values{{}, {"roles": {"overlord"}}} {
			if res := c.post(t, "admin", person+"/roles", form); res.StatusCode != 400 || !slices.Equal(summaryLinks(res.body), []string{"roles"}) {
				t.Errorf("roles %v: %d %v", form, res.StatusCode, summaryLinks(res.body))
			}
		}
		res = c.post(t, "admin", person+"/manager", url.Values{"manager": {orgItoa(c.users["sam"].ID)}})
		if res.StatusCode != http.StatusSeeOther || c.user(t, stranger.ID).ManagerID != c.users["sam"].ID {
			t.Errorf("set manager: %d", res.StatusCode)
		}
		// Sam cannot then be managed by Robin: that is a loop.
		res = c.post(t, "admin", "/admin/people/"+orgItoa(c.users["sam"].ID)+"/manager", url.Values{"manager": {orgItoa(stranger.ID)}})
		if res.StatusCode != 400 || !slices.Equal(summaryLinks(res.body), []string{"manager"}) {
			t.Errorf("manager loop: %d %v", res.StatusCode, summaryLinks(res.body))
		}
		self := "/admin/people/" + orgItoa(c.users["admin"].ID)
		if res := c.post(t, "admin", self+"/roles", url.Values{"roles": {"practitioner"}}); res.StatusCode != 400 {
			t.Errorf("removing one's own admin role: %d", res.StatusCode)
		}
		if res := c.post(t, "admin", self+"/status", url.Values{"status": {"disable"}}); res.StatusCode != 400 || c.user(t, c.users["admin"].ID).Disabled {
			t.Errorf("disabling oneself: %d", res.StatusCode)
		}
	})
	t.Run("DisableEndsSessions", func(t *testing.T) {
		if !c.signedInAs(t, "stranger") {
			t.Fatal("stranger is not signed in to start with")
		}
		res := c.post(t, "admin", person+"/status", url.Values{"status": {"disable"}})
		if res.StatusCode != http.StatusSeeOther || !c.user(t, stranger.ID).Disabled {
			t.Fatalf("disable: %d", res.StatusCode)
		}
		if c.signedInAs(t, "stranger") {
			t.Error("a disabled user's session still works")
		}
		if res := c.do(t, "POST", "/sign-in", "", url.Values{"email": {stranger.Email}, "password": {testPassword}}); res.StatusCode == http.StatusSeeOther {
			t.Error("a disabled user can sign in")
		}
		res = c.post(t, "admin", person+"/status", url.Values{"status": {"enable"}})
		if res.StatusCode != http.StatusSeeOther || c.user(t, stranger.ID).Disabled {
			t.Fatalf("enable: %d", res.StatusCode)
		}
		if res := c.do(t, "POST", "/sign-in", "", url.Values{"email": {stranger.Email}, "password": {testPassword}}); res.StatusCode != http.StatusSeeOther {
			t.Errorf("an enabled user cannot sign in: %d", res.StatusCode)
		}
		if c.auditActionCount(t, "user.disable") != 1 || c.auditActionCount(t, "user.enable") != 1 {
			t.Error("disable and enable were not both audited")
		}
	})
	t.Run("ErrOtherPartnership", func(t *testing.T) {
		ctx := sqlstore.WithActor(context.Background(), "test")
		pol, raw := mustPackPolicy(t, "surrey")
		p := &escalate.Partnership{Key: "surrey", Name: "Surrey"}
		if err := c.db.CreatePartnership(ctx, p, pol, raw); err != nil {
			t.Fatal(err)
		}
		relaxSecondFactor(t, c.db, p)
		a := &escalate.Agency{PartnershipID: p.ID, Name: "Surrey Police", Kind: "police"}
		if err := c.db.CreateAgency(ctx, a); err != nil {
			t.Fatal(err)
		}
		u := &escalate.User{PartnershipID: p.ID, AgencyID: a.ID, Name: "Out Sider", Email: "out@surrey.example",
			Roles: []escalate.Role{escalate.RolePractitioner}}
		if err := c.db.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		other := "/admin/people/" + orgItoa(u.ID)
		if res := c.get(t, "admin", other); res.StatusCode != 404 {
			t.Errorf("GET another partnership's person: %d", res.StatusCode)
		}
		if res := c.post(t, "admin", other+"/status", url.Values{"status": {"disable"}}); res.StatusCode != 404 || c.user(t, u.ID).Disabled {
			t.Errorf("disable another partnership's person: %d", res.StatusCode)
		}
		if strings.Contains(c.get(t, "admin", "/admin").body, "Out Sider") {
			t.Error("another partnership's person is listed")
		}
	})
}

// signedInAs reports whether who's session token still opens a page.
func (c *cases) signedInAs(t *testing.T, who string) bool {
	t.Helper()
	res := c.get(t, who, "/contacts")
	return res.StatusCode == http.StatusOK
}
