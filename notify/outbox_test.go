package notify_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/notify"
	"github.com/escalate-project/escalate/sqlstore"
)

const baseURL = "https://escalate.example.org"

func newWorker(t testing.TB, db *sqlstore.DB, s *smtpServer, name string, c *clock) *notify.Worker {
	t.Helper()
	m := newMailer(t, s)
	return &notify.Worker{Store: db, Mailer: m, Composer: notify.Composer{BaseURL: baseURL, Domain: m.Domain()},
		Name: name, Batch: 25, Interval: time.Millisecond, Now: c.Now}
}

// drain runs w until a batch claims nothing.
func drain(t *testing.T, w *notify.Worker) notify.Result {
	t.Helper()
	var total notify.Result
	for range 10000 {
		r, err := w.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		total.Claimed += r.Claimed
		total.Sent += r.Sent
		total.Failed += r.Failed
		total.Dead += r.Dead
		if r.Claimed == 0 {
			return total
		}
	}
	t.Fatal("the worker never went idle")
	return total
}

func TestWorkerSendsOutbox(t *testing.T) {
	db := openSQLite(t)
	w := newWorld(t, db)
	ctx := context.Background()
	e := w.raise(t, escalate.RiskImmediate)
	// A partnership-wide post: the Business Manager, wherever they sit.
	if _, err := db.EnqueueOutbox(ctx, escalate.ActionEscalate, e.ID, escalate.Recipient{Role: escalate.RoleBusinessManager},
		"escalated", map[string]any{"ref": e.Ref, "action": escalate.ActionEscalate}); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Outbox(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	s := startSMTP(t)
	res := drain(t, newWorker(t, db, s, "w1", newClock(testNow)))
	got := s.messages()
	if res.Sent != len(rows) || len(got) != len(rows) || res.Dead != 0 {
		t.Fatalf("sent %d (dead %d), server got %d, for %d outbox rows", res.Sent, res.Dead, len(got), len(rows))
	}

	var rcpts []string
	ids := map[string]bool{}
	for _, m := range got {
		rcpts = append(rcpts, m.Rcpt...)
		ids[m.MessageID] = true
		if !strings.Contains(m.Subject, e.Ref) {
			t.Errorf("subject %q does not name %s", m.Subject, e.Ref)
		}
		if !strings.Contains(m.Body, baseURL+"/escalations/"+e.Ref) {
			t.Errorf("body has no link to the escalation:\n%s", m.Body)
		}
		for _, secret := range []string{childRef, childInitials, childIssue, childRisk, "Referred to the front door"} {
			if strings.Contains(string(m.Raw), secret) || strings.Contains(m.Body, secret) {
				t.Errorf("message %s holds child data %q", m.MessageID, secret)
			}
		}
	}
	if len(ids) != len(got) {
		t.Errorf("%d messages but %d distinct Message-IDs", len(got), len(ids))
	}
	// The receiving practitioner hears of the raise, the school's manager
	// and DSL of the immediate risk, the Business Manager of the copy; the
	// raiser never hears of their own action.
	for _, want := range []string{"rprac@example.org", "mgr@example.org", "dsl@example.org", "bm@example.org"} {
		if !slices.Contains(rcpts, want) {
			t.Errorf("recipients %v lack %s", rcpts, want)
		}
	}
	if slices.Contains(rcpts, "prac@example.org") {
		t.Errorf("the raiser was told of their own raise: %v", rcpts)
	}
	// Sent rows are never sent again, even long after.
	w2 := newWorker(t, db, s, "w2", newClock(testNow.Add(48*time.Hour)))
	if r := drain(t, w2); r.Claimed != 0 || len(s.messages()) != len(got) {
		t.Fatalf("a second worker claimed %d and the server now has %d messages", r.Claimed, len(s.messages()))
	}
}

func TestWorkerDeadWhenNobody(t *testing.T) {
	db := openSQLite(t)
	w := newWorld(t, db)
	ctx := context.Background()
	id, err := db.EnqueueOutbox(ctx, escalate.ActionRaise, 0,
		escalate.Recipient{Role: escalate.RoleChair, AgencyID: w.ag["school"].ID}, "escalation-raised", map[string]any{"ref": "X"})
	if err != nil {
		t.Fatal(err)
	}
	s := startSMTP(t)
	res := drain(t, newWorker(t, db, s, "w", newClock(testNow)))
	if res.Dead != 1 || len(s.messages()) != 0 {
		t.Fatalf("result %+v, server got %d: want the row dead and nothing sent", res, len(s.messages()))
	}
	dead, err := db.DeadOutbox(ctx, w.p.ID)
	if err != nil || len(dead) != 1 || dead[0].ID != id || !strings.Contains(dead[0].LastError, "nobody") {
		t.Fatalf("DeadOutbox = %+v, %v", dead, err)
	}
}

// TestWorkerSMTPDown: with the mail server down, 200 notifications wait
// and back off; once it is back every one arrives exactly once.
func TestWorkerSMTPDown(t *testing.T) {
	db := openSQLite(t)
	w := newWorld(t, db)
	ctx := context.Background()
	for range 20 { // through the service: one row each (the receiving practitioner)
		w.raise(t, escalate.RiskStandard)
	}
	counts, err := db.OutboxStatusCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fromService := counts["pending"]
	if fromService < 20 {
		t.Fatalf("20 raises wrote %d outbox rows", fromService)
	}
	for i := fromService; i < 200; i++ {
		if _, err := db.EnqueueOutbox(ctx, escalate.ActionRecordAdd, 0, escalate.Recipient{User: w.users["rmgr"].ID},
			"record-added", map[string]any{"ref": fmt.Sprintf("T-%d", i)}); err != nil {
			t.Fatal(err)
		}
	}

	s := startSMTP(t)
	s.stop()
	c := newClock(testNow)
	wk := newWorker(t, db, s, "w", c)
	for round := range 3 {
		res := drain(t, wk)
		if res.Failed != 200 || res.Sent != 0 {
			t.Fatalf("round %d with the server down: %+v, want 200 failures", round, res)
		}
		c.Add(7 * time.Hour) // past the longest backoff
	}
	s.start()
	res := drain(t, wk)
	if res.Sent != 200 {
		t.Fatalf("with the server back: %+v, want 200 sent", res)
	}
	c.Add(7 * time.Hour)
	if r := drain(t, wk); r.Claimed != 0 {
		t.Fatalf("after all were sent a batch claimed %d", r.Claimed)
	}
	assertExactlyOnce(t, s.messages(), 200)
	if counts, _ := db.OutboxStatusCounts(ctx); counts["sent"] != 200 || len(counts) != 1 {
		t.Fatalf("outbox statuses %v, want 200 sent", counts)
	}
}

func assertExactlyOnce(t *testing.T, msgs []received, want int) {
	t.Helper()
	seen := map[string]int{}
	for _, m := range msgs {
		seen[m.MessageID]++
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("Message-ID %s arrived %d times", id, n)
		}
	}
	if len(msgs) != want || len(seen) != want {
		t.Fatalf("server got %d messages with %d distinct Message-IDs, want %d", len(msgs), len(seen), want)
	}
}

// TestWorkersConcurrentPostgres: three worker instances, each with its own
// connection pool, share 1,000 rows; each row is sent exactly once.
func TestWorkersConcurrentPostgres(t *testing.T) {
	dsn := postgresURL(t)
	db := openMigrated(t, dsn)
	w := newWorld(t, db)
	ctx := context.Background()
	for i := range 1000 {
		if _, err := db.EnqueueOutbox(ctx, escalate.ActionRecordAdd, 0, escalate.Recipient{User: w.users["rmgr"].ID},
			"record-added", map[string]any{"ref": fmt.Sprintf("T-%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	s := startSMTP(t)
	var wg sync.WaitGroup
	results := make([]notify.Result, 3)
	for i := range 3 {
		inst := openMigrated(t, dsn)
		wk := newWorker(t, inst, s, fmt.Sprintf("w%d", i), newClock(testNow))
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = drain(t, wk)
		}()
	}
	wg.Wait()
	total := 0
	for _, r := range results {
		total += r.Sent
	}
	if total != 1000 {
		t.Fatalf("workers sent %d in all (%+v), want 1000", total, results)
	}
	assertExactlyOnce(t, s.messages(), 1000)
}

func TestBackoff(t *testing.T) {
	for _, c := range []struct {
		attempt  int
		min, max time.Duration
	}{
		{1, time.Minute, 2 * time.Minute},
		{2, 2 * time.Minute, 4 * time.Minute},
		{5, 16 * time.Minute, 32 * time.Minute},
		{20, 3 * time.Hour, 6 * time.Hour},
	} {
		for range 50 {
			if d := notify.Backoff(c.attempt); d < c.min || d > c.max {
				t.Fatalf("Backoff(%d) = %v, want within [%v, %v]", c.attempt, d, c.min, c.max)
			}
		}
	}
}

// A worker whose sends are slow stops its batch before the lease lapses; the
// rest come back to the queue and are sent once.
func TestWorkerStopsBeforeLeaseLapses(t *testing.T) {
	db := openSQLite(t)
	w := newWorld(t, db)
	ctx := context.Background()
	for i := range 5 {
		if _, err := db.EnqueueOutbox(ctx, escalate.ActionRecordAdd, 0, escalate.Recipient{User: w.users["rmgr"].ID},
			"record-added", map[string]any{"ref": fmt.Sprintf("T-%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	s := startSMTP(t)
	c := newClock(testNow)
	wk := newWorker(t, db, s, "slow", c)
	// Every read of the clock is a quarter of a lease later.
	wk.Now = func() time.Time { c.Add(escalate.OutboxLease / 4); return c.Now() }
	res, err := wk.RunOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Claimed != 5 || res.Sent != 2 {
		t.Fatalf("slow batch: %+v, want 5 claimed and 2 sent before half the lease", res)
	}
	fast := newWorker(t, db, s, "fast", c)
	if r := drain(t, fast); r.Claimed != 0 {
		t.Fatalf("rows were claimable while the slow worker's lease held: %+v", r)
	}
	c.Add(escalate.OutboxLease)
	if r := drain(t, fast); r.Sent != 3 {
		t.Fatalf("after the lease lapsed: %+v, want the 3 unsent rows sent", r)
	}
	assertExactlyOnce(t, s.messages(), 5)
}
