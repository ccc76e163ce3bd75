package calendar

import (
	"fmt"
	"strings"
	"time"
)

// Skipped is a non-working day a deadline passed over, and why.
type Skipped struct {
	Date   Date
	Reason string // "Saturday", "Christmas Day", "Boxing Day, substitute day"
}

// Deadline is a timescale made concrete from a start instant, with what it
// needs to explain itself. Build it with Calendar.Due: Explain relies on
// what Due records.
type Deadline struct {
	Start     time.Time
	Timescale Timescale
	Due       time.Time // zero when Immediate
	Immediate bool
	// StartDay is the working day counted as day 0, after rolling a start on
	// a non-working day or at or after the end of the working day forward.
	// For Hours and Immediately it is the London date of Start.
	StartDay Date
	Skipped  []Skipped // every non-working day passed over, in order

	rolled          rollReason
	endHour, endMin int
	invalid         bool
}

type rollReason int

const (
	notRolled        rollReason = iota
	rolledLate                  // started at or after the end of a working day
	rolledNonWorking            // started on a non-working day
)

// Due computes the deadline of timescale ts started at start. A working-day
// clock is due at the end of the Nth working day after the start day (day 0);
// an hours clock after N hours of real time; "immediately" has no due time.
// An invalid timescale is treated as immediately: an unreadable clock must
// never delay acting.
func (c *Calendar) Due(start time.Time, ts Timescale) Deadline {
	dl := Deadline{Start: start, Timescale: ts, StartDay: DateOf(start), endHour: c.endHour, endMin: c.endMin}
	if ts.Validate() != nil {
		dl.Immediate, dl.invalid = true, true
		return dl
	}
	switch ts.Kind {
	case Immediately:
		dl.Immediate = true
		return dl
	case Hours:
		dl.Due = start.Add(time.Duration(ts.N) * time.Hour)
		return dl
	}
	n, _ := ts.workingDays()
	day := dl.StartDay
	if !c.IsWorkingDay(day) {
		dl.rolled = rolledNonWorking
	} else if !start.Before(day.At(c.endHour, c.endMin)) {
		dl.rolled = rolledLate
	}
	if dl.rolled != notRolled {
		dl.StartDay = c.AddWorkingDays(day, 1)
	}
	dueDay := c.AddWorkingDays(dl.StartDay, n)
	dl.Due = dueDay.At(c.endHour, c.endMin)
	// The walk is over the days the deadline spans, which an explanation has
	// to name one by one anyway; AddWorkingDays above did the counting.
	first := dl.StartDay
	if dl.rolled != notRolled {
		first = day
		if dl.rolled == rolledLate {
			first = day.AddDays(1)
		}
	}
	for d := first; d.Before(dueDay); d = d.AddDays(1) {
		if isWeekend(d) {
			dl.Skipped = append(dl.Skipped, Skipped{Date: d, Reason: d.Weekday().String()})
		} else if h, ok := c.holiday(d); ok {
			reason := h.Name
			if h.Notes != "" {
				reason += ", " + strings.ToLower(h.Notes)
			}
			dl.Skipped = append(dl.Skipped, Skipped{Date: d, Reason: reason})
		}
	}
	return dl
}

// maxListed is how many skipped days an explanation names one by one; beyond
// it weekends are counted instead of listed.
const maxListed = 10

// Explain says in plain English how the deadline was computed, e.g. "2
// working days from Thu 24 Dec 2026: skipped Fri 25 Dec (Christmas Day), Sat
// 26, Sun 27, Mon 28 Dec (Boxing Day, substitute day); due by the end of Wed
// 30 Dec 2026".
func (d Deadline) Explain() string {
	start := d.Start.In(London)
	startText := DateOf(start).long() + " " + start.Format("15:04")
	switch {
	case d.invalid:
		return fmt.Sprintf("%s from %s: not a timescale Escalate can read, so treated as immediately: act at once", d.Timescale, startText)
	case d.Immediate:
		return fmt.Sprintf("immediately from %s: no clock runs; act at once", startText)
	case d.Timescale.Kind == Hours:
		due := d.Due.In(London)
		s := fmt.Sprintf("%s from %s: due by %s %s", d.Timescale, startText, DateOf(due).long(), due.Format("15:04"))
		_, off1 := start.Zone()
		_, off2 := due.Zone()
		switch {
		case off2 > off1:
			s += " (the clocks go forward in between)"
		case off2 < off1:
			s += " (the clocks go back in between)"
		}
		return s
	}
	var b strings.Builder
	end := fmt.Sprintf("%02d:%02d", d.endHour, d.endMin)
	switch d.rolled {
	case notRolled:
		fmt.Fprintf(&b, "%s from %s", d.Timescale, DateOf(start).long())
	case rolledLate:
		when := "after"
		if start.Equal(DateOf(start).At(d.endHour, d.endMin)) {
			when = "at"
		}
		fmt.Fprintf(&b, "%s from %s: started %s %s, the end of the working day, so counted from %s", d.Timescale, startText, when, end, d.StartDay.long())
	case rolledNonWorking:
		reason := ""
		if len(d.Skipped) > 0 {
			reason = " (" + d.Skipped[0].Reason + ")"
		}
		fmt.Fprintf(&b, "%s from %s: started on a non-working day%s, so counted from %s", d.Timescale, startText, reason, d.StartDay.long())
	}
	if len(d.Skipped) > 0 {
		if d.rolled == notRolled {
			b.WriteString(": skipped ")
		} else {
			b.WriteString("; skipped ")
		}
		b.WriteString(skippedText(d.Skipped))
	}
	if d.rolled == notRolled && len(d.Skipped) == 0 {
		b.WriteString(":")
	} else {
		b.WriteString(";")
	}
	fmt.Fprintf(&b, " due by the end of %s", DateOf(d.Due).long())
	return b.String()
}

// skippedText lists skipped days as "Fri 25 Dec (Christmas Day), Sat 26, Sun
// 27, Mon 28 Dec (Boxing Day, substitute day)": the month is named on a
// holiday and on the last day of a run in one month. A long list keeps the
// holidays and counts the weekend days.
func skippedText(ss []Skipped) string {
	if len(ss) > maxListed {
		var hols []Skipped
		weekend := 0
		for _, s := range ss {
			if isWeekend(s.Date) && (s.Reason == "Saturday" || s.Reason == "Sunday") {
				weekend++
			} else {
				hols = append(hols, s)
			}
		}
		text := fmt.Sprintf("%d weekend days", weekend)
		if len(hols) > 0 {
			text += " and " + skippedText(hols)
		}
		return text
	}
	parts := make([]string, len(ss))
	for i, s := range ss {
		named := s.Reason != "Saturday" && s.Reason != "Sunday"
		lastOfMonth := i == len(ss)-1 || ss[i+1].Date.Month != s.Date.Month || ss[i+1].Date.Year != s.Date.Year
		p := fmt.Sprintf("%s %d", s.Date.Weekday().String()[:3], s.Date.Day)
		if named || lastOfMonth {
			p += " " + s.Date.Month.String()[:3]
		}
		if named {
			p += " (" + s.Reason + ")"
		}
		parts[i] = p
	}
	return strings.Join(parts, ", ")
}
