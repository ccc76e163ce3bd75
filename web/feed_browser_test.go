package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestCalendarBrowser makes and stops a calendar link and saves the digest
// choice in a real browser, checking each page with axe-core and saving
// screenshots.
func TestCalendarBrowser(t *testing.T) {
	b := newBrowser(t)
	axe, err := os.ReadFile(filepath.Join(repoRoot, "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		t.Fatalf("axe-core is not installed: run make vendor (%v)", err)
	}
	c := newFeedCases(t)
	c.raise(t)
	u := c.ts.URL
	b.run(t, chromedp.Navigate(u+"/sign-in"),
		chromedp.SendKeys("#email", c.users["sam"].Email, chromedp.ByID),
		chromedp.SendKeys("#password", testPassword, chromedp.ByID),
		chromedp.Click(submitButton, chromedp.ByQuery),
		waitVisible(".app-sign-out__button"))

	t.Run("Page", func(t *testing.T) {
		var main string
		b.run(t, chromedp.Navigate(u+"/account/calendar"), waitVisible("#digest"),
			chromedp.Text("main", &main, chromedp.ByQuery))
		if !strings.Contains(main, "You do not have a calendar link") {
			t.Errorf("the page: %q", main)
		}
		b.check(t, string(axe), "feed-calendar")
	})
	t.Run("Link", func(t *testing.T) {
		var link string
		b.run(t, chromedp.Click(`form[action="/account/calendar/link"] button`, chromedp.ByQuery),
			waitVisible("#feed-url"),
			chromedp.Value("#feed-url", &link, chromedp.ByID))
		if !feedURLPattern.MatchString(link) {
			t.Errorf("the link field holds %q", link)
		}
		b.check(t, string(axe), "feed-calendar-link")
	})
	t.Run("Digest", func(t *testing.T) {
		var banner string
		b.run(t, chromedp.Navigate(u+"/account/calendar"), waitVisible("#digest"),
			chromedp.Click("#digest", chromedp.ByID),
			chromedp.Click(`form[action="/account/calendar/digest"] button`, chromedp.ByQuery),
			waitVisible(".govuk-notification-banner"),
			chromedp.Text(".govuk-notification-banner", &banner, chromedp.ByQuery))
		if !strings.Contains(banner, "saved") {
			t.Errorf("banner %q", banner)
		}
		b.check(t, string(axe), "feed-calendar-saved")
	})
	t.Run("Revoke", func(t *testing.T) {
		var banner string
		b.run(t, chromedp.Navigate(u+"/account/calendar"), waitVisible("#digest"),
			chromedp.Click(`form[action="/account/calendar/revoke"] button`, chromedp.ByQuery),
			waitVisible(".govuk-notification-banner"),
			chromedp.Text(".govuk-notification-banner", &banner, chromedp.ByQuery))
		if !strings.Contains(banner, "stopped") {
			t.Errorf("banner %q", banner)
		}
		b.check(t, string(axe), "feed-calendar-revoked")
	})
}
