package report

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// Sheet is one worksheet of a workbook. Each cell is a string (stored as
// text, neutralised), an int or a float64 (a number), a Percent (a number
// shown as a percentage) or a Date (a date). The first row is the header.
type Sheet struct {
	Name string // 1 to 31 characters, none of [ ] : * ? / \
	Rows [][]any
}

// Percent is a share from 0 to 1, stored as a number and shown as "60%".
type Percent float64

// Date is a day without a time of day, stored as a spreadsheet date so that
// it sorts and filters as one. Only its year, month and day are used.
type Date time.Time

// WriteXLSX writes sheets as an XLSX workbook, in the order given: numbers as
// numbers, dates as dates, text neutralised (Neutralise) and stored as text,
// so no cell can run as a formula. The header row is bold.
func WriteXLSX(w io.Writer, sheets []Sheet) (err error) {
	if len(sheets) == 0 {
		return errors.New("xlsx: no sheets")
	}
	seen := map[string]bool{}
	for _, s := range sheets {
		n := s.Name
		if n == "" || utf8.RuneCountInString(n) > 31 || strings.ContainsAny(n, `[]:*?/\`) {
			return fmt.Errorf("xlsx: sheet name %q must be 1 to 31 characters without [ ] : * ? / \\", n)
		}
		if seen[strings.ToLower(n)] {
			return fmt.Errorf("xlsx: two sheets are named %q", n)
		}
		seen[strings.ToLower(n)] = true
	}
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	dateFmt := "yyyy-mm-dd"
	dateStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	if err != nil {
		return err
	}
	pctStyle, err := f.NewStyle(&excelize.Style{NumFmt: 9}) // 0%
	if err != nil {
		return err
	}
	boldStyle, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	for i, s := range sheets {
		if i == 0 {
			if err := f.SetSheetName(f.GetSheetName(0), s.Name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(s.Name); err != nil {
			return err
		}
		widths := map[int]int{}
		for r, row := range s.Rows {
			for c, cell := range row {
				ref, err := excelize.CoordinatesToCellName(c+1, r+1)
				if err != nil {
					return err
				}
				width := 10
				switch v := cell.(type) {
				case int:
					err = f.SetCellInt(s.Name, ref, int64(v))
				case float64:
					err = f.SetCellFloat(s.Name, ref, v, -1, 64)
				case Percent:
					if err = f.SetCellFloat(s.Name, ref, float64(v), -1, 64); err == nil {
						err = f.SetCellStyle(s.Name, ref, ref, pctStyle)
					}
				case Date:
					t := time.Time(v)
					day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
					if err = f.SetCellValue(s.Name, ref, day); err == nil {
						err = f.SetCellStyle(s.Name, ref, ref, dateStyle)
					}
					width = 12
				case string:
					err = f.SetCellStr(s.Name, ref, Neutralise(v))
					width = utf8.RuneCountInString(v) + 2
				case nil:
				default:
					return fmt.Errorf("xlsx: sheet %q cell %s holds a %T", s.Name, ref, cell)
				}
				if err != nil {
					return err
				}
				if r == 0 {
					if err := f.SetCellStyle(s.Name, ref, ref, boldStyle); err != nil {
						return err
					}
				}
				widths[c] = max(widths[c], min(width, 60))
			}
		}
		for c, wd := range widths {
			col, err := excelize.ColumnNumberToName(c + 1)
			if err != nil {
				return err
			}
			if err := f.SetColWidth(s.Name, col, col, float64(wd)); err != nil {
				return err
			}
		}
	}
	_, err = f.WriteTo(w)
	return err
}

// Sheets returns q's tables as worksheets for WriteXLSX, one per table in
// the report's order, named by Table.Sheet. Counts, shares and working days
// are numbers; "fewer than 5" and "not shown" stay as words.
func (q *Quarterly) Sheets() []Sheet {
	var out []Sheet
	for _, t := range q.Tables() {
		s := Sheet{Name: t.Sheet, Rows: [][]any{Cells(t.Header)}}
		for _, r := range t.Rows {
			row := make([]any, len(r))
			for i, c := range r {
				row[i] = c
				if i > 0 {
					row[i] = typed(c)
				}
			}
			s.Rows = append(s.Rows, row)
		}
		if len(t.Rows) == 0 {
			s.Rows = append(s.Rows, []any{NoRows})
		}
		out = append(out, s)
	}
	return out
}

// Cells turns a row of text into a row of text cells.
func Cells(r []string) []any {
	out := make([]any, len(r))
	for i, c := range r {
		out[i] = c
	}
	return out
}

var (
	wholeRE   = regexp.MustCompile(`^[0-9]+$`)
	decimalRE = regexp.MustCompile(`^[0-9]+\.[0-9]+$`)
	percentRE = regexp.MustCompile(`^[0-9]+%$`)
)

// typed reads a figure a table printed back into a number: "12", "2.5",
// "60%". Anything else, such as "fewer than 5", stays text.
func typed(s string) any {
	switch {
	case wholeRE.MatchString(s):
		if n, err := strconv.Atoi(s); err == nil {
			return n
		}
	case decimalRE.MatchString(s):
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return f
		}
	case percentRE.MatchString(s):
		if n, err := strconv.Atoi(strings.TrimSuffix(s, "%")); err == nil {
			return Percent(float64(n) / 100)
		}
	}
	return s
}
