package calendar_test

import (
	"testing"
	"time"

	"github.com/escalate-project/escalate/calendar"
)

func TestLonger(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"2 working days", "1 working day", true},
		{"1 working day", "2 working days", false},
		{"1 working day", "1 working day", false},
		{"1 working week", "5 working days", false},
		{"5 working days", "1 working week", false},
		{"6 working days", "1 working week", true},
		{"same working day", "1 working day", false},
		{"1 working day", "same working day", true},
		{"24 hours", "48 hours", false},
		{"48 hours", "24 hours", true},
		{"immediately", "1 hour", false},
		{"immediately", "immediately", false},
		{"1 hour", "immediately", true},
		{"same working day", "immediately", true},
		// Hours against working days. The start's day never counts, so one
		// working day is at least 17 hours: from just before midnight to
		// 17:00 the next day.
		{"17 hours", "1 working day", false},
		{"18 hours", "1 working day", true},
		{"24 hours", "1 working day", true},
		{"1 hour", "same working day", true}, // started at 16:30, 1 hour ends after 17:00
		{"24 hours", "1 working week", false},
		// A working week can be 113 hours: from midnight on a Monday (a start
		// just before it, on Sunday) to 17:00 on the Friday.
		{"113 hours", "1 working week", false},
		{"114 hours", "1 working week", true},
		{"168 hours", "1 working week", true},
		// One working day can stretch over a weekend and Christmas: from
		// midnight on Thursday 24 December 2026 to 17:00 on Tuesday 29
		// December, 137 hours.
		{"1 working day", "24 hours", true},
		{"1 working day", "72 hours", true},
		{"1 working day", "136 hours", true},
		{"1 working day", "137 hours", false},
		// Same working day, started at 17:00 on Thursday 24 December 2026, runs
		// to 17:00 on Tuesday 29 December: 120 hours.
		{"same working day", "119 hours", true},
		{"same working day", "120 hours", false},
		{"1 working week", "1000 hours", false},
	}
	c := mustNew(t, calendar.EnglandAndWales)
	for _, tt := range tests {
		t.Run(tt.a+" vs "+tt.b, func(t *testing.T) {
			if got := c.Longer(mustTimescale(t, tt.a), mustTimescale(t, tt.b)); got != tt.want {
				t.Errorf("Longer(%s, %s) = %v, want %v", tt.a, tt.b, got, tt.want)
			}
		})
	}
	if c.Longer(calendar.Timescale{}, mustTimescale(t, "1 hour")) {
		t.Error("an invalid timescale is longer than 1 hour")
	}
}

// TestLongerWitness compares Longer with a search for a start at which a's
// due falls after b's. The starts are every hour of the reference year's
// spring and Christmas fortnights and, on every day of the reference year,
// the end of the working day and a minute before it, midnight and a minute
// before it (where the extremes lie).
// Longer must be true exactly when a witness exists.
func TestLongerWitness(t *testing.T) {
	names := []string{"immediately", "same working day", "1 working day", "2 working days", "1 working week",
		"1 hour", "17 hours", "18 hours", "23 hours", "24 hours", "25 hours", "72 hours", "113 hours", "114 hours", "119 hours", "120 hours", "136 hours", "137 hours", "167 hours", "168 hours"}
	var starts []time.Time
	for _, span := range [][2]calendar.Date{
		{calendar.NewDate(2026, time.March, 20), calendar.NewDate(2026, time.April, 10)},
		{calendar.NewDate(2026, time.December, 18), calendar.NewDate(2027, time.January, 8)},
	} {
		for d := span[0]; d.Before(span[1]); d = d.AddDays(1) {
			for h := range 24 {
				starts = append(starts, d.At(h, 0))
			}
		}
	}
	for d := calendar.NewDate(2026, time.March, 1); d.Before(calendar.NewDate(2027, time.March, 1)); d = d.AddDays(1) {
		starts = append(starts, d.At(17, 0), d.At(16, 59), d.At(0, 0), d.At(23, 59))
	}
	c := mustNew(t, calendar.EnglandAndWales)
	due := func(s time.Time, ts calendar.Timescale) time.Time {
		dl := c.Due(s, ts)
		if dl.Immediate {
			return s
		}
		return dl.Due
	}
	for _, an := range names {
		for _, bn := range names {
			a, b := mustTimescale(t, an), mustTimescale(t, bn)
			var witness time.Time
			for _, s := range starts {
				if due(s, a).After(due(s, b)) {
					witness = s
					break
				}
			}
			if got := c.Longer(a, b); got != !witness.IsZero() {
				t.Errorf("Longer(%s, %s) = %v; a witness start: %v", an, bn, got, witness)
			}
		}
	}
}
