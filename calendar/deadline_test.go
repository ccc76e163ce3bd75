package calendar_test

import (
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate/calendar"
)

func london(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, calendar.London)
}

func mustTimescale(t testing.TB, s string) calendar.Timescale {
	t.Helper()
	ts, err := calendar.ParseTimescale(s)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func TestDue(t *testing.T) {
	tests := []struct {
		name     string
		division string
		dayEnds  [2]int // zero: the default 17:00
		start    time.Time
		within   string
		due      string // RFC 3339 in London, or "immediately"
		startDay string
		explain  string
	}{
		{
			name: "ChristmasBrief", start: london(2026, 12, 24, 15, 30), within: "2 working days",
			due: "2026-12-30T17:00:00Z", startDay: "2026-12-24",
			explain: "2 working days from Thu 24 Dec 2026, counted from the next working day, Tue 29 Dec 2026; skipped Fri 25 Dec (Christmas Day), Sat 26, Sun 27, Mon 28 Dec (Boxing Day, substitute day); due by the end of Wed 30 Dec 2026",
		},
		{
			// The time of the start does not matter: its day never counts.
			name: "LateStart", start: london(2026, 12, 24, 17, 30), within: "2 working days",
			due: "2026-12-30T17:00:00Z", startDay: "2026-12-24",
			explain: "2 working days from Thu 24 Dec 2026, counted from the next working day, Tue 29 Dec 2026; skipped Fri 25 Dec (Christmas Day), Sat 26, Sun 27, Mon 28 Dec (Boxing Day, substitute day); due by the end of Wed 30 Dec 2026",
		},
		{
			name: "StartAtEndOfDay", start: london(2026, 3, 2, 17, 0), within: "1 working day",
			due: "2026-03-03T17:00:00Z", startDay: "2026-03-02",
			explain: "1 working day from Mon 2 Mar 2026, counted from the next working day, Tue 3 Mar 2026; due by the end of Tue 3 Mar 2026",
		},
		{
			name: "StartOneMinuteBeforeEnd", start: london(2026, 3, 2, 16, 59), within: "1 working day",
			due: "2026-03-03T17:00:00Z", startDay: "2026-03-02",
			explain: "1 working day from Mon 2 Mar 2026, counted from the next working day, Tue 3 Mar 2026; due by the end of Tue 3 Mar 2026",
		},
		{
			name: "StartJustBeforeMidnight", start: london(2026, 3, 2, 23, 59), within: "1 working day",
			due: "2026-03-03T17:00:00Z", startDay: "2026-03-02",
			explain: "1 working day from Mon 2 Mar 2026, counted from the next working day, Tue 3 Mar 2026; due by the end of Tue 3 Mar 2026",
		},
		{
			name: "DayEndsEarlyDoesNotMatter", dayEnds: [2]int{16, 0}, start: london(2026, 3, 2, 16, 30), within: "1 working day",
			due: "2026-03-03T16:00:00Z", startDay: "2026-03-02",
			explain: "1 working day from Mon 2 Mar 2026, counted from the next working day, Tue 3 Mar 2026; due by the end of Tue 3 Mar 2026",
		},
		{
			name: "NonWorkingStart", start: london(2026, 12, 26, 10, 30), within: "2 working days",
			due: "2026-12-30T17:00:00Z", startDay: "2026-12-26",
			explain: "2 working days from Sat 26 Dec 2026, counted from the next working day, Tue 29 Dec 2026; skipped Sun 27, Mon 28 Dec (Boxing Day, substitute day); due by the end of Wed 30 Dec 2026",
		},
		{
			name: "SaturdayStart", start: london(2026, 3, 7, 10, 0), within: "1 working day",
			due: "2026-03-09T17:00:00Z", startDay: "2026-03-07",
			explain: "1 working day from Sat 7 Mar 2026, counted from the next working day, Mon 9 Mar 2026; skipped Sun 8 Mar; due by the end of Mon 9 Mar 2026",
		},
		{
			name: "HolidayStart", start: london(2026, 12, 25, 9, 0), within: "1 working day",
			due: "2026-12-29T17:00:00Z", startDay: "2026-12-25",
			explain: "1 working day from Fri 25 Dec 2026, counted from the next working day, Tue 29 Dec 2026; skipped Sat 26, Sun 27, Mon 28 Dec (Boxing Day, substitute day); due by the end of Tue 29 Dec 2026",
		},
		{
			name: "Plain", start: london(2026, 3, 2, 9, 0), within: "two working days",
			due: "2026-03-04T17:00:00Z", startDay: "2026-03-02",
			explain: "2 working days from Mon 2 Mar 2026, counted from the next working day, Tue 3 Mar 2026; due by the end of Wed 4 Mar 2026",
		},
		{
			name: "SummerOffset", start: london(2026, 7, 24, 15, 30), within: "2 working days",
			due: "2026-07-28T17:00:00+01:00", startDay: "2026-07-24",
			explain: "2 working days from Fri 24 Jul 2026, counted from the next working day, Mon 27 Jul 2026; skipped Sat 25, Sun 26 Jul; due by the end of Tue 28 Jul 2026",
		},
		{
			name: "WorkingWeekOverSpringChangeAndEaster", start: london(2026, 3, 27, 10, 0), within: "one working week",
			due: "2026-04-07T17:00:00+01:00", startDay: "2026-03-27",
			explain: "1 working week from Fri 27 Mar 2026, counted from the next working day, Mon 30 Mar 2026; skipped Sat 28, Sun 29 Mar, Fri 3 Apr (Good Friday), Sat 4, Sun 5, Mon 6 Apr (Easter Monday); due by the end of Tue 7 Apr 2026",
		},
		{
			name: "WorkingDaysOverAutumnChange", start: london(2026, 10, 23, 12, 0), within: "1 working day",
			due: "2026-10-26T17:00:00Z", startDay: "2026-10-23",
			explain: "1 working day from Fri 23 Oct 2026, counted from the next working day, Mon 26 Oct 2026; skipped Sat 24, Sun 25 Oct; due by the end of Mon 26 Oct 2026",
		},
		{
			name: "YearEnd", start: london(2026, 12, 30, 9, 0), within: "3 working days",
			due: "2027-01-05T17:00:00Z", startDay: "2026-12-30",
			explain: "3 working days from Wed 30 Dec 2026, counted from the next working day, Thu 31 Dec 2026; skipped Fri 1 Jan (New Year’s Day), Sat 2, Sun 3 Jan; due by the end of Tue 5 Jan 2027",
		},
		{
			name: "ScotlandNewYear", division: calendar.Scotland, start: london(2026, 12, 31, 10, 0), within: "2 working days",
			due: "2027-01-06T17:00:00Z", startDay: "2026-12-31",
			explain: "2 working days from Thu 31 Dec 2026, counted from the next working day, Tue 5 Jan 2027; skipped Fri 1 Jan (New Year’s Day), Sat 2, Sun 3, Mon 4 Jan (2nd January, substitute day); due by the end of Wed 6 Jan 2027",
		},
		{
			name: "SameWorkingDay", start: london(2026, 12, 24, 15, 30), within: "same working day",
			due: "2026-12-24T17:00:00Z", startDay: "2026-12-24",
			explain: "same working day from Thu 24 Dec 2026: due by the end of Thu 24 Dec 2026",
		},
		{
			name: "SameWorkingDayLate", start: london(2026, 12, 24, 18, 0), within: "within the same working day",
			due: "2026-12-29T17:00:00Z", startDay: "2026-12-29",
			explain: "same working day from Thu 24 Dec 2026 18:00: started after 17:00, the end of the working day, so counted from Tue 29 Dec 2026; skipped Fri 25 Dec (Christmas Day), Sat 26, Sun 27, Mon 28 Dec (Boxing Day, substitute day); due by the end of Tue 29 Dec 2026",
		},
		{
			name: "DayEndsEarly", dayEnds: [2]int{16, 0}, start: london(2026, 3, 2, 16, 30), within: "same working day",
			due: "2026-03-03T16:00:00Z", startDay: "2026-03-03",
			explain: "same working day from Mon 2 Mar 2026 16:30: started after 16:00, the end of the working day, so counted from Tue 3 Mar 2026; due by the end of Tue 3 Mar 2026",
		},
		{
			name: "HoursBrief", start: london(2026, 12, 24, 15, 30), within: "24 hours",
			due: "2026-12-25T15:30:00Z", startDay: "2026-12-24",
			explain: "24 hours from Thu 24 Dec 2026 15:30: due by Fri 25 Dec 2026 15:30",
		},
		{
			name: "HoursSpringForward", start: london(2026, 3, 28, 12, 0), within: "24 hours",
			due: "2026-03-29T13:00:00+01:00", startDay: "2026-03-28",
			explain: "24 hours from Sat 28 Mar 2026 12:00: due by Sun 29 Mar 2026 13:00 (the clocks go forward in between)",
		},
		{
			name: "HoursFallBack", start: london(2026, 10, 24, 12, 0), within: "24 hours",
			due: "2026-10-25T11:00:00Z", startDay: "2026-10-24",
			explain: "24 hours from Sat 24 Oct 2026 12:00: due by Sun 25 Oct 2026 11:00 (the clocks go back in between)",
		},
		{
			name: "Immediately", start: london(2026, 12, 24, 15, 30), within: "immediately",
			due: "immediately", startDay: "2026-12-24",
			explain: "immediately from Thu 24 Dec 2026 15:30: no clock runs; act at once",
		},
		{
			name: "ManySkipped", start: london(2026, 12, 7, 9, 0), within: "4 working weeks",
			due: "2027-01-07T17:00:00Z", startDay: "2026-12-07",
			explain: "4 working weeks from Mon 7 Dec 2026, counted from the next working day, Tue 8 Dec 2026; skipped 8 weekend days and Fri 25 Dec (Christmas Day), Mon 28 Dec (Boxing Day, substitute day), Fri 1 Jan (New Year’s Day); due by the end of Thu 7 Jan 2027",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			div := tt.division
			if div == "" {
				div = calendar.EnglandAndWales
			}
			c := mustNew(t, div)
			if tt.dayEnds != [2]int{} {
				if err := c.SetWorkingDayEnd(tt.dayEnds[0], tt.dayEnds[1]); err != nil {
					t.Fatal(err)
				}
			}
			ts := mustTimescale(t, tt.within)
			dl := c.Due(tt.start, ts)
			got := "immediately"
			if !dl.Immediate {
				got = dl.Due.In(calendar.London).Format(time.RFC3339)
			} else if !dl.Due.IsZero() {
				t.Errorf("immediate deadline has Due %v", dl.Due)
			}
			if got != tt.due {
				t.Errorf("due %s, want %s", got, tt.due)
			}
			if dl.StartDay.String() != tt.startDay {
				t.Errorf("StartDay %s, want %s", dl.StartDay, tt.startDay)
			}
			if !dl.Start.Equal(tt.start) || dl.Timescale != ts {
				t.Errorf("Start/Timescale not kept: %v %v", dl.Start, dl.Timescale)
			}
			if e := dl.Explain(); e != tt.explain {
				t.Errorf("Explain:\n got %s\nwant %s", e, tt.explain)
			}
		})
	}
}

func TestDueInvalidTimescaleIsImmediate(t *testing.T) {
	c := mustNew(t, calendar.EnglandAndWales)
	dl := c.Due(london(2026, 3, 2, 9, 0), calendar.Timescale{})
	if !dl.Immediate || !dl.Due.IsZero() {
		t.Fatalf("zero timescale: Immediate %v, Due %v", dl.Immediate, dl.Due)
	}
	if e := dl.Explain(); e != "Timescale{Kind: 0, N: 0} from Mon 2 Mar 2026 09:00: not a timescale Escalate can read, so treated as immediately: act at once" {
		t.Errorf("Explain = %s", e)
	}
}

// TestDueProperties checks every working-day deadline over random starts: it
// falls at the end of a working day, after the start; exactly n working days
// lie after day 0 up to it, and day 0 is the start's own date for N working
// days (whatever the time or the day) and a working day for "same working
// day"; Skipped lists exactly the non-working days passed over.
func TestDueProperties(t *testing.T) {
	rng := rand.New(rand.NewSource(4))
	kinds := []string{"same working day", "1 working day", "2 working days", "3 working days", "1 working week", "4 working weeks"}
	for _, div := range calendar.Divisions() {
		c := mustNew(t, div)
		for range 3000 {
			start := calendar.NewDate(1995, time.January, 1).AddDays(rng.Intn(45*365)).At(0, 0).Add(time.Duration(rng.Intn(24*60)) * time.Minute)
			ts := mustTimescale(t, kinds[rng.Intn(len(kinds))])
			dl := c.Due(start, ts)
			dueDay := calendar.DateOf(dl.Due)
			if !c.IsWorkingDay(dueDay) {
				t.Fatalf("%s %s from %v: due %s not a working day", div, ts, start, dueDay)
			}
			same := ts.Kind == calendar.SameWorkingDay
			if same && !c.IsWorkingDay(dl.StartDay) || !same && dl.StartDay != calendar.DateOf(start) {
				t.Fatalf("%s %s from %v: day 0 is %s", div, ts, start, dl.StartDay)
			}
			if h, m, _ := dl.Due.In(calendar.London).Clock(); h != 17 || m != 0 {
				t.Fatalf("%s from %v: due at %02d:%02d", ts, start, h, m)
			}
			if !dl.Due.After(start) {
				t.Fatalf("%s from %v: due %v is not after the start", ts, start, dl.Due)
			}
			n := 0
			for d := dl.StartDay.AddDays(1); !dueDay.Before(d); d = d.AddDays(1) {
				if c.IsWorkingDay(d) {
					n++
				}
			}
			want := map[calendar.Kind]int{calendar.SameWorkingDay: 0, calendar.WorkingDays: ts.N, calendar.WorkingWeeks: 5 * ts.N}[ts.Kind]
			if n != want {
				t.Fatalf("%s from %v: %d working days counted, want %d", ts, start, n, want)
			}
			var nonWorking []calendar.Date
			from := calendar.DateOf(start)
			if !same {
				from = from.AddDays(1)
			}
			for d := from; d.Before(dueDay); d = d.AddDays(1) {
				if !c.IsWorkingDay(d) {
					nonWorking = append(nonWorking, d)
				}
			}
			if len(nonWorking) != len(dl.Skipped) {
				t.Fatalf("%s from %v: skipped %v, want the dates %v", ts, start, dl.Skipped, nonWorking)
			}
			for i, s := range dl.Skipped {
				if reason, _ := c.NonWorking(s.Date); s.Date != nonWorking[i] || !strings.HasPrefix(s.Reason, reason) {
					t.Fatalf("%s from %v: skipped %v, want %s (%s)", ts, start, s, nonWorking[i], reason)
				}
			}
		}
	}
}
