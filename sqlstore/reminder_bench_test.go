package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// benchClocksNow is when the scheduler pass of BenchmarkSchedulerPass runs:
// a Tuesday morning in London.
var benchClocksNow = time.Date(2026, time.May, 19, 9, 30, 0, 0, time.UTC)

const (
	benchEscalations = 2000
	benchPerCase     = 500 // running clocks per escalation: 1,000,000 in all
	benchDue         = 1000
)

// benchClocksFile returns a SQLite file holding 1,000,000 running clocks of
// which 1,000 are due at benchClocksNow: 500 overdue and 500 24-hour
// clocks to remind at once; the rest fall due 30 to 400 days later. It is
// built once into the temporary directory (about a minute) and reused.
func benchClocksFile(b *testing.B) string {
	b.Helper()
	path := filepath.Join(os.TempDir(), "escalate-bench-reminders-v1.db")
	if _, err := os.Stat(path); err == nil {
		return path
	}
	ctx := context.Background()
	tmp := path + ".building"
	os.Remove(tmp)
	db, err := Open(ctx, tmp)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	db.Now = func() time.Time { return benchClocksNow }
	if _, err := db.GenerateScale(ctx, ScaleOptions{Escalations: benchEscalations, EventsPer: 2, Years: 1, Seed: 9}); err != nil {
		b.Fatal(err)
	}
	far := timeArg(benchClocksNow.AddDate(0, 0, 30))
	steps := []string{
		// Only the clocks below run: the generated ones stop.
		`UPDATE clocks SET status = 'stopped' WHERE status = 'running'`,
		// Every escalation gets benchPerCase running clocks at the stage of
		// its first clock, due one after another from 30 days on.
		fmt.Sprintf(`WITH RECURSIVE g(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM g WHERE n < %d)
			INSERT INTO clocks (escalation_id, id, stage, key, action, by_side, within, start_at, due_at,
				immediate, explanation, status)
			SELECT t.escalation_id, 1000 + g.n, t.stage, 'respond', 'Respond', t.by_side, '5 working days',
				'%s', strftime('%%Y-%%m-%%dT%%H:%%M:%%S.000000Z', '%s', '+' || (g.n * 60000 + t.escalation_id * 7) || ' seconds'),
				0, 'bench', 'running'
			FROM clocks t, g WHERE t.id = 1`, benchPerCase-1, timeArg(benchClocksNow.AddDate(0, 0, -1)), far),
		// The first 1,000 escalations' first bench clock falls due: half
		// overdue by up to a week, half 24-hour clocks started an hour ago.
		fmt.Sprintf(`UPDATE clocks SET due_at = strftime('%%Y-%%m-%%dT%%H:%%M:%%S.000000Z', '%s', '-' || (escalation_id * 300) || ' seconds')
			WHERE id = 1000 AND escalation_id IN (SELECT id FROM escalations ORDER BY id LIMIT %d)`,
			timeArg(benchClocksNow), benchDue/2),
		fmt.Sprintf(`UPDATE clocks SET within = '24 hours', start_at = '%s', due_at = '%s'
			WHERE id = 1000 AND escalation_id IN (SELECT id FROM escalations ORDER BY id LIMIT %d OFFSET %d)`,
			timeArg(benchClocksNow.Add(-time.Hour)), timeArg(benchClocksNow.Add(23*time.Hour)), benchDue/2, benchDue/2),
		`ANALYZE`,
		`PRAGMA wal_checkpoint(TRUNCATE)`,
	}
	for _, q := range steps {
		if _, err := db.db.ExecContext(ctx, q); err != nil {
			b.Fatalf("%s: %v", q, err)
		}
	}
	var running int
	if err := db.db.QueryRow(`SELECT COUNT(*) FROM clocks WHERE status = 'running'`).Scan(&running); err != nil {
		b.Fatal(err)
	}
	if running != benchEscalations*benchPerCase {
		b.Fatalf("%d running clocks, want %d", running, benchEscalations*benchPerCase)
	}
	db.Close()
	if err := os.Rename(tmp, path); err != nil {
		b.Fatal(err)
	}
	return path
}

// copyFile copies the cached dataset so that a run never changes it.
func copyFile(b *testing.B, from, to string) {
	b.Helper()
	src, err := os.Open(from)
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	dst, err := os.Create(to)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		b.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		b.Fatal(err)
	}
}

// planOf returns SQLite's EXPLAIN QUERY PLAN details for q, one per line.
func planOf(ctx context.Context, db *DB, q string, args ...any) (string, error) {
	rows, err := db.db.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var id, parent, notused int
		var detail sql.NullString
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			return "", err
		}
		lines = append(lines, detail.String)
	}
	return strings.Join(lines, "\n"), rows.Err()
}

// BenchmarkSchedulerPass measures one scheduler pass (what notify.Scheduler.
// Tick does: EnqueueOverdue then EnqueueReminders, batch 1,000) over
// 1,000,000 running clocks on SQLite. due1000 writes the 1,000 due notices
// and their outbox rows; caughtUp is the pass after, with nothing new due.
//
//	go test ./sqlstore/ -run '^$' -bench BenchmarkSchedulerPass -benchtime 5x
func BenchmarkSchedulerPass(b *testing.B) {
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "escalate.db")
	copyFile(b, benchClocksFile(b), path)
	db, err := Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.Now = func() time.Time { return benchClocksNow }
	now := benchClocksNow

	horizon := now.Add(25 * time.Hour)
	for _, q := range []struct {
		name string
		sql  string
		args []any
	}{
		{"overdue", queryOverdueUnnoticed, []any{timeArg(now), benchDue}},
		{"reminder window", queryReminderWindow, []any{timeArg(now), timeArg(horizon)}},
	} {
		plan, err := planOf(ctx, db, q.sql, q.args...)
		if err != nil {
			b.Fatal(err)
		}
		if !strings.Contains(plan, "clocks_running_due") || strings.Contains(plan, "SCAN c") {
			b.Fatalf("%s: plan does not range over clocks_running_due:\n%s", q.name, plan)
		}
		b.Logf("%s query plan:\n%s", q.name, plan)
	}

	pass := func() int {
		o, err := db.EnqueueOverdue(ctx, now, benchDue)
		if err != nil {
			b.Fatal(err)
		}
		r, err := db.EnqueueReminders(ctx, now, benchDue)
		if err != nil {
			b.Fatal(err)
		}
		return len(o) + len(r)
	}
	reset := func() {
		for _, q := range []string{`DELETE FROM clock_notices`, `DELETE FROM outbox WHERE kind LIKE 'clock.%'`} {
			if _, err := db.db.ExecContext(ctx, q); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("due1000", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			reset()
			b.StartTimer()
			if n := pass(); n != benchDue {
				b.Fatalf("a pass wrote %d notices, want %d", n, benchDue)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
	})
	b.Run("caughtUp", func(b *testing.B) {
		reset()
		if n := pass(); n != benchDue {
			b.Fatalf("the first pass wrote %d notices, want %d", n, benchDue)
		}
		for b.Loop() {
			if n := pass(); n != 0 {
				b.Fatalf("a pass after catching up wrote %d notices", n)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
	})
}
