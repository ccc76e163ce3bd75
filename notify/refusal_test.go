package notify_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/escalate-project/escalate"
)

// TestWorkerRefusals: a permanent refusal (5xx) puts the notification on
// the undelivered list at once, with the server's words and no address; a
// temporary one (4xx) is tried again later and then delivered.
func TestWorkerRefusals(t *testing.T) {
	db := openSQLite(t)
	w := newWorld(t, db)
	ctx := context.Background()
	enqueue := func(user string) int64 {
		id, err := db.EnqueueOutbox(ctx, escalate.ActionRecordAdd, 0, escalate.Recipient{User: w.users[user].ID},
			"record-added", map[string]any{"ref": "REDBRIDGE-2026-0001"})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	gone := enqueue("mgr")
	enqueue("dsl")
	enqueue("bm")
	s := startSMTP(t)
	busyNow := true
	s.mu.Lock()
	s.refuse = func(to string) error {
		switch {
		case to == "mgr@example.org":
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1},
				Message: "Mailbox mgr@example.org does not exist"}
		case to == "dsl@example.org" && busyNow:
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Try again later"}
		}
		return nil
	}
	s.mu.Unlock()
	c := newClock(testNow)
	wk := newWorker(t, db, s, "w", c)

	res, err := wk.RunOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Sent != 1 || res.Dead != 1 || res.Failed != 1 {
		t.Errorf("first pass: %+v, want 1 sent, 1 dead, 1 to retry", res)
	}
	dead, err := db.DeadOutbox(ctx, w.p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(dead) != 1 || dead[0].ID != gone {
		t.Fatalf("undelivered = %+v, want only row %d", dead, gone)
	}
	if msg := dead[0].LastError; !strings.Contains(msg, "550") || !strings.Contains(msg, "does not exist") ||
		strings.Contains(msg, "mgr@example.org") {
		t.Errorf("undelivered row's error %q: want the server's code and words, and no address", msg)
	}
	if dead[0].Attempts != 1 {
		t.Errorf("the refused row had %d attempts, want 1: a permanent refusal is not retried", dead[0].Attempts)
	}

	// The 4xx row waits for its backoff, then goes once the server takes it.
	s.mu.Lock()
	busyNow = false
	s.mu.Unlock()
	if r := drain(t, wk); r.Claimed != 0 {
		t.Errorf("the deferred row was claimed again before its backoff: %+v", r)
	}
	c.Add(5 * time.Minute)
	if r := drain(t, wk); r.Sent != 1 {
		t.Errorf("after the backoff: %+v, want the deferred row sent", r)
	}
	got := map[string]int{}
	for _, m := range s.messages() {
		got[m.Rcpt[0]]++
	}
	if got["dsl@example.org"] != 1 || got["bm@example.org"] != 1 || got["mgr@example.org"] != 0 {
		t.Errorf("the server got %v", got)
	}
	counts, _ := db.OutboxStatusCounts(ctx)
	if counts["sent"] != 2 || counts["dead"] != 1 || counts["pending"] != 0 {
		t.Errorf("outbox statuses %v, want 2 sent and 1 dead", counts)
	}
}
