package web_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestPartyBrowser names who is dealing with an escalation in a real
// browser: the form, its error summary and the banner, each checked with
// axe-core and saved as a screenshot.
func TestPartyBrowser(t *testing.T) {
	b := newBrowser(t)
	axe, err := os.ReadFile(filepath.Join(repoRoot, "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		t.Fatalf("axe-core is not installed: run make vendor (%v)", err)
	}
	c := newPartyCases(t)
	e := c.raiseAlone(t)
	page := c.ts.URL + "/escalations/" + e.Ref
	b.run(t, chromedp.Navigate(c.ts.URL+"/sign-in"),
		chromedp.SendKeys("#email", testEmail, chromedp.ByID),
		chromedp.SendKeys("#password", testPassword, chromedp.ByID),
		chromedp.Click(submitButton, chromedp.ByQuery),
		waitVisible("#raised"))

	t.Run("Form", func(t *testing.T) {
		b.run(t, chromedp.Navigate(page), waitVisible("#actions"),
			chromedp.Click(`#actions a[href$="/party"]`, chromedp.ByQuery), waitVisible("#user"))
		b.check(t, string(axe), "escalation-party")
	})
	t.Run("Errors", func(t *testing.T) {
		var summary string
		b.run(t, chromedp.Click(submitButton, chromedp.ByQuery),
			waitVisible(".govuk-error-summary"),
			chromedp.Text(".govuk-error-summary__list", &summary, chromedp.ByQuery))
		if !strings.Contains(summary, "Choose who is dealing with this escalation.") {
			t.Errorf("error summary %q", summary)
		}
		b.takeErrors() // the 400 status is reported by the browser itself
		b.check(t, string(axe), "escalation-party-errors")
	})
	t.Run("Named", func(t *testing.T) {
		var banner string
		b.run(t, chromedp.SetValue("#user", strconv.FormatInt(c.users["pat"].ID, 10), chromedp.ByID),
			chromedp.Click(submitButton, chromedp.ByQuery),
			waitVisible(".govuk-notification-banner"),
			chromedp.Text(".govuk-notification-banner", &banner, chromedp.ByQuery))
		if !strings.Contains(banner, "Pat Rivers is now dealing with this escalation") {
			t.Errorf("banner %q", banner)
		}
		b.check(t, string(axe), "escalation-party-named")
	})
}
