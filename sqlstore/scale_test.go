package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
)

// scaleQuery is one of the queries later pages need at scale, and the
// indexes its SQLite plan must use.
type scaleQuery struct {
	name    string
	sql     string
	indexes []string // each must appear in the plan
}

// scaleQueries are the queries doc/performance.md measures. $1 is filled by
// scaleArgs.
var scaleQueries = []scaleQuery{
	{
		// A person's open escalations, raised by them or naming them as a
		// party, soonest deadline first.
		name: "person-open-by-deadline",
		sql: `SELECT e.id, e.ref, e.next_due FROM escalations e
			WHERE e.status = 'open' AND (e.raised_by = $1
				OR e.id IN (SELECT p.escalation_id FROM escalation_parties p WHERE p.user_id = $1))
			ORDER BY e.next_due LIMIT 50`,
		indexes: []string{"escalations_raised_due", "escalation_parties_user"},
	},
	{
		// Every running clock past its due instant, for the scheduler
		// and the Business Manager's overdue page.
		name: "overdue-clocks",
		sql: `SELECT c.escalation_id, c.id, c.due_at FROM clocks c
			WHERE c.status = 'running' AND c.due_at < $1 ORDER BY c.due_at`,
		indexes: []string{"clocks_running_due"},
	},
	{
		// One escalation's timeline, part 1: the case by reference.
		name:    "timeline-escalation",
		sql:     `SELECT e.id, e.stage, e.status, e.version FROM escalations e WHERE e.ref = $1`,
		indexes: []string{"sqlite_autoindex_escalations_1"},
	},
	{
		// Part 2: its records in order.
		name: "timeline-records",
		sql: `SELECT r.id, r.at, r.form, r.discussion FROM records r
			WHERE r.escalation_id = (SELECT id FROM escalations WHERE ref = $1) ORDER BY r.id`,
		indexes: []string{"sqlite_autoindex_records_1", "sqlite_autoindex_escalations_1"},
	},
	{
		// Part 3: its audit events in order.
		name: "timeline-events",
		sql: `SELECT a.seq, a.at, a.actor, a.action FROM audit_events a
			WHERE a.object = 'escalation:' || $1 ORDER BY a.seq`,
		indexes: []string{"audit_events_object"},
	},
}

// scaleArgs picks, from a generated database, the arguments that make each
// query realistic: the raiser with the most open escalations, the
// generator's end as now, and an escalation with a long timeline.
type scaleArgs struct {
	person int64
	now    string
	ref    string
}

func (a scaleArgs) arg(q scaleQuery) any {
	switch q.name {
	case "person-open-by-deadline":
		return a.person
	case "overdue-clocks":
		return a.now
	}
	return a.ref
}

func findScaleArgs(tb testing.TB, db *DB) scaleArgs {
	tb.Helper()
	ctx := context.Background()
	var a scaleArgs
	if err := db.db.QueryRowContext(ctx, `
		SELECT raised_by FROM escalations WHERE status = 'open'
		GROUP BY raised_by ORDER BY COUNT(*) DESC, raised_by LIMIT 1`).Scan(&a.person); err != nil {
		tb.Fatalf("no open escalation to query: %v", err)
	}
	var updated time.Time
	if err := db.db.QueryRowContext(ctx, `SELECT MAX(updated) FROM escalations`).Scan(scanTime(&updated)); err != nil {
		tb.Fatal(err)
	}
	a.now = timeArg(updated)
	if err := db.db.QueryRowContext(ctx, `SELECT ref FROM escalations WHERE stage > 0 ORDER BY id DESC LIMIT 1`).Scan(&a.ref); err != nil {
		tb.Fatal(err)
	}
	return a
}

// queryPlan returns the plan of q with its argument: EXPLAIN QUERY PLAN's
// details, one per line, on SQLite; EXPLAIN's lines on PostgreSQL.
func queryPlan(ctx context.Context, db *DB, q string, args ...any) (string, error) {
	explain := "EXPLAIN QUERY PLAN "
	if db.dialect == Postgres {
		explain = "EXPLAIN "
	}
	rows, err := db.db.QueryContext(ctx, explain+q, args...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return "", err
	}
	var lines []string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return "", err
		}
		lines = append(lines, vals[len(vals)-1].String) // SQLite: detail; PostgreSQL: QUERY PLAN
	}
	return strings.Join(lines, "\n"), rows.Err()
}

// TestScaleQueryPlans generates 10,000 escalations and checks that the
// queries pages need use their indexes, with no full scan, and that the
// generated data is sound: the audit chain verifies, every state is there,
// and the store takes new changes on top of it.
func TestScaleQueryPlans(t *testing.T) {
	db := MustOpenDB(t, SQLite)
	ctx := context.Background()
	res, err := db.GenerateScale(ctx, ScaleOptions{Escalations: 10000, EventsPer: 8, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	if res.Escalations != 10000 || res.Events < 80000 || res.Clocks == 0 || res.Records == 0 {
		t.Errorf("GenerateScale = %+v, want 10000 escalations and at least 80000 events", res)
	}
	if n := countRows(t, db, "escalations"); n != 10000 {
		t.Errorf("%d escalations stored, want 10000", n)
	}

	t.Run("Plans", func(t *testing.T) {
		args := findScaleArgs(t, db)
		for _, q := range scaleQueries {
			plan, err := queryPlan(ctx, db, q.sql, args.arg(q))
			if err != nil {
				t.Fatalf("%s: %v", q.name, err)
			}
			for _, ix := range q.indexes {
				if !strings.Contains(plan, ix) {
					t.Errorf("%s: plan does not use %s:\n%s", q.name, ix, plan)
				}
			}
			for _, line := range strings.Split(plan, "\n") {
				// SEARCH narrows by an index; SCAN walks a whole table or
				// index, which grows with history.
				if strings.HasPrefix(line, "SCAN ") {
					t.Errorf("%s: scan %q in plan:\n%s", q.name, line, plan)
				}
			}
			var n int
			rows, err := db.db.QueryContext(ctx, q.sql, args.arg(q))
			if err != nil {
				t.Fatalf("%s: %v", q.name, err)
			}
			for rows.Next() {
				n++
			}
			rows.Close()
			if n == 0 {
				t.Errorf("%s returned no rows for %v", q.name, args.arg(q))
			}
		}
	})

	t.Run("ReportPlans", func(t *testing.T) { checkReportPlans(t, db) })

	t.Run("States", func(t *testing.T) {
		for _, st := range []escalate.Status{escalate.StatusOpen, escalate.StatusResolved, escalate.StatusRedirected, escalate.StatusWithdrawn} {
			var n int
			if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM escalations WHERE status = $1`, string(st)).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				t.Errorf("no %s escalations", st)
			}
		}
		for _, st := range []string{escalate.ClockRunning, escalate.ClockMet, escalate.ClockStopped} {
			var n int
			if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM clocks WHERE status = $1`, st).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				t.Errorf("no %s clocks", st)
			}
		}
	})

	t.Run("AuditVerifies", func(t *testing.T) {
		rep, err := db.VerifyAudit(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		if rep.N < res.Events {
			t.Errorf("verified %d events, fewer than the %d generated", rep.N, res.Events)
		}
		// The generated rows are what their events say.
		replay, err := db.VerifyRecords(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if replay.Escalations != 10000 {
			t.Errorf("replayed %d escalations, want 10000", replay.Escalations)
		}
	})

	t.Run("StoreWritesOnTop", func(t *testing.T) {
		// A generated practitioner raises through the service: the
		// reference counter and IDs must carry on from the generated ones.
		var raiserID int64
		if err := db.db.QueryRowContext(ctx, `SELECT raised_by FROM escalations ORDER BY id LIMIT 1`).Scan(&raiserID); err != nil {
			t.Fatal(err)
		}
		u, err := db.FindUser(ctx, raiserID)
		if err != nil {
			t.Fatal(err)
		}
		as, err := db.Agencies(ctx, u.PartnershipID)
		if err != nil {
			t.Fatal(err)
		}
		other := as[0].ID
		if other == u.AgencyID {
			other = as[1].ID
		}
		var cats string
		if err := db.db.QueryRowContext(ctx, `SELECT categories FROM escalations WHERE partnership_id = $1 LIMIT 1`,
			u.PartnershipID).Scan(&cats); err != nil {
			t.Fatal(err)
		}
		in := (&escFixture{db: db, receiving: &escalate.Agency{ID: other}}).raiseInput(1)
		if err := json.Unmarshal([]byte(cats), &in.Categories); err != nil {
			t.Fatal(err)
		}
		e, err := NewEscalationService(db).Raise(escalate.NewContextWithUser(ctx, u), in)
		if err != nil {
			t.Fatalf("Raise after gen: %v", err)
		}
		if e.ID != 10001 {
			t.Errorf("new escalation has ID %d, want 10001", e.ID)
		}
	})

	t.Run("ErrNotEmpty", func(t *testing.T) {
		_, err := db.GenerateScale(ctx, ScaleOptions{Escalations: 1})
		wantCode(t, err, escalate.EINVALID)
	})
}

// BenchmarkScaleQueries times the scale queries on a database made by
// "escalate gen", named by ESCALATE_SCALE_DB (a SQLite file or a
// postgres:// URL). See doc/performance.md.
func BenchmarkScaleQueries(b *testing.B) {
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
	args := findScaleArgs(b, db)
	for _, q := range scaleQueries {
		plan, err := queryPlan(ctx, db, q.sql, args.arg(q))
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("%s (%v):\n%s", q.name, args.arg(q), plan)
		b.Run(q.name, func(b *testing.B) {
			rowsPerOp := 0
			for b.Loop() {
				rows, err := db.db.QueryContext(ctx, q.sql, args.arg(q))
				if err != nil {
					b.Fatal(err)
				}
				rowsPerOp = 0
				for rows.Next() {
					rowsPerOp++
				}
				if err := rows.Close(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(rowsPerOp), "rows/op")
		})
	}
	// The same need through the store's own List: the person's open
	// escalations, theirs and their line's, soonest deadline first.
	u, err := db.FindUser(ctx, args.person)
	if err != nil {
		b.Fatal(err)
	}
	svc := NewEscalationService(db)
	uctx := escalate.NewContextWithUser(ctx, u)
	b.Run("List-mine-open", func(b *testing.B) {
		n := 0
		for b.Loop() {
			page, _, err := svc.List(uctx, escalate.EscalationFilter{Mine: true, Status: escalate.StatusOpen})
			if err != nil {
				b.Fatal(err)
			}
			n = len(page)
		}
		b.ReportMetric(float64(n), "rows/op")
	})
}
