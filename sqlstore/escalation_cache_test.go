package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
)

// Tests of what the write path caches: statements, calendars, and the
// batched audit appends.

// TestCalendarCache checks a cached calendar follows every change of the
// stored holidays, including one made through another handle on the same
// database (another process or app instance), and never keeps days a
// rolled-back import wrote.
func TestCalendarCache(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := newWorld(t, db, "redbridge")
		div, ends := w.pol.Calendar.Division, workingDayEnds(w.pol)
		working := func(d calendar.Date) bool {
			t.Helper()
			var ok bool
			err := db.WithTx(ctx, func(tx *Tx) error {
				cal, err := tx.cachedCalendar(w.p.ID, div, ends)
				ok = err == nil && cal.IsWorkingDay(d)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		rolledBack := calendar.NewDate(2027, time.March, 3)
		committed := calendar.NewDate(2027, time.March, 4)
		for _, d := range []calendar.Date{rolledBack, committed} {
			if !working(d) { // and now cached
				t.Fatalf("%s is not a working day before any import", d)
			}
		}

		t.Run("RolledBack", func(t *testing.T) {
			errRollBack := errors.New("roll back")
			err := db.WithTx(ctx, func(tx *Tx) error {
				if _, err := tx.importHolidays(w.p.ID, div, []calendar.Holiday{{Date: rolledBack, Name: "Closure A"}}, "local"); err != nil {
					return err
				}
				cal, err := tx.cachedCalendar(w.p.ID, div, ends)
				if err != nil {
					return err
				}
				if cal.IsWorkingDay(rolledBack) {
					t.Errorf("the importing transaction does not see its own closure")
				}
				return errRollBack
			})
			if !errors.Is(err, errRollBack) {
				t.Fatalf("WithTx: %v", err)
			}
			// Not looked up again here: the next import reuses the
			// rolled-back event's sequence number, which is what
			// OtherHandle checks cannot revive the rolled-back closure.
		})

		t.Run("OtherHandle", func(t *testing.T) {
			// Its own caches, the same database: as another process.
			other := &DB{db: db.db, dialect: db.dialect, Now: db.Now}
			res, err := other.ImportHolidays(ctx, w.p.ID, div, []calendar.Holiday{{Date: committed, Name: "Closure B"}}, "local")
			if err != nil || res.Added != 1 {
				t.Fatalf("ImportHolidays: %+v, %v", res, err)
			}
			if working(committed) {
				t.Errorf("%s is still a working day after another handle closed it", committed)
			}
			if !working(rolledBack) {
				t.Errorf("%s is closed: the rolled-back import came back", rolledBack)
			}
		})

		t.Run("OtherPartnership", func(t *testing.T) {
			// A local closure of one partnership is not another's.
			other, _ := mustPackPartnership(t, db, "redbridge", "cache-other")
			err := db.WithTx(ctx, func(tx *Tx) error {
				cal, err := tx.cachedCalendar(other.ID, div, ends)
				if err == nil && !cal.IsWorkingDay(committed) {
					t.Errorf("partnership %d sees partnership %d's closure", other.ID, w.p.ID)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	})
}

// TestAuditBatches checks events written together, across more than one
// multi-row INSERT and two chains, chain and verify as if written one by
// one, each with its content.
func TestAuditBatches(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		if err := db.WithTx(ctx, func(tx *Tx) error {
			return tx.Audit("system", "test.first", "test:0", nil)
		}); err != nil {
			t.Fatal(err)
		}
		n := 2*auditBatch + 3
		err := db.WithTx(ctx, func(tx *Tx) error {
			items := make([]auditItem, n)
			for i := range items {
				// Runs of three on one chain, then three on another.
				items[i] = auditItem{int64(i / 3 % 2 * 5), "system", "test.batch", fmt.Sprintf("test:%d", i+1), nil}
				if i%3 != 0 {
					items[i].content = map[string]any{"i": i}
				}
			}
			return tx.auditAll(items)
		})
		if err != nil {
			t.Fatal(err)
		}
		rep, err := db.VerifyAudit(ctx, "")
		if err != nil {
			t.Fatalf("VerifyAudit: %v", err)
		}
		if rep.N != int64(n+1) || len(rep.Chains) != 2 || rep.Chains[1].Chain != 5 {
			t.Errorf("verified %d events in chains %+v, want %d in chains 0 and 5", rep.N, rep.Chains, n+1)
		}
		evs, err := db.AuditEvents(ctx, 2, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != n {
			t.Fatalf("%d events, want %d", len(evs), n)
		}
		// Each chain holds its events in the order they were queued; the
		// service-wide chain's are written first (lower chains first).
		last := map[int64]int{}
		for _, ev := range evs {
			var i int
			fmt.Sscanf(ev.Object, "test:%d", &i)
			i-- // the item's index
			want := ""
			if i%3 != 0 {
				want = fmt.Sprintf(`{"i":%d}`, i)
			}
			if string(ev.Content) != want || ev.Chain != int64(i/3%2*5) {
				t.Errorf("event %s: chain %d content %q, want chain %d %q", ev.Object, ev.Chain, ev.Content, i/3%2*5, want)
			}
			if prev, ok := last[ev.Chain]; ok && i < prev {
				t.Errorf("event %s comes after item %d in %s", ev.Object, prev, ChainName(ev.Chain))
			}
			last[ev.Chain] = i
		}
	})
}

// TestStatementCache checks changes reuse prepared statements on SQLite and
// Close releases them.
func TestStatementCache(t *testing.T) {
	db := MustOpenDB(t, SQLite)
	w := newWorld(t, db, "redbridge")
	w.mustRaise(t, escalate.RiskStandard)
	count := func() int {
		n := 0
		db.stmts.Range(func(any, any) bool { n++; return true })
		return n
	}
	first := count()
	if first == 0 {
		t.Fatal("a raise prepared no statements")
	}
	w.mustRaise(t, escalate.RiskStandard)
	if got := count(); got != first {
		t.Errorf("a second raise left %d statements, the first %d: texts are not fixed", got, first)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if got := count(); got != 0 {
		t.Errorf("%d statements left after Close", got)
	}
	if db.prepared(context.Background(), `SELECT 1`) != nil {
		t.Error("a statement was prepared after Close")
	}
}

// TestEscalationListMine checks Mine, which SQL pages by itself, against
// what escalate.Can allows: the raiser, their line and whoever is involved,
// with the status filter and paging.
func TestEscalationListMine(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db, "redbridge")
		var es []*escalate.Escalation
		for range 4 {
			es = append(es, w.mustRaise(t, escalate.RiskStandard))
		}
		if _, err := w.svc.AddParty(w.as("prac"), es[1].Ref, w.users["rprac"].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.AddParty(w.as("prac"), es[3].Ref, w.users["rprac"].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Withdraw(w.as("prac"), es[3].Ref, escalate.WithdrawInput{Version: es[3].Version, Reason: "Resolved."}); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name, who   string
			f           escalate.EscalationFilter
			total, page int
		}{
			{"Raiser", "prac", escalate.EscalationFilter{Mine: true}, 4, 4},
			{"RaiserOpen", "prac", escalate.EscalationFilter{Mine: true, Status: escalate.StatusOpen}, 3, 3},
			{"RaiserPage", "prac", escalate.EscalationFilter{Mine: true, Limit: 2, Offset: 3}, 4, 1},
			{"Line", "senior", escalate.EscalationFilter{Mine: true, Status: escalate.StatusWithdrawn}, 1, 1},
			{"Party", "rprac", escalate.EscalationFilter{Mine: true}, 2, 2},
			{"PartyOpen", "rprac", escalate.EscalationFilter{Mine: true, Status: escalate.StatusOpen}, 1, 1},
			{"Stranger", "stranger", escalate.EscalationFilter{Mine: true}, 0, 0},
			{"Outsider", "outsider", escalate.EscalationFilter{Mine: true}, 0, 0},
		} {
			t.Run(tc.name, func(t *testing.T) {
				page, total, err := w.svc.List(w.as(tc.who), tc.f)
				if err != nil {
					t.Fatal(err)
				}
				if total != tc.total || len(page) != tc.page {
					t.Fatalf("%d of %d, want %d of %d", len(page), total, tc.page, tc.total)
				}
				u := w.users[tc.who]
				for _, e := range page {
					got, err := w.svc.Get(w.as(tc.who), e.Ref)
					if err != nil || got.Ref != e.Ref {
						t.Errorf("listed %s, which %s may not view: %v", e.Ref, u.Name, err)
					}
					if len(e.Clocks) == 0 {
						t.Errorf("%s listed without its clocks", e.Ref)
					}
				}
			})
		}
	})
}
