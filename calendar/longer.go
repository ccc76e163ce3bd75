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
// calendar's own working days in a reference year (March 2026 to February
// 2027): N hours is longer than W working days if N hours exceeds the
// shortest span W working days can have (starting just before the end of a
// working day), and W working days is longer than N hours if the longest span
// W working days can have (starting at the end of a working day) exceeds N
// hours. See doc/deadlines.md.
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
		return c.spanBound(wa+1, true) > time.Duration(b.N)*time.Hour
	}
}

// spanBound returns the shortest (or, with longest, the longest) elapsed time
// from the end of a working day in the reference year to the end of the nth
// working day after it.
func (c *Calendar) spanBound(n int, longest bool) time.Duration {
	var bound time.Duration
	first := true
	for d := refFirst; !refLast.Before(d); d = d.AddDays(1) {
		if !c.IsWorkingDay(d) {
			continue
		}
		end := d.At(c.endHour, c.endMin)
		span := c.AddWorkingDays(d, n).At(c.endHour, c.endMin).Sub(end)
		if first || (longest && span > bound) || (!longest && span < bound) {
			bound, first = span, false
		}
	}
	return bound
}
