package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestEscalationBrowser walks My work, an escalation and the record form in
// a real browser, checking each with axe-core and saving screenshots.
func TestEscalationBrowser(t *testing.T) {
	b := newBrowser(t)
	axe, err := os.ReadFile(filepath.Join(repoRoot, "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		t.Fatalf("axe-core is not installed: run make vendor (%v)", err)
	}
	c := newCases(t, "wirral")
	late := c.raise(t)
	c.clock.add(14 * 24 * time.Hour)
	e := c.raise(t)
	u := c.ts.URL
	page := u + "/escalations/" + e.Ref

	t.Run("MyWork", func(t *testing.T) {
		var h1, main string
		b.run(t, chromedp.Navigate(u+"/sign-in"),
			chromedp.SendKeys("#email", testEmail, chromedp.ByID),
			chromedp.SendKeys("#password", testPassword, chromedp.ByID),
			chromedp.Click(submitButton, chromedp.ByQuery),
			waitVisible("#raised"),
			chromedp.Text("h1", &h1, chromedp.ByQuery),
			chromedp.Text("main", &main, chromedp.ByQuery))
		if h1 != "My work" || !strings.Contains(main, late.Ref) || !strings.Contains(main, e.Ref) {
			t.Errorf("My work: h1 %q, main %q", h1, main)
		}
		b.check(t, string(axe), "work-home")
	})
	t.Run("Escalation", func(t *testing.T) {
		var explanation string
		b.run(t, chromedp.Navigate(page), waitVisible("#current-stage"),
			chromedp.Click("details.govuk-details summary", chromedp.ByQuery),
			waitVisible(".govuk-details__text"),
			chromedp.Text(".govuk-details__text", &explanation, chromedp.ByQuery))
		if !strings.Contains(explanation, "working week") {
			t.Errorf("the first clock's explanation reads %q", explanation)
		}
		b.check(t, string(axe), "escalation-page")
	})
	t.Run("RecordForm", func(t *testing.T) {
		b.run(t, chromedp.Navigate(page+"/record"), waitVisible("#participants"))
		b.check(t, string(axe), "escalation-record")
		var summary string
		b.run(t, chromedp.Click(submitButton, chromedp.ByQuery),
			waitVisible(".govuk-error-summary"),
			chromedp.Text(".govuk-error-summary__list", &summary, chromedp.ByQuery))
		if !strings.Contains(summary, "Say who took part") {
			t.Errorf("error summary %q", summary)
		}
		b.takeErrors() // the 400 status is reported by the browser itself
		b.check(t, string(axe), "escalation-record-errors")
	})
	t.Run("Recorded", func(t *testing.T) {
		var banner string
		b.run(t, chromedp.Navigate(page+"/record"), waitVisible("#participants"),
			chromedp.SendKeys("#at-time", "09:30", chromedp.ByID),
			chromedp.Click("#form", chromedp.ByID),
			chromedp.SendKeys("#participants", "Jo Bloggs, DSL", chromedp.ByID),
			chromedp.SendKeys("#discussion", "The referral and the threshold.", chromedp.ByID),
			chromedp.SendKeys("#outcome", "A meeting next week.", chromedp.ByID),
			chromedp.Click(`input[name="result"][value="ongoing"]`, chromedp.ByQuery),
			chromedp.Click(submitButton, chromedp.ByQuery),
			waitVisible(".govuk-notification-banner"),
			chromedp.Text(".govuk-notification-banner", &banner, chromedp.ByQuery))
		if !strings.Contains(banner, "Discussion recorded") {
			t.Errorf("banner %q", banner)
		}
		b.check(t, string(axe), "escalation-recorded")
	})
}
