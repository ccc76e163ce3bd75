package sqlstore

import (
	"context"
	"strings"
	"testing"
)

// TestOptimize: without planner statistics SQLite read a whole partnership
// to find one person's escalations; Optimize (run by serve, worker and Migrate) gives
// it the statistics to use the person's index instead.
func TestOptimize(t *testing.T) {
	db := MustOpenDB(t, SQLite)
	ctx := context.Background()
	if _, err := db.GenerateScale(ctx, ScaleOptions{Escalations: 6000, EventsPer: 2, Partnerships: 1, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	var raiser int64
	if err := db.db.QueryRowContext(ctx, `SELECT raised_by FROM escalations GROUP BY raised_by ORDER BY COUNT(*) DESC LIMIT 1`).Scan(&raiser); err != nil {
		t.Fatal(err)
	}
	const mine = `SELECT e.id FROM escalations e WHERE e.partnership_id = $1 AND e.raised_by = $2 ORDER BY e.next_due`
	before := explain(t, db, mine, 1, raiser)
	if err := db.Optimize(ctx); err != nil {
		t.Fatal(err)
	}
	after := explain(t, db, mine, 1, raiser)
	if !strings.Contains(after, "escalations_raised_due") {
		t.Errorf("with statistics the plan should use the raiser's index:\n%s\n(before: %s)", after, before)
	}
	var n int
	if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'escalations'`).Scan(&n); err != nil || n == 0 {
		t.Errorf("no statistics for escalations after Optimize (%d rows, %v)", n, err)
	}
	t.Logf("plan before Optimize: %s", before)
}
