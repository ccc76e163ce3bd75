// Package calendar knows the bank holidays of the three UK divisions, counts
// working days on the Europe/London wall clock, reads the timescales policies
// are written in ("2 working days", "24 hours") and turns them into deadlines
// that explain themselves. It is pure: standard library only, no clock of its
// own. See doc/deadlines.md for the rules.
package calendar

import (
	"fmt"
	"time"
	_ "time/tzdata" // Europe/London must load on machines without a zoneinfo database
)

// London is the Europe/London location every deadline is reckoned in.
var London = mustLoad("Europe/London")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(fmt.Sprintf("calendar: cannot load %s: %v", name, err))
	}
	return loc
}

// Date is a calendar date without a time of day or a zone, such as a bank
// holiday. The zero Date is not a valid date.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// NewDate returns the date y-m-d, normalised the way time.Date normalises
// (31 April becomes 1 May).
func NewDate(y int, m time.Month, d int) Date {
	if m >= time.January && m <= time.December && d >= 1 && d <= 28 {
		return Date{y, m, d}
	}
	return DateOf(time.Date(y, m, d, 12, 0, 0, 0, London))
}

// ParseDate reads a YYYY-MM-DD date.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil || len(s) != len(time.DateOnly) {
		return Date{}, fmt.Errorf("cannot read date %q: want YYYY-MM-DD", s)
	}
	return Date{t.Year(), t.Month(), t.Day()}, nil
}

// LongDate says a YYYY-MM-DD date as people read it, "27 March 2026", or
// gives s as it is if it is not one.
func LongDate(s string) string {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	return t.Format("2 January 2006")
}

// DateOf returns the London calendar date of the instant t.
func DateOf(t time.Time) Date {
	y, m, d := t.In(London).Date()
	return Date{y, m, d}
}

// String formats d as YYYY-MM-DD.
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// AddDays returns the date n days after d (before, if n is negative).
func (d Date) AddDays(n int) Date {
	return fromDayNumber(d.dayNumber() + n)
}

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday {
	return weekdayOf(d.dayNumber())
}

// Before reports whether d is earlier than o.
func (d Date) Before(o Date) bool {
	return d.dayNumber() < o.dayNumber()
}

// At returns the instant at which London clocks show hour:min on d. In the
// hour that does not exist when the clocks go forward it returns the instant
// an hour later; in the hour that repeats it returns the first.
func (d Date) At(hour, min int) time.Time {
	return time.Date(d.Year, d.Month, d.Day, hour, min, 0, 0, London)
}

// long formats d as "Thu 24 Dec 2026" for explanations.
func (d Date) long() string {
	return fmt.Sprintf("%s %d %s %d", d.Weekday().String()[:3], d.Day, d.Month.String()[:3], d.Year)
}

// Day numbers count days from 1 March 4001 BC (proleptic Gregorian), so that
// every date from then on has a non-negative number and the conversions can
// use unsigned division, which is markedly cheaper than floored signed
// division. Day numbers are internal; only their differences and weekdays
// matter.
const (
	eraShift = 11 // 400-year eras added to a year before converting
	// wdShift makes weekdayOf(dayNumber(1970-01-01)) a Thursday.
	wdShift = (int(time.Thursday) - (eraShift*146097+719468)%7 + 7) % 7
)

// dayNumber returns d's day number. Inside the holiday tables' years it adds
// up precomputed year and month starts; elsewhere it computes Howard
// Hinnant's days_from_civil.
func (d Date) dayNumber() int {
	if i := uint(d.Year - FirstYear); i < uint(len(yearStarts)) && d.Month >= time.January && d.Month <= time.December {
		return yearStarts[i] + monthStarts[isLeap(d.Year)][d.Month-1] + d.Day - 1
	}
	return daysFromCivil(d)
}

// yearStarts holds the day number of 1 January of each year from FirstYear
// to ruleLastYear; monthStarts the day of the year each month starts on,
// for common and leap years.
var (
	yearStarts  = buildYearStarts()
	monthStarts = [2][12]int{
		{0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334},
		{0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335},
	}
)

func buildYearStarts() []int {
	s := make([]int, 0, ruleLastYear-FirstYear+1)
	for y := FirstYear; y <= ruleLastYear; y++ {
		s = append(s, daysFromCivil(Date{y, time.January, 1}))
	}
	return s
}

func isLeap(y int) int {
	if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
		return 1
	}
	return 0
}

// daysFromCivil is Howard Hinnant's days_from_civil on day numbers.
func daysFromCivil(d Date) int {
	y := uint(d.Year + eraShift*400)
	m := uint(d.Month)
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	mp := (m + 9) % 12 // March is 0
	doy := (153*mp+2)/5 + uint(d.Day) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int(era*146097 + doe)
}

// fromDayNumber is the inverse of dayNumber. Inside the holiday tables'
// years it reads a precomputed table, because working-day arithmetic ends
// with this conversion and the civil arithmetic costs several divisions.
func fromDayNumber(n int) Date {
	if i := uint(n - tableFirstDay); i < uint(len(dateTable)) {
		v := dateTable[i]
		return Date{int(v >> 9), time.Month(v >> 5 & 15), int(v & 31)}
	}
	return civilFromDays(n)
}

// dateTable packs each date from 1 January FirstYear to 31 December
// ruleLastYear as year<<9 | month<<5 | day, indexed from tableFirstDay.
var (
	tableFirstDay = daysFromCivil(Date{FirstYear, time.January, 1})
	dateTable     = buildDateTable()
)

func buildDateTable() []uint32 {
	last := daysFromCivil(Date{ruleLastYear, time.December, 31})
	t := make([]uint32, 0, last-tableFirstDay+1)
	y, m, d := FirstYear, 1, 1
	for range last - tableFirstDay + 1 {
		t = append(t, uint32(y<<9|m<<5|d))
		if d++; d > daysIn(y, time.Month(m)) {
			d = 1
			if m++; m > 12 {
				m, y = 1, y+1
			}
		}
	}
	return t
}

func daysIn(y int, m time.Month) int {
	switch m {
	case time.February:
		return 28 + isLeap(y)
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

// civilFromDays is Howard Hinnant's civil_from_days on day numbers.
func civilFromDays(n int) Date {
	z := uint(n)
	era := z / 146097
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	y := int(yoe+era*400) - eraShift*400
	if m <= 2 {
		y++
	}
	return Date{y, time.Month(m), int(d)}
}

// weekdayOf returns the weekday of a day number.
func weekdayOf(n int) time.Weekday {
	return time.Weekday((uint(n) + uint(wdShift)) % 7)
}
