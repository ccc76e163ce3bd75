package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
	"github.com/go-pdf/fpdf"
)

// A proforma (Wirral Appendices 1 and 2) as the Business Manager reads it:
// the same tables on the page, in the PDF and in the CSV, so they cannot
// disagree. It is de-identified by construction: escalate.ProformaBody
// holds no child reference, initials, names or case free text, and the
// escalation's reference is left out of the documents (it stays on the
// page, for the Business Manager, who may open the case).

// ProformaTitle is the proforma's heading, e.g. "Proforma: disagreement
// resolved at stage 2".
func ProformaTitle(p *escalate.Proforma) string {
	return fmt.Sprintf("Proforma: disagreement resolved at stage %d", p.Body.StageNumber)
}

// ProformaTables returns p as tables: the summary, its timescales, and the
// learning identified so far.
func ProformaTables(p *escalate.Proforma) []Table {
	b := p.Body
	yes := map[bool]string{true: "Yes", false: "No"}
	cats := "None"
	if len(b.Categories) > 0 {
		cats = strings.Join(b.Categories, "; ")
	}
	summary := Table{Caption: "The disagreement", Header: []string{"Question", "Answer"}, Rows: [][]string{
		{"Partnership", b.Partnership},
		{"Policy", b.Policy},
		{"Stage resolved at", fmt.Sprintf("Stage %d: %s", b.StageNumber, b.StageName)},
		{"Agency that raised it", b.RaisingAgency},
		{"Agency it was with", b.ReceivingAgency},
		{"Category", cats},
		{"Risk level when resolved", riskLabel(b.RiskLevel)},
		{"Raised on", dateLabel(b.Raised)},
		{"Resolved on", dateLabel(b.Resolved)},
		{"Working days taken", strconv.Itoa(b.WorkingDays)},
		{"Outcome", OutcomeLabel(b.Outcome)},
		{"Decision disagreed about", DecisionLabel(b.Decision)},
		{"Outstanding issues to pursue", yes[b.Outstanding]},
	}}
	clocks := Table{Caption: "Timescales", Header: []string{"Stage", "What was due", "Timescale", "Started", "Due", "Result", "Working days"}}
	for _, c := range b.Clocks {
		due := c.Due
		if due == "" {
			due = "Immediately"
		}
		result := c.Result
		if c.MetAt != "" {
			result += " (" + c.MetAt + ")"
		}
		clocks.Rows = append(clocks.Rows, []string{c.Stage, c.Action, c.Timescale, c.Started, due, upper(result), strconv.Itoa(c.WorkingDays)})
	}
	learning := Table{Caption: "Learning identified", Header: []string{"Kind", "Learning", "Status", "Theme"}}
	for _, it := range p.Learning {
		learning.Rows = append(learning.Rows, []string{escalate.LearningKindNames[it.Kind], it.Description, upper(strings.ReplaceAll(it.Status, "-", " ")), it.Theme})
	}
	return []Table{summary, clocks, learning}
}

func riskLabel(r string) string {
	switch escalate.RiskLevel(r) {
	case escalate.RiskStandard:
		return "Standard"
	case escalate.RiskIncreased:
		return "Increased"
	case escalate.RiskImmediate:
		return "Immediate"
	}
	return r
}

func dateLabel(s string) string {
	d, err := calendar.ParseDate(s)
	if err != nil {
		return s
	}
	return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).Format("2 January 2006")
}

func upper(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// WriteProformaCSV writes p's tables as one CSV: each table's caption on a
// row of its own, then its header and rows, then an empty row. Every cell
// is neutralised against formula injection.
func WriteProformaCSV(w io.Writer, p *escalate.Proforma) error {
	var rows [][]string
	rows = append(rows, []string{ProformaTitle(p)})
	for _, t := range ProformaTables(p) {
		rows = append(rows, []string{}, []string{t.Caption}, t.Header)
		if len(t.Rows) == 0 {
			rows = append(rows, []string{"None recorded yet"})
		}
		rows = append(rows, t.Rows...)
	}
	return WriteCSV(w, nil, rows)
}

// WriteProformaPDF writes p as an A4 portrait PDF in Helvetica (no embedded
// fonts), its dates fixed to when the proforma was made, so the same
// proforma gives the same bytes.
func WriteProformaPDF(w io.Writer, p *escalate.Proforma) error {
	pdf := fpdf.New("P", "mm", "A4", "")
	title := ProformaTitle(p)
	pdf.SetTitle(title, true)
	pdf.SetCreator("Escalate", true)
	pdf.SetCreationDate(p.Created)
	pdf.SetModificationDate(p.Created)
	pdf.SetMargins(15, 15, 15)
	pdf.SetAutoPageBreak(true, 15)
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	pdf.AddPage()
	pdf.SetFont("Helvetica", "B", 16)
	pdf.MultiCell(0, 8, tr(title), "", "L", false)
	pdf.SetFont("Helvetica", "", 10)
	pdf.MultiCell(0, 5, tr("De-identified: no child reference, initials or names. For the Business Manager's thematic analysis."), "", "L", false)
	pdf.Ln(3)
	const pageWidth = 180.0
	for _, t := range ProformaTables(p) {
		if pdf.GetY()+25 > 282 {
			pdf.AddPage()
		}
		pdf.SetFont("Helvetica", "B", 12)
		pdf.MultiCell(0, 7, tr(t.Caption), "", "L", false)
		widths := columnWidths(len(t.Header), pageWidth)
		pdf.SetFont("Helvetica", "B", 8)
		pdf.SetFillColor(243, 242, 241)
		for i, h := range t.Header {
			pdf.CellFormat(widths[i], 6, tr(fit(pdf, h, widths[i])), "1", 0, "L", true, 0, "")
		}
		pdf.Ln(-1)
		pdf.SetFont("Helvetica", "", 8)
		if len(t.Rows) == 0 {
			pdf.CellFormat(pageWidth, 6, "None recorded yet", "1", 1, "L", false, 0, "")
		}
		for _, r := range t.Rows {
			// Cells wrap rather than being cut short: free text and the
			// policy's words for what was due can be long.
			lines := 1
			for i, c := range r {
				if n := len(pdf.SplitText(tr(c), widths[i]-2)); n > lines {
					lines = n
				}
			}
			h := float64(lines) * 4.5
			if pdf.GetY()+h > 282 {
				pdf.AddPage()
			}
			x, y := pdf.GetXY()
			for i, c := range r {
				pdf.Rect(x, y, widths[i], h, "D")
				pdf.SetXY(x+1, y)
				pdf.MultiCell(widths[i]-2, 4.5, tr(c), "", "L", false)
				x += widths[i]
			}
			pdf.SetXY(15, y+h)
		}
		pdf.Ln(4)
	}
	return pdf.Output(w)
}

// columnWidths shares width among n columns: a wide first pair for the
// summary, and a wider "what was due" column for the timescales.
func columnWidths(n int, width float64) []float64 {
	switch n {
	case 2:
		return []float64{width * 0.4, width * 0.6}
	case 4:
		return []float64{width * 0.2, width * 0.5, width * 0.12, width * 0.18}
	case 7:
		return []float64{width * 0.16, width * 0.22, width * 0.11, width * 0.12, width * 0.12, width * 0.13, width * 0.14}
	}
	out := make([]float64, n)
	for i := range out {
		out[i] = width / float64(n)
	}
	return out
}

// fit shortens s with an ellipsis until it fits a cell of width w, so a long
// header cannot run into the next column.
func fit(pdf *fpdf.Fpdf, s string, w float64) string {
	r := []rune(s)
	for len(r) > 1 && pdf.GetStringWidth(string(r))+2 > w {
		r = append(r[:len(r)-2], '…')
	}
	return string(r)
}
