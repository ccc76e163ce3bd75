package notify_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
	"github.com/escalate-project/escalate/notify"
)

// TestDigestThroughScheduler runs the daily digest the way the worker does
// (a Scheduler over notify.WithDigest) on a real SQLite file, and sends it
// to a real SMTP server on loopback.
func TestDigestThroughScheduler(t *testing.T) {
	ctx := context.Background()
	db := openSQLite(t)
	raised := time.Date(2026, 12, 23, 10, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return raised }
	w := newWorld(t, db)
	w.raise(t, escalate.RiskStandard)           // the raiser says they dealt with rprac
	for _, k := range []string{"rprac", "bm"} { // bm has nothing waiting
		if err := db.SetDigest(escalate.NewContextWithUser(ctx, w.users[k]), true); err != nil {
			t.Fatal(err)
		}
	}
	var now time.Time
	at := func(s string) {
		var err error
		if now, err = time.ParseInLocation("2006-01-02 15:04", s, calendar.London); err != nil {
			t.Fatal(err)
		}
	}
	clock := func() time.Time { return now }
	sched := &notify.Scheduler{Store: notify.WithDigest(db, &notify.DigestPass{Store: db}), Now: clock}
	digests := func() int {
		t.Helper()
		var n int
		all, err := db.Outbox(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range all {
			if m.SubjectKey == "daily-digest" {
				n++
			}
		}
		return n
	}
	for _, step := range []struct {
		at   string
		want int
	}{
		{"2026-12-23 07:30", 0}, // a working day, before 08:00
		{"2026-12-26 08:00", 0}, // Saturday (and Boxing Day)
		{"2026-12-28 08:00", 0}, // the Boxing Day substitute bank holiday
		{"2026-12-29 08:00", 1},
		{"2026-12-29 16:00", 1}, // never twice a day
	} {
		at(step.at)
		if _, err := sched.Tick(ctx); err != nil {
			t.Fatalf("%s: %v", step.at, err)
		}
		if got := digests(); got != step.want {
			t.Errorf("after the pass at %s: %d digests, want %d", step.at, got, step.want)
		}
	}
	// DigestPass on its own, the next working day.
	at("2026-12-30 09:15")
	if n, err := (&notify.DigestPass{Store: db, Now: clock}).Tick(ctx); err != nil || n != 1 {
		t.Errorf("DigestPass.Tick on Wednesday: %d, %v; want 1", n, err)
	}

	srv := startSMTP(t)
	c := newClock(now.Add(time.Minute))
	r := drain(t, newWorker(t, db, srv, "w1", c))
	if r.Sent < 2 {
		t.Fatalf("sent %d, want at least the 2 digests", r.Sent)
	}
	var got []received
	for _, m := range srv.messages() {
		if strings.Contains(m.Subject, "daily digest") {
			got = append(got, m)
		}
	}
	if len(got) != 2 {
		t.Fatalf("%d digest emails arrived, want 2", len(got))
	}
	for _, m := range got {
		if len(m.Rcpt) != 1 || m.Rcpt[0] != "rprac@example.org" {
			t.Errorf("digest to %v, want rprac@example.org only", m.Rcpt)
		}
		for _, bad := range []string{childRef, childInitials, childIssue, childRisk, "%!"} {
			if strings.Contains(m.Subject+m.Body, bad) {
				t.Errorf("the digest email holds %q:\n%s\n%s", bad, m.Subject, m.Body)
			}
		}
		if m.Subject != "Your daily digest: escalations that need you" {
			t.Errorf("subject %q", m.Subject)
		}
		if !strings.Contains(m.Body, "The deadline is ") {
			t.Errorf("the digest does not give the soonest deadline:\n%s", m.Body)
		}
	}
}
