package sqlstore

import (
	"context"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
)

// TestEscalationRecompute imports a local closure inside running clocks'
// windows: their deadlines move, each move is audited, and met clocks,
// clocks of a closed stage and clocks of a closed case stay where they were.
func TestEscalationRecompute(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := newWorld(t, db, "redbridge")
		open := w.mustRaise(t, escalate.RiskStandard)
		moved := w.mustRaise(t, escalate.RiskStandard)
		moved, err := w.svc.Escalate(w.as("prac"), moved.Ref, escalate.EscalateInput{Version: moved.Version, Reason: "No agreement."})
		if err != nil {
			t.Fatal(err)
		}
		closed := w.mustRaise(t, escalate.RiskStandard)
		closed, err = w.svc.Withdraw(w.as("prac"), closed.Ref, escalate.WithdrawInput{Version: closed.Version, Reason: "Resolved informally."})
		if err != nil {
			t.Fatal(err)
		}
		// The first working day after the raise (24 December 2026, with
		// Christmas and the Boxing Day substitute on the 25th and 28th).
		closure := calendar.NewDate(2026, time.December, 29)
		before := map[string]*escalate.Escalation{}
		for _, e := range []*escalate.Escalation{open, moved, closed} {
			got, err := w.svc.Get(w.as("prac"), e.Ref)
			if err != nil {
				t.Fatal(err)
			}
			before[e.Ref] = got
		}
		res, err := db.ImportHolidays(ctx, w.p.ID, calendar.EnglandAndWales,
			[]calendar.Holiday{{Date: closure, Name: "Local closure", Notes: calendar.NoteLocalClosure}}, "local")
		if err != nil || res.Added != 1 {
			t.Fatalf("ImportHolidays: %+v, %v", res, err)
		}
		recomputed := 0
		for ref, old := range before {
			got, err := w.svc.Get(w.as("prac"), ref)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range got.Clocks {
				o := old.Clock(c.ID)
				switch {
				case o.Status != escalate.ClockRunning || got.Status.Closed():
					if !c.Due.Equal(o.Due) || c.Recomputed != 0 {
						t.Errorf("%s clock %s (%s) moved from %v to %v", ref, c.Key, o.Status, o.Due, c.Due)
					}
				case c.Immediate || calendar.DateOf(o.Due).Before(closure):
					// Due before the closure: the new day is not in its window.
					if !c.Due.Equal(o.Due) {
						t.Errorf("%s clock %s due %v before the closure moved to %v", ref, c.Key, o.Due, c.Due)
					}
				default:
					if !c.Due.After(o.Due) || c.Recomputed != 1 || c.Explanation == o.Explanation {
						t.Errorf("%s running clock %s: due %v → %v, recomputed %d", ref, c.Key, o.Due, c.Due, c.Recomputed)
					}
					recomputed++
				}
			}
			n := countOf(escActions(t, db, ref), escalate.ActionClockRecompute)
			if ref == closed.Ref && n != 0 {
				t.Errorf("closed case %s got %d recompute events", ref, n)
			}
			if ref != closed.Ref && got.Version != old.Version+1 {
				t.Errorf("%s version %d → %d", ref, old.Version, got.Version)
			}
		}
		if recomputed < 2 {
			t.Fatalf("only %d running clocks moved", recomputed)
		}
		var events int
		if err := db.db.QueryRow(`SELECT COUNT(*) FROM audit_events WHERE action = $1`, escalate.ActionClockRecompute).Scan(&events); err != nil {
			t.Fatal(err)
		}
		if events != recomputed {
			t.Errorf("%d clock.recompute events for %d moved clocks", events, recomputed)
		}
		// Importing the same day again moves nothing.
		if _, err := db.ImportHolidays(ctx, w.p.ID, calendar.EnglandAndWales,
			[]calendar.Holiday{{Date: closure, Name: "Local closure", Notes: calendar.NoteLocalClosure}}, "local"); err != nil {
			t.Fatal(err)
		}
		var again int
		db.db.QueryRow(`SELECT COUNT(*) FROM audit_events WHERE action = $1`, escalate.ActionClockRecompute).Scan(&again)
		if again != events {
			t.Errorf("a repeated import recomputed %d more clocks", again-events)
		}
		t.Run("Service", func(t *testing.T) {
			_, err := w.svc.RecomputeClocks(w.as("prac"), w.p.ID)
			wantEscErr(t, err, escalate.EFORBIDDEN, "")
			n, err := w.svc.RecomputeClocks(w.as("bm"), w.p.ID)
			if err != nil || n != 0 {
				t.Errorf("RecomputeClocks on an unchanged calendar: %d, %v", n, err)
			}
		})
		mustVerifyAudit(t, db)
	})
}
