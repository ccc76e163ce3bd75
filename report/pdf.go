package report

import (
	"fmt"
	"io"

	"github.com/go-pdf/fpdf"
)

// WritePDF writes q as an A4 portrait PDF: a heading, the period, and every
// table of Tables, in Helvetica (the PDF core font Arial maps to), so the file
// needs no embedded fonts or images.
func WritePDF(w io.Writer, q *Quarterly, title string) error {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetTitle(title, true)
	pdf.SetCreator("Escalate", true)
	// Fix the creation date so the same report gives the same bytes.
	pdf.SetCreationDate(q.Period.To)
	pdf.SetModificationDate(q.Period.To)
	pdf.SetMargins(15, 15, 15)
	pdf.SetAutoPageBreak(true, 15)
	pdf.AliasNbPages("")
	pdf.SetFooterFunc(func() {
		pdf.SetY(-12)
		pdf.SetFont("Helvetica", "", 9)
		pdf.CellFormat(0, 5, fmt.Sprintf("Page %d of {nb}", pdf.PageNo()), "", 0, "C", false, 0, "")
	})
	// The core fonts use cp1252; translate so a name like "Hammersmith & Fulham –
	// Health" prints its dash rather than mojibake.
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	pdf.AddPage()

	pdf.SetFont("Helvetica", "B", 18)
	pdf.MultiCell(0, 9, tr(title), "", "L", false)
	pdf.SetFont("Helvetica", "", 11)
	pdf.MultiCell(0, 6, tr("Period: "+q.Period.Text()), "", "L", false)
	if q.Sharing {
		pdf.MultiCell(0, 6, tr("Marked for sharing outside the partnership: counts under 5 are shown as \"fewer than 5\"."), "", "L", false)
	}
	pdf.Ln(3)

	const pageWidth = 180.0
	for _, t := range q.Tables() {
		// Keep a caption with at least its header and first row.
		if pdf.GetY()+30 > 282 {
			pdf.AddPage()
		}
		pdf.SetFont("Helvetica", "B", 13)
		pdf.MultiCell(0, 7, tr(t.Caption), "", "L", false)
		first := pageWidth / 2.5
		if len(t.Header) > 3 {
			first = pageWidth / 3
		}
		rest := (pageWidth - first) / float64(max(len(t.Header)-1, 1))
		widths := func(i int) float64 {
			if i == 0 {
				return first
			}
			return rest
		}
		pdf.SetFont("Helvetica", "B", 10)
		pdf.SetFillColor(243, 242, 241)
		for i, h := range t.Header {
			pdf.CellFormat(widths(i), 7, tr(fit(pdf, h, widths(i))), "1", 0, "L", true, 0, "")
		}
		pdf.Ln(-1)
		pdf.SetFont("Helvetica", "", 10)
		if len(t.Rows) == 0 {
			pdf.CellFormat(pageWidth, 7, NoRows, "1", 1, "L", false, 0, "")
		}
		for _, r := range t.Rows {
			for i, c := range r {
				pdf.CellFormat(widths(i), 7, tr(fit(pdf, c, widths(i))), "1", 0, "L", false, 0, "")
			}
			pdf.Ln(-1)
		}
		pdf.Ln(4)
	}
	return pdf.Output(w)
}

// fit shortens s with an ellipsis until it fits a cell of width w, so a long
// agency name cannot run into the next column.
func fit(pdf *fpdf.Fpdf, s string, w float64) string {
	r := []rune(s)
	for len(r) > 1 && pdf.GetStringWidth(string(r))+2 > w {
		r = append(r[:len(r)-2], '…')
	}
	return string(r)
}
