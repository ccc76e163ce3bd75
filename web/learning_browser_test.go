package web_test

import (
	"bytes"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/internal/testenv"
)

// TestLearningBrowser walks the learning loop in a real browser: the
// receiving manager agrees the outcome at Wirral's stage 2, which closes
// the case, and records learning (first leaving the form empty); the
// Business Manager finds the item in the learning log, themes it, opens the
// proforma in the queue and downloads it as PDF and CSV. Every new page is
// checked with axe-core and saved as a screenshot.
func TestLearningBrowser(t *testing.T) {
	b := newBrowser(t)
	axe, err := os.ReadFile(filepath.Join(repoRoot, "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		t.Fatalf("axe-core is not installed: run make vendor (%v)", err)
	}
	c := newLearningCases(t)
	e := c.raise(t)
	if e, err = c.svc.Escalate(c.as("jo"), e.Ref, escalate.EscalateInput{Version: e.Version, Reason: "No agreement."}); err != nil {
		t.Fatal(err)
	}
	u := c.ts.URL
	signIn := func(who string) {
		b.run(t, chromedp.Navigate(u+"/sign-in"),
			chromedp.SendKeys("#email", c.users[who].Email, chromedp.ByID),
			chromedp.SendKeys("#password", testPassword, chromedp.ByID),
			chromedp.Click(submitButton, chromedp.ByQuery),
			waitVisible(".app-sign-out__button"))
	}
	signOut := func() {
		b.run(t, chromedp.Click(".app-sign-out__button", chromedp.ByQuery), waitVisible("#email"))
	}
	var main string

	// Sam closes the case and records learning.
	signIn("sam")
	b.run(t, chromedp.Navigate(u+"/escalations/"+e.Ref+"/agree"), waitVisible("#outcome"),
		chromedp.SendKeys("#outcome", "The assessment reopens.", chromedp.ByID),
		chromedp.SendKeys("#outstanding_issues", "Managers review in four weeks.", chromedp.ByID),
		chromedp.Click(`label[for="decision"]`, chromedp.ByQuery),
		chromedp.Click(submitButton, chromedp.ByQuery),
		waitVisible("#record-learning"))
	b.check(t, string(axe), "learning-closed-case")
	b.run(t, chromedp.Click("#record-learning", chromedp.ByID), waitVisible("#debriefed"))
	b.check(t, string(axe), "learning-step")
	b.run(t, chromedp.Click(submitButton, chromedp.ByQuery), waitVisible(".govuk-error-summary"),
		chromedp.Text(".govuk-error-summary", &main, chromedp.ByQuery))
	if !strings.Contains(main, "Say whether you have debriefed") {
		t.Errorf("the error summary: %q", main)
	}
	b.check(t, string(axe), "learning-step-errors")
	b.run(t, chromedp.Click(`label[for="general"]`, chromedp.ByQuery), waitVisible("#general_text"),
		chromedp.SendKeys("#general_text", "Schools need the threshold guidance in one page.", chromedp.ByID),
		chromedp.Click(`label[for="policy_gap-no"]`, chromedp.ByQuery),
		chromedp.Click(`label[for="training"]`, chromedp.ByQuery), waitVisible("#training_text"),
		chromedp.SendKeys("#training_text", "Levels of need refresher for team managers.", chromedp.ByID),
		chromedp.Click(`label[for="debriefed"]`, chromedp.ByQuery),
		chromedp.Click(submitButton, chromedp.ByQuery),
		waitVisible("#learning-items"),
		chromedp.Text("main", &main, chromedp.ByQuery))
	if !strings.Contains(main, "Learning recorded") || !strings.Contains(main, "Levels of need refresher") {
		t.Errorf("after recording: %q", main)
	}
	signOut()

	// The Business Manager sees the item and the proforma.
	signIn("bm")
	b.run(t, chromedp.Navigate(u+"/learning"), waitVisible("#items"), chromedp.Text("main", &main, chromedp.ByQuery))
	if !strings.Contains(main, "Schools need the threshold guidance") || !strings.Contains(main, e.Ref) {
		t.Errorf("the learning log: %q", main)
	}
	b.check(t, string(axe), "learning-log")
	// The theme list: an empty name is refused with the error summary, a
	// theme is added, and the same theme in capitals is refused.
	var summary string
	b.run(t, chromedp.Click(`form[action="/learning/themes"] button`, chromedp.ByQuery), waitVisible(".govuk-error-summary"),
		chromedp.Text(".govuk-error-summary", &summary, chromedp.ByQuery))
	if !strings.Contains(summary, "Enter the theme") {
		t.Errorf("an empty theme: %q", summary)
	}
	b.takeErrors() // the 400 status is reported by the browser itself
	b.check(t, string(axe), "learning-themes-error")
	b.run(t, chromedp.SendKeys("#new-theme", "Thresholds", chromedp.ByID),
		chromedp.Click(`form[action="/learning/themes"] button`, chromedp.ByQuery), waitVisible(".govuk-notification-banner"),
		chromedp.SendKeys("#new-theme", "THRESHOLDS", chromedp.ByID),
		chromedp.Click(`form[action="/learning/themes"] button`, chromedp.ByQuery), waitVisible(".govuk-error-summary"),
		chromedp.Text(".govuk-error-summary", &summary, chromedp.ByQuery))
	if !strings.Contains(summary, `"Thresholds" is already on the list`) {
		t.Errorf("the same theme in capitals: %q", summary)
	}
	b.takeErrors()
	b.run(t, chromedp.Navigate(u+"/learning"), waitVisible("#items"))
	b.check(t, string(axe), "learning-themes")
	b.run(t, chromedp.Click(`a[href^="/learning/items/"]`, chromedp.ByQuery), waitVisible("#theme"))
	b.check(t, string(axe), "learning-item")
	b.run(t, chromedp.SetValue("#theme", "Thresholds", chromedp.ByID), chromedp.Click(`label[for="status-1"]`, chromedp.ByQuery),
		chromedp.Click(submitButton, chromedp.ByQuery), waitVisible(".govuk-notification-banner"),
		chromedp.Text("main", &main, chromedp.ByQuery))
	if !strings.Contains(main, "Learning item saved") || !strings.Contains(main, "In progress") {
		t.Errorf("after saving the item: %q", main)
	}
	b.run(t, chromedp.Navigate(u+"/proformas"), waitVisible("#proformas"))
	b.check(t, string(axe), "proformas")
	b.run(t, chromedp.Click(`a[href^="/proformas/"]`, chromedp.ByQuery), waitVisible("#downloads"),
		chromedp.Text("main", &main, chromedp.ByQuery))
	for _, want := range []string{"Stage 2: Team managers and safeguarding leads", "Oakfield Children's Services", "Levels of need refresher"} {
		if !strings.Contains(main, want) {
			t.Errorf("the proforma lacks %q", want)
		}
	}
	if strings.Contains(main, "SCH-0042") || strings.Contains(main, "Sam Carter") {
		t.Errorf("the proforma names the child or a person: %q", main)
	}
	b.check(t, string(axe), "proforma")

	// Download both files through the signed-in browser.
	fetch := func(sel string) []byte {
		var b64 string
		b.run(t, chromedp.Evaluate(`(async () => {
			const r = await fetch(document.querySelector(`+"`"+sel+"`"+`).href);
			const buf = new Uint8Array(await r.arrayBuffer());
			let s = ""; for (const x of buf) s += String.fromCharCode(x);
			return btoa(s);
		})()`, &b64, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }))
		out, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	pdf := fetch("#download-pdf")
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("the PDF download starts %q", pdf[:min(8, len(pdf))])
	}
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		testenv.Missing(t, "pdftotext is not installed")
	}
	cmd := exec.Command(bin, "-layout", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	text, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	for _, want := range []string{"Proforma: disagreement resolved at stage 2", "Seaview Primary School", "Levels of need refresher", "Thresholds"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("the PDF's text lacks %q:\n%s", want, text)
		}
	}
	csv := string(fetch("#download-csv"))
	if !strings.Contains(csv, "Stage resolved at,Stage 2: Team managers and safeguarding leads") || strings.Contains(csv, "SCH-0042") || strings.Contains(csv, e.Ref) {
		t.Errorf("the CSV download:\n%s", csv)
	}
}
