package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestOIDCBrowser signs in with single sign-on in a real browser, through
// the test provider and back: first refused (the account is not linked),
// then, with email linking, all the way to the home page. The sign-in page
// and the refusal page are checked with axe-core and saved as screenshots.
func TestOIDCBrowser(t *testing.T) {
	b := newBrowser(t)
	axe, err := os.ReadFile(filepath.Join(repoRoot, "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		t.Fatalf("axe-core is not installed: run make vendor (%v)", err)
	}
	const ssoLink = `a[href="/sign-in/oidc"]`
	t.Run("Refused", func(t *testing.T) {
		e := newSSOEnv(t, false, false)
		b.run(t, chromedp.Navigate(e.ts.URL+"/sign-in"), waitVisible(ssoLink))
		b.check(t, string(axe), "sign-in-sso")
		var main string
		b.run(t, chromedp.Click(ssoLink, chromedp.ByQuery), waitVisible(`a[href="/sign-in"]`),
			chromedp.Text("main", &main, chromedp.ByQuery))
		if !strings.Contains(main, "You could not be signed in") || !strings.Contains(main, "not linked to an Escalate account") {
			t.Errorf("refusal page says %q", main)
		}
		b.check(t, string(axe), "oidc-refused")
	})
	t.Run("OK", func(t *testing.T) {
		e := newSSOEnv(t, true, false)
		var main string
		b.run(t, chromedp.Navigate(e.ts.URL+"/sign-in"), chromedp.Click(ssoLink, chromedp.ByQuery),
			waitVisible(".app-sign-out__button"), chromedp.Text("main", &main, chromedp.ByQuery))
		if !strings.Contains(main, "My work") {
			t.Errorf("after single sign-on the page says %q", main)
		}
	})
}
