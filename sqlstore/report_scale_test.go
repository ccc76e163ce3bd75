package sqlstore

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate/report"
)

// reportScaleArgs picks, from a generated database, the partnership with
// the most escalations and the last whole London quarter before the
// generator's end, so the report reads a full quarter's cases.
func reportScaleArgs(tb testing.TB, db *DB) (int64, report.Period) {
	tb.Helper()
	ctx := context.Background()
	var pid int64
	if err := db.db.QueryRowContext(ctx, `SELECT partnership_id FROM escalations
		GROUP BY partnership_id ORDER BY COUNT(*) DESC, partnership_id LIMIT 1`).Scan(&pid); err != nil {
		tb.Fatal(err)
	}
	var end time.Time
	if err := db.db.QueryRowContext(ctx, `SELECT MAX(created) FROM escalations`).Scan(scanTime(&end)); err != nil {
		tb.Fatal(err)
	}
	y, q := report.QuarterOf(end)
	if q--; q == 0 {
		y, q = y-1, 4
	}
	return pid, report.Quarter(y, q)
}

// checkReportPlans checks that ReportCases's two queries find a quarter's
// escalations through escalations_partnership_created and their clocks by
// primary key, with no scan. TestScaleQueryPlans calls it on its data.
func checkReportPlans(t *testing.T, db *DB) {
	ctx := context.Background()
	pid, p := reportScaleArgs(t, db)
	for name, q := range map[string]string{"cases": reportCasesQuery, "clocks": reportClocksQuery} {
		plan, err := queryPlan(ctx, db, q, pid, timeArg(p.From), timeArg(p.To))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !strings.Contains(plan, "escalations_partnership_created") {
			t.Errorf("%s: plan does not use escalations_partnership_created:\n%s", name, plan)
		}
		for _, line := range strings.Split(plan, "\n") {
			if strings.HasPrefix(line, "SCAN ") {
				t.Errorf("%s: scan %q in plan:\n%s", name, line, plan)
			}
		}
	}
	cases, err := db.ReportCases(ctx, pid, p.From, p.To)
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) == 0 {
		t.Fatalf("no cases in %s for partnership %d", p.Text(), pid)
	}
	clocks := 0
	for _, c := range cases {
		clocks += len(c.Clocks)
		if !p.Contains(c.Raised) {
			t.Errorf("case raised %v is outside %s", c.Raised, p.Text())
		}
	}
	if clocks == 0 {
		t.Errorf("%d cases but no clock results", len(cases))
	}
}

// BenchmarkQuarterlyReport times the quarterly report for one partnership
// on a database made by "escalate gen" (ESCALATE_SCALE_DB): the store query,
// report.Build and Tables, as the report page does. The baselines, on the
// same rows in the same run, are a bare count through the same index and a
// read of the cases query's rows with nothing done to them; the figures are
// in doc/performance.md.
func BenchmarkQuarterlyReport(b *testing.B) {
	dsn := os.Getenv("ESCALATE_SCALE_DB")
	if dsn == "" {
		b.Skip("skipped: set ESCALATE_SCALE_DB to a database made by escalate gen")
	}
	ctx := context.Background()
	db, err := Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	pid, p := reportScaleArgs(b, db)
	as, err := db.Agencies(ctx, pid)
	if err != nil {
		b.Fatal(err)
	}
	names := make([]string, len(as))
	for i, a := range as {
		names[i] = a.Name
	}
	var total int
	if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM escalations`).Scan(&total); err != nil {
		b.Fatal(err)
	}
	plan, err := queryPlan(ctx, db, reportCasesQuery, pid, timeArg(p.From), timeArg(p.To))
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d escalations in all; partnership %d, %s; plan:\n%s", total, pid, p.Text(), plan)
	args := []any{pid, timeArg(p.From), timeArg(p.To)}

	b.Run("baseline-count", func(b *testing.B) {
		var n int
		for b.Loop() {
			if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM escalations
				WHERE partnership_id = $1 AND created >= $2 AND created < $3`, args...).Scan(&n); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n), "cases/op")
	})
	b.Run("baseline-read", func(b *testing.B) {
		n := 0
		for b.Loop() {
			rows, err := db.db.QueryContext(ctx, reportCasesQuery, args...)
			if err != nil {
				b.Fatal(err)
			}
			n = 0
			for rows.Next() {
				n++
			}
			if err := rows.Close(); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n), "cases/op")
	})
	b.Run("report", func(b *testing.B) {
		n := 0
		for b.Loop() {
			cases, err := db.ReportCases(ctx, pid, p.From, p.To)
			if err != nil {
				b.Fatal(err)
			}
			q := report.Build(p, cases, names, false)
			if len(q.Tables()) == 0 {
				b.Fatal("no tables")
			}
			n = q.Raised.N
		}
		b.ReportMetric(float64(n), "cases/op")
	})
}
