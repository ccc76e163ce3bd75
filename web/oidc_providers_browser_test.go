package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/escalate-project/escalate"
)

// TestProvidersBrowser walks the email-first sign-in to a provider on
// loopback and back, and the administrator's providers page with its
// error summary, in real Chromium with axe-core on every page; screenshots
// at 1280 and 375 pixels wide (testdata/screens/sign-in-email-first*.png,
// admin-providers*.png).
func TestProvidersBrowser(t *testing.T) {
	b := newBrowser(t)
	axe, err := os.ReadFile(filepath.Join(repoRoot, "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		t.Fatalf("axe-core is not installed: run make vendor (%v)", err)
	}
	pe := newProvidersEnv(t)
	pe.school.set("school-sub-b", testEmail, true, nil)
	admin := &escalate.User{PartnershipID: pe.user.PartnershipID, AgencyID: pe.user.AgencyID, Name: "Ada Admin",
		Email: "ada@elsewhere.example", Roles: []escalate.Role{escalate.RoleAdmin}}
	if err := pe.db.CreateUser(context.Background(), admin); err != nil {
		t.Fatal(err)
	}
	if _, err := pe.db.SetPassword(context.Background(), "wirral", admin.Email, testPassword); err != nil {
		t.Fatal(err)
	}
	u := pe.ts.URL
	shots := func(t *testing.T, name string) { t.Helper(); b.check(t, string(axe), name) }
	t.Run("EmailFirstToProvider", func(t *testing.T) {
		b.run(t, chromedp.Navigate(u+"/sign-in"), waitVisible("#email"))
		var hasPassword bool
		b.run(t, chromedp.Evaluate(`document.querySelector("#password") !== null`, &hasPassword))
		if hasPassword {
			t.Error("the first page asks for a password")
		}
		shots(t, "sign-in-email-first")
		b.run(t, chromedp.SendKeys("#email", testEmail, chromedp.ByID), chromedp.Click(submitButton, chromedp.ByQuery),
			waitVisible(`a[href^="/sign-in/oidc/"]`))
		shots(t, "sign-in-provider")
		b.run(t, chromedp.Click(`a[href^="/sign-in/oidc/"]`, chromedp.ByQuery), waitVisible(".app-sign-out__button"))
		var main string
		b.run(t, chromedp.Text("main", &main, chromedp.ByQuery))
		if !strings.Contains(main, "My work") {
			t.Errorf("after the school trust's provider: %q", main)
		}
		b.run(t, chromedp.Click(".app-sign-out__button", chromedp.ByQuery), waitVisible("#email"))
	})
	t.Run("PasswordStep", func(t *testing.T) {
		b.run(t, chromedp.Navigate(u+"/sign-in"), waitVisible("#email"),
			chromedp.SendKeys("#email", admin.Email, chromedp.ByID), chromedp.Click(submitButton, chromedp.ByQuery),
			waitVisible("#password"))
		shots(t, "sign-in-password-step")
		b.run(t, chromedp.SendKeys("#password", testPassword, chromedp.ByID), chromedp.Click(submitButton, chromedp.ByQuery),
			waitVisible(".app-sign-out__button"))
	})
	t.Run("AdminProviders", func(t *testing.T) {
		b.run(t, chromedp.Navigate(u+"/admin/sign-in"), waitVisible("#name"))
		shots(t, "admin-providers")
		b.run(t, chromedp.Click(`form[action="/admin/sign-in"] button[type=submit]`, chromedp.ByQuery), waitVisible(".govuk-error-summary"))
		var summary string
		b.run(t, chromedp.Text(".govuk-error-summary__list", &summary, chromedp.ByQuery))
		for _, want := range []string{"Enter a name", "issuer", "(client) ID", "email domains"} {
			if !strings.Contains(summary, want) {
				t.Errorf("error summary lacks %q: %q", want, summary)
			}
		}
		shots(t, "admin-providers-errors")
	})
}
