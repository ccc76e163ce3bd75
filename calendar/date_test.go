package calendar_test

import (
	"math/rand"
	"testing"
	"time"

	"github.com/escalate-project/escalate/calendar"
)

func TestParseDate(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		d, err := calendar.ParseDate("2026-12-24")
		if err != nil || d != (calendar.Date{Year: 2026, Month: time.December, Day: 24}) {
			t.Fatalf("got %v, %v", d, err)
		}
		if d.String() != "2026-12-24" {
			t.Errorf("String = %q", d.String())
		}
	})
	for _, s := range []string{"", "2026-12-32", "2026-02-29", "26-12-24", "2026-1-2", "2026-12-24T00:00", " 2026-12-24"} {
		t.Run("Err"+s, func(t *testing.T) {
			if d, err := calendar.ParseDate(s); err == nil {
				t.Errorf("ParseDate(%q) = %v, want an error", s, d)
			}
		})
	}
}

// TestDateArithmetic checks the integer day arithmetic against the time
// package over random dates from 1600 to 2400.
func TestDateArithmetic(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	base := time.Date(1600, 1, 1, 12, 0, 0, 0, time.UTC)
	for range 20000 {
		tm := base.AddDate(0, 0, rng.Intn(800*366))
		n := rng.Intn(2000) - 1000
		d := calendar.NewDate(tm.Year(), tm.Month(), tm.Day())
		want := tm.AddDate(0, 0, n)
		got := d.AddDays(n)
		if got != (calendar.Date{Year: want.Year(), Month: want.Month(), Day: want.Day()}) {
			t.Fatalf("%s + %d days = %s, want %s", d, n, got, want.Format(time.DateOnly))
		}
		if d.Weekday() != tm.Weekday() {
			t.Fatalf("%s is a %s, want %s", d, d.Weekday(), tm.Weekday())
		}
		if d.Before(got) != (n > 0) {
			t.Fatalf("%s.Before(%s) = %v with n = %d", d, got, d.Before(got), n)
		}
	}
}

func TestNewDateNormalises(t *testing.T) {
	if got := calendar.NewDate(2026, time.April, 31).String(); got != "2026-05-01" {
		t.Errorf("31 April = %s", got)
	}
	if got := calendar.NewDate(2026, time.January, 0).String(); got != "2025-12-31" {
		t.Errorf("0 January = %s", got)
	}
}

func TestDateOfAndAt(t *testing.T) {
	tests := []struct {
		name    string
		instant time.Time
		date    string
	}{
		// 23:30 UTC in summer is already the next day in London.
		{"SummerLateUTC", time.Date(2026, 7, 1, 23, 30, 0, 0, time.UTC), "2026-07-02"},
		{"WinterLateUTC", time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC), "2026-12-31"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := calendar.DateOf(tt.instant).String(); got != tt.date {
				t.Errorf("DateOf = %s, want %s", got, tt.date)
			}
		})
	}
	// 17:00 London carries the offset of the day.
	for _, tt := range []struct{ date, want string }{
		{"2026-03-27", "2026-03-27T17:00:00Z"},
		{"2026-03-30", "2026-03-30T17:00:00+01:00"},
		{"2026-10-23", "2026-10-23T17:00:00+01:00"},
		{"2026-10-26", "2026-10-26T17:00:00Z"},
	} {
		if got := mustDate(t, tt.date).At(17, 0).Format(time.RFC3339); got != tt.want {
			t.Errorf("%s At(17, 0) = %s, want %s", tt.date, got, tt.want)
		}
	}
}

// TestLongDate: a stored date reads as people write it; anything else is
// given back as it is.
func TestLongDate(t *testing.T) {
	for in, want := range map[string]string{"2026-03-27": "27 March 2026", "2026-12-01": "1 December 2026",
		"27/03/2026": "27/03/2026", "": ""} {
		if got := calendar.LongDate(in); got != want {
			t.Errorf("LongDate(%q) = %q, want %q", in, got, want)
		}
	}
}
