package web_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/policy"
	"github.com/escalate-project/escalate/sqlstore"
	"github.com/escalate-project/escalate/web"
)

// newWhole is newOrg's cast served with everything a real server has that
// these tests need: the partnership pages, the raise pages and the API.
func newWhole(t *testing.T) *cases {
	t.Helper()
	c := newOrg(t)
	srv, err := web.New(web.Config{
		Auth:        &sqlstore.Sessions{DB: c.db, Idle: 30 * time.Minute, Lifetime: 12 * time.Hour},
		Logger:      slog.New(slog.NewJSONHandler(c.logs, nil)),
		Escalations: c.svc, Partnership: c.db, Raise: c.db,
		API: web.APIConfig{Tokens: sqlstore.NewTokenService(c.db), Store: c.db},
	})
	if err != nil {
		t.Fatal(err)
	}
	c.srv = srv
	c.ts.Close()
	c.ts = httptest.NewServer(srv)
	t.Cleanup(c.ts.Close)
	c.signInAll(t)
	return c
}

// TestNotFoundKeepsNavigation: a case one may not see, or a page that does
// not exist, is "Page not found" with the service navigation and what to
// do next, not a bare page blaming the address.
func TestNotFoundKeepsNavigation(t *testing.T) {
	c := newWhole(t)
	e := c.raise(t)
	for _, path := range []string{"/escalations/" + e.Ref, "/escalations/" + e.Ref + "/record", "/no-such-page"} {
		res := c.get(t, "stranger", path)
		if res.StatusCode != http.StatusNotFound {
			t.Fatalf("%s: %d", path, res.StatusCode)
		}
		for _, want := range []string{"govuk-service-navigation", "Sign out", "Page not found", "What you can do", `href="/"`, "My work"} {
			if !strings.Contains(res.body, want) {
				t.Errorf("%s: the 404 page lacks %q", path, want)
			}
		}
	}
	if res := c.do(t, "GET", "/no-such-page", "", nil); !strings.Contains(res.body, `href="/sign-in"`) {
		t.Error("signed out, the 404 page does not offer to sign in")
	}
}

// TestApproveAndConfirmShowWhat: the approve page shows the record being
// approved; the confirm page shows the outcome being confirmed.
func TestApproveAndConfirmShowWhat(t *testing.T) {
	c := newCases(t, "wirral")
	e := c.raise(t)
	if _, err := c.svc.AddRecord(c.as("jo"), e.Ref, escalate.RecordInput{Version: e.Version, At: c.clock.now().Add(-time.Hour),
		Form: "phone", Participants: []string{"Sam Carter, social worker"}, Discussion: "Went through the referral line by line.",
		Outcome: "Sam will check with the team manager."}); err != nil {
		t.Fatal(err)
	}
	page := c.get(t, "jo", "/escalations/"+e.Ref+"/approve")
	for _, want := range []string{"govuk-summary-card", "Record 1", "Went through the referral line by line.", "Sam will check with the team manager."} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the approve page lacks %q", want)
		}
	}
	r := newCases(t, "redbridge")
	e = r.raise(t)
	if _, err := r.svc.AgreeOutcome(r.as("sam"), e.Ref, escalate.AgreeInput{Version: e.Version,
		Outcome: "A child and family assessment starts on Monday.", OutstandingIssues: "Review in a month."}); err != nil {
		t.Fatal(err)
	}
	page = r.get(t, "sam", "/escalations/"+e.Ref+"/confirm")
	for _, want := range []string{"The outcome you are confirming", "A child and family assessment starts on Monday.", "Review in a month."} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the confirm page lacks %q", want)
		}
	}
}

// TestProtectNamesLineManager: at Redbridge the immediate-risk route starts
// with the manager; the service knows the raiser's line manager and names
// them, even with no one in the directory.
func TestProtectNamesLineManager(t *testing.T) {
	re := newRaiseEnv(t)
	ctx := context.Background()
	mgr := &escalate.User{PartnershipID: re.user.PartnershipID, AgencyID: re.user.AgencyID, Name: "Morgan Lineman",
		Email: "morgan@wirral.example", Roles: []escalate.Role{escalate.RoleManager}}
	if err := re.db.CreateUser(ctx, mgr); err != nil {
		t.Fatal(err)
	}
	if err := re.db.SetManager(ctx, re.user.ID, mgr.ID); err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(web.Config{
		Auth:        &sqlstore.Sessions{DB: re.db, Idle: 30 * time.Minute, Lifetime: 12 * time.Hour},
		Logger:      slog.New(slog.NewJSONHandler(re.logs, nil)),
		Escalations: re.esc, Raise: re.db, Partnership: re.db,
	})
	if err != nil {
		t.Fatal(err)
	}
	re.ts.Close()
	re.ts = httptest.NewServer(srv)
	re.token = re.signIn(t, "")
	// Wirral's route is the front door only: the manager is not named.
	re.post(t, "/raise", url.Values{"immediate": {"yes"}}, "/raise/protect")
	if page := re.req(t, "GET", "/raise/protect", nil); strings.Contains(page.body, "Morgan Lineman") {
		t.Error("the Wirral route names the line manager, who is not on it")
	}
	// Redbridge's route starts with the manager.
	pol, err := policy.Pack("redbridge")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := policy.PackSource("redbridge")
	if _, err := re.db.SetPolicy(ctx, re.user.PartnershipID, pol, raw); err != nil {
		t.Fatal(err)
	}
	page := re.req(t, "GET", "/raise/protect", nil)
	i := strings.Index(page.body, "Morgan Lineman, your line manager")
	if i < 0 || !strings.Contains(page.body, "morgan@wirral.example") {
		t.Fatalf("the Redbridge route does not name the line manager:\n%s", section(page.body, "<main", "</main>"))
	}
	if j := strings.Index(page.body, "Safeguarding lead"); j >= 0 && j < i {
		t.Error("the line manager is not the first to contact")
	}
}

// TestAPIAccess: the administrator narrows who may use the API; a
// practitioner then has no "API tokens" in the navigation and no tokens
// page, and the Business Manager keeps both; only the administrator may
// change it.
func TestAPIAccess(t *testing.T) {
	c := newWhole(t)
	if page := c.get(t, "jo", "/"); !strings.Contains(page.body, `href="/account/tokens"`) {
		t.Fatal("before the setting, everyone has API tokens")
	}
	form := url.Values{"access": {"roles"}, "api_roles": {"business-manager", "admin"}}
	if res := c.post(t, "bm", "/admin/api-access", form); res.StatusCode != http.StatusForbidden {
		t.Errorf("the Business Manager changing it: %d", res.StatusCode)
	}
	admin := c.get(t, "admin", "/admin")
	if !strings.Contains(admin.body, `action="/admin/api-access"`) || !strings.Contains(admin.body, `value="everyone" checked`) {
		t.Fatal("the administration page has no API setting")
	}
	if res := c.post(t, "admin", "/admin/api-access", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("saving: %d %s", res.StatusCode, res.body)
	}
	admin = c.get(t, "admin", "/admin?done=api")
	if !strings.Contains(admin.body, "Who may use the API saved.") || !strings.Contains(admin.body, `value="business-manager" checked`) {
		t.Error("the saved setting is not shown")
	}
	if page := c.get(t, "jo", "/"); strings.Contains(page.body, `href="/account/tokens"`) {
		t.Error("a practitioner still has API tokens in the navigation")
	}
	if res := c.get(t, "jo", "/account/tokens"); res.StatusCode != http.StatusForbidden || !strings.Contains(res.body, "Ask your administrator") {
		t.Errorf("a practitioner's tokens page: %d", res.StatusCode)
	}
	if page := c.get(t, "bm", "/account/tokens"); page.StatusCode != http.StatusOK || !strings.Contains(page.body, `href="/account/tokens"`) {
		t.Errorf("the Business Manager's tokens page: %d", page.StatusCode)
	}
	if res := c.post(t, "admin", "/admin/api-access", url.Values{"access": {"everyone"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatal(res.StatusCode)
	}
	if page := c.get(t, "jo", "/"); !strings.Contains(page.body, `href="/account/tokens"`) {
		t.Error("everyone again, but not the practitioner")
	}
}
