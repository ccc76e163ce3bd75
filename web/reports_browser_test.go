package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/internal/testenv"
)

// TestReportsBrowser is the Business Manager of the Wirral demo opening this
// quarter's board report from the partnership menu, downloading the PDF and
// the CSV through the browser and reading them, opening the print page,
// and asking for a period that is not a date. Each page is checked with
// axe-core and saved as a screenshot.
func TestReportsBrowser(t *testing.T) {
	pdftotext, err := exec.LookPath("pdftotext")
	if err != nil {
		testenv.Missing(t, "pdftotext is not installed (Debian's poppler-utils)")
	}
	w := newWalk(t, "wirral")
	bm := w.email(escalate.RoleBusinessManager, "")
	// Every child reference in the demo partnership: none may appear in
	// the report or its files.
	all, _, err := w.svc.List(escalate.NewContextWithUser(context.Background(), w.user(bm)), escalate.EscalationFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var refs []string
	for _, e := range all {
		refs = append(refs, e.ChildRef)
	}
	if len(refs) == 0 {
		t.Fatal("the demo has no escalations")
	}
	noChildRef := func(what, text string) {
		t.Helper()
		for _, r := range refs {
			if strings.Contains(text, r) {
				t.Errorf("%s shows the child reference %q", what, r)
			}
		}
	}

	w.signIn(bm)
	w.run(chromedp.Navigate(w.u+"/contacts"), waitH1("Contacts"), click(`.app-org-nav a[href="/reports"]`),
		waitH1("Reports for the board"), waitSel("#downloads"))
	w.check("reports")
	var html string
	w.run(chromedp.Evaluate(`document.documentElement.outerHTML`, &html))
	noChildRef("the report page", html)
	if h := w.text("#report"); h != "Escalations report: October to December 2026" {
		t.Errorf("the report is headed %q, want this quarter", h)
	}
	raised := w.text(`main table tbody tr:first-child td`)
	n, err := strconv.Atoi(raised)
	if err != nil || n == 0 {
		t.Fatalf("escalations raised reads %q: want a number above 0 for this quarter", raised)
	}

	dl := newDownloads(t, w)
	pdf := dl.get(`#downloads a[href^="/reports/report.pdf"]`, "escalations-report-wirral-2026-Q4.pdf")
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Errorf("PDF download starts %q", pdf[:min(8, len(pdf))])
	}
	cmd := exec.Command(pdftotext, "-layout", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := string(out)
	flat := strings.Join(strings.Fields(text), " ") // the title may wrap
	for _, want := range []string{"escalations report, October to December 2026", "Period: 1 October 2026 to 31 December 2026",
		"Escalations by raising agency", "Deadlines met by responding agency", "Chart: Raised by agency",
		"Stage 2: Team"} {
		if !strings.Contains(flat, want) {
			t.Errorf("the PDF lacks %q", want)
		}
	}
	if !pdfLine(text, "Escalations raised", raised) {
		t.Errorf("the PDF has no line \"Escalations raised %s\":\n%s", raised, text)
	}
	noChildRef("the PDF", text)

	body := dl.get(`#downloads a[href^="/reports/report.csv"]`, "escalations-report-wirral-2026-Q4.csv")
	rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("CSV: %v", err)
	}
	if len(rows) != n+1 || len(rows[0]) != 13 || rows[0][12] != "Decision" || rows[0][0] != "Raising agency" || rows[0][8] != "Working days to resolution" {
		t.Errorf("CSV has %d rows with header %q; want a header and %d escalations", len(rows), rows[0], n)
	}
	for _, r := range rows[1:] {
		if !strings.HasPrefix(r[3], "2026-1") || (r[9] != "Yes" && r[9] != "No") || !strings.HasPrefix(r[4], "Stage ") ||
			strings.Contains(r[8], ".") ||
			!slices.Contains([]string{"", "Decision changed", "Decision upheld", "Not recorded"}, r[12]) {
			t.Errorf("CSV row %q: want a raise date this quarter and Yes or No for immediate risk", r)
		}
	}
	noChildRef("the CSV", string(body))

	w.run(click(`#downloads a[href^="/reports/print"]`), waitH1("Escalations report: October to December 2026"))
	w.check("reports-print")
	w.run(chromedp.Evaluate(`document.documentElement.outerHTML`, &html))
	noChildRef("the print page", html)

	// A period that is not a date: the error summary, and nothing written.
	w.run(chromedp.Navigate(w.u+"/reports"), waitH1("Reports for the board"))
	before := auditCount(t, w.db) // opening the page recorded a view
	w.run(choose("period-custom"),
		keys("#from-day", "31"), keys("#from-month", "2"), keys("#from-year", "2026"),
		keys("#to-day", "1"), keys("#to-month", "3"), keys("#to-year", "2026"))
	w.run(click(`form.app-report-form button[type=submit]`), waitSel(".govuk-error-summary"))
	if s := w.text(".govuk-error-summary"); !strings.Contains(s, "Enter the start date as a real date") {
		t.Errorf("error summary reads %q", s)
	}
	w.check("reports-error")
	if n := auditCount(t, w.db) - before; n != 0 {
		t.Errorf("a bad period wrote %d audit events", n)
	}
}

// pdfLine reports whether a line of text is label, spaces and value.
func pdfLine(text, label, value string) bool {
	for l := range strings.Lines(text) {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(l), label); ok && strings.TrimSpace(rest) == value {
			return true
		}
	}
	return false
}

// downloads saves what the browser downloads into a directory, by the
// browser's own download machinery, as a person's click would. Files keep
// the name the server's Content-Disposition gives them.
type downloads struct {
	w   *walk
	dir string
}

func newDownloads(t *testing.T, w *walk) *downloads {
	t.Helper()
	dir, err := os.MkdirTemp("", "escalate-downloads-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	w.run(cdpbrowser.SetDownloadBehavior(cdpbrowser.SetDownloadBehaviorBehaviorAllow).WithDownloadPath(dir))
	return &downloads{w: w, dir: dir}
}

// get clicks the link sel and returns the file it downloads, which must be
// called name.
func (d *downloads) get(sel, name string) []byte {
	d.w.t.Helper()
	d.w.run(click(sel))
	path := filepath.Join(d.dir, name)
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		// Chromium writes NAME.crdownload and renames it when complete.
		if b, err := os.ReadFile(path); err == nil {
			return b
		}
		time.Sleep(100 * time.Millisecond)
	}
	entries, _ := os.ReadDir(d.dir)
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	d.w.t.Fatalf("no download %s from %s; the directory holds %q", name, sel, got)
	return nil
}
