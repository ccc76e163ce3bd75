package calendar_test

import (
	"fmt"
	"math/rand"
	"testing"
	"time"

	"github.com/escalate-project/escalate/calendar"
)

// BenchmarkAddWorkingDays compares the arithmetic with the day-by-day walk
// over the same random starts (2020–2029, England and Wales).
func BenchmarkAddWorkingDays(b *testing.B) {
	c := mustNew(b, calendar.EnglandAndWales)
	rng := rand.New(rand.NewSource(5))
	starts := make([]calendar.Date, 1024)
	for i := range starts {
		starts[i] = calendar.NewDate(2020, time.January, 1).AddDays(rng.Intn(10 * 365))
	}
	for _, n := range []int{5, 20, 250} {
		b.Run(fmt.Sprintf("fast/N=%d", n), func(b *testing.B) {
			var sink calendar.Date
			for i := 0; b.Loop(); i++ {
				sink = c.AddWorkingDays(starts[i%len(starts)], n)
			}
			_ = sink
		})
		b.Run(fmt.Sprintf("naive/N=%d", n), func(b *testing.B) {
			var sink calendar.Date
			for i := 0; b.Loop(); i++ {
				sink = addWorkingDaysNaive(c, starts[i%len(starts)], n)
			}
			_ = sink
		})
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
