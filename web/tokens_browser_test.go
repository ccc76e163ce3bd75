package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// createButton is the create form's button, not a Revoke button.
const createButton = `form[action="/account/tokens"] button[type=submit]`

// TestTokensBrowser creates and revokes an API token in a real browser,
// checking each page with axe-core and saving screenshots.
func TestTokensBrowser(t *testing.T) {
	b := newBrowser(t)
	axe, err := os.ReadFile(filepath.Join(repoRoot, "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		t.Fatalf("axe-core is not installed: run make vendor (%v)", err)
	}
	e := newAPIEnvPack(t, "wirral", false)
	e.signIn(t, "prac") // sets the password
	u := e.ts.URL
	b.run(t, chromedp.Navigate(u+"/sign-in"),
		chromedp.SendKeys("#email", "prac@example.org", chromedp.ByID),
		chromedp.SendKeys("#password", apiPassword, chromedp.ByID),
		chromedp.Click(submitButton, chromedp.ByQuery),
		waitVisible(".app-sign-out__button"))

	t.Run("List", func(t *testing.T) {
		var main string
		b.run(t, chromedp.Navigate(u+"/account/tokens"), waitVisible("#name"),
			chromedp.Text("main", &main, chromedp.ByQuery))
		if !strings.Contains(main, "test prac") {
			t.Errorf("the list lacks the user's token: %q", main)
		}
		b.check(t, string(axe), "tokens-list")
	})
	t.Run("ErrName", func(t *testing.T) {
		var msg string
		b.run(t, chromedp.Click(createButton, chromedp.ByQuery),
			waitVisible(".govuk-error-summary"),
			chromedp.Text(".govuk-error-summary__list", &msg, chromedp.ByQuery))
		if !strings.Contains(msg, "Enter a name") {
			t.Errorf("error summary says %q", msg)
		}
		b.check(t, string(axe), "tokens-errors")
	})
	t.Run("Create", func(t *testing.T) {
		var secret string
		b.run(t, chromedp.SendKeys("#name", "case sync", chromedp.ByID),
			chromedp.Click("#scope-2", chromedp.ByID),
			chromedp.Click("#days-2", chromedp.ByID),
			chromedp.SendKeys("#password", apiPassword, chromedp.ByID),
			chromedp.Click(createButton, chromedp.ByQuery),
			waitVisible("#token"),
			chromedp.Value("#token", &secret, chromedp.ByID))
		if !newSecret.MatchString(secret) {
			t.Errorf("the token field holds %q", secret)
		}
		b.check(t, string(axe), "tokens-created")
	})
	t.Run("Revoke", func(t *testing.T) {
		var banner string
		b.run(t, chromedp.Navigate(u+"/account/tokens"), waitVisible("#name"),
			chromedp.Click(`form[action$="/revoke"] button`, chromedp.ByQuery),
			waitVisible(".govuk-notification-banner"),
			chromedp.Text(".govuk-notification-banner", &banner, chromedp.ByQuery))
		if !strings.Contains(banner, "revoked") {
			t.Errorf("banner %q", banner)
		}
		b.check(t, string(axe), "tokens-revoked")
	})
}
