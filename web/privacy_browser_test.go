package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestPrivacyBrowser walks the data protection pages in a real browser,
// starting from what the data protection officer sees: the partnership's
// pages link to Data protection; the officer asks who has seen a case
// (sam opened it), places a legal hold on it (first without a reason), sees
// the dry run, and opens the subject access form. Each page is checked with
// axe-core and saved as a screenshot, at 1280 and at 375 pixels wide.
func TestPrivacyBrowser(t *testing.T) {
	b := newBrowser(t)
	axe, err := os.ReadFile(filepath.Join(repoRoot, "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		t.Fatalf("axe-core is not installed: run make vendor (%v)", err)
	}
	c := newPrivacyCases(t)
	e := c.raise(t)
	if res := c.get(t, "sam", "/escalations/"+e.Ref); res.StatusCode != 200 {
		t.Fatalf("sam opens the case: %d", res.StatusCode)
	}
	u := c.ts.URL
	var main string
	b.run(t, viewport(1280, 900))
	b.run(t, chromedp.Navigate(u+"/sign-in"),
		chromedp.SendKeys("#email", c.users["dpo"].Email, chromedp.ByID),
		chromedp.SendKeys("#password", testPassword, chromedp.ByID),
		chromedp.Click(submitButton, chromedp.ByQuery),
		waitVisible(".app-sign-out__button"))
	b.run(t, chromedp.Click(`a.govuk-service-navigation__link[href="/contacts"]`, chromedp.ByQuery),
		waitVisible(`a[href="/privacy"]`),
		chromedp.Click(`a[href="/privacy"]`, chromedp.ByQuery), waitVisible("#ref"))
	b.check(t, string(axe), "privacy-1280")
	b.run(t, chromedp.SendKeys("#ref", e.Ref, chromedp.ByID),
		chromedp.Click(`form[action="/privacy/case"] button`, chromedp.ByQuery),
		waitVisible("#answer"), chromedp.Text("main", &main, chromedp.ByQuery))
	if !strings.Contains(main, "Sam Carter (sam@wirral.example)") || !strings.Contains(main, "Opened the escalation") {
		t.Errorf("who has seen the case: %q", main)
	}
	b.check(t, string(axe), "privacy-case-1280")

	b.run(t, chromedp.Click(`a[href="/privacy/retention"]`, chromedp.ByQuery), waitVisible("#periods"))
	b.check(t, string(axe), "privacy-retention-1280")
	b.run(t, chromedp.SendKeys(`form[action="/privacy/holds"] #ref`, e.Ref, chromedp.ByQuery),
		chromedp.Click(`form[action="/privacy/holds"] button`, chromedp.ByQuery),
		waitVisible(".govuk-error-summary"), chromedp.Text(".govuk-error-summary", &main, chromedp.ByQuery))
	if !strings.Contains(main, "Say why") {
		t.Errorf("a hold without a reason: %q", main)
	}
	b.check(t, string(axe), "privacy-hold-errors-1280")
	b.run(t, chromedp.SendKeys("#reason", "Preservation order of the inquiry, 1 December 2026.", chromedp.ByID),
		chromedp.Click(`form[action="/privacy/holds"] button`, chromedp.ByQuery),
		waitVisible(".govuk-notification-banner"),
		chromedp.Click(`a[href="/privacy/retention?dry-run=1#dry-run"]`, chromedp.ByQuery), waitVisible("#dry-run"),
		chromedp.Text("main", &main, chromedp.ByQuery))
	if !strings.Contains(main, "Escalation "+e.Ref) || !strings.Contains(main, "Nothing is due today.") {
		t.Errorf("the retention page after the hold: %q", main)
	}
	b.check(t, string(axe), "privacy-retention-held-1280")

	b.run(t, chromedp.Navigate(u+"/privacy"), waitVisible("#subject-access"),
		chromedp.Click(`label[for="kind-staff"]`, chromedp.ByQuery), waitVisible("#sar-email"))
	b.check(t, string(axe), "privacy-subject-access-1280")

	b.run(t, viewport(375, 740))
	defer b.run(t, viewport(1024, 900))
	for _, p := range []struct{ path, name string }{
		{"/privacy", "privacy-375"}, {"/privacy/cases/" + e.Ref, "privacy-case-375"}, {"/privacy/retention?dry-run=1", "privacy-retention-375"},
	} {
		// Loaded at 375 px; check fails a page that scrolls sideways.
		b.run(t, chromedp.Navigate(u+p.path), waitVisible("h1"))
		b.check(t, string(axe), p.name)
	}
}
