package report_test

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/escalate-project/escalate/internal/testenv"
	"github.com/escalate-project/escalate/report"
)

func TestWritePDF(t *testing.T) {
	for _, sharing := range []bool{false, true} {
		q := report.Build(quarter, demoCases(), longAgencies, sharing)
		q.NameStages([]string{"Professionals resolving the disagreement", "Team managers and safeguarding leads", "Senior managers"})
		var buf bytes.Buffer
		title := "Wirral quarterly escalations report"
		if err := report.WritePDF(&buf, q, title); err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) {
			t.Fatalf("output starts %q, not %%PDF-", buf.Bytes()[:min(8, buf.Len())])
		}
		text := pdfText(t, buf.Bytes())
		raw := pdfText(t, buf.Bytes(), "-raw")
		for _, want := range []string{title, "Period: 1 July 2026 to 30 September 2026",
			"Escalations by raising agency", "Deadlines met by responding agency", "Deadlines met",
			"Stage 2: Team managers and safeguarding leads", "Median (working days)"} {
			if !strings.Contains(text, want) && !strings.Contains(oneLine(raw), want) {
				t.Errorf("sharing=%v: PDF text lacks %q", sharing, want)
			}
		}
		// A long agency name in a narrow column of the agency-pair matrix
		// wraps onto several lines: every word is there, none cut short.
		for _, word := range strings.Fields(longCS) {
			if !strings.Contains(raw, word) {
				t.Errorf("sharing=%v: the PDF lacks %q of %q", sharing, word, longCS)
			}
		}
		for _, bad := range []string{"…", "Clocks", "Timescales"} {
			if strings.Contains(text, bad) {
				t.Errorf("sharing=%v: the PDF says %q", sharing, bad)
			}
		}
		if !sharing && !regexpLine(text, "Escalations raised", "5") {
			t.Errorf("PDF text has no line with Escalations raised and 5:\n%s", text)
		}
		if sharing != strings.Contains(text, "fewer than 5") {
			t.Errorf("sharing=%v but \"fewer than 5\" present = %v", sharing, !sharing)
		}
		// The charts are vector graphics with their words as text: one
		// "Chart:" heading per bar chart, and none when shared.
		if got, want := strings.Count(text, "Chart: "), len(q.Charts()); got != want || (sharing && got != 0) || (!sharing && got < 6) {
			t.Errorf("sharing=%v: %d chart headings, want %d", sharing, got, want)
		}
		if !sharing {
			if err := os.WriteFile(filepath.Join(t.TempDir(), "r.pdf"), buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			// Filled rectangles (the bars) are drawn with "re" and "f".
			if n := countBars(buf.Bytes()); n < 10 {
				t.Errorf("the PDF draws %d filled rectangles, want the bars of the charts", n)
			}
		}
		if os.Getenv("ESCALATE_KEEP_PDF") != "" {
			_ = os.WriteFile(fmt.Sprintf("%s/report-sharing-%v.pdf", os.Getenv("ESCALATE_KEEP_PDF"), sharing), buf.Bytes(), 0o644)
		}
	}
}

// longCS is a receiving agency with a long name, to see it wrap.
const longCS = "Hammersmith and Fulham Children's Services Multi-Agency Safeguarding Hub"

// longAgencies are the test's agencies with one long name added.
var longAgencies = append([]string{longCS}, agencies...)

// oneLine joins text's lines with spaces, so a phrase wrapped in a cell
// can be found.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// countBars counts the filled rectangles in the PDF's uncompressed or
// compressed content streams.
func countBars(pdf []byte) int {
	n := 0
	for _, stream := range pdfStreams(pdf) {
		n += strings.Count(stream, " re f")
	}
	return n
}

// pdfText extracts pdf's text with poppler's pdftotext, keeping the layout so
// a table row stays on one line.
func pdfText(t *testing.T, pdf []byte, mode ...string) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		testenv.Missing(t, "pdftotext is not installed")
	}
	m := "-layout"
	if len(mode) > 0 {
		m = mode[0]
	}
	cmd := exec.Command(bin, m, "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// regexpLine reports whether some line of text holds label followed only by
// spaces and then value.
func regexpLine(text, label, value string) bool {
	for l := range strings.Lines(text) {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(l), label); ok && strings.TrimSpace(rest) == value {
			return true
		}
	}
	return false
}

func TestWriteXLSX(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		var buf bytes.Buffer
		err := report.WriteXLSX(&buf, []report.Sheet{
			{Name: "Raised", Rows: [][]any{{"Agency", "Escalations", "Share", "Raised"},
				{"=HYPERLINK(\"http://evil\",\"x\")", 3, report.Percent(0.6), report.Date(time.Date(2026, 7, 1, 23, 30, 0, 0, time.UTC))}}},
			{Name: "Above", Rows: [][]any{{"@SUM(1)"}}},
		})
		if err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if got := f.GetSheetList(); len(got) != 2 || got[0] != "Raised" || got[1] != "Above" {
			t.Errorf("sheets = %v, want [Raised Above], in the order given", got)
		}
		for _, c := range []struct {
			sheet, cell, want string
			typ               excelize.CellType
		}{
			{"Raised", "A2", "'=HYPERLINK(\"http://evil\",\"x\")", excelize.CellTypeSharedString},
			{"Raised", "B2", "3", excelize.CellTypeUnset}, // a number: no t attribute
			{"Raised", "C2", "60%", excelize.CellTypeUnset},
			{"Raised", "D2", "2026-07-01", excelize.CellTypeUnset},
			{"Above", "A1", "'@SUM(1)", excelize.CellTypeSharedString},
		} {
			got, err := f.GetCellValue(c.sheet, c.cell)
			if err != nil || got != c.want {
				t.Errorf("%s!%s = %q, %v; want %q", c.sheet, c.cell, got, err, c.want)
			}
			if typ, err := f.GetCellType(c.sheet, c.cell); err != nil || typ != c.typ {
				t.Errorf("%s!%s has type %v, %v; want %v", c.sheet, c.cell, typ, err, c.typ)
			}
			if fm, _ := f.GetCellFormula(c.sheet, c.cell); fm != "" {
				t.Errorf("%s!%s has formula %q", c.sheet, c.cell, fm)
			}
		}
		// The raw values: a number, and a date as Excel's serial day.
		if raw, _ := f.GetCellValue("Raised", "D2", excelize.Options{RawCellValue: true}); raw != "46204" {
			t.Errorf("the date is stored as %q, want the serial day 46204", raw)
		}
		if raw, _ := f.GetCellValue("Raised", "C2", excelize.Options{RawCellValue: true}); raw != "0.6" {
			t.Errorf("the share is stored as %q, want 0.6", raw)
		}
	})
	t.Run("Quarterly", func(t *testing.T) {
		q := report.Build(quarter, demoCases(), agencies, false)
		q.NameStages([]string{"Practitioners", "Managers"})
		f := readXLSX(t, q.Sheets())
		names := f.GetSheetList()
		if len(names) != len(q.Tables()) {
			t.Errorf("%d sheets, want one per table (%d)", len(names), len(q.Tables()))
		}
		for i, n := range names {
			if n != q.Tables()[i].Sheet || len([]rune(n)) > 31 || strings.ContainsAny(n, "0123456789") {
				t.Errorf("sheet %d is named %q, want %q: words, within 31 characters", i, n, q.Tables()[i].Sheet)
			}
		}
		if got, _ := f.GetCellValue("Summary", "B2"); got != "5" {
			t.Errorf("escalations raised = %q, want 5", got)
		}
		for _, c := range []struct {
			sheet, cell, want string
			number            bool
		}{
			{"Summary", "B2", "5", true},
			{"Summary", "B6", "Education", false},
			{"Stage reached", "A3", "Stage 2: Managers", false},
			{"Stage reached", "B3", "1", true},
			{"Time to resolution", "C2", "1.5", true},
			{"Deadlines by stage", "D2", "60%", true},
			{"Deadlines by stage", "A4", "Stage 3", false},
		} {
			got, _ := f.GetCellValue(c.sheet, c.cell)
			typ, _ := f.GetCellType(c.sheet, c.cell)
			if got != c.want || (typ == excelize.CellTypeUnset) != c.number {
				t.Errorf("%s!%s = %q of type %v; want %q, a number: %v", c.sheet, c.cell, got, typ, c.want, c.number)
			}
		}
	})
	t.Run("Shared", func(t *testing.T) {
		q := report.Build(quarter, demoCases(), agencies, true)
		f := readXLSX(t, q.Sheets())
		// A withheld count stays words; a count of 5 is a number.
		if got, _ := f.GetCellValue("Stage reached", "B2"); got != "fewer than 5" {
			t.Errorf("a withheld count reads %q", got)
		}
		if typ, _ := f.GetCellType("Summary", "B2"); typ != excelize.CellTypeUnset {
			t.Errorf("escalations raised (5) has type %v, want a number", typ)
		}
	})
	t.Run("ErrSheetName", func(t *testing.T) {
		for _, sheets := range [][]report.Sheet{
			{{Name: "a/b"}},
			{{Name: "An escalations sheet named beyond 31 characters"}},
			{{Name: "Same"}, {Name: "same"}},
		} {
			var buf bytes.Buffer
			if err := report.WriteXLSX(&buf, sheets); err == nil {
				t.Errorf("no error for sheets %v", sheets)
			}
			if buf.Len() != 0 {
				t.Error("wrote output despite the error")
			}
		}
	})
}

var streamRE = regexp.MustCompile(`(?s)stream\r?\n(.*?)\r?\nendstream`)

// pdfStreams returns the PDF's content streams, inflated where compressed.
func pdfStreams(pdf []byte) []string {
	var out []string
	for _, m := range streamRE.FindAllSubmatch(pdf, -1) {
		r, err := zlib.NewReader(bytes.NewReader(m[1]))
		if err != nil {
			out = append(out, string(m[1]))
			continue
		}
		b, _ := io.ReadAll(r)
		out = append(out, string(b))
	}
	return out
}

// readXLSX writes sheets as a workbook and opens it again.
func readXLSX(t *testing.T, sheets []report.Sheet) *excelize.File {
	t.Helper()
	var buf bytes.Buffer
	if err := report.WriteXLSX(&buf, sheets); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}
