package calendar_test

import (
	"fmt"
	"math/rand"
	"sync"
	"testing"
	"time"

	"github.com/escalate-project/escalate/calendar"
)

// benchStarts are random dates in 2020–2029, made once rather than on each
// -count round.
var benchStarts = sync.OnceValue(func() *[1024]calendar.Date {
	rng := rand.New(rand.NewSource(5))
	var starts [1024]calendar.Date
	for i := range starts {
		starts[i] = calendar.NewDate(2020, time.January, 1).AddDays(rng.Intn(10 * 365))
	}
	return &starts
})

// BenchmarkAddWorkingDays compares the indexed arithmetic with the
// day-by-day walk over the same random starts (2020–2029, England and
// Wales). The starts are a power-of-two array so that picking one costs a
// mask, not a division: at a few nanoseconds a call, a division would be a
// large share of what "fast" measures.
func BenchmarkAddWorkingDays(b *testing.B) {
	c := mustNew(b, calendar.EnglandAndWales)
	starts := benchStarts()
	// Untimed, before any variant is timed: the first call builds the index
	// (see BenchmarkWorkIndex), and a few milliseconds of both variants at
	// every n let caches and the machine settle. Without it, on the loaded
	// development machine, whichever sub-benchmark ran first in a round
	// often measured 1.5–2.5× slower than the same code later in the round.
	for _, n := range []int{5, 20, 250} {
		for _, d := range starts {
			c.AddWorkingDays(d, n)
			addWorkingDaysNaive(c, d, n)
		}
	}
	for _, n := range []int{5, 20, 250} {
		b.Run(fmt.Sprintf("fast/N=%d", n), func(b *testing.B) {
			var sink calendar.Date
			for i := 0; b.Loop(); i++ {
				sink = c.AddWorkingDays(starts[i&(len(starts)-1)], n)
			}
			_ = sink
		})
		b.Run(fmt.Sprintf("naive/N=%d", n), func(b *testing.B) {
			var sink calendar.Date
			for i := 0; b.Loop(); i++ {
				sink = addWorkingDaysNaive(c, starts[i&(len(starts)-1)], n)
			}
			_ = sink
		})
	}
}

// BenchmarkWorkIndex measures what a calendar with its own weekday holidays
// pays once: building its working-day index on the first AddWorkingDays.
// Each iteration closes a different weekday, so that no index built before
// can be shared.
func BenchmarkWorkIndex(b *testing.B) {
	d := calendar.NewDate(2026, time.December, 23)
	closure := calendar.NewDate(1995, time.January, 1)
	for b.Loop() {
		b.StopTimer()
		c := mustNew(b, calendar.EnglandAndWales)
		for closure = closure.AddDays(1); !c.IsWorkingDay(closure); closure = closure.AddDays(1) {
		}
		c.AddHolidays(calendar.Holiday{Date: closure, Name: "Office closed"})
		b.StartTimer()
		c.AddWorkingDays(d, 1)
	}
}

// BenchmarkDue measures a whole deadline with its explanation's skipped days.
func BenchmarkDue(b *testing.B) {
	c := mustNew(b, calendar.EnglandAndWales)
	ts := mustTimescale(b, "5 working days")
	start := london(2026, 12, 21, 10, 0)
	for b.Loop() {
		c.Due(start, ts)
	}
}

// BenchmarkLonger measures the mixed-kind comparison, the slow path.
func BenchmarkLonger(b *testing.B) {
	c := mustNew(b, calendar.EnglandAndWales)
	a, w := mustTimescale(b, "24 hours"), mustTimescale(b, "1 working week")
	for b.Loop() {
		c.Longer(a, w)
	}
}
