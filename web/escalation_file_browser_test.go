package web_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/internal/testenv"
	"github.com/escalate-project/escalate/internal/testfiles"
)

// TestChildsFileBrowser: a Redbridge practitioner opens their case from My
// work, is refused a disguised file, attaches the outcome letter, sees it
// listed, prints the page (no menus, no link addresses) and downloads the
// case for the child's file, which reads back with pdftotext. Every page
// is checked with axe-core at 1280 and 375 pixels wide, and the PDF's
// pages are saved as images (testdata/screens/childs-file-N.png).
func TestChildsFileBrowser(t *testing.T) {
	pdftoppm, err := exec.LookPath("pdftoppm")
	if err != nil {
		testenv.Missing(t, "pdftoppm is not installed (Debian's poppler-utils)")
	}
	w := newWalk(t, "redbridge")
	prac := w.email(escalate.RolePractitioner, "")
	w.signIn(prac)
	var ref string
	w.run(chromedp.Evaluate(`(document.querySelector('#raised ~ * a[href^="/escalations/"]') || {textContent: ""}).textContent.trim()`, &ref))
	if ref == "" {
		t.Fatal("My work lists nothing the practitioner raised")
	}
	w.run(click(`#raised ~ * a[href="/escalations/`+ref+`"]`), waitH1(ref))
	w.check("")
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	disguised := write("letter.pdf", []byte("<html><script>alert(1)</script></html>"))
	letter := write("Outcome letter.pdf", testfiles.PDF())

	w.run(click(`a[href="/escalations/`+ref+`/attach"]`), waitH1("Attach a letter, email or document"))
	w.b.check(w.t, w.axe, "childs-file-attach")
	w.run(chromedp.SetUploadFiles("#file", []string{disguised}, chromedp.ByID), click(submitButton), waitSel(".govuk-error-summary"))
	if s := w.text(".govuk-error-summary"); !strings.Contains(s, "content is none of those") {
		t.Errorf("a disguised file: %q", s)
	}
	w.b.takeErrors() // the 400 status is reported by the browser itself
	w.b.check(w.t, w.axe, "childs-file-attach-error")
	w.run(chromedp.SetUploadFiles("#file", []string{letter}, chromedp.ByID),
		keys("#description", "Letter confirming the assessment"), click(submitButton), waitSel(".govuk-notification-banner"))
	if b := w.text(".govuk-notification-banner"); !strings.Contains(b, "File attached") {
		t.Errorf("after attaching: %q", b)
	}
	if l := w.text("#attachment-list"); !strings.Contains(l, "Outcome letter.pdf") || !strings.Contains(l, "Letter confirming the assessment") {
		t.Errorf("the case lists %q", l)
	}
	w.b.check(w.t, w.axe, "childs-file-attached")

	// Printed: the record only.
	var hidden, linkAfter string
	w.run(emulation.SetEmulatedMedia().WithMedia("print"),
		chromedp.Evaluate(`[".govuk-header", ".govuk-service-navigation", ".govuk-footer", "#file-pdf"].map(s => document.querySelector(s)).filter(e => e && getComputedStyle(e).display !== "none").length + ""`, &hidden),
		chromedp.Evaluate(`getComputedStyle(document.querySelector("main a.govuk-link[href^='/']"), "::after").content`, &linkAfter))
	if hidden != "0" || (linkAfter != "none" && linkAfter != "normal") {
		t.Errorf("printed: %s of the header, menus, footer and buttons still show; a link is followed by %q", hidden, linkAfter)
	}
	var png []byte
	w.run(chromedp.FullScreenshot(&png, 100))
	if err := os.WriteFile(filepath.Join(repoRoot, "testdata", "screens", "childs-file-print.png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
	w.run(emulation.SetEmulatedMedia().WithMedia(""))

	dl := newDownloads(t, w)
	pdf := dl.get("#file-pdf", "escalation-"+ref+".pdf")
	text := strings.Join(strings.Fields(pdfToText(t, pdf)), " ")
	for _, want := range []string{"Escalation " + ref, "OFFICIAL-SENSITIVE", "Summary", "The disagreement", "Chronology",
		"Disagreement raised", "Outcome letter.pdf", "Letter confirming the assessment", "Letter, email or document attached"} {
		if !strings.Contains(text, want) {
			t.Errorf("the child's-file PDF lacks %q", want)
		}
	}
	out := filepath.Join(repoRoot, "testdata", "screens", "childs-file")
	if b, err := exec.Command(pdftoppm, "-png", "-r", "60", write("case.pdf", pdf), out).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, b)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Errorf("the download is not a PDF")
	}
}
