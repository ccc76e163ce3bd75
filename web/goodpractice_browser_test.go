package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestGoodPracticeBrowser: a practitioner recognises another agency's good
// practice in a real browser, from the policy page: the form's error
// summary, then the recognition listed. axe-core and screenshots at 1280
// and 375 pixels.
func TestGoodPracticeBrowser(t *testing.T) {
	b := newBrowser(t)
	axe, err := os.ReadFile(filepath.Join(repoRoot, "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		t.Fatalf("axe-core is not installed: run make vendor (%v)", err)
	}
	c := newOrg(t)
	withGoodPractice(t, c)
	u := c.ts.URL
	both := func(t *testing.T, name string) {
		t.Helper()
		b.check(t, string(axe), name)
		b.run(t, viewport(375, 740))
		b.check(t, string(axe), name+"-375")
		b.run(t, viewport(1280, 900))
	}
	b.run(t, viewport(1280, 900), chromedp.Navigate(u+"/sign-in"),
		chromedp.SendKeys("#email", c.users["jo"].Email, chromedp.ByID),
		chromedp.SendKeys("#password", testPassword, chromedp.ByID),
		chromedp.Click(submitButton, chromedp.ByQuery),
		waitVisible(".app-sign-out__button"),
		chromedp.Click(`a.govuk-service-navigation__link[href="/contacts"]`, chromedp.ByQuery),
		waitVisible(`.app-org-nav a[href="/policy"]`),
		chromedp.Click(`.app-org-nav a[href="/policy"]`, chromedp.ByQuery),
		waitVisible(`a[href="/good-practice"]`),
		chromedp.Click(`a[href="/good-practice"]`, chromedp.ByQuery),
		waitVisible(`a[href="/good-practice/new"]`),
		chromedp.Click(`a[href="/good-practice/new"]`, chromedp.ByQuery),
		waitVisible("#what"))
	var links []string
	b.run(t, chromedp.Click(`main form button.govuk-button[type=submit]`, chromedp.ByQuery),
		waitVisible(".govuk-error-summary"),
		chromedp.Evaluate(`[...document.querySelectorAll(".govuk-error-summary__list a")].map(a => a.getAttribute("href"))`, &links))
	if strings.Join(links, " ") != "#agency #what" {
		t.Errorf("error summary links %q", links)
	}
	both(t, "good-practice-new-errors")
	var banner, list string
	b.run(t, chromedp.SetValue("#agency", orgItoa(c.agencies["care"].ID), chromedp.ByID),
		chromedp.SendKeys("#what", "The duty team visited the same afternoon and shared the safety plan.", chromedp.ByID),
		chromedp.SendKeys("#difference", "The school knew what to watch for.", chromedp.ByID),
		chromedp.Click(`main form button.govuk-button[type=submit]`, chromedp.ByQuery),
		waitVisible(".govuk-notification-banner"),
		chromedp.Text(".govuk-notification-banner", &banner, chromedp.ByQuery),
		chromedp.Text("main", &list, chromedp.ByQuery))
	if !strings.Contains(banner, "line manager is told") || !strings.Contains(list, "The duty team visited the same afternoon") {
		t.Errorf("banner %q; list lacks the recognition", banner)
	}
	both(t, "good-practice")
}
