package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestNotificationsBrowser reads and marks notifications as the receiving
// manager, then retries an undelivered one as an administrator, in a real
// browser, checking each page with axe-core and saving screenshots.
func TestNotificationsBrowser(t *testing.T) {
	b := newBrowser(t)
	axe, err := os.ReadFile(filepath.Join(repoRoot, "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		t.Fatalf("axe-core is not installed: run make vendor (%v)", err)
	}
	c := newNoticeCases(t)
	e := c.raise(t)
	deadRow(t, c, e)
	u := c.ts.URL
	signIn := func(t *testing.T, who string) {
		b.run(t, chromedp.Navigate(u+"/sign-in"),
			chromedp.SendKeys("#email", c.users[who].Email, chromedp.ByID),
			chromedp.SendKeys("#password", testPassword, chromedp.ByID),
			chromedp.Click(submitButton, chromedp.ByQuery),
			waitVisible(".app-sign-out__button"))
	}

	t.Run("Notifications", func(t *testing.T) {
		signIn(t, "sam")
		var nav, main string
		b.run(t, chromedp.Navigate(u+"/notifications"), waitVisible(".govuk-summary-card"),
			chromedp.Text("#navigation", &nav, chromedp.ByQuery), chromedp.Text("main", &main, chromedp.ByQuery))
		if !strings.Contains(nav, "Notifications (") || !strings.Contains(main, e.Ref) {
			t.Errorf("nav %q; main lacks %s: %q", nav, e.Ref, main)
		}
		b.check(t, string(axe), "notifications-unread")
		b.run(t, chromedp.Click(`form[action="/notifications/read"] button`, chromedp.ByQuery),
			waitVisible(".govuk-notification-banner"),
			chromedp.Text("#navigation", &nav, chromedp.ByQuery))
		if strings.Contains(nav, "(") {
			t.Errorf("after marking all read the nav says %q", nav)
		}
		b.check(t, string(axe), "notifications-read")
		b.run(t, chromedp.Click(".app-sign-out__button", chromedp.ByQuery), waitVisible("#email"))
	})

	t.Run("Undelivered", func(t *testing.T) {
		signIn(t, "admin")
		var main string
		b.run(t, chromedp.Navigate(u+"/admin/undelivered"), waitVisible("table"),
			chromedp.Text("main", &main, chromedp.ByQuery))
		if !strings.Contains(main, e.Ref) || !strings.Contains(main, "mailbox unavailable") {
			t.Errorf("the page lacks the row: %q", main)
		}
		b.check(t, string(axe), "undelivered-list")
		b.run(t, chromedp.Click(`form[action$="/retry"] button`, chromedp.ByQuery),
			waitVisible(".govuk-notification-banner"),
			chromedp.Text("main", &main, chromedp.ByQuery))
		if !strings.Contains(main, "will be sent again") || strings.Contains(main, "mailbox unavailable") {
			t.Errorf("after retry: %q", main)
		}
		b.check(t, string(axe), "undelivered-retried")
	})
}
