package calendar

import "time"

// The reference window Longer measures mixed comparisons over: a whole year
// with both clock changes, Easter, every regular bank holiday and a
// Christmas that needs a substitute day (Christmas Day on a Friday, Boxing
// Day on Monday 28 December 2026).
var (
	refFirst = Date{2026, time.March, 1}
	refLast  = Date{2027, time.February, 28}
)

// Longer reports whether a can be longer than b: whether for some start a's
// due time falls after b's. The policy checker uses it to make sure an
// increased-risk timescale is never longer than the standard one.
//
// Within one family the answer follows from the counts: "immediately" is
// never longer than anything and everything else is longer than it;
// working-day kinds compare by working days (same working day = 0, a working
// week = 5); hours compare by hours. Mixed hours and working days depend on
// weekends, holidays and clock changes, so they are measured over the
// calendar's own days in a reference year (March 2026 to February 2027): N
// hours is longer than W working days if N hours exceeds the shortest span W
// working days can have, and W working days is longer than N hours if the
// longest span W working days can have exceeds N hours. N working days run
// shortest from just before midnight and longest from midnight, since the
// start's day never counts; "same working day" runs shortest from just
// before the end of a working day and longest from the end of one. See
// doc/deadlines.md.
func (c *Calendar) Longer(a, b Timescale) bool {
	if a.Validate() != nil || a.Kind == Immediately {
		return false
	}
	if b.Validate() != nil || b.Kind == Immediately {
		return true
	}
	wa, aDays := a.workingDays()
	wb, bDays := b.workingDays()
	switch {
	case aDays && bDays:
		return wa > wb
	case !aDays && !bDays:
		return a.N > b.N
	case !aDays: // a in hours, b in working days
		return time.Duration(a.N)*time.Hour > c.spanBound(wb, false)
	default: // a in working days, b in hours
		return c.spanBound(wa, true) > time.Duration(b.N)*time.Hour
	}
}

// spanBound returns the shortest (or, with longest, the longest) elapsed time
// a deadline of n working days can span in the reference year; n = 0 is "same
// working day". N working days count from the day after the start's, so they
// span least from just before midnight (measured from midnight: no start
// reaches it) and most from midnight, on any day. The same working day spans
// nothing from just before the end of a working day, and most from its end,
// when it rolls to the end of the next working day.
func (c *Calendar) spanBound(n int, longest bool) time.Duration {
	if n == 0 && !longest {
		return 0
	}
	var bound time.Duration
	first := true
	for d := refFirst; !refLast.Before(d); d = d.AddDays(1) {
		var from, due time.Time
		switch {
		case n == 0:
			if !c.IsWorkingDay(d) {
				continue
			}
			from = d.At(c.endHour, c.endMin)
			due = c.AddWorkingDays(d, 1).At(c.endHour, c.endMin)
		case longest:
			from = d.At(0, 0)
			due = c.AddWorkingDays(d, n).At(c.endHour, c.endMin)
		default:
			from = d.AddDays(1).At(0, 0)
			due = c.AddWorkingDays(d, n).At(c.endHour, c.endMin)
		}
		span := due.Sub(from)
		if first || (longest && span > bound) || (!longest && span < bound) {
			bound, first = span, false
		}
	}
	return bound
}
