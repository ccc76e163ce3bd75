package web_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"
)

// TestRaiseBrowser walks the raise journey in a real browser: every page
// and every page's error state is checked with axe-core and saved as a
// screenshot (testdata/screens/raise-*.png).
func TestRaiseBrowser(t *testing.T) {
	b := newBrowser(t)
	axeJS, err := os.ReadFile(filepath.Join(repoRoot, "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		t.Fatalf("axe-core is not installed: run make vendor (%v)", err)
	}
	axe := string(axeJS)
	re := newRaiseEnv(t)
	u := re.ts.URL

	// submit sends the page's form and waits for sel on the next page.
	submit := func(t *testing.T, sel string) {
		t.Helper()
		b.run(t, chromedp.Click(submitButton, chromedp.ByQuery), waitVisible(sel))
	}
	// errorsFor submits the empty page and wants its summary to link to ids.
	errorsFor := func(t *testing.T, name string, ids ...string) {
		t.Helper()
		var links []*cdp.Node
		b.run(t, chromedp.Click(submitButton, chromedp.ByQuery),
			waitVisible(".govuk-error-summary"),
			chromedp.Nodes(".govuk-error-summary__list a", &links, chromedp.ByQueryAll))
		var got []string
		for _, n := range links {
			got = append(got, n.AttributeValue("href"))
		}
		want := "#" + strings.Join(ids, " #")
		if strings.Join(got, " ") != want {
			t.Errorf("%s: error links %q, want %q", name, got, want)
		}
		b.check(t, axe, name)
	}
	click := func(sel string) chromedp.Action { return chromedp.Click(sel, chromedp.ByQuery) }
	keys := func(sel, text string) chromedp.Action { return chromedp.SendKeys(sel, text, chromedp.ByQuery) }

	b.run(t, chromedp.Navigate(u+"/sign-in"), waitVisible("#email"),
		chromedp.SendKeys("#email", testEmail, chromedp.ByID),
		chromedp.SendKeys("#password", testPassword, chromedp.ByID),
		chromedp.Click(submitButton, chromedp.ByQuery),
		waitVisible(".app-sign-out__button"),
		// The entry point is in the service navigation.
		chromedp.Click(`a.govuk-service-navigation__link[href="/raise"]`, chromedp.ByQuery),
		waitVisible("#immediate"))

	t.Run("Immediate", func(t *testing.T) {
		b.check(t, axe, "raise-immediate")
		errorsFor(t, "raise-immediate-errors", "immediate")
		b.run(t, click(`label[for="immediate"]`))
		submit(t, "#immediate_action")
	})
	t.Run("Protect", func(t *testing.T) {
		var route string
		b.run(t, chromedp.Text("main", &route, chromedp.ByQuery))
		if !strings.Contains(route, "Duty Desk") || !strings.Contains(route, "Children's services front door") {
			t.Errorf("the route lacks the front door and its contact:\n%s", route)
		}
		b.check(t, axe, "raise-protect")
		errorsFor(t, "raise-protect-errors", "immediate_action")
		b.run(t, keys("#immediate_action", actionText))
		submit(t, "#redirect-lado-allegation")
	})
	t.Run("Scope", func(t *testing.T) {
		b.check(t, axe, "raise-scope")
		errorsFor(t, "raise-scope-errors", "redirect-lado-allegation", "redirect-complaints")
		b.run(t, click(`label[for="redirect-lado-allegation"]`), click(`label[for="redirect-complaints-2"]`))
		b.run(t, click(submitButton), waitJS(`document.querySelector("h1").textContent.includes("This goes somewhere else")`))
		var h1 string
		b.run(t, chromedp.Text("h1", &h1, chromedp.ByQuery))
		if h1 != "This goes somewhere else" {
			t.Errorf("a conduct matter went to %q", h1)
		}
		b.check(t, axe, "raise-elsewhere")
		b.run(t, chromedp.Navigate(u+"/raise/scope"), waitVisible("#redirect-lado-allegation"),
			click(`label[for="redirect-lado-allegation-2"]`), click(`label[for="redirect-complaints-2"]`))
		submit(t, "#receiving_agency")
	})
	t.Run("Decision", func(t *testing.T) {
		b.check(t, axe, "raise-decision")
		errorsFor(t, "raise-decision-errors", "raised_role", "receiving_agency", "decision", "decision_date")
		b.run(t, click(`label[for="raised_role"]`),
			chromedp.SetValue("#receiving_agency", strconv.FormatInt(re.other.ID, 10), chromedp.ByID),
			keys("#decision", "Closed the referral without an assessment"),
			keys("#decision_date", "21"), keys("#decision_date-month", "12"), keys("#decision_date-year", "2026"))
		submit(t, "#dealt_with")
	})
	t.Run("Who", func(t *testing.T) {
		// Nobody at the agency can receive it yet: the page warns, and
		// the raiser may carry on, leaving it to the Business Manager.
		var warn string
		b.run(t, chromedp.Text("main", &warn, chromedp.ByQuery))
		if !strings.Contains(warn, "Business Manager") {
			t.Errorf("the page does not say who gets it when nobody can receive it:\n%s", warn)
		}
		b.check(t, axe, "raise-who")
		submit(t, "#child_ref")
	})
	t.Run("Child", func(t *testing.T) {
		b.check(t, axe, "raise-child")
		errorsFor(t, "raise-child-errors", "child_ref", "child_initials")
		b.run(t, keys("#child_ref", childRef), keys("#child_initials", childInitials))
		submit(t, "#categories")
	})
	t.Run("Category", func(t *testing.T) {
		b.check(t, axe, "raise-category")
		errorsFor(t, "raise-category-errors", "categories")
		b.run(t, click(`label[for="categories-2"]`))
		submit(t, "#issue")
	})
	t.Run("Details", func(t *testing.T) {
		b.check(t, axe, "raise-details")
		errorsFor(t, "raise-details-errors", "issue", "risk", "disagreement", "outcome_sought")
		b.run(t, keys("#issue", issueText), keys("#risk", "Further injury"),
			keys("#disagreement", "Whether the threshold is met"), keys("#outcome_sought", "A strategy discussion"))
		submit(t, "#protect_by")
	})
	t.Run("ProtectBy", func(t *testing.T) {
		b.check(t, axe, "raise-protect-by")
		b.run(t, keys("#protect_time", "5pm"))
		errorsFor(t, "raise-protect-by-errors", "protect_by")
		b.run(t, chromedp.Clear("#protect_time", chromedp.ByQuery))
		submit(t, ".govuk-summary-list")
		b.check(t, axe, "raise-check-immediate")
	})
	t.Run("RiskViaChange", func(t *testing.T) {
		// Change the first answer to "no": the risk question is then asked,
		// and the journey comes back to check your answers.
		b.run(t, click(`a[href="/raise"].govuk-link`), waitVisible("#immediate"),
			click(`label[for="immediate-2"]`))
		submit(t, "#risk_level")
		b.check(t, axe, "raise-risk")
		errorsFor(t, "raise-risk-errors", "risk_level")
		b.run(t, click(`label[for="risk_level-2"]`))
		submit(t, ".govuk-summary-list")
		b.check(t, axe, "raise-check")
	})
	t.Run("DeleteAsksFirst", func(t *testing.T) {
		// "Delete my answers" asks first; "No" keeps them.
		b.run(t, click(`a[href="/raise/cancel"]`), waitVisible(".govuk-button--warning"))
		var h1 string
		b.run(t, chromedp.Text("h1", &h1, chromedp.ByQuery))
		if h1 != "Are you sure you want to delete your answers?" {
			t.Errorf("Delete my answers went to %q", h1)
		}
		b.check(t, axe, "raise-delete-confirm")
		b.run(t, click(`main .govuk-button-group a.govuk-link`), waitVisible(".govuk-summary-list"))
	})
	t.Run("Submit", func(t *testing.T) {
		// Loaded at 375 px: check fails the page if it does not reflow
		// (WCAG 1.4.10).
		b.run(t, viewport(375, 740), chromedp.Reload(), waitVisible(".govuk-summary-list"))
		b.check(t, axe, "raise-check-narrow")
		b.run(t, viewport(1024, 900))
		submit(t, ".govuk-panel--confirmation")
		var loc, panel string
		b.run(t, chromedp.Location(&loc), chromedp.Text(".govuk-panel", &panel, chromedp.ByQuery))
		es := re.escalations(t)
		if len(es) != 1 || !strings.Contains(panel, es[0].Ref) || loc != u+"/raise/raised/"+es[0].Ref {
			t.Errorf("after submit: %d escalations, panel %q at %q", len(es), panel, loc)
		}
		b.check(t, axe, "raise-raised")
	})
}
