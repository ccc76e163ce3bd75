package web_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/escalate-project/escalate"
)

// TestPageHeights measures how tall the escalation pages of a demo
// partnership are at 1280 and 375 pixels wide: every escalation the Business
// Manager can open from the overview. The figures go to the test log
// (go test ./web -run TestPageHeights -v), for issue 14's "before and
// after". It fails if a page cannot be measured, if at 1280 by 800 a
// case's next step is below the fold, or if My work or the overview
// scrolls sideways at 375 px.
func TestPageHeights(t *testing.T) {
	w := newWalk(t, "wirral")
	// The queues on a phone: My work (a practitioner's, with what they
	// raised) and the overview reflow with no sideways scroll, and the
	// navigation folds into a menu.
	w.run(viewport(375, 800))
	w.signIn(w.email(escalate.RolePractitioner, ""))
	w.narrowQueue("My work")
	w.signOut()
	w.signIn(w.email("business-manager", ""))
	w.run(click(".govuk-service-navigation__toggle"), click(`a.govuk-service-navigation__link[href="/contacts"]`), waitSel(".app-org-nav"),
		click(`.app-org-nav a[href="/overview"]`), waitH1("Partnership overview"))
	w.narrowQueue("Partnership overview")
	// The accessibility statement, from every page's footer.
	w.run(click(`.govuk-footer a[href="/accessibility"]`), waitH1("Accessibility statement for Escalate"))
	if s := w.text("main"); !strings.Contains(s, "partially compliant") || !strings.Contains(s, "Enforcement procedure") {
		t.Errorf("the accessibility statement lacks its compliance status or enforcement procedure:\n%s", s)
	}
	w.check("accessibility")
	var hrefs []string
	w.run(chromedp.Navigate(w.u+"/overview"), waitH1("Partnership overview"),
		chromedp.Evaluate(`Array.from(document.querySelectorAll('main a[href^="/escalations/"]')).map(a => a.getAttribute("href"))`, &hrefs))
	if len(hrefs) == 0 {
		t.Fatal("the overview links to no escalation")
	}
	// The overview lists open cases only; the closed ones are measured too.
	ctx := escalate.NewContextWithUser(context.Background(), w.user(w.email("business-manager", "")))
	for _, st := range []escalate.Status{escalate.StatusResolved, escalate.StatusWithdrawn, escalate.StatusRedirected} {
		es, _, err := w.svc.List(ctx, escalate.EscalationFilter{Status: st})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			hrefs = append(hrefs, "/escalations/"+e.Ref)
		}
	}
	for _, width := range []int64{1280, 375} {
		w.run(viewport(width, 800))
		shot := map[string]bool{} // one case of each status
		var lines []string
		for _, h := range hrefs {
			var height int
			var status string
			w.run(chromedp.Navigate(w.u+h), waitSel("h1"),
				chromedp.Evaluate(`document.documentElement.scrollHeight`, &height),
				chromedp.Evaluate(`(document.querySelector("main .govuk-tag") || {innerText: ""}).innerText`, &status))
			if height <= 0 {
				t.Errorf("%s at %d px: height %d", h, width, height)
			}
			// On a laptop's screen the summary and the next step show
			// without scrolling.
			var bottom float64
			w.run(chromedp.Evaluate(`document.querySelector("#next-step").getBoundingClientRect().bottom`, &bottom))
			if width == 1280 && bottom > 800 {
				t.Errorf("%s at 1280x800: the next step ends at %.0f px, below the fold", h, bottom)
				w.shoot("case-below-fold-" + strings.TrimPrefix(h, "/escalations/"))
			}
			if !shot[status] {
				shot[status] = true
				w.shoot(fmt.Sprintf("case-%s-%d", strings.ToLower(status), width))
			}
			lines = append(lines, fmt.Sprintf("%s %s: %d px", strings.TrimPrefix(h, "/escalations/"), status, height))
		}
		t.Logf("escalation pages at %d px wide:\n\t%s", width, strings.Join(lines, "\n\t"))
	}
	w.run(viewport(1024, 900))
}

// shoot saves the page as testdata/screens/NAME.png (all of it) and
// NAME-top.png (what shows before scrolling).
func (w *walk) shoot(name string) {
	w.t.Helper()
	dir := filepath.Join(repoRoot, "testdata", "screens")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		w.t.Fatal(err)
	}
	var full, top []byte
	w.run(chromedp.FullScreenshot(&full, 100), chromedp.CaptureScreenshot(&top))
	for file, png := range map[string][]byte{name + ".png": full, name + "-top.png": top} {
		if err := os.WriteFile(filepath.Join(dir, file), png, 0o644); err != nil {
			w.t.Fatal(err)
		}
	}
}

// narrowQueue checks the open page, a queue, at a phone's width: it has a
// table, reflowed with no sideways scroll, and the navigation is folded
// into a Menu button. It saves testdata/screens/queue-<title>-375.png.
func (w *walk) narrowQueue(title string) {
	w.t.Helper()
	var scrollW, clientW, tables int
	var menu bool
	w.run(chromedp.Evaluate(`document.documentElement.scrollWidth`, &scrollW),
		chromedp.Evaluate(`document.documentElement.clientWidth`, &clientW),
		chromedp.Evaluate(`document.querySelectorAll("main table").length`, &tables),
		chromedp.Evaluate(`!document.querySelector(".govuk-service-navigation__toggle").hidden && getComputedStyle(document.querySelector("#navigation")).display === "none"`, &menu))
	if scrollW > clientW {
		w.t.Errorf("%s at 375 px scrolls sideways: %d > %d", title, scrollW, clientW)
	}
	if tables == 0 {
		w.t.Errorf("%s shows no table to reflow", title)
	}
	if !menu {
		w.t.Errorf("%s at 375 px: the navigation is not folded into a Menu button", title)
	}
	w.shoot("queue-" + strings.ReplaceAll(strings.ToLower(title), " ", "-") + "-375")
}
