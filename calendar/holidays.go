package calendar

import (
	"fmt"
	"sort"
	"time"
)

// The three divisions of the UK's bank holidays, named as GOV.UK names them.
const (
	EnglandAndWales = "england-and-wales"
	Scotland        = "scotland"
	NorthernIreland = "northern-ireland"
)

// FirstYear and LastYear bound the years BankHolidays knows, one-offs included.
// A Calendar keeps applying the regular rules up to ruleLastYear so that a clock
// running past 2040 never silently ignores Christmas.
const (
	FirstYear    = 1995
	LastYear     = 2040
	ruleLastYear = 2100
)

// Divisions returns the division names New accepts.
func Divisions() []string {
	return []string{EnglandAndWales, Scotland, NorthernIreland}
}

func checkDivision(division string) error {
	switch division {
	case EnglandAndWales, Scotland, NorthernIreland:
		return nil
	}
	return fmt.Errorf("unknown division %q", division)
}

// Holiday is a day on which no working-day clock runs: a bank holiday or a
// partnership's local closure.
type Holiday struct {
	Date  Date
	Name  string
	Notes string // e.g. "Substitute day", "Local closure"
}

// Notes used by the built-in rules.
const (
	NoteSubstitute   = "Substitute day"
	NoteLocalClosure = "Local closure"
)

// BankHolidays returns the bank holidays of division in the years fromYear to
// toYear inclusive, by rule and with the known one-offs, sorted by date.
func BankHolidays(division string, fromYear, toYear int) ([]Holiday, error) {
	if err := checkDivision(division); err != nil {
		return nil, err
	}
	if fromYear > toYear {
		return nil, fmt.Errorf("years %d to %d: the first is after the last", fromYear, toYear)
	}
	if fromYear < FirstYear || toYear > LastYear {
		return nil, fmt.Errorf("years %d to %d: bank holidays are known for %d to %d only", fromYear, toYear, FirstYear, LastYear)
	}
	var hs []Holiday
	for y := fromYear; y <= toYear; y++ {
		hs = append(hs, yearHolidays(division, y)...)
	}
	return hs, nil
}

// yearHolidays applies the rules of division to year y, sorted by date.
func yearHolidays(division string, y int) []Holiday {
	var hs []Holiday
	add := func(d Date, name string) { hs = append(hs, Holiday{Date: d, Name: name}) }

	// New Year (and in Scotland 2 January) move to the next free weekday
	// when they fall at a weekend.
	if division == Scotland {
		hs = append(hs, substitute([]Holiday{
			{Date: NewDate(y, time.January, 1), Name: "New Year’s Day"},
			{Date: NewDate(y, time.January, 2), Name: "2nd January"},
		})...)
	} else {
		hs = append(hs, substitute([]Holiday{{Date: NewDate(y, time.January, 1), Name: "New Year’s Day"}})...)
	}
	if division == NorthernIreland {
		hs = append(hs, substitute([]Holiday{{Date: NewDate(y, time.March, 17), Name: "St Patrick’s Day"}})...)
	}

	easter := EasterSunday(y)
	add(easter.AddDays(-2), "Good Friday")
	if division != Scotland {
		add(easter.AddDays(1), "Easter Monday")
	}

	switch y {
	case 1995:
		add(NewDate(1995, time.May, 8), "Early May bank holiday (VE day)")
	case 2020:
		add(NewDate(2020, time.May, 8), "Early May bank holiday (VE day)")
	default:
		add(nthWeekday(y, time.May, time.Monday, 1), "Early May bank holiday")
	}
	switch y {
	case 2002:
		add(NewDate(2002, time.June, 3), "Spring bank holiday")
		add(NewDate(2002, time.June, 4), "Golden Jubilee bank holiday")
	case 2012:
		add(NewDate(2012, time.June, 4), "Spring bank holiday")
		add(NewDate(2012, time.June, 5), "Diamond Jubilee bank holiday")
	case 2022:
		add(NewDate(2022, time.June, 2), "Spring bank holiday")
		add(NewDate(2022, time.June, 3), "Platinum Jubilee bank holiday")
	default:
		add(lastWeekday(y, time.May, time.Monday), "Spring bank holiday")
	}

	if division == NorthernIreland {
		hs = append(hs, substitute([]Holiday{{Date: NewDate(y, time.July, 12), Name: "Battle of the Boyne (Orangemen’s Day)"}})...)
	}
	if division == Scotland {
		add(nthWeekday(y, time.August, time.Monday, 1), "Summer bank holiday")
	} else {
		add(lastWeekday(y, time.August, time.Monday), "Summer bank holiday")
	}
	// St Andrew's Day became a Scottish bank holiday under the St Andrew's
	// Day Bank Holiday (Scotland) Act 2007.
	if division == Scotland && y >= 2007 {
		hs = append(hs, substitute([]Holiday{{Date: NewDate(y, time.November, 30), Name: "St Andrew’s Day"}})...)
	}
	hs = append(hs, substitute([]Holiday{
		{Date: NewDate(y, time.December, 25), Name: "Christmas Day"},
		{Date: NewDate(y, time.December, 26), Name: "Boxing Day"},
	})...)

	// One-offs that did not move a regular holiday.
	switch y {
	case 1999:
		add(NewDate(1999, time.December, 31), "Millennium Celebrations")
	case 2011:
		add(NewDate(2011, time.April, 29), "Wedding of Prince William and Catherine Middleton")
	case 2022:
		add(NewDate(2022, time.September, 19), "Bank Holiday for the State Funeral of Queen Elizabeth II")
	case 2023:
		add(NewDate(2023, time.May, 8), "Bank holiday for the coronation of King Charles III")
	}
	sortHolidays(hs)
	return hs
}

// substitute places a run of holidays: each that falls on a weekday keeps its
// date; each that falls at a weekend moves to the first later weekday not
// already taken, and is marked a substitute day. So Christmas on a Sunday
// gives Boxing Day on Monday 26 and Christmas Day (substitute) on Tuesday 27.
func substitute(run []Holiday) []Holiday {
	taken := map[Date]bool{}
	for _, h := range run {
		if !isWeekend(h.Date) {
			taken[h.Date] = true
		}
	}
	out := make([]Holiday, 0, len(run))
	for _, h := range run {
		if isWeekend(h.Date) {
			d := h.Date
			for isWeekend(d) || taken[d] {
				d = d.AddDays(1)
			}
			taken[d] = true
			h = Holiday{Date: d, Name: h.Name, Notes: NoteSubstitute}
		}
		out = append(out, h)
	}
	return out
}

func isWeekend(d Date) bool {
	wd := d.Weekday()
	return wd == time.Saturday || wd == time.Sunday
}

// nthWeekday returns the nth (1-based) wd of month m in year y.
func nthWeekday(y int, m time.Month, wd time.Weekday, n int) Date {
	first := NewDate(y, m, 1)
	shift := (int(wd) - int(first.Weekday()) + 7) % 7
	return first.AddDays(shift + 7*(n-1))
}

// lastWeekday returns the last wd of month m in year y.
func lastWeekday(y int, m time.Month, wd time.Weekday) Date {
	last := NewDate(y, m+1, 1).AddDays(-1)
	back := (int(last.Weekday()) - int(wd) + 7) % 7
	return last.AddDays(-back)
}

// EasterSunday returns the date of Western (Gregorian) Easter Sunday in year
// y, by the anonymous Gregorian algorithm (Meeus, Jones, Butcher).
func EasterSunday(y int) Date {
	a := y % 19
	b, c := y/100, y%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return Date{y, time.Month(month), day}
}

func sortHolidays(hs []Holiday) {
	sort.SliceStable(hs, func(i, j int) bool { return hs[i].Date.Before(hs[j].Date) })
}
