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
	// StartDay is day 0. For N working days and weeks it is the London date
	// of Start, which never counts: the next working day is day 1, whatever
	// the time of the start and whether or not it is a working day. For "same
	// working day" it is the working day the clock ends on, after rolling a
	// start on a non-working day or at or after the end of the working day
	// forward. For Hours and Immediately it is the London date of Start.
	StartDay Date
	// Skipped lists every non-working day passed over, in order: for N
	// working days those after the start's date, for "same working day"
	// those from the start's date.
	Skipped []Skipped

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

// Due computes the deadline of timescale ts started at start. An N working
// days clock is due at the end of the Nth working day after the London date of
// the start (day 0, which never counts, as public bodies count statutory
// working-day limits); a "same working day" clock at the end of the start's
// working day, or of the next one when the start is on a non-working day or
// at or after the end of the working day; an hours clock after N hours of
// real time; "immediately" has no due time.
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
	first := day.AddDays(1) // the first day a skipped list may name
	if ts.Kind == SameWorkingDay {
		// Only here does the end of the working day matter: it decides
		// whether the start's own day is still the day to act on.
		first = day
		if !c.IsWorkingDay(day) {
			dl.rolled = rolledNonWorking
		} else if !start.Before(day.At(c.endHour, c.endMin)) {
			dl.rolled, first = rolledLate, day.AddDays(1)
		}
		if dl.rolled != notRolled {
			dl.StartDay = c.AddWorkingDays(day, 1)
		}
	}
	dueDay := c.AddWorkingDays(dl.StartDay, n)
	dl.Due = dueDay.At(c.endHour, c.endMin)
	// The walk is over the days the deadline spans, which an explanation has
	// to name one by one anyway; AddWorkingDays above did the counting.
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
	switch {
	case d.Timescale.Kind != SameWorkingDay:
		// The start's day never counts, so its time does not matter.
		fmt.Fprintf(&b, "%s from %s, counted from the next working day, %s", d.Timescale,
			DateOf(start).long(), d.firstWorkingDay().long())
	case d.rolled == notRolled:
		fmt.Fprintf(&b, "%s from %s", d.Timescale, DateOf(start).long())
	case d.rolled == rolledLate:
		when := "after"
		if start.Equal(DateOf(start).At(d.endHour, d.endMin)) {
			when = "at"
		}
		fmt.Fprintf(&b, "%s from %s: started %s %s, the end of the working day, so counted from %s", d.Timescale, startText, when, end, d.StartDay.long())
	case d.rolled == rolledNonWorking:
		reason := ""
		if len(d.Skipped) > 0 {
			reason = " (" + d.Skipped[0].Reason + ")"
		}
		fmt.Fprintf(&b, "%s from %s: started on a non-working day%s, so counted from %s", d.Timescale, startText, reason, d.StartDay.long())
	}
	plain := d.Timescale.Kind == SameWorkingDay && d.rolled == notRolled
	if len(d.Skipped) > 0 {
		if plain {
			b.WriteString(": skipped ")
		} else {
			b.WriteString("; skipped ")
		}
		b.WriteString(skippedText(d.Skipped))
	}
	if plain && len(d.Skipped) == 0 {
		b.WriteString(":")
	} else {
		b.WriteString(";")
	}
	fmt.Fprintf(&b, " due by the end of %s", DateOf(d.Due).long())
	return b.String()
}

// firstWorkingDay is day 1 of an N working days deadline: the first working
// day after the start's date, the first day not in Skipped.
func (d Deadline) firstWorkingDay() Date {
	day := d.StartDay.AddDays(1)
	for _, s := range d.Skipped {
		if s.Date != day {
			break
		}
		day = day.AddDays(1)
	}
	return day
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
