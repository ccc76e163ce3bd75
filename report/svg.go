package report

import (
	"errors"
	"fmt"
	"html"
	"io"
	"math"
	"strings"
	"unicode/utf8"
)

// Chart geometry, in SVG user units (pixels at 100%).
const (
	labelWidth = 220 // at least; labelSpace widens it for long labels
	barWidth   = 360
	rowHeight  = 28
	topMargin  = 40
	cellWidth  = 90
	fontAttrs  = `font-family="Arial, Helvetica, sans-serif" font-size="16"`
	barColour  = "#1d70b8" // GOV.UK blue: contrast 5.2:1 on white
	textColour = "#0b0c0c"
)

// BarChart writes a horizontal bar chart as SVG. The chart has a <title> and
// <desc> that screen readers announce through role="img" and aria-labelledby;
// pair it with HTMLTable for the same figures as a data table.
func BarChart(w io.Writer, title, desc string, labels []string, values []int) error {
	if len(labels) != len(values) {
		return fmt.Errorf("bar chart %q: %d labels but %d values", title, len(labels), len(values))
	}
	peak := 0
	for _, v := range values {
		if v < 0 {
			return fmt.Errorf("bar chart %q: negative value %d", title, v)
		}
		peak = max(peak, v)
	}
	labelWidth := labelSpace(labels)
	width := labelWidth + barWidth + 60
	height := topMargin + rowHeight*len(labels) + 10
	var b strings.Builder
	id := chartID(title)
	open(&b, id, title, desc, width, height)
	for i, l := range labels {
		y := topMargin + rowHeight*i
		bw := 0
		if peak > 0 {
			bw = values[i] * barWidth / peak
		}
		fmt.Fprintf(&b, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" %s fill=\"%s\">%s</text>\n",
			labelWidth-8, y+19, fontAttrs, textColour, esc(l))
		fmt.Fprintf(&b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>\n",
			labelWidth, y+4, bw, rowHeight-8, barColour)
		fmt.Fprintf(&b, "<text x=\"%d\" y=\"%d\" %s fill=\"%s\">%d</text>\n",
			labelWidth+bw+6, y+19, fontAttrs, textColour, values[i])
	}
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// Matrix writes a table-shaped chart of counts as SVG, such as escalations by
// raising agency (rows) and receiving agency (columns). Darker cells hold more;
// every cell also shows its number, so colour is never the only cue.
func Matrix(w io.Writer, title, desc string, rows, cols []string, cells [][]int) error {
	if len(cells) != len(rows) {
		return fmt.Errorf("matrix %q: %d rows but %d rows of cells", title, len(rows), len(cells))
	}
	peak := 0
	for i, r := range cells {
		if len(r) != len(cols) {
			return fmt.Errorf("matrix %q: row %d has %d cells, want %d", title, i+1, len(r), len(cols))
		}
		for _, v := range r {
			if v < 0 {
				return errors.New("matrix " + title + ": negative value")
			}
			peak = max(peak, v)
		}
	}
	// Column names are written at 45 degrees, rising from their column, so
	// long agency names neither overlap nor need shortening.
	labelWidth := labelSpace(rows)
	slant := int(math.Ceil(float64(textSpace(cols)) * math.Sqrt2 / 2))
	head := slant + 10
	width := labelWidth + cellWidth*len(cols) + slant + 10
	height := topMargin + head + rowHeight*len(rows) + 10
	var b strings.Builder
	open(&b, chartID(title), title, desc, width, height)
	for j, c := range cols {
		x, y := labelWidth+cellWidth*j+cellWidth/2, topMargin+head-6
		fmt.Fprintf(&b, "<text x=\"%d\" y=\"%d\" transform=\"rotate(-45 %d %d)\" %s fill=\"%s\">%s</text>\n",
			x, y, x, y, fontAttrs, textColour, esc(c))
	}
	for i, r := range rows {
		y := topMargin + head + rowHeight*i
		fmt.Fprintf(&b, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" %s fill=\"%s\">%s</text>\n",
			labelWidth-8, y+19, fontAttrs, textColour, esc(r))
		for j, v := range cells[i] {
			// Opacity from 0.1 to 1 so an empty cell is still visible as a cell.
			op := 0.1
			if peak > 0 {
				op += 0.9 * float64(v) / float64(peak)
			}
			fill := textColour
			if op > 0.5 {
				fill = "#ffffff"
			}
			x := labelWidth + cellWidth*j
			fmt.Fprintf(&b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\" fill-opacity=\"%.2f\" stroke=\"#b1b4b6\"/>\n",
				x, y, cellWidth, rowHeight, barColour, op)
			fmt.Fprintf(&b, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" %s fill=\"%s\">%d</text>\n",
				x+cellWidth/2, y+19, fontAttrs, fill, v)
		}
	}
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// textSpace is about how wide the longest of labels is in Arial at 16px:
// 9 units a character is a little over Arial's average, so a label fits.
func textSpace(labels []string) int {
	n := 0
	for _, l := range labels {
		n = max(n, utf8.RuneCountInString(l))
	}
	return 9 * n
}

// labelSpace is the room for row labels left of a chart: the longest label
// and a margin, at least labelWidth.
func labelSpace(labels []string) int { return max(labelWidth, textSpace(labels)+16) }

func open(b *strings.Builder, id, title, desc string, width, height int) {
	fmt.Fprintf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-labelledby=\"%s-title %s-desc\">\n",
		width, height, width, height, id, id)
	fmt.Fprintf(b, "<title id=\"%s-title\">%s</title>\n<desc id=\"%s-desc\">%s</desc>\n", id, esc(title), id, esc(desc))
	fmt.Fprintf(b, "<text x=\"0\" y=\"22\" font-family=\"Arial, Helvetica, sans-serif\" font-size=\"19\" font-weight=\"bold\" fill=\"%s\" aria-hidden=\"true\">%s</text>\n",
		textColour, esc(title))
}

// chartID makes an element id from title, so two charts on one page with
// different titles never share the ids aria-labelledby points at.
func chartID(title string) string {
	var b strings.Builder
	b.WriteString("chart")
	dash := true
	for _, r := range strings.ToLower(title) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if dash {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		} else {
			dash = true
		}
	}
	return b.String()
}

func esc(s string) string { return html.EscapeString(s) }

// HTMLTable writes t as a GOV.UK data table with a caption: the accessible
// equivalent of a chart, and the print version of a report section.
func HTMLTable(w io.Writer, t Table) error {
	var b strings.Builder
	b.WriteString("<table class=\"govuk-table\">\n")
	fmt.Fprintf(&b, "<caption class=\"govuk-table__caption govuk-table__caption--m\">%s</caption>\n", esc(t.Caption))
	b.WriteString("<thead class=\"govuk-table__head\"><tr class=\"govuk-table__row\">")
	for _, h := range t.Header {
		fmt.Fprintf(&b, "<th scope=\"col\" class=\"govuk-table__header\">%s</th>", esc(h))
	}
	b.WriteString("</tr></thead>\n<tbody class=\"govuk-table__body\">\n")
	if len(t.Rows) == 0 {
		fmt.Fprintf(&b, "<tr class=\"govuk-table__row\"><td class=\"govuk-table__cell\" colspan=\"%d\">%s</td></tr>\n", max(len(t.Header), 1), NoRows)
	}
	for _, r := range t.Rows {
		b.WriteString("<tr class=\"govuk-table__row\">")
		for i, c := range r {
			if i == 0 {
				fmt.Fprintf(&b, "<th scope=\"row\" class=\"govuk-table__header\">%s</th>", esc(c))
			} else {
				fmt.Fprintf(&b, "<td class=\"govuk-table__cell\">%s</td>", esc(c))
			}
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</tbody>\n</table>\n")
	_, err := io.WriteString(w, b.String())
	return err
}
