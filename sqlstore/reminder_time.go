package sqlstore

import (
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
)

// ReminderHour is the London hour of the working day at which reminders are
// sent: the start of the working day, never midnight.
const ReminderHour = 9

// RemindAt returns when the reminder for running clock c falls due on
// calendar cal (doc/notifications.md, "Reminders and overdue"):
//
//   - a clock in hours (H&F's 24 hours at increased risk) at once: its start;
//   - otherwise 09:00 London on the working day before the due day;
//   - if that instant is before the clock started, 09:00 on the first
//     working day at or after the start whose 09:00 is not before the
//     start, provided that is still before the due instant;
//   - else at once: the clock's start.
//
// An immediate clock has no reminder (false): it is overdue as it starts,
// and the overdue prompt says so.
func RemindAt(cal *calendar.Calendar, c escalate.ClockState) (time.Time, bool) {
	if c.Immediate {
		return time.Time{}, false
	}
	if ts, err := calendar.ParseTimescale(c.Within); err == nil && ts.Kind == calendar.Hours {
		return c.Start, true
	}
	if r := cal.AddWorkingDays(calendar.DateOf(c.Due), -1).At(ReminderHour, 0); !r.Before(c.Start) {
		return r, true
	}
	d := calendar.DateOf(c.Start)
	if !cal.IsWorkingDay(d) || d.At(ReminderHour, 0).Before(c.Start) {
		d = cal.AddWorkingDays(d, 1)
	}
	if r := d.At(ReminderHour, 0); r.Before(c.Due) {
		return r, true
	}
	return c.Start, true
}

// reminderHorizon returns the instant before which every clock whose
// reminder is due at now on cal must fall due: the end of the working day
// after the last working day whose 09:00 has passed, and at least a day
// ahead so that clocks in hours (reminded at once) are found as they start.
func reminderHorizon(cal *calendar.Calendar, now time.Time) time.Time {
	last := calendar.DateOf(now)
	if !cal.IsWorkingDay(last) || now.Before(last.At(ReminderHour, 0)) {
		last = cal.AddWorkingDays(last, -1)
	}
	h := cal.AddWorkingDays(last, 1).AddDays(1).At(0, 0)
	if min := now.Add(25 * time.Hour); h.Before(min) {
		h = min
	}
	return h
}
