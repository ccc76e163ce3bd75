package report_test

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/escalate-project/escalate/internal/testenv"
	"github.com/escalate-project/escalate/report"
)

func TestWritePDF(t *testing.T) {
	for _, sharing := range []bool{false, true} {
		q := report.Build(quarter, demoCases(), agencies, sharing)
		var buf bytes.Buffer
		title := "Wirral quarterly escalations report"
		if err := report.WritePDF(&buf, q, title); err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) {
			t.Fatalf("output starts %q, not %%PDF-", buf.Bytes()[:min(8, buf.Len())])
		}
		text := pdfText(t, buf.Bytes())
		for _, want := range []string{title, "Period: 1 July 2026 to 30 September 2026",
			"Escalations by raising agency", "Timescales met by responding agency", "Children's Services"} {
			if !strings.Contains(text, want) {
				t.Errorf("sharing=%v: PDF text lacks %q", sharing, want)
			}
		}
		if !sharing && !regexpLine(text, "Escalations raised", "5") {
			t.Errorf("PDF text has no line with Escalations raised and 5:\n%s", text)
		}
		if sharing != strings.Contains(text, "fewer than 5") {
			t.Errorf("sharing=%v but \"fewer than 5\" present = %v", sharing, !sharing)
		}
	}
}

// pdfText extracts pdf's text with poppler's pdftotext, keeping the layout so
// a table row stays on one line.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		testenv.Missing(t, "pdftotext is not installed")
	}
	cmd := exec.Command(bin, "-layout", "-", "-")
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
		err := report.WriteXLSX(&buf, map[string][][]string{
			"Raised": {{"Agency", "Escalations"}, {"=HYPERLINK(\"http://evil\",\"x\")", "3"}},
			"Above":  {{"@SUM(1)"}},
		})
		if err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if got := f.GetSheetList(); len(got) != 2 || got[0] != "Above" || got[1] != "Raised" {
			t.Errorf("sheets = %v, want [Above Raised]", got)
		}
		for _, c := range []struct{ sheet, cell, want string }{
			{"Raised", "A2", "'=HYPERLINK(\"http://evil\",\"x\")"},
			{"Raised", "B2", "3"},
			{"Above", "A1", "'@SUM(1)"},
		} {
			got, err := f.GetCellValue(c.sheet, c.cell)
			if err != nil || got != c.want {
				t.Errorf("%s!%s = %q, %v; want %q", c.sheet, c.cell, got, err, c.want)
			}
			if fm, _ := f.GetCellFormula(c.sheet, c.cell); fm != "" {
				t.Errorf("%s!%s has formula %q", c.sheet, c.cell, fm)
			}
		}
	})
	t.Run("Quarterly", func(t *testing.T) {
		q := report.Build(quarter, demoCases(), agencies, false)
		var buf bytes.Buffer
		if err := report.WriteXLSX(&buf, q.Sheets()); err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if n := len(f.GetSheetList()); n != len(q.Tables()) {
			t.Errorf("%d sheets, want one per table (%d)", n, len(q.Tables()))
		}
		if got, _ := f.GetCellValue("01 Summary", "B2"); got != "5" {
			t.Errorf("escalations raised = %q, want 5", got)
		}
	})
	t.Run("ErrSheetName", func(t *testing.T) {
		var buf bytes.Buffer
		if err := report.WriteXLSX(&buf, map[string][][]string{"a/b": nil}); err == nil {
			t.Error("no error for a sheet name with a slash")
		}
		if buf.Len() != 0 {
			t.Error("wrote output despite the error")
		}
	})
}
