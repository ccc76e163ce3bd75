package report

import (
	"fmt"
	"io"
	"strconv"

	"github.com/go-pdf/fpdf"
)

// Page geometry of the report PDF, in millimetres.
const (
	pdfMargin    = 15.0
	pdfLine      = 4.6 // a line of 10-point text
	pdfPad       = 1.6 // inside a table cell
	pdfFootSpace = 18.0
)

// WritePDF writes q as an A4 PDF: a heading, the period, and every table of
// Tables, each followed by its bar chart (Charts) drawn as vector graphics.
// Table headers and cells wrap onto as many lines as they need, so nothing
// is cut short; a table too wide for a portrait page (the agency-pair
// matrix) gets a landscape page. The font is Helvetica, the PDF core font
// Arial maps to, so the file embeds no fonts or images.
func WritePDF(w io.Writer, q *Quarterly, title string) error {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetTitle(title, true)
	pdf.SetCreator("Escalate", true)
	// Fix the creation date so the same report gives the same bytes.
	pdf.SetCreationDate(q.Period.To)
	pdf.SetModificationDate(q.Period.To)
	pdf.SetMargins(pdfMargin, pdfMargin, pdfMargin)
	pdf.SetAutoPageBreak(true, pdfMargin)
	pdf.AliasNbPages("")
	pdf.SetFooterFunc(func() {
		pdf.SetY(-12)
		pdf.SetFont("Helvetica", "", 9)
		pdf.CellFormat(0, 5, fmt.Sprintf("Page %d of {nb}", pdf.PageNo()), "", 0, "C", false, 0, "")
	})
	// The core fonts use cp1252; translate so a name like "Hammersmith & Fulham –
	// Health" prints its dash rather than mojibake.
	p := &pdfDoc{Fpdf: pdf, tr: pdf.UnicodeTranslatorFromDescriptor("")}
	pdf.AddPage()

	pdf.SetFont("Helvetica", "B", 18)
	pdf.MultiCell(0, 9, p.tr(title), "", "L", false)
	pdf.SetFont("Helvetica", "", 11)
	pdf.MultiCell(0, 6, p.tr("Period: "+q.Period.Text()), "", "L", false)
	if q.Sharing {
		pdf.MultiCell(0, 6, p.tr("Marked for sharing outside the partnership: counts under 5 are shown as \"fewer than 5\". There are no charts, since a bar's length would show a count the table withholds."), "", "L", false)
	}
	pdf.Ln(3)

	charts := map[string]Chart{}
	for _, c := range q.Charts() {
		charts[c.Caption] = c
	}
	landscape := false
	for _, t := range q.Tables() {
		wide := len(t.Header) > 5
		if wide != landscape {
			landscape = wide
			orient := "P"
			if wide {
				orient = "L"
			}
			pdf.AddPageFormat(orient, pdf.GetPageSizeStr("A4"))
		}
		p.table(t)
		if c, ok := charts[t.Caption]; ok {
			p.chart(c)
		}
	}
	return pdf.Output(w)
}

// pdfDoc is the report PDF being written.
type pdfDoc struct {
	*fpdf.Fpdf
	tr func(string) string
}

// width is the width between the margins of the current page.
func (p *pdfDoc) width() float64 {
	w, _ := p.GetPageSize()
	return w - 2*pdfMargin
}

// room reports whether h more millimetres fit above the footer; if not, it
// starts a new page of the same orientation.
func (p *pdfDoc) room(h float64) {
	_, ph := p.GetPageSize()
	if p.GetY()+h > ph-pdfFootSpace {
		p.AddPage()
	}
}

// table writes t: its caption, a header row on a grey ground (repeated on
// each page the table runs onto) and its rows, every cell wrapped.
func (p *pdfDoc) table(t Table) {
	widths := p.columns(len(t.Header))
	p.SetFont("Helvetica", "B", 10)
	head := p.lines(t.Header, widths)
	p.SetFont("Helvetica", "", 10)
	first := []string{NoRows}
	if len(t.Rows) > 0 {
		first = t.Rows[0]
	}
	// Keep the caption with the header and the first row.
	p.room(9 + p.height(head) + p.height(p.lines(first, widths)))
	p.SetFont("Helvetica", "B", 13)
	p.MultiCell(0, 7, p.tr(t.Caption), "", "L", false)
	p.Ln(1)
	p.tableBody(t)
}

// tableBody writes t's header row (repeated on each page the table runs
// onto) and its rows, every cell wrapped.
func (p *pdfDoc) tableBody(t Table) {
	widths := p.columns(len(t.Header))
	if len(t.Widths) == len(t.Header) {
		for i, f := range t.Widths {
			widths[i] = f * p.width()
		}
	}
	p.SetFont("Helvetica", "B", 10)
	head := p.lines(t.Header, widths)
	p.room(p.height(head) + 10)
	p.row(head, widths, true)
	if len(t.Rows) == 0 {
		p.SetFont("Helvetica", "", 10)
		p.row(p.lines([]string{NoRows}, []float64{p.width()}), []float64{p.width()}, false)
	}
	for _, r := range t.Rows {
		p.SetFont("Helvetica", "", 10)
		ls := p.lines(r, widths)
		_, ph := p.GetPageSize()
		if p.GetY()+p.height(ls) > ph-pdfFootSpace {
			p.AddPage()
			p.SetFont("Helvetica", "B", 10)
			p.row(head, widths, true)
			p.SetFont("Helvetica", "", 10)
		}
		p.row(ls, widths, false)
	}
	p.Ln(5)
}

// columns shares the page's width between n columns: the first, which
// names what a row counts, gets more.
func (p *pdfDoc) columns(n int) []float64 {
	w := p.width()
	first := w / 2.5
	if n > 3 {
		first = w / 3
	}
	if n > 5 {
		first = w / 5
	}
	out := make([]float64, n)
	for i := range out {
		if i == 0 && n > 1 {
			out[i] = first
		} else {
			out[i] = (w - first) / float64(max(n-1, 1))
			if n == 1 {
				out[i] = w
			}
		}
	}
	return out
}

// lines wraps each cell to its column's width in the current font.
func (p *pdfDoc) lines(cells []string, widths []float64) [][]string {
	out := make([][]string, len(cells))
	for i, c := range cells {
		w := widths[min(i, len(widths)-1)] - 2*pdfPad
		for _, l := range p.SplitLines([]byte(p.tr(c)), w) {
			out[i] = append(out[i], string(l))
		}
		if len(out[i]) == 0 {
			out[i] = []string{""}
		}
	}
	return out
}

// height is the height of a row of wrapped cells.
func (p *pdfDoc) height(cells [][]string) float64 {
	n := 1
	for _, c := range cells {
		n = max(n, len(c))
	}
	return float64(n)*pdfLine + 2*pdfPad
}

// row draws one row of wrapped cells with borders; a header row is bold on
// a grey ground.
func (p *pdfDoc) row(cells [][]string, widths []float64, header bool) {
	h := p.height(cells)
	x, y := pdfMargin, p.GetY()
	style := "D"
	if header {
		p.SetFont("Helvetica", "B", 10)
		p.SetFillColor(243, 242, 241)
		style = "FD"
	}
	p.SetDrawColor(177, 180, 182)
	for i, c := range cells {
		w := widths[min(i, len(widths)-1)]
		p.Rect(x, y, w, h, style)
		for j, l := range c {
			p.Text(x+pdfPad, y+pdfPad+float64(j)*pdfLine+3.5, l)
		}
		x += w
	}
	p.SetXY(pdfMargin, y+h)
}

// chart draws c as horizontal bars in GOV.UK blue, each labelled with its
// name (wrapped, never cut short) and its number, so colour is never the
// only cue.
func (p *pdfDoc) chart(c Chart) {
	peak := 0
	for _, v := range c.Values {
		peak = max(peak, v)
	}
	labelW := p.width() * 0.38
	barMax := p.width() - labelW - 14
	p.SetFont("Helvetica", "", 9)
	labels := make([][]string, len(c.Labels))
	total := 8.0
	for i, l := range c.Labels {
		labels[i] = p.lines([]string{l}, []float64{labelW})[0]
		total += barRow(len(labels[i]))
	}
	p.room(total)
	p.SetFont("Helvetica", "B", 11)
	p.MultiCell(0, 6, p.tr("Chart: "+c.Title), "", "L", false)
	p.Ln(1)
	p.SetFillColor(29, 112, 184) // GOV.UK blue
	p.SetTextColor(11, 12, 12)
	for i, v := range c.Values {
		h := barRow(len(labels[i]))
		y := p.GetY()
		// The label's lines and the bar are centred on the row.
		mid := y + h/2
		p.SetFont("Helvetica", "", 9)
		top := mid - float64(len(labels[i]))*3.8/2
		for j, l := range labels[i] {
			p.Text(pdfMargin, top+3+float64(j)*3.8, l)
		}
		bw := 0.0
		if peak > 0 {
			bw = barMax * float64(v) / float64(peak)
		}
		x := pdfMargin + labelW + 2
		if bw > 0 {
			p.Rect(x, mid-2.2, bw, 4.4, "F")
		}
		p.SetFont("Helvetica", "B", 9)
		p.Text(x+bw+1.5, mid+1.2, strconv.Itoa(v))
		p.SetXY(pdfMargin, y+h)
	}
	// The axis line, so a bar of nought still shows where it would start.
	p.SetDrawColor(11, 12, 12)
	x := pdfMargin + labelW + 2
	p.Line(x, p.GetY()-total+8, x, p.GetY())
	p.Ln(6)
}

// barRow is the height of a chart's row whose label takes n lines.
func barRow(n int) float64 { return max(float64(n)*3.8+2.4, 7) }
