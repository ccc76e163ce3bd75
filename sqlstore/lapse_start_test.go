package sqlstore

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/policy"
)

// TestStartOnLapse: when Redbridge's stage 1 "respond" clock lapses, a
// further clock (starts.event clock-lapsed) starts from its deadline, in the
// overdue notice's transaction, once, attributed to the scheduler.
func TestStartOnLapse(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := newWorld(t, db, "redbridge")
		raw, err := policy.PackSource("redbridge")
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Replace(string(raw), "\nversion: 3rd edition\n", "\nversion: lapse-start\n", 1)
		further := `      - key: further
        action: Meet to settle it
        by: receiving
        starts: {event: clock-lapsed, clock: respond}
        within: 5 working days
        met_by: meeting
      - key: confirm
`
		text = strings.Replace(text, "      - key: confirm\n", further, 1)
		if _, err := db.PublishPolicy(w.as("bm"), w.p.ID, []byte(text), 0); err != nil {
			t.Fatal(err)
		}
		e := w.mustRaise(t, escalate.RiskStandard)
		var respond escalate.ClockState
		for _, c := range e.Clocks {
			if c.Key == "respond" {
				respond = c
			}
		}
		if respond.ID == 0 {
			t.Fatalf("no respond clock: %+v", e.Clocks)
		}
		later := respond.Due.Add(72 * time.Hour)
		if _, err := db.EnqueueOverdue(ctx, later, 100); err != nil {
			t.Fatal(err)
		}
		got := lapseGet(t, w, e.Ref)
		var f *escalate.ClockState
		for i := range got.Clocks {
			if got.Clocks[i].Key == "further" {
				f = &got.Clocks[i]
			}
		}
		if f == nil || f.Status != escalate.ClockRunning || !f.Start.Equal(respond.Due) {
			t.Fatalf("further clock %+v, want running from %v", f, respond.Due)
		}
		if got.Version != e.Version+1 {
			t.Errorf("version %d, want %d", got.Version, e.Version+1)
		}
		if a := auditActors(t, db, e.Ref, escalate.ActionClockLapse); len(a) != 1 || a[0] != SchedulerActor {
			t.Errorf("clock.lapse actors %v", a)
		}
		// A second pass writes no second notice and starts nothing again.
		if _, err := db.EnqueueOverdue(ctx, later.Add(time.Hour), 100); err != nil {
			t.Fatal(err)
		}
		if n := len(auditActors(t, db, e.Ref, escalate.ActionClockLapse)); n != 1 {
			t.Errorf("%d clock.lapse events after a second pass", n)
		}
	})
}
