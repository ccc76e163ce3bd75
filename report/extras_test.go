package report_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate/calendar"
	"github.com/escalate-project/escalate/report"
)

func TestSetThemesAndDissents(t *testing.T) {
	t.Run("NotSet", func(t *testing.T) {
		q := report.Build(quarter, demoCases(), agencies, false)
		for _, tb := range q.Tables() {
			if tb.Caption == report.CaptionThemes || tb.Caption == report.CaptionDissents {
				t.Errorf("section %q shown though never set", tb.Caption)
			}
		}
	})
	for _, sharing := range []bool{false, true} {
		q := report.Build(quarter, demoCases(), agencies, sharing)
		q.SetThemes(map[string]int{"Thresholds": 7, "Information sharing": 2, "Communication": 5})
		q.SetDissents(map[string]int{}, nil)
		ts := q.Tables()
		themes, dissents := findTable(ts, report.CaptionThemes), findTable(ts, report.CaptionDissents)
		if themes == nil || dissents == nil {
			t.Fatalf("sharing=%v: sections missing from %d tables", sharing, len(ts))
		}
		small := "2"
		if sharing {
			small = "fewer than 5"
		}
		want := [][]string{{"Communication", "5"}, {"Information sharing", small}, {"Thresholds", "7"}}
		if !slices.EqualFunc(themes.Rows, want, slices.Equal) {
			t.Errorf("sharing=%v: themes rows = %v, want %v", sharing, themes.Rows, want)
		}
		if len(dissents.Rows) != 0 {
			t.Errorf("dissents rows = %v, want none", dissents.Rows)
		}
		// Sections follow the case figures, themes before dissents.
		if ts[len(ts)-2].Caption != report.CaptionThemes || ts[len(ts)-1].Caption != report.CaptionDissents {
			t.Errorf("last sections are %q, %q", ts[len(ts)-2].Caption, ts[len(ts)-1].Caption)
		}
		var html bytes.Buffer
		if err := report.HTMLTable(&html, *dissents); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(html.String(), report.NoRows) {
			t.Errorf("an empty section's HTML does not say %q:\n%s", report.NoRows, html.String())
		}
		sheets := q.Sheets()
		var found bool
		for _, sh := range sheets {
			if sh.Name == "Dissent outcomes" {
				found = true
				if len(sh.Rows) != 2 || sh.Rows[1][0] != report.NoRows {
					t.Errorf("sheet %q = %v, want the header and %q", sh.Name, sh.Rows, report.NoRows)
				}
			}
		}
		if !found {
			t.Errorf("no dissents sheet in %d sheets", len(sheets))
		}
	}
}

func findTable(ts []report.Table, caption string) *report.Table {
	for i := range ts {
		if ts[i].Caption == caption {
			return &ts[i]
		}
	}
	return nil
}

func TestQuarter(t *testing.T) {
	// October to December 2026 starts at midnight BST, 23:00 UTC the day before,
	// and ends at midnight GMT.
	p := report.Quarter(2026, 4)
	if want := time.Date(2026, 9, 30, 23, 0, 0, 0, time.UTC); !p.From.Equal(want) {
		t.Errorf("Q4 From = %v, want %v", p.From, want)
	}
	if want := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC); !p.To.Equal(want) {
		t.Errorf("Q4 To = %v, want %v", p.To, want)
	}
	if got := p.Text(); got != "1 October 2026 to 31 December 2026" {
		t.Errorf("Text = %q", got)
	}
	if y, q := report.QuarterOf(time.Date(2026, 9, 30, 23, 30, 0, 0, time.UTC)); y != 2026 || q != 4 {
		t.Errorf("QuarterOf 00:30 BST on 1 October = %d Q%d, want 2026 Q4", y, q)
	}
	if got := report.QuarterName(2026, 4); got != "October to December 2026" {
		t.Errorf("QuarterName = %q", got)
	}
	for s, ok := range map[string]bool{"2026-Q4": true, "2026-Q0": false, "2026-Q5": false, "26-Q1": false,
		"2026Q1": false, "": false, "2026-Q1x": false, "abcd-Q1": false} {
		y, q, got := report.ParseQuarterKey(s)
		if got != ok {
			t.Errorf("ParseQuarterKey(%q) ok = %v, want %v", s, got, ok)
		}
		if ok && report.QuarterKey(y, q) != s {
			t.Errorf("QuarterKey(ParseQuarterKey(%q)) = %q", s, report.QuarterKey(y, q))
		}
	}
	d := report.Days(time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC))
	if !d.From.Equal(time.Date(2026, 6, 1, 0, 0, 0, 0, calendar.London)) ||
		!d.To.Equal(time.Date(2026, 7, 1, 0, 0, 0, 0, calendar.London)) {
		t.Errorf("Days = %v to %v", d.From, d.To)
	}
}

// TestSetDissentsOrder checks the dissent outcomes follow the workflow's
// order, with a label the order does not know after them.
func TestSetDissentsOrder(t *testing.T) {
	q := report.Build(quarter, demoCases(), agencies, false)
	q.SetDissents(map[string]int{"Closed": 1, "Awaiting review": 2, "Odd": 3, "Scheduled": 4}, []string{"Awaiting review", "Scheduled", "Closed"})
	var got []string
	for _, r := range q.Dissents {
		got = append(got, r.Label+"="+r.Count.String())
	}
	want := []string{"Awaiting review=2", "Scheduled=4", "Closed=1", "Odd=3"}
	if !slices.Equal(got, want) {
		t.Errorf("dissent rows = %v, want %v", got, want)
	}
}
