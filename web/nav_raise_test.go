package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/escalate-project/escalate"
)

// TestRaiseLinkOnlyForThoseWhoMayRaise: "Raise a disagreement" (the
// header's item, My work's button, Page not found's link) is offered only to an account that
// may raise; an administrator-only or data-protection-officer-only account
// sees neither (the raise pages refuse it: the authorisation matrix); a
// practitioner still sees both.
func TestRaiseLinkOnlyForThoseWhoMayRaise(t *testing.T) {
	c := newOrg(t)
	dpo := &escalate.User{PartnershipID: c.users["bm"].PartnershipID, AgencyID: c.agencies["police"].ID,
		Name: "Dee Protector", Email: "dpo@wirral.example", Roles: []escalate.Role{escalate.RoleDataProtectionOfficer}}
	if err := c.db.CreateUser(context.Background(), dpo); err != nil {
		t.Fatal(err)
	}
	if _, err := c.db.SetPassword(context.Background(), "wirral", dpo.Email, testPassword); err != nil {
		t.Fatal(err)
	}
	c.users["dpo"] = dpo
	c.signInAll(t)
	const link = `href="/raise"`
	pages := []string{"/", "/contacts", "/escalations/WIRRAL-2026-9999"}
	for _, who := range []string{"admin", "dpo"} {
		for _, path := range pages {
			res := c.get(t, who, path)
			if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusNotFound { // the last is "Page not found"
				t.Fatalf("%s GET %s: %d", who, path, res.StatusCode)
			}
			if strings.Contains(res.body, link) || strings.Contains(res.body, "Raise a disagreement") {
				t.Errorf("%s, who may not raise, is offered the raise link on %s", who, path)
			}
		}
	}
	for _, path := range pages {
		res := c.get(t, "jo", path)
		if !strings.Contains(res.body, link) {
			t.Errorf("the practitioner is not offered the raise link on %s (%d)", path, res.StatusCode)
		}
	}
	if res := c.get(t, "jo", "/"); strings.Count(res.body, link) != 2 {
		t.Errorf("My work shows the raise link %d times to a practitioner, want 2 (header and button)", strings.Count(res.body, link))
	}
	// My work's "What you raised" is for those who may raise (or have).
	for who, want := range map[string]bool{"admin": false, "dpo": false, "jo": true} {
		if got := strings.Contains(c.get(t, who, "/").body, "What you raised"); got != want {
			t.Errorf("%s: My work shows What you raised = %v, want %v", who, got, want)
		}
	}
}
