package calendar_test

import (
	"fmt"
	"math/rand"
	"sync"
	"testing"
	"time"

	"github.com/escalate-project/escalate/calendar"
)

func mustNew(t testing.TB, division string) *calendar.Calendar {
	t.Helper()
	c, err := calendar.New(division)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// addWorkingDaysNaive is the obvious day-by-day walk: the baseline the fast
// AddWorkingDays is checked and benchmarked against.
func addWorkingDaysNaive(c *calendar.Calendar, d calendar.Date, n int) calendar.Date {
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	for n > 0 {
		d = d.AddDays(step)
		if c.IsWorkingDay(d) {
			n--
		}
	}
	return d
}

// randomDate returns a date from 1995 to 2039.
func randomDate(rng *rand.Rand) calendar.Date {
	return calendar.NewDate(1995, time.January, 1).AddDays(rng.Intn(45 * 365))
}

func TestNew(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		c := mustNew(t, calendar.Scotland)
		if c.Division() != calendar.Scotland {
			t.Errorf("Division = %q", c.Division())
		}
		if h, m := c.WorkingDayEnd(); h != 17 || m != 0 {
			t.Errorf("WorkingDayEnd = %02d:%02d, want 17:00", h, m)
		}
	})
	t.Run("ErrDivision", func(t *testing.T) {
		_, err := calendar.New("wales")
		if err == nil || err.Error() != `unknown division "wales"` {
			t.Errorf("err = %v", err)
		}
	})
}

func TestSetWorkingDayEnd(t *testing.T) {
	c := mustNew(t, calendar.EnglandAndWales)
	if err := c.SetWorkingDayEnd(16, 30); err != nil {
		t.Fatal(err)
	}
	if h, m := c.WorkingDayEnd(); h != 16 || m != 30 {
		t.Errorf("WorkingDayEnd = %02d:%02d", h, m)
	}
	for _, bad := range [][2]int{{24, 0}, {-1, 0}, {17, 60}, {0, 0}} {
		if err := c.SetWorkingDayEnd(bad[0], bad[1]); err == nil {
			t.Errorf("SetWorkingDayEnd(%d, %d) accepted", bad[0], bad[1])
		}
	}
	if h, m := c.WorkingDayEnd(); h != 16 || m != 30 {
		t.Errorf("a refused end changed it to %02d:%02d", h, m)
	}
}

func TestNonWorking(t *testing.T) {
	c := mustNew(t, calendar.EnglandAndWales)
	tests := []struct{ date, reason string }{
		{"2026-12-24", ""},
		{"2026-12-25", "Christmas Day"},
		{"2026-12-26", "Saturday"},
		{"2026-12-27", "Sunday"},
		{"2026-12-28", "Boxing Day"},
		{"2027-01-01", "New Year’s Day"},
		{"2022-09-19", "Bank Holiday for the State Funeral of Queen Elizabeth II"},
		{"2059-12-25", "Christmas Day"}, // rules continue past 2040
	}
	for _, tt := range tests {
		t.Run(tt.date, func(t *testing.T) {
			d := mustDate(t, tt.date)
			reason, ok := c.NonWorking(d)
			if reason != tt.reason || ok != (tt.reason != "") {
				t.Errorf("NonWorking = %q, %v; want %q", reason, ok, tt.reason)
			}
			if c.IsWorkingDay(d) != (tt.reason == "") {
				t.Errorf("IsWorkingDay = %v", c.IsWorkingDay(d))
			}
		})
	}
}

func TestAddHolidays(t *testing.T) {
	c := mustNew(t, calendar.EnglandAndWales)
	other := mustNew(t, calendar.EnglandAndWales)
	closure := calendar.Holiday{Date: mustDate(t, "2026-12-24"), Name: "Office closed", Notes: calendar.NoteLocalClosure}
	c.AddHolidays(
		closure,
		calendar.Holiday{Date: mustDate(t, "2026-12-24"), Name: "Duplicate"},       // same date twice: first kept
		calendar.Holiday{Date: mustDate(t, "2026-12-25"), Name: "Christmas (GOV)"}, // already built in: built-in kept
	)
	hs := c.Holidays(2026, 2026)
	var dec []calendar.Holiday
	for _, h := range hs {
		if h.Date.Month == time.December {
			dec = append(dec, h)
		}
	}
	want := []calendar.Holiday{
		closure,
		{Date: mustDate(t, "2026-12-25"), Name: "Christmas Day"},
		{Date: mustDate(t, "2026-12-28"), Name: "Boxing Day", Notes: calendar.NoteSubstitute},
	}
	if len(dec) != len(want) {
		t.Fatalf("December holidays = %v, want %v", dec, want)
	}
	for i := range want {
		if dec[i] != want[i] {
			t.Errorf("holiday %d = %v, want %v", i, dec[i], want[i])
		}
	}
	if c.IsWorkingDay(closure.Date) {
		t.Error("the local closure is still a working day")
	}
	if got := c.AddWorkingDays(mustDate(t, "2026-12-23"), 1).String(); got != "2026-12-29" {
		t.Errorf("1 working day after 23 Dec with a closure on 24 = %s, want 2026-12-29", got)
	}
	// Calendars of one division share built-in tables; adding must not leak.
	if !other.IsWorkingDay(closure.Date) {
		t.Error("AddHolidays on one calendar changed another")
	}
	if n := len(other.Holidays(2026, 2026)); n != len(hs)-1 {
		t.Errorf("other calendar has %d holidays in 2026, want %d", n, len(hs)-1)
	}
}

func TestRemoveHolidays(t *testing.T) {
	// As if the 2030 spring bank holiday were moved to a Friday.
	c := mustNew(t, calendar.EnglandAndWales)
	other := mustNew(t, calendar.EnglandAndWales)
	moved, to := mustDate(t, "2030-05-27"), mustDate(t, "2030-05-31")
	if c.IsWorkingDay(moved) {
		t.Fatal("2030-05-27 is not a built-in holiday")
	}
	c.RemoveHolidays(moved, mustDate(t, "2030-05-28")) // the second is no holiday: ignored
	c.AddHolidays(calendar.Holiday{Date: to, Name: "Spring bank holiday"})
	if !c.IsWorkingDay(moved) || c.IsWorkingDay(to) {
		t.Errorf("after the move: 27 May working %v, 31 May working %v", c.IsWorkingDay(moved), c.IsWorkingDay(to))
	}
	if got := c.AddWorkingDays(mustDate(t, "2030-05-24"), 5).String(); got != "2030-06-03" {
		t.Errorf("5 working days after Fri 24 May 2030 = %s, want 2030-06-03", got)
	}
	if other.IsWorkingDay(moved) {
		t.Error("RemoveHolidays on one calendar changed another")
	}
}

func TestHolidaysRange(t *testing.T) {
	c := mustNew(t, calendar.NorthernIreland)
	hs := c.Holidays(2023, 2023)
	if len(hs) != 11 {
		t.Errorf("NI 2023: %d holidays, want 11", len(hs))
	}
	if hs := c.Holidays(2024, 2023); len(hs) != 0 {
		t.Errorf("reversed range gave %d holidays", len(hs))
	}
	if hs := c.Holidays(1900, 1994); len(hs) != 0 {
		t.Errorf("before the tables: %d holidays", len(hs))
	}
}

func TestAddWorkingDays(t *testing.T) {
	c := mustNew(t, calendar.EnglandAndWales)
	tests := []struct {
		from string
		n    int
		want string
	}{
		{"2026-12-24", 0, "2026-12-24"},
		{"2026-12-24", 1, "2026-12-29"},
		{"2026-12-24", 2, "2026-12-30"},
		{"2026-12-24", 5, "2027-01-05"}, // 29, 30, 31, (1 Jan), 4, 5
		{"2026-12-26", 1, "2026-12-29"}, // from a Saturday
		{"2026-04-02", 1, "2026-04-07"}, // Thursday before Easter
		{"2026-03-06", 5, "2026-03-13"}, // a plain week
		{"2026-12-29", -1, "2026-12-24"},
		{"2026-12-28", -1, "2026-12-24"}, // from a holiday, backwards
		{"2027-01-04", -3, "2026-12-29"},
		{"2040-12-24", 3, "2040-12-31"},
		{"2040-12-28", 2, "2041-01-02"}, // off the one-off table: rules still apply
	}
	for _, tt := range tests {
		t.Run(tt.from, func(t *testing.T) {
			if got := c.AddWorkingDays(mustDate(t, tt.from), tt.n).String(); got != tt.want {
				t.Errorf("AddWorkingDays(%s, %d) = %s, want %s", tt.from, tt.n, got, tt.want)
			}
		})
	}
}

// indexFirst and indexLast bound the days the working-day index covers.
var (
	indexFirst = calendar.NewDate(calendar.FirstYear, time.January, 1)
	indexLast  = calendar.NewDate(2100, time.December, 31)
)

// edgeDate returns a date within about a year either side of an end of the
// working-day index, where AddWorkingDays moves between the index and the
// search.
func edgeDate(rng *rand.Rand) calendar.Date {
	if rng.Intn(2) == 0 {
		return indexFirst.AddDays(rng.Intn(800) - 400)
	}
	return indexLast.AddDays(rng.Intn(800) - 400)
}

func inIndex(d calendar.Date) bool { return !d.Before(indexFirst) && !indexLast.Before(d) }

// TestAddWorkingDaysMatchesNaive checks AddWorkingDays, its index alone and
// its search alone against the walk for random starts and counts, forwards
// and backwards, in every division, with and without local closures (some
// at and beyond the ends of the index). The index must answer exactly when
// the start and the answer fall from 1995 to 2100, and both paths must be
// exercised.
func TestAddWorkingDaysMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	for _, div := range calendar.Divisions() {
		plain := mustNew(t, div)
		closed := mustNew(t, div)
		for i := range 300 { // clusters of closures, some next to bank holidays and weekends
			d := randomDate(rng)
			if i%5 == 0 {
				d = edgeDate(rng)
			}
			for k := range rng.Intn(4) + 1 {
				closed.AddHolidays(calendar.Holiday{Date: d.AddDays(k), Name: "closure", Notes: calendar.NoteLocalClosure})
			}
		}
		for _, c := range []*calendar.Calendar{plain, closed} {
			var indexed, searched int
			for i := range 5000 {
				d := randomDate(rng)
				if i%4 == 0 {
					d = edgeDate(rng)
				}
				n := rng.Intn(600) - 300
				if rng.Intn(3) == 0 {
					n = rng.Intn(11) - 5
				}
				want := addWorkingDaysNaive(c, d, n)
				if got := c.AddWorkingDays(d, n); got != want {
					t.Fatalf("%s: AddWorkingDays(%s, %d) = %s, naive says %s", div, d, n, got, want)
				}
				if got := calendar.SearchedAdd(c, d, n); n != 0 && got != want {
					t.Fatalf("%s: search alone: AddWorkingDays(%s, %d) = %s, naive says %s", div, d, n, got, want)
				}
				got, ok := calendar.IndexedAdd(c, d, n)
				if wantOK := n != 0 && inIndex(d) && inIndex(want); ok != wantOK {
					t.Fatalf("%s: AddWorkingDays(%s, %d) = %s: answered from the index %v, want %v", div, d, n, want, ok, wantOK)
				}
				if !ok {
					searched++
					continue
				}
				indexed++
				if got != want {
					t.Fatalf("%s: index alone: AddWorkingDays(%s, %d) = %s, naive says %s", div, d, n, got, want)
				}
			}
			if indexed < 1000 || searched < 500 {
				t.Errorf("%s: %d answers from the index, %d from the search: both paths need exercising", div, indexed, searched)
			}
		}
	}
}

// TestAddWorkingDaysUnnormalised: a Date built by hand with a day past the
// end of its month (30 February) counts as the day it overflows to, on the
// index as in the search; impossible months and days go to the search.
func TestAddWorkingDaysUnnormalised(t *testing.T) {
	c := mustNew(t, calendar.EnglandAndWales)
	for _, d := range []calendar.Date{
		{Year: 2026, Month: time.February, Day: 29},
		{Year: 2026, Month: time.February, Day: 30},
		{Year: 2026, Month: time.February, Day: 31},
		{Year: 2028, Month: time.February, Day: 30}, // leap year
		{Year: 2026, Month: time.April, Day: 31},
		{Year: 2100, Month: time.November, Day: 31},
		{Year: 2026, Month: time.March, Day: 0},
		{Year: 2026, Month: time.March, Day: 32},
		{Year: 2026, Month: 13, Day: 1},
		{Year: 2026, Month: 0, Day: 10},
	} {
		for _, n := range []int{-3, -1, 1, 5} {
			if got, want := c.AddWorkingDays(d, n), calendar.SearchedAdd(c, d, n); got != want {
				t.Errorf("AddWorkingDays(%v, %d) = %s, the search says %s", d, n, got, want)
			}
		}
	}
}

// TestAddWorkingDaysHuge: counts far past the index's range, or that would
// overflow an index, go to the search rather than wrapping around.
func TestAddWorkingDaysHuge(t *testing.T) {
	c := mustNew(t, calendar.EnglandAndWales)
	d := mustDate(t, "2026-12-24")
	for _, n := range []int{40000, -40000, 1 << 40, -(1 << 40)} {
		if got, want := c.AddWorkingDays(d, n), calendar.SearchedAdd(c, d, n); got != want {
			t.Errorf("AddWorkingDays(%s, %d) = %s, the search says %s", d, n, got, want)
		}
		if _, ok := calendar.IndexedAdd(c, d, n); ok {
			t.Errorf("AddWorkingDays(%s, %d) was answered from the index", d, n)
		}
	}
}

// TestWorkIndexFollowsHolidays: a calendar's index is rebuilt when its
// weekday holidays change, even after it has been used, and is shared by
// calendars with the same weekday holidays, which never see each other's
// changes.
func TestWorkIndexFollowsHolidays(t *testing.T) {
	c := mustNew(t, calendar.EnglandAndWales)
	other := mustNew(t, calendar.EnglandAndWales)
	from, closure := mustDate(t, "2031-03-04"), mustDate(t, "2031-03-05") // Tue, Wed
	if got := c.AddWorkingDays(from, 1).String(); got != "2031-03-05" {
		t.Fatalf("before the closure: %s", got)
	}
	if !calendar.SharesWorkIndex(c, other) {
		t.Error("two new calendars of one division do not share an index")
	}

	c.AddHolidays(calendar.Holiday{Date: closure, Name: "Office closed", Notes: calendar.NoteLocalClosure})
	if got := c.AddWorkingDays(from, 1).String(); got != "2031-03-06" {
		t.Errorf("with the closure: 1 working day after %s = %s, want 2031-03-06", from, got)
	}
	if got := other.AddWorkingDays(from, 1).String(); got != "2031-03-05" {
		t.Errorf("the closure leaked into another calendar: %s", got)
	}
	if calendar.SharesWorkIndex(c, other) {
		t.Error("calendars with different holidays share an index")
	}

	same := mustNew(t, calendar.EnglandAndWales)
	same.AddHolidays(calendar.Holiday{Date: closure, Name: "Closed too"})
	if !calendar.SharesWorkIndex(c, same) {
		t.Error("calendars that added the same closure do not share an index")
	}
	other.AddHolidays(calendar.Holiday{Date: mustDate(t, "2031-03-08"), Name: "Saturday closure"})
	if !calendar.SharesWorkIndex(other, mustNew(t, calendar.EnglandAndWales)) {
		t.Error("a Saturday closure, which changes no working day, gave a new index")
	}

	c.RemoveHolidays(closure)
	if got := c.AddWorkingDays(from, 1).String(); got != "2031-03-05" {
		t.Errorf("after removing the closure: %s, want 2031-03-05", got)
	}
}

// TestAddWorkingDaysConcurrent: readers racing to build a calendar's index
// all get the right answers (run with -race to check the build is safe).
func TestAddWorkingDaysConcurrent(t *testing.T) {
	c := mustNew(t, calendar.Scotland)
	// A closure no other test adds, so that this index is built here.
	c.AddHolidays(calendar.Holiday{Date: mustDate(t, "2077-07-07"), Name: "closure"})
	starts := make([]calendar.Date, 200)
	rng := rand.New(rand.NewSource(4))
	for i := range starts {
		starts[i] = randomDate(rng)
	}
	want := make([]calendar.Date, len(starts))
	for i, d := range starts {
		want[i] = addWorkingDaysNaive(c, d, 7)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for range 8 {
		wg.Go(func() {
			for i, d := range starts {
				if got := c.AddWorkingDays(d, 7); got != want[i] {
					errs <- fmt.Sprintf("AddWorkingDays(%s, 7) = %s, want %s", d, got, want[i])
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestAddWorkingDaysProperties: the answer is a working day, and it never
// goes backwards as n or the start goes forwards.
func TestAddWorkingDaysProperties(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for _, div := range calendar.Divisions() {
		c := mustNew(t, div)
		for range 5000 {
			d := randomDate(rng)
			n := rng.Intn(300) + 1
			r := c.AddWorkingDays(d, n)
			if !c.IsWorkingDay(r) {
				t.Fatalf("%s: AddWorkingDays(%s, %d) = %s, not a working day", div, d, n, r)
			}
			if !d.Before(r) {
				t.Fatalf("%s: AddWorkingDays(%s, %d) = %s, not after the start", div, d, n, r)
			}
			if r2 := c.AddWorkingDays(d, n+1); !r.Before(r2) {
				t.Fatalf("%s: %s + %d = %s but + %d = %s", div, d, n, r, n+1, r2)
			}
			d2 := d.AddDays(rng.Intn(10) + 1)
			if r2 := c.AddWorkingDays(d2, n); r2.Before(r) {
				t.Fatalf("%s: later start %s + %d = %s, before %s + %d = %s", div, d2, n, r2, d, n, r)
			}
		}
	}
}

func TestWorkingDaysBetween(t *testing.T) {
	c := mustNew(t, "england-and-wales")
	for _, tt := range []struct {
		from, to calendar.Date
		want     int
	}{
		{calendar.NewDate(2026, 12, 18), calendar.NewDate(2026, 12, 18), 0},
		{calendar.NewDate(2026, 12, 18), calendar.NewDate(2026, 12, 17), 0},
		{calendar.NewDate(2026, 12, 18), calendar.NewDate(2026, 12, 21), 1}, // Friday to Monday
		{calendar.NewDate(2026, 12, 24), calendar.NewDate(2026, 12, 29), 1}, // over Christmas and Boxing Day (observed 28th)
		{calendar.NewDate(2026, 12, 19), calendar.NewDate(2026, 12, 20), 0}, // a weekend
	} {
		if got := c.WorkingDaysBetween(tt.from, tt.to); got != tt.want {
			t.Errorf("WorkingDaysBetween(%s, %s) = %d, want %d", tt.from, tt.to, got, tt.want)
		}
		// It agrees with AddWorkingDays.
		if n := c.WorkingDaysBetween(tt.from, tt.to); n > 0 && c.AddWorkingDays(tt.from, n).Before(tt.to) && c.IsWorkingDay(tt.to) {
			t.Errorf("AddWorkingDays(%s, %d) = %s, before %s", tt.from, n, c.AddWorkingDays(tt.from, n), tt.to)
		}
	}
}
