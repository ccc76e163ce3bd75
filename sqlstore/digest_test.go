package sqlstore

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
)

// digestRows returns the daily digests in the outbox, by recipient.
func digestRows(t *testing.T, db *DB) map[int64][]escalate.OutboxMessage {
	t.Helper()
	all, err := db.Outbox(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64][]escalate.OutboxMessage{}
	for _, m := range all {
		if m.SubjectKey == "daily-digest" {
			out[m.Recipient.User] = append(out[m.Recipient.User], m)
		}
	}
	return out
}

func TestEnqueueDigests(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := newWorld(t, db, "redbridge")
		e := w.mustRaise(t, escalate.RiskStandard)
		// prac names rprac as the person they deal with: need to know.
		e, err := w.svc.AddParty(w.as("prac"), e.Ref, w.users["rprac"].ID)
		if err != nil {
			t.Fatal(err)
		}
		// rprac (the receiving side) and stranger (no part in it) opt in;
		// rmgr, also on the receiving side, does not.
		for _, k := range []string{"rprac", "stranger"} {
			if err := db.SetDigest(w.as(k), true); err != nil {
				t.Fatal(err)
			}
		}
		rprac := w.users["rprac"].ID
		var wantDue time.Time
		for _, c := range e.Clocks {
			if c.Status == escalate.ClockRunning && c.By != escalate.SideRaising && !c.Immediate &&
				(wantDue.IsZero() || c.Due.Before(wantDue)) {
				wantDue = c.Due
			}
		}
		if wantDue.IsZero() {
			t.Fatal("the raised escalation has no running clock for the receiving side")
		}
		london := func(s string) time.Time {
			tm, err := time.ParseInLocation("2006-01-02 15:04", s, calendar.London)
			if err != nil {
				t.Fatal(err)
			}
			return tm
		}
		for _, step := range []struct {
			name string
			at   string
			want int // digests in the outbox for rprac afterwards
		}{
			{"ChristmasDay", "2026-12-25 10:00", 0},
			{"Saturday", "2026-12-26 10:00", 0},
			{"BoxingDaySubstitute", "2026-12-28 10:00", 0},
			{"BeforeEight", "2026-12-29 07:59", 0},
			{"AtEight", "2026-12-29 08:00", 1},
			{"NotTwiceADay", "2026-12-29 09:00", 1},
			{"NextWorkingDay", "2026-12-30 08:30", 2},
		} {
			t.Run(step.name, func(t *testing.T) {
				if _, err := db.EnqueueDigests(ctx, london(step.at), 10); err != nil {
					t.Fatal(err)
				}
				rows := digestRows(t, db)
				if got := len(rows[rprac]); got != step.want {
					t.Errorf("rprac has %d digests, want %d", got, step.want)
				}
				for u := range rows {
					if u != rprac {
						t.Errorf("user %d got a digest: only rprac opted in with something waiting", u)
					}
				}
			})
		}
		t.Run("Payload", func(t *testing.T) {
			m := digestRows(t, db)[rprac][0]
			if m.Payload["count"] != float64(1) {
				t.Errorf("count = %v, want 1", m.Payload["count"])
			}
			items, _ := m.Payload["items"].([]any)
			if len(items) != 1 {
				t.Fatalf("items = %v", m.Payload["items"])
			}
			it := items[0].(map[string]any)
			if it["ref"] != e.Ref || it["due"] != wantDue.UTC().Format(time.RFC3339) {
				t.Errorf("item = %v, want ref %s due %s", it, e.Ref, wantDue.UTC().Format(time.RFC3339))
			}
			text := jsonText(m.Payload)
			for _, child := range []string{"SCH-0042", `"JS"`, "referral was closed", "neglect", "threshold"} {
				if strings.Contains(text, child) {
					t.Errorf("the digest holds child data %q: %s", child, text)
				}
			}
		})
		t.Run("Batch", func(t *testing.T) {
			// Two users are due on Thursday; a batch of one leaves the second
			// for the next pass.
			at := london("2026-12-31 08:00")
			if _, err := db.EnqueueDigests(ctx, at, 1); err != nil {
				t.Fatal(err)
			}
			var days int
			db.db.QueryRow(`SELECT COUNT(*) FROM digest_sent WHERE date = '2026-12-31'`).Scan(&days)
			if days != 1 {
				t.Errorf("after a batch of 1: %d users done, want 1", days)
			}
			if _, err := db.EnqueueDigests(ctx, at, 1); err != nil {
				t.Fatal(err)
			}
			db.db.QueryRow(`SELECT COUNT(*) FROM digest_sent WHERE date = '2026-12-31'`).Scan(&days)
			if days != 2 {
				t.Errorf("after two batches of 1: %d users done, want 2", days)
			}
		})
	})
}
