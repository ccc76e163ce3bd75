package web_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestPolicyChangeBrowser is the Business Manager publishing a new version
// of the partnership's policy in a real browser, from the Partnership link:
// a first attempt with mistakes shows every problem at once, the corrected
// one its comparison with the version in force, and publishing it lists it
// in the version history. The escalation open before stays on the old
// version's clocks; one raised after runs on the new ones. axe-core and
// screenshots at 1280 and 375 pixels on each page.
func TestPolicyChangeBrowser(t *testing.T) {
	b := newBrowser(t)
	axe, err := os.ReadFile(filepath.Join(repoRoot, "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		t.Fatalf("axe-core is not installed: run make vendor (%v)", err)
	}
	c := newOrg(t)
	old := c.raise(t)
	u := c.ts.URL
	_, raw := mustPackPolicy(t, "wirral")
	// Wirral's stage 1 runs 1 working week; the new version gives 3 working days.
	good := strings.Replace(string(raw), "version: chapter 7.2 (September 2015)", "version: chapter 7.2 (December 2026)", 1)
	good = strings.Replace(good, "        within: 1 working week\n", "        within: 3 working days\n", 1)
	bad := strings.Replace(good, "within: 3 working days", "within: 3 days", 1)
	bad = strings.Replace(bad, "    scope: between-agencies\n", "    scope: everywhere\n", 1)
	if good == string(raw) || bad == good {
		t.Fatal("the Wirral pack changed")
	}
	both := func(t *testing.T, name string) {
		t.Helper()
		b.check(t, string(axe), name)
		b.run(t, viewport(375, 740))
		b.check(t, string(axe), name+"-375")
		b.run(t, viewport(1280, 900))
	}
	setText := func(text string) chromedp.Action {
		js, _ := json.Marshal(text)
		return chromedp.Evaluate(`document.getElementById("policy-text").value = `+string(js), nil)
	}

	b.run(t, viewport(1280, 900), chromedp.Navigate(u+"/sign-in"),
		chromedp.SendKeys("#email", c.users["bm"].Email, chromedp.ByID),
		chromedp.SendKeys("#password", testPassword, chromedp.ByID),
		chromedp.Click(submitButton, chromedp.ByQuery),
		waitVisible(".app-sign-out__button"),
		// From what the Business Manager sees: Partnership, then Policy.
		chromedp.Click(`a.govuk-service-navigation__link[href="/contacts"]`, chromedp.ByQuery),
		waitVisible(".app-org-nav"),
		chromedp.Click(`.app-org-nav a[href="/policy"]`, chromedp.ByQuery),
		waitVisible(`a[href="/policy/change"]`),
		chromedp.Click(`a[href="/policy/change"]`, chromedp.ByQuery),
		waitVisible("#policy-text"))
	both(t, "policy-change")

	t.Run("ErrEveryProblem", func(t *testing.T) {
		var links []string
		var problems string
		b.run(t, setText(bad),
			chromedp.Click(`main form button.govuk-button[type=submit]`, chromedp.ByQuery),
			waitVisible(".govuk-error-summary"),
			chromedp.Evaluate(`[...document.querySelectorAll(".govuk-error-summary__list a")].map(a => a.textContent.trim())`, &links),
			chromedp.Text("#policy-problems", &problems, chromedp.ByID))
		if len(links) != 2 || !strings.Contains(strings.Join(links, "\n"), `did you mean "3 working days"?`) ||
			!strings.Contains(strings.Join(links, "\n"), `unknown value "everywhere"`) {
			t.Errorf("error summary: %q", links)
		}
		if !strings.Contains(problems, "within: 3 days") || !strings.Contains(problems, "scope: everywhere") {
			t.Errorf("the problems do not show their lines: %q", problems)
		}
		both(t, "policy-change-errors")
	})
	t.Run("OK", func(t *testing.T) {
		var changes, banner string
		b.run(t, setText(good),
			chromedp.Click(`main form button.govuk-button[type=submit]`, chromedp.ByQuery),
			waitVisible("#publish"),
			chromedp.Text("main", &changes, chromedp.ByQuery))
		for _, want := range []string{"Version chapter 7.2 (December 2026) replaces version chapter 7.2 (September 2015).",
			"is now within 3 working days (was within 1 working week).",
			"The 1 open escalation on version chapter 7.2 (September 2015) stays on it until it closes."} {
			if !strings.Contains(changes, want) {
				t.Errorf("the comparison lacks %q", want)
			}
		}
		both(t, "policy-review")
		b.run(t, chromedp.Click(`#publish button:not([formaction])`, chromedp.ByQuery),
			waitVisible(".govuk-notification-banner"),
			chromedp.Text(".govuk-notification-banner", &banner, chromedp.ByQuery))
		if !strings.Contains(banner, "Version chapter 7.2 (December 2026) of the policy is in force") {
			t.Errorf("banner %q", banner)
		}
		both(t, "policy-history")
	})

	// The escalation open before keeps its 1 working week; a new one runs
	// on 3 working days.
	if e := c.state(t, old.Ref); e.PolicyVersion != "chapter 7.2 (September 2015)" || e.Clocks[0].Within != "1 working week" {
		t.Errorf("the open escalation: version %q, clock %q", e.PolicyVersion, e.Clocks[0].Within)
	}
	fresh := c.raise(t)
	if fresh.PolicyVersion != "chapter 7.2 (December 2026)" || fresh.Clocks[0].Within != "3 working days" {
		t.Errorf("the new escalation: version %q, clock %q", fresh.PolicyVersion, fresh.Clocks[0].Within)
	}
	// As the Business Manager sees them, from the overview's links, opening
	// how the first running deadline was worked out.
	for ref, within := range map[string]string{old.Ref: "1 working week (", fresh.Ref: "3 working days ("} {
		var text string
		b.run(t, chromedp.Click(`a.govuk-service-navigation__link[href="/contacts"]`, chromedp.ByQuery),
			waitVisible(`.app-org-nav a[href="/overview"]`),
			chromedp.Click(`.app-org-nav a[href="/overview"]`, chromedp.ByQuery),
			waitVisible(`a[href="/escalations/`+ref+`"]`),
			chromedp.Click(`a[href="/escalations/`+ref+`"]`, chromedp.ByQuery), waitVisible("h1"),
			// The timescale is in "How this deadline was worked out".
			chromedp.Click(`#running-deadlines details summary`, chromedp.ByQuery),
			waitVisible(`#running-deadlines .govuk-details__text`),
			chromedp.Text("main", &text, chromedp.ByQuery))
		if !strings.Contains(text, within) || ref == old.Ref && strings.Contains(text, "3 working days") {
			t.Errorf("%s's page lacks %q, or shows the new clock", ref, within)
		}
	}
}
