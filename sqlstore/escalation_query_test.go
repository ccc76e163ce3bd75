package sqlstore

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
)

// TestEscalationQueryPlans checks that each query the later pages need is
// answered from its index on both engines. The tables are small here, so on
// PostgreSQL sequential scans are switched off for the check: the question
// is whether an index can serve the query, which is what matters at scale.
func TestEscalationQueryPlans(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db, "redbridge")
		for i := 0; i < 5; i++ {
			w.mustRaise(t, escalate.RiskStandard)
		}
		for _, tc := range []struct {
			name, query, index string
			args               []any
		}{
			{"OpenRaisedBy", queryOpenRaisedBy, "escalations_raised_due", []any{w.users["prac"].ID, 50}},
			{"OpenReceiving", queryOpenReceiving, "escalations_receiving_due", []any{w.agencies["care"].ID, 50}},
			{"Overdue", queryOverdue, "clocks_running_due", []any{timeArg(testNow.Add(30 * 24 * time.Hour)), 50}},
			{"Timeline", queryTimeline, "audit_events_object", []any{"escalation:REDBRIDGE-2026-0001"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				plan := explain(t, db, tc.query, tc.args...)
				if !strings.Contains(plan, tc.index) {
					t.Errorf("plan does not use %s:\n%s", tc.index, plan)
				}
			})
		}
		t.Run("OverdueClocks", func(t *testing.T) {
			late, err := db.OverdueClocks(context.Background(), testNow.Add(30*24*time.Hour), 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(late) == 0 {
				t.Fatal("no overdue clocks a month on")
			}
			for i, d := range late {
				if d.Clock.Status != escalate.ClockRunning || d.Ref == "" {
					t.Errorf("overdue %+v", d)
				}
				if i > 0 && !d.Clock.Immediate && d.Clock.Due.Before(late[i-1].Clock.Due) {
					t.Errorf("not in due order at %d", i)
				}
			}
			none, err := db.OverdueClocks(context.Background(), testNow.Add(-time.Hour), 0)
			if err != nil || len(none) != 0 {
				t.Errorf("overdue before anything was raised: %d, %v", len(none), err)
			}
		})
	})
}

// explain returns the engine's query plan for query as text.
func explain(t *testing.T, db *DB, query string, args ...any) string {
	t.Helper()
	ctx := context.Background()
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	prefix := "EXPLAIN QUERY PLAN "
	if db.Dialect() == Postgres {
		prefix = "EXPLAIN "
		for _, s := range []string{"ANALYZE escalations", "ANALYZE clocks", "ANALYZE audit_events",
			"SET LOCAL enable_seqscan = off"} {
			if _, err := tx.ExecContext(ctx, s); err != nil {
				t.Fatal(err)
			}
		}
	}
	rows, err := tx.QueryContext(ctx, prefix+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var lines []string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, vals[len(vals)-1].String)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}
