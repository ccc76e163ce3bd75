// Package report builds the partnership's oversight and learning reports: the
// quarterly figures, their charts and tables, and the CSV, XLSX and PDF exports.
// It is pure: it takes cases already read from the store and writes bytes.
package report

import (
	"encoding/csv"
	"io"
	"strings"
)

// dangerous are the first characters that make a spreadsheet treat a cell as a
// formula (= + - @) or that some spreadsheets strip before doing so (tab, CR).
const dangerous = "=+-@\t\r"

// Neutralise returns cell made safe to open in a spreadsheet. Following the
// OWASP CSV injection guidance, a cell that starts with = + - @, a tab or a
// carriage return gets a leading single quote, so Excel and LibreOffice show it
// as text instead of running it as a formula (which could, say, send data to
// another site). Every other cell is returned unchanged. A negative number
// such as -3 is therefore exported as '-3: reports export counts, which are
// never negative.
func Neutralise(cell string) string {
	if cell != "" && strings.IndexByte(dangerous, cell[0]) >= 0 {
		return "'" + cell
	}
	return cell
}

// WriteCSV writes header and rows to w as CSV, every cell neutralised.
func WriteCSV(w io.Writer, header []string, rows [][]string) error {
	cw := csv.NewWriter(w)
	if header != nil {
		if err := cw.Write(neutraliseAll(header)); err != nil {
			return err
		}
	}
	for _, r := range rows {
		if err := cw.Write(neutraliseAll(r)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func neutraliseAll(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = Neutralise(c)
	}
	return out
}
