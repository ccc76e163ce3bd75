package report

import (
	"fmt"
	"io"
	"time"

	"github.com/go-pdf/fpdf"
)

// Document is a record to print or file, such as an escalation for the
// child's file: a title, a marking, and sections of labelled rows,
// paragraphs and tables. The caller writes every word; WriteDocument lays
// them out.
type Document struct {
	Title    string
	Subtitle string
	// Marking heads and foots every page, e.g. "OFFICIAL-SENSITIVE".
	Marking  string
	Created  time.Time // the PDF's creation date
	Sections []Section
}

// Section is a heading and what comes under it, in this order: rows of
// label and value, paragraphs, then a table.
type Section struct {
	Heading string
	Rows    [][2]string
	Paras   []string
	Table   *Table
}

// WriteDocument writes d as an A4 portrait PDF in Helvetica: every label,
// value and table cell wraps onto as many lines as it needs.
func WriteDocument(w io.Writer, d Document) error {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetTitle(d.Title, true)
	pdf.SetCreator("Escalate", true)
	pdf.SetCreationDate(d.Created)
	pdf.SetModificationDate(d.Created)
	pdf.SetMargins(pdfMargin, pdfMargin+4, pdfMargin)
	pdf.SetAutoPageBreak(true, pdfMargin+4)
	pdf.AliasNbPages("")
	p := &pdfDoc{Fpdf: pdf, tr: pdf.UnicodeTranslatorFromDescriptor("")}
	pdf.SetHeaderFunc(func() {
		if d.Marking == "" {
			return
		}
		pdf.SetY(8)
		pdf.SetFont("Helvetica", "B", 9)
		pdf.CellFormat(0, 5, p.tr(d.Marking), "", 1, "C", false, 0, "")
		pdf.SetY(pdfMargin + 4)
	})
	pdf.SetFooterFunc(func() {
		pdf.SetY(-12)
		pdf.SetFont("Helvetica", "", 9)
		foot := fmt.Sprintf("%s   Page %d of {nb}", d.Title, pdf.PageNo())
		if d.Marking != "" {
			foot = d.Marking + "   " + foot
		}
		pdf.CellFormat(0, 5, p.tr(foot), "", 0, "C", false, 0, "")
	})
	pdf.AddPage()
	pdf.SetFont("Helvetica", "B", 17)
	pdf.MultiCell(0, 8, p.tr(d.Title), "", "L", false)
	if d.Subtitle != "" {
		pdf.SetFont("Helvetica", "", 10)
		pdf.MultiCell(0, 5, p.tr(d.Subtitle), "", "L", false)
	}
	pdf.Ln(3)
	for _, s := range d.Sections {
		p.section(s)
	}
	return pdf.Output(w)
}

// section writes one section; its heading stays with what follows.
func (p *pdfDoc) section(s Section) {
	p.room(20)
	p.SetFont("Helvetica", "B", 13)
	p.MultiCell(0, 7, p.tr(s.Heading), "", "L", false)
	p.Ln(1)
	if len(s.Rows) > 0 {
		widths := []float64{p.width() * 0.3, p.width() * 0.7}
		for _, r := range s.Rows {
			p.SetFont("Helvetica", "", 10)
			ls := p.lines([]string{r[0], r[1]}, widths)
			_, ph := p.GetPageSize()
			if p.GetY()+p.height(ls) > ph-pdfFootSpace {
				p.AddPage()
			}
			p.keyRow(ls, widths)
		}
		p.Ln(2)
	}
	for _, para := range s.Paras {
		p.SetFont("Helvetica", "", 10)
		p.MultiCell(0, pdfLine, p.tr(para), "", "L", false)
		p.Ln(1.5)
	}
	if s.Table != nil {
		t := *s.Table
		t.Caption = ""
		p.tableBody(t)
	}
	p.Ln(3)
}

// keyRow draws a label (bold) and its value, with a rule beneath, as a
// GOV.UK summary list prints.
func (p *pdfDoc) keyRow(cells [][]string, widths []float64) {
	h := p.height(cells)
	x, y := pdfMargin, p.GetY()
	for i, c := range cells {
		style := ""
		if i == 0 {
			style = "B"
		}
		p.SetFont("Helvetica", style, 10)
		for j, l := range c {
			p.Text(x+pdfPad, y+pdfPad+float64(j)*pdfLine+3.5, l)
		}
		x += widths[i]
	}
	p.SetDrawColor(177, 180, 182)
	p.Line(pdfMargin, y+h, pdfMargin+widths[0]+widths[1], y+h)
	p.SetXY(pdfMargin, y+h)
}
