package sqlstore

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
)

// clockWorld is a Redbridge world with one raised escalation whose own
// clocks are stopped, so a test adds exactly the clocks it reasons about.
func clockWorld(t *testing.T, db *DB) (*world, *escalate.Escalation) {
	t.Helper()
	w := newWorld(t, db, "redbridge")
	e := w.mustRaise(t, escalate.RiskStandard)
	mustExec(t, db, `UPDATE clocks SET status = 'stopped' WHERE escalation_id = $1`, e.ID)
	return w, e
}

// mustClock adds running clock id to escalation escID at stage-1.
func mustClock(t testing.TB, db *DB, escID int64, id int, by, within string, start, due time.Time) {
	t.Helper()
	mustExec(t, db, `INSERT INTO clocks (escalation_id, id, stage, key, action, by_side, within, start_at, due_at,
			immediate, explanation, status)
		VALUES ($1, $2, 'stage-1', 'respond', 'Respond to the escalation', $3, $4, $5, $6, false, 'test', 'running')`,
		escID, id, by, within, timeArg(start), timeArg(due))
}

// clockMessages returns the outbox rows of escalation escID written for
// clock notices of kind.
func clockMessages(t testing.TB, db *DB, escID int64, kind string) []escalate.OutboxMessage {
	t.Helper()
	all, err := db.Outbox(context.Background(), escID)
	if err != nil {
		t.Fatal(err)
	}
	var out []escalate.OutboxMessage
	for _, m := range all {
		if m.Kind == "clock."+kind {
			out = append(out, m)
		}
	}
	return out
}

func TestEnqueueReminders(t *testing.T) {
	ctx := context.Background()
	// Each case gets its own database on each engine.
	run := func(name string, fn func(t *testing.T, db *DB)) {
		t.Run(name, func(t *testing.T) { forEachEngine(t, fn) })
	}
	{
		run("OKBankHolidayWeekend", func(t *testing.T, db *DB) {
			w, e := clockWorld(t, db)
			// Started Friday 10:00 before the late-May bank holiday, due at
			// the end of Tuesday: Friday's 09:00 had passed, so the reminder
			// waits for Tuesday 09:00, not Saturday, Sunday or the holiday.
			mustClock(t, db, e.ID, 101, escalate.SideReceiving, "1 working day",
				at(2026, 5, 22, 10, 0), at(2026, 5, 26, 16, 30))
			for _, now := range []time.Time{at(2026, 5, 22, 10, 1), at(2026, 5, 22, 23, 59), at(2026, 5, 23, 9, 0),
				at(2026, 5, 24, 9, 0), at(2026, 5, 25, 0, 0), at(2026, 5, 25, 9, 0), at(2026, 5, 26, 8, 59)} {
				ns, err := db.EnqueueReminders(ctx, now, 10)
				if err != nil {
					t.Fatal(err)
				}
				if len(ns) != 0 {
					t.Fatalf("at %v: reminded %+v, want nothing before Tuesday 09:00", now.In(calendar.London), ns)
				}
			}
			ns, err := db.EnqueueReminders(ctx, at(2026, 5, 26, 9, 0), 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(ns) != 1 || ns[0].ClockID != 101 || ns[0].Ref != e.Ref || ns[0].Kind != NoticeReminder {
				t.Fatalf("at Tuesday 09:00: %+v, want the reminder of clock 101", ns)
			}
			msgs := clockMessages(t, db, e.ID, NoticeReminder)
			// Stage 1 of Redbridge: nobody at social care is named yet, so
			// its escalation contact acts.
			want := escalate.Recipient{User: w.users["rmgr"].ID}
			if len(msgs) != 1 || msgs[0].Recipient != want || msgs[0].SubjectKey != "clock-reminder" {
				t.Fatalf("outbox = %+v, want one clock-reminder to %+v", msgs, want)
			}
			if msgs[0].Payload["ref"] != e.Ref || msgs[0].Payload["due"] != timeArg(at(2026, 5, 26, 16, 30)) {
				t.Errorf("payload = %v", msgs[0].Payload)
			}
			for _, k := range []string{"child_ref", "child_initials", "issue", "risk"} {
				if _, ok := msgs[0].Payload[k]; ok {
					t.Errorf("payload holds child data %q", k)
				}
			}
			// A second pass, later the same day, sends nothing more.
			if ns, err := db.EnqueueReminders(ctx, at(2026, 5, 26, 12, 0), 10); err != nil || len(ns) != 0 {
				t.Fatalf("second pass = %+v, %v; want nothing", ns, err)
			}
		})
		run("OKHoursNotHeldBack", func(t *testing.T, db *DB) {
			_, e := clockWorld(t, db)
			// 24 hours at increased risk, started late on a Saturday night.
			mustClock(t, db, e.ID, 101, escalate.SideRaising, "24 hours",
				at(2026, 5, 23, 22, 0), at(2026, 5, 24, 22, 0))
			ns, err := db.EnqueueReminders(ctx, at(2026, 5, 23, 22, 1), 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(ns) != 1 || ns[0].ClockID != 101 {
				t.Fatalf("reminders = %+v, want clock 101 at once", ns)
			}
			msgs := clockMessages(t, db, e.ID, NoticeReminder)
			if len(msgs) != 1 || msgs[0].Recipient.User != e.RaisedBy {
				t.Fatalf("outbox = %+v, want one reminder to the raiser", msgs)
			}
		})
		run("OKBatchBounded", func(t *testing.T, db *DB) {
			_, e := clockWorld(t, db)
			for i := range 7 {
				mustClock(t, db, e.ID, 101+i, escalate.SideRaising, "24 hours",
					at(2026, 5, 18, 10, 0), at(2026, 5, 19, 10, i))
			}
			var got []int
			for range 4 {
				ns, err := db.EnqueueReminders(ctx, at(2026, 5, 18, 10, 5), 3)
				if err != nil {
					t.Fatal(err)
				}
				if len(ns) > 3 {
					t.Fatalf("a pass wrote %d, want at most 3", len(ns))
				}
				for _, n := range ns {
					got = append(got, n.ClockID)
				}
			}
			if fmt.Sprint(got) != "[101 102 103 104 105 106 107]" {
				t.Fatalf("reminded %v, want each of 101..107 once, soonest due first", got)
			}
		})
	}
}

func TestEnqueueOverdue(t *testing.T) {
	ctx := context.Background()
	forEachEngine(t, func(t *testing.T, db *DB) {
		w, e := clockWorld(t, db)
		mustClock(t, db, e.ID, 101, escalate.SideRaising, "2 working days",
			at(2026, 5, 18, 10, 0), at(2026, 5, 20, 16, 30))
		mustClock(t, db, e.ID, 102, escalate.SideReceiving, "2 working days",
			at(2026, 5, 18, 10, 0), at(2026, 5, 20, 16, 30))
		if ns, err := db.EnqueueOverdue(ctx, at(2026, 5, 20, 16, 30), 10); err != nil || len(ns) != 0 {
			t.Fatalf("at the due instant: %+v, %v; want nothing yet", ns, err)
		}
		// Long after (downtime): one prompt each, however late.
		ns, err := db.EnqueueOverdue(ctx, at(2026, 6, 30, 12, 0), 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(ns) != 2 || ns[0].OnLapse != "prompt" {
			t.Fatalf("overdue = %+v, want clocks 101 and 102 with on_lapse prompt", ns)
		}
		for _, later := range []time.Time{at(2026, 6, 30, 12, 1), at(2026, 7, 30, 12, 0)} {
			if ns, err := db.EnqueueOverdue(ctx, later, 10); err != nil || len(ns) != 0 {
				t.Fatalf("again at %v: %+v, %v; want nothing", later, ns, err)
			}
		}
		// An overdue clock is not reminded as well.
		if ns, err := db.EnqueueReminders(ctx, at(2026, 6, 30, 12, 0), 10); err != nil || len(ns) != 0 {
			t.Fatalf("reminders of overdue clocks = %+v, %v; want none", ns, err)
		}
		msgs := clockMessages(t, db, e.ID, NoticeOverdue)
		to := map[escalate.Recipient]int{}
		for _, m := range msgs {
			if m.SubjectKey != "clock-overdue" || m.Payload["link"] != "/escalations/"+e.Ref+"/escalate" ||
				m.Payload["expects"] != "escalation" {
				t.Errorf("message %+v lacks the escalate prompt", m)
			}
			to[m.Recipient]++
		}
		want := map[escalate.Recipient]int{
			{User: e.RaisedBy}: 1, {User: w.users["mgr"].ID}: 1, // raiser and line manager (clock 101)
			{User: w.users["rmgr"].ID}: 1, {User: w.users["rsenior"].ID}: 1, // social care's contact and theirs (clock 102)
		}
		if fmt.Sprint(to) != fmt.Sprint(want) {
			t.Fatalf("overdue recipients = %v, want %v", to, want)
		}
		if n := countRows(t, db, "clock_notices"); n != 2 {
			t.Fatalf("clock_notices = %d, want 2", n)
		}
	})
}

// TestClockNoticesExactlyOnce runs three store instances at once on
// PostgreSQL over 1,000 due clocks: every clock gets exactly one reminder
// and one overdue prompt, each to its one recipient.
func TestClockNoticesExactlyOnce(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t, Postgres)
	_, e := clockWorld(t, db)
	const clocks = 1000
	start, due := at(2026, 5, 18, 10, 0), at(2026, 5, 19, 10, 0)
	mustExec(t, db, `INSERT INTO clocks (escalation_id, id, stage, key, action, by_side, within, start_at, due_at,
			immediate, explanation, status)
		SELECT $1, 100 + g, 'stage-1', 'respond', 'Respond', 'raising', '24 hours', $2, $3, false, 'test', 'running'
		FROM generate_series(1, $4::int) g`, e.ID, timeArg(start), timeArg(due), clocks)
	var instances []*DB
	for range 3 {
		other, err := Open(ctx, pgURLOf(t, db))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { other.Close() })
		instances = append(instances, other)
	}
	for _, step := range []struct {
		kind string
		now  time.Time
		run  func(*DB, time.Time) ([]escalate.ClockNotice, error)
	}{
		{NoticeReminder, at(2026, 5, 18, 10, 5), func(d *DB, now time.Time) ([]escalate.ClockNotice, error) {
			return d.EnqueueReminders(ctx, now, 70)
		}},
		{NoticeOverdue, at(2026, 5, 20, 10, 0), func(d *DB, now time.Time) ([]escalate.ClockNotice, error) {
			return d.EnqueueOverdue(ctx, now, 70)
		}},
	} {
		var mu sync.Mutex
		written := map[int]int{}
		var wg sync.WaitGroup
		for _, d := range instances {
			wg.Go(func() {
				for {
					ns, err := step.run(d, step.now)
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					for _, n := range ns {
						written[n.ClockID]++
					}
					mu.Unlock()
					if len(ns) == 0 {
						return
					}
				}
			})
		}
		wg.Wait()
		if len(written) != clocks {
			t.Fatalf("%s: %d clocks noticed, want %d", step.kind, len(written), clocks)
		}
		for id, n := range written {
			if n != 1 {
				t.Fatalf("%s: clock %d noticed %d times", step.kind, id, n)
			}
		}
		byClock := map[float64]int{}
		for _, m := range clockMessages(t, db, e.ID, step.kind) {
			byClock[m.Payload["clock_id"].(float64)]++
		}
		wantPer := 1
		if step.kind == NoticeOverdue {
			wantPer = 2 // the raiser and their line manager
		}
		if len(byClock) != clocks {
			t.Fatalf("%s: outbox rows for %d clocks, want %d", step.kind, len(byClock), clocks)
		}
		for id, n := range byClock {
			if n != wantPer {
				t.Fatalf("%s: clock %v has %d outbox rows, want %d", step.kind, id, n, wantPer)
			}
		}
	}
}

// pgURLOf returns the URL of db's PostgreSQL database, for a second
// connection pool standing in for another instance.
func pgURLOf(t testing.TB, db *DB) string {
	t.Helper()
	var name string
	if err := db.db.QueryRow(`SELECT current_database()`).Scan(&name); err != nil {
		t.Fatal(err)
	}
	return pg.url(name)
}
