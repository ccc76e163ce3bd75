package report

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/escalate-project/escalate/calendar"
)

// Quarter returns the calendar quarter q (1 to 4) of year on the
// Europe/London clock: from midnight on its first day to midnight after its
// last, as UTC instants, so a case raised at 00:30 BST on 1 October falls
// in October to December.
func Quarter(year, q int) Period {
	from := time.Date(year, time.Month(3*(q-1)+1), 1, 0, 0, 0, 0, calendar.London)
	return Period{From: from.UTC(), To: from.AddDate(0, 3, 0).UTC()}
}

// QuarterOf returns the year and quarter that t falls in, in London.
func QuarterOf(t time.Time) (year, q int) {
	l := t.In(calendar.London)
	return l.Year(), (int(l.Month())-1)/3 + 1
}

// Days returns the period from the start of London day from to the end of
// London day to, both inclusive; only their year, month and day are used.
func Days(from, to time.Time) Period {
	f := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, calendar.London)
	t := time.Date(to.Year(), to.Month(), to.Day(), 0, 0, 0, 0, calendar.London).AddDate(0, 0, 1)
	return Period{From: f.UTC(), To: t.UTC()}
}

// QuarterKey is how a quarter is named in a URL, e.g. "2026-Q4".
func QuarterKey(year, q int) string { return fmt.Sprintf("%d-Q%d", year, q) }

// ParseQuarterKey reads a QuarterKey; ok is false for anything else.
func ParseQuarterKey(s string) (year, q int, ok bool) {
	y, qs, found := strings.Cut(s, "-Q")
	if !found || len(y) != 4 || len(qs) != 1 {
		return 0, 0, false
	}
	year, err1 := strconv.Atoi(y)
	q, err2 := strconv.Atoi(qs)
	if err1 != nil || err2 != nil || q < 1 || q > 4 || year < 2000 {
		return 0, 0, false
	}
	return year, q, true
}

// QuarterName is a quarter in words, e.g. "October to December 2026".
func QuarterName(year, q int) string {
	first := time.Month(3*(q-1) + 1)
	return fmt.Sprintf("%s to %s %d", first, first+2, year)
}

// Text is the period in words, with its last day included, e.g.
// "1 October 2026 to 31 December 2026".
func (p Period) Text() string {
	const d = "2 January 2006"
	return p.From.In(calendar.London).Format(d) + " to " + p.To.Add(-time.Nanosecond).In(calendar.London).Format(d)
}
