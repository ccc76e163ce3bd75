package sqlstore

import (
	"context"
	"os"
	"testing"
	"time"
)

// BenchmarkVerifyReplay compares audit verify with the replay of the
// record against today's chain-only verify, on a database made by
// "escalate gen" and named by ESCALATE_SCALE_DB, opened read-only as the
// command opens it. Each op of "Both" runs the chain check and the replay
// one after the other, in alternating order, and reports each one's time
// and their ratio, so load on a shared machine weighs on both alike. See
// doc/performance.md.
func BenchmarkVerifyReplay(b *testing.B) {
	dsn := os.Getenv("ESCALATE_SCALE_DB")
	if dsn == "" {
		b.Skip("skipped: set ESCALATE_SCALE_DB to a database made by escalate gen")
	}
	ctx := context.Background()
	db, err := OpenReadOnly(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	chain := func(b *testing.B) int64 {
		rep, err := db.VerifyAudit(ctx, "")
		if err != nil {
			b.Fatal(err)
		}
		return rep.N
	}
	replay := func(b *testing.B) int {
		rep, err := db.VerifyRecords(ctx)
		if err != nil {
			b.Fatal(err)
		}
		return rep.Escalations
	}
	b.Run("ChainOnly", func(b *testing.B) {
		var n int64
		for b.Loop() {
			n = chain(b)
		}
		b.ReportMetric(float64(n), "events")
	})
	b.Run("ChainAndReplay", func(b *testing.B) {
		var n int
		for b.Loop() {
			chain(b)
			n = replay(b)
		}
		b.ReportMetric(float64(n), "escalations")
	})
	b.Run("Both", func(b *testing.B) {
		var tc, tr time.Duration
		i := 0
		for b.Loop() {
			steps := []func(){
				func() { t := time.Now(); chain(b); tc += time.Since(t) },
				func() { t := time.Now(); replay(b); tr += time.Since(t) },
			}
			if i%2 == 1 {
				steps[0], steps[1] = steps[1], steps[0]
			}
			for _, s := range steps {
				s()
			}
			i++
		}
		b.ReportMetric(float64(tc.Milliseconds())/float64(i), "chain-ms/op")
		b.ReportMetric(float64(tr.Milliseconds())/float64(i), "replay-ms/op")
		b.ReportMetric(float64(tc+tr)/float64(tc), "with-replay/chain-only")
	})
}
