package sqlstore

import (
	"testing"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
)

// at is the instant London clocks show h:m on y-m-d.
func at(y int, m time.Month, d, h, min int) time.Time { return calendar.NewDate(y, m, d).At(h, min) }

func TestRemindAt(t *testing.T) {
	cal, err := calendar.New(calendar.EnglandAndWales)
	if err != nil {
		t.Fatal(err)
	}
	if err := cal.SetWorkingDayEnd(16, 30); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name         string
		within       string
		start, due   time.Time
		immediate    bool
		want         time.Time
		wantReminder bool
	}{
		{"OK", "3 working days", at(2026, 12, 30, 10, 0), at(2027, 1, 5, 16, 30), false,
			at(2027, 1, 4, 9, 0), true}, // due Tue 5 Jan: Mon 4 Jan 09:00
		{"OKDayBeforeIsFridayBeforeBankHoliday", "3 working days", at(2026, 5, 20, 10, 0), at(2026, 5, 26, 16, 30), false,
			at(2026, 5, 22, 9, 0), true}, // due Tue after the late-May bank holiday: the Friday
		{"OKStartedAfterDayBefore", "1 working day", at(2026, 5, 22, 10, 0), at(2026, 5, 26, 16, 30), false,
			at(2026, 5, 26, 9, 0), true}, // Friday's 09:00 has passed: Tuesday 09:00, not Sat, Sun or the holiday
		{"OKStartedBeforeNine", "1 working day", at(2026, 5, 18, 8, 0), at(2026, 5, 19, 16, 30), false,
			at(2026, 5, 18, 9, 0), true},
		{"OKStartedAtWeekend", "2 working days", at(2026, 5, 23, 11, 0), at(2026, 5, 27, 16, 30), false,
			at(2026, 5, 26, 9, 0), true},
		{"OKSameWorkingDayAtOnce", "same working day", at(2026, 5, 18, 10, 0), at(2026, 5, 18, 16, 30), false,
			at(2026, 5, 18, 10, 0), true}, // no 09:00 left before the due: at once
		{"OKHoursAtOnce", "24 hours", at(2026, 5, 23, 2, 0), at(2026, 5, 24, 2, 0), false,
			at(2026, 5, 23, 2, 0), true}, // Saturday 02:00: not held back to a working day
		{"OKNoReminderWhenImmediate", "immediately", at(2026, 5, 18, 10, 0), time.Time{}, true,
			time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := escalate.ClockState{Within: tt.within, Start: tt.start, Due: tt.due, Immediate: tt.immediate,
				Status: escalate.ClockRunning}
			got, ok := RemindAt(cal, c)
			if ok != tt.wantReminder || !got.Equal(tt.want) {
				t.Fatalf("RemindAt = %v, %v; want %v, %v", got.In(calendar.London), ok, tt.want.In(calendar.London), tt.wantReminder)
			}
			if ok && got.After(c.Due) && !c.Due.IsZero() {
				t.Errorf("reminder %v after the due %v", got, c.Due)
			}
		})
	}
}

// TestReminderHorizon checks the window's end against RemindAt over every
// hour of two years: any working-day clock whose reminder is due at now
// falls due before the horizon.
func TestReminderHorizon(t *testing.T) {
	cal, err := calendar.New(calendar.EnglandAndWales)
	if err != nil {
		t.Fatal(err)
	}
	if err := cal.SetWorkingDayEnd(16, 30); err != nil {
		t.Fatal(err)
	}
	for now := at(2026, 1, 1, 0, 30); now.Before(at(2028, 1, 1, 0, 0)); now = now.Add(time.Hour) {
		h := reminderHorizon(cal, now)
		// The latest-due clock already reminded at now started an instant
		// before its day-before 09:00; try the next few working days' ends.
		for n := 0; n < 6; n++ {
			d := cal.AddWorkingDays(calendar.DateOf(now), n)
			due := d.At(16, 30)
			if !due.After(now) {
				continue
			}
			c := escalate.ClockState{Within: "5 working days", Start: now.Add(-30 * 24 * time.Hour), Due: due,
				Status: escalate.ClockRunning}
			if r, _ := RemindAt(cal, c); !r.After(now) && !due.Before(h) {
				t.Fatalf("now %v: clock due %v is reminded (at %v) but beyond the horizon %v",
					now.In(calendar.London), due.In(calendar.London), r.In(calendar.London), h.In(calendar.London))
			}
		}
		if h.Before(now.Add(24 * time.Hour)) {
			t.Fatalf("now %v: horizon %v misses a 24-hour clock starting now", now, h)
		}
	}
}
