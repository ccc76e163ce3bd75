package report

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/xuri/excelize/v2"
)

// WriteXLSX writes sheets as an XLSX workbook, one worksheet per map entry in
// alphabetical order of name, every cell neutralised and stored as text.
func WriteXLSX(w io.Writer, sheets map[string][][]string) (err error) {
	if len(sheets) == 0 {
		return errors.New("xlsx: no sheets")
	}
	names := make([]string, 0, len(sheets))
	for n := range sheets {
		if n == "" || len([]rune(n)) > 31 || strings.ContainsAny(n, `[]:*?/\`) {
			return fmt.Errorf("xlsx: sheet name %q must be 1 to 31 characters without [ ] : * ? / \\", n)
		}
		names = append(names, n)
	}
	slices.Sort(names)
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	for i, n := range names {
		if i == 0 {
			if err := f.SetSheetName(f.GetSheetName(0), n); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(n); err != nil {
			return err
		}
		for r, row := range sheets[n] {
			for c, cell := range row {
				ref, err := excelize.CoordinatesToCellName(c+1, r+1)
				if err != nil {
					return err
				}
				if err := f.SetCellStr(n, ref, Neutralise(cell)); err != nil {
					return err
				}
			}
		}
	}
	_, err = f.WriteTo(w)
	return err
}

// Sheets returns q's tables as worksheets for WriteXLSX, named by caption.
func (q *Quarterly) Sheets() map[string][][]string {
	out := map[string][][]string{}
	for i, t := range q.Tables() {
		name := fmt.Sprintf("%02d %s", i+1, t.Caption)
		if r := []rune(name); len(r) > 31 {
			name = string(r[:31])
		}
		rows := t.Rows
		if len(rows) == 0 {
			rows = [][]string{{NoRows}}
		}
		out[name] = append([][]string{t.Header}, rows...)
	}
	return out
}
