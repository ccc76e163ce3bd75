package calendar_test

import (
	"os"
	"slices"
	"testing"
	"time"

	"github.com/escalate-project/escalate/calendar"
)

func mustDate(t testing.TB, s string) calendar.Date {
	t.Helper()
	d, err := calendar.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// holidayOn returns division's built-in holiday on date s, if any.
func holidayOn(t *testing.T, division, s string) (calendar.Holiday, bool) {
	t.Helper()
	d := mustDate(t, s)
	hs, err := calendar.BankHolidays(division, d.Year, d.Year)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hs {
		if h.Date == d {
			return h, true
		}
	}
	return calendar.Holiday{}, false
}

// TestBankHolidaysMatchGOVUK compares the rules with every event of the
// GOV.UK excerpt, both ways: same dates, nothing missing, nothing extra.
func TestBankHolidaysMatchGOVUK(t *testing.T) {
	f, err := os.Open("testdata/bank-holidays-sample.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	feed, err := calendar.ParseGOVUK(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(feed) != 3 {
		t.Fatalf("sample has %d divisions, want 3", len(feed))
	}
	for div, events := range feed {
		t.Run(div, func(t *testing.T) {
			from, to := events[0].Date.Year, events[len(events)-1].Date.Year
			rules, err := calendar.BankHolidays(div, from, to)
			if err != nil {
				t.Fatal(err)
			}
			var want, got []string
			for _, e := range events {
				want = append(want, e.Date.String())
			}
			for _, h := range rules {
				got = append(got, h.Date.String())
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s %d–%d:\n got %v\nwant %v", div, from, to, got, want)
			}
			// Substitute days are marked as GOV.UK marks them.
			for i, e := range events {
				if i < len(rules) && rules[i].Date == e.Date && rules[i].Notes != e.Notes {
					t.Errorf("%s: notes %q, GOV.UK says %q", e.Date, rules[i].Notes, e.Notes)
				}
			}
		})
	}
}

func TestOneOffs(t *testing.T) {
	// Every one-off is in every division; the days they displaced are not.
	present := []string{
		"1995-05-08",               // early May moved to VE Day
		"1999-12-31",               // Millennium
		"2002-06-03", "2002-06-04", // spring moved; Golden Jubilee
		"2011-04-29",               // Royal Wedding
		"2012-06-04", "2012-06-05", // spring moved; Diamond Jubilee
		"2020-05-08",               // early May moved to VE Day (a Friday)
		"2022-06-02", "2022-06-03", // spring moved; Platinum Jubilee
		"2022-09-19", // State Funeral of Queen Elizabeth II
		"2023-05-08", // Coronation of King Charles III
	}
	absent := []string{"1995-05-01", "2002-05-27", "2012-05-28", "2020-05-04", "2022-05-30"}
	for _, div := range calendar.Divisions() {
		for _, s := range present {
			t.Run(div+"/"+s, func(t *testing.T) {
				if _, ok := holidayOn(t, div, s); !ok {
					t.Errorf("%s is not a bank holiday in %s", s, div)
				}
			})
		}
		for _, s := range absent {
			t.Run(div+"/not-"+s, func(t *testing.T) {
				if h, ok := holidayOn(t, div, s); ok {
					t.Errorf("%s is %q in %s; it was moved that year", s, h.Name, div)
				}
			})
		}
	}
}

func TestSubstituteDays(t *testing.T) {
	const sub = calendar.NoteSubstitute
	tests := []struct {
		division, date, name, notes string
	}{
		// Christmas on Saturday: both move, Monday and Tuesday.
		{calendar.EnglandAndWales, "2004-12-27", "Christmas Day", sub},
		{calendar.EnglandAndWales, "2004-12-28", "Boxing Day", sub},
		{calendar.EnglandAndWales, "2010-12-27", "Christmas Day", sub},
		{calendar.EnglandAndWales, "2010-12-28", "Boxing Day", sub},
		{calendar.EnglandAndWales, "2021-12-27", "Christmas Day", sub},
		{calendar.EnglandAndWales, "2021-12-28", "Boxing Day", sub},
		// Christmas on Sunday: Boxing Day keeps Monday, Christmas takes Tuesday.
		{calendar.EnglandAndWales, "2011-12-26", "Boxing Day", ""},
		{calendar.EnglandAndWales, "2011-12-27", "Christmas Day", sub},
		{calendar.EnglandAndWales, "2016-12-26", "Boxing Day", ""},
		{calendar.EnglandAndWales, "2016-12-27", "Christmas Day", sub},
		{calendar.EnglandAndWales, "2022-12-27", "Christmas Day", sub},
		// Christmas on Friday: Boxing Day moves to Monday 28.
		{calendar.EnglandAndWales, "2026-12-28", "Boxing Day", sub},
		{calendar.EnglandAndWales, "2015-12-28", "Boxing Day", sub},
		// New Year at a weekend.
		{calendar.EnglandAndWales, "2005-01-03", "New Year’s Day", sub},
		{calendar.EnglandAndWales, "2011-01-03", "New Year’s Day", sub},
		{calendar.EnglandAndWales, "2012-01-02", "New Year’s Day", sub},
		{calendar.EnglandAndWales, "2017-01-02", "New Year’s Day", sub},
		{calendar.EnglandAndWales, "2022-01-03", "New Year’s Day", sub},
		{calendar.EnglandAndWales, "2000-01-03", "New Year’s Day", sub},
		// Scotland's two New Year days.
		{calendar.Scotland, "2011-01-03", "New Year’s Day", sub},
		{calendar.Scotland, "2011-01-04", "2nd January", sub},
		{calendar.Scotland, "2017-01-02", "2nd January", ""},
		{calendar.Scotland, "2017-01-03", "New Year’s Day", sub},
		{calendar.Scotland, "2016-01-04", "2nd January", sub},
		{calendar.Scotland, "2022-01-04", "2nd January", sub},
		// St Andrew's Day at a weekend moves to Monday.
		{calendar.Scotland, "2024-12-02", "St Andrew’s Day", sub},
		{calendar.Scotland, "2025-12-01", "St Andrew’s Day", sub},
		{calendar.Scotland, "2026-11-30", "St Andrew’s Day", ""},
		// Northern Ireland's two.
		{calendar.NorthernIreland, "2019-03-18", "St Patrick’s Day", sub},
		{calendar.NorthernIreland, "2024-03-18", "St Patrick’s Day", sub},
		{calendar.NorthernIreland, "2020-07-13", "Battle of the Boyne (Orangemen’s Day)", sub},
		{calendar.NorthernIreland, "2025-07-14", "Battle of the Boyne (Orangemen’s Day)", sub},
		{calendar.NorthernIreland, "2021-12-28", "Boxing Day", sub},
	}
	for _, tt := range tests {
		t.Run(tt.division+"/"+tt.date, func(t *testing.T) {
			h, ok := holidayOn(t, tt.division, tt.date)
			if !ok {
				t.Fatalf("%s is not a holiday in %s", tt.date, tt.division)
			}
			if h.Name != tt.name || h.Notes != tt.notes {
				t.Errorf("got %q (%q), want %q (%q)", h.Name, h.Notes, tt.name, tt.notes)
			}
		})
	}
	// The weekend days themselves are not holidays.
	for _, s := range []string{"2004-12-25", "2004-12-26", "2011-12-25", "2022-01-01", "2024-11-30"} {
		for _, div := range calendar.Divisions() {
			if h, ok := holidayOn(t, div, s); ok {
				t.Errorf("%s: weekend day %s listed as %q", div, s, h.Name)
			}
		}
	}
}

func TestDivisionRules(t *testing.T) {
	tests := []struct {
		name, division, date string
		want                 bool
	}{
		{"ScotlandNoEasterMonday", calendar.Scotland, "2026-04-06", false},
		{"EnglandEasterMonday", calendar.EnglandAndWales, "2026-04-06", true},
		{"NIEasterMonday", calendar.NorthernIreland, "2026-04-06", true},
		{"ScotlandSummerFirstMonday", calendar.Scotland, "2026-08-03", true},
		{"ScotlandNotLastMonday", calendar.Scotland, "2026-08-31", false},
		{"EnglandSummerLastMonday", calendar.EnglandAndWales, "2026-08-31", true},
		{"EnglandNotFirstMonday", calendar.EnglandAndWales, "2026-08-03", false},
		{"EnglandNoSecondJanuary", calendar.EnglandAndWales, "2026-01-02", false},
		{"ScotlandSecondJanuary", calendar.Scotland, "2026-01-02", true},
		{"ScotlandStAndrewBefore2007", calendar.Scotland, "2006-11-30", false},
		{"EnglandNoStAndrew", calendar.EnglandAndWales, "2026-11-30", false},
		{"NIStPatrick", calendar.NorthernIreland, "2026-03-17", true},
		{"EnglandNoStPatrick", calendar.EnglandAndWales, "2026-03-17", false},
		{"NIBoyne", calendar.NorthernIreland, "2026-07-13", true}, // 12 July 2026 is a Sunday
		{"ScotlandNoBoyne", calendar.Scotland, "2026-07-13", false},
		{"EarlyMayFirstMonday", calendar.EnglandAndWales, "2026-05-04", true},
		{"SpringLastMonday", calendar.EnglandAndWales, "2026-05-25", true},
		{"GoodFridayScotland", calendar.Scotland, "2026-04-03", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, got := holidayOn(t, tt.division, tt.date); got != tt.want {
				t.Errorf("%s %s holiday = %v, want %v", tt.division, tt.date, got, tt.want)
			}
		})
	}
}

func TestBankHolidaysShape(t *testing.T) {
	for _, div := range calendar.Divisions() {
		hs, err := calendar.BankHolidays(div, calendar.FirstYear, calendar.LastYear)
		if err != nil {
			t.Fatal(err)
		}
		perYear := map[int]int{}
		for i, h := range hs {
			if i > 0 && !hs[i-1].Date.Before(h.Date) {
				t.Fatalf("%s: %s after %s: not sorted or duplicated", div, h.Date, hs[i-1].Date)
			}
			if wd := h.Date.Weekday(); wd == time.Saturday || wd == time.Sunday {
				t.Errorf("%s: %s (%s) falls on a %s", div, h.Date, h.Name, wd)
			}
			if h.Name == "" {
				t.Errorf("%s: %s has no name", div, h.Date)
			}
			perYear[h.Date.Year]++
		}
		// 8 in England and Wales, 9 in Scotland (8 before St Andrew's Day), 10
		// in Northern Ireland; one-off years have one more.
		base := map[string]int{calendar.EnglandAndWales: 8, calendar.Scotland: 9, calendar.NorthernIreland: 10}[div]
		for y := calendar.FirstYear; y <= calendar.LastYear; y++ {
			want := base
			if div == calendar.Scotland && y < 2007 {
				want--
			}
			switch y {
			case 1999, 2002, 2011, 2012, 2022, 2023:
				want++
			}
			if y == 2022 {
				want++ // Platinum Jubilee and the State Funeral
			}
			if perYear[y] != want {
				t.Errorf("%s %d: %d holidays, want %d", div, y, perYear[y], want)
			}
		}
	}
}

func TestBankHolidaysErrors(t *testing.T) {
	tests := []struct {
		name, division string
		from, to       int
		want           string
	}{
		{"ErrDivision", "wales", 2026, 2026, `unknown division "wales"`},
		{"ErrOrder", calendar.Scotland, 2027, 2026, "years 2027 to 2026: the first is after the last"},
		{"ErrRange", calendar.Scotland, 1990, 2026, "years 1990 to 2026: bank holidays are known for 1995 to 2040 only"},
		{"ErrRangeLate", calendar.Scotland, 2026, 2041, "years 2026 to 2041: bank holidays are known for 1995 to 2040 only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := calendar.BankHolidays(tt.division, tt.from, tt.to)
			if err == nil || err.Error() != tt.want {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestEasterSunday(t *testing.T) {
	// Known Western Easter Sundays across the supported range, including the
	// earliest (2008: 23 March) and latest (2038: 25 April) in it.
	known := map[int]string{
		1995: "1995-04-16", 1998: "1998-04-12", 2000: "2000-04-23", 2002: "2002-03-31",
		2008: "2008-03-23", 2011: "2011-04-24", 2013: "2013-03-31", 2016: "2016-03-27",
		2018: "2018-04-01", 2019: "2019-04-21", 2021: "2021-04-04", 2022: "2022-04-17",
		2023: "2023-04-09", 2024: "2024-03-31", 2025: "2025-04-20", 2026: "2026-04-05",
		2027: "2027-03-28", 2030: "2030-04-21", 2035: "2035-03-25", 2038: "2038-04-25",
		2040: "2040-04-01",
	}
	for y, want := range known {
		if got := calendar.EasterSunday(y).String(); got != want {
			t.Errorf("Easter %d = %s, want %s", y, got, want)
		}
	}
	for y := calendar.FirstYear; y <= calendar.LastYear; y++ {
		e := calendar.EasterSunday(y)
		if e.Weekday() != time.Sunday {
			t.Errorf("Easter %d = %s, a %s", y, e, e.Weekday())
		}
		if e.Before(calendar.NewDate(y, time.March, 22)) || calendar.NewDate(y, time.April, 25).Before(e) {
			t.Errorf("Easter %d = %s, outside 22 March to 25 April", y, e)
		}
		// Good Friday and Easter Monday hang off it in England and Wales.
		for _, off := range []int{-2, 1} {
			if _, ok := holidayOn(t, calendar.EnglandAndWales, e.AddDays(off).String()); !ok {
				t.Errorf("%d: %s is not a holiday", y, e.AddDays(off))
			}
		}
	}
}
