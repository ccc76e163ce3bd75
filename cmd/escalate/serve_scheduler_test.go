package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate/demo"
	"github.com/escalate-project/escalate/sqlstore"
)

// seedOverdueDemo returns a migrated SQLite file seeded with the demo, and
// the escalations whose clocks have lapsed.
func seedOverdueDemo(t *testing.T) (path string, overdue map[int64]bool) {
	t.Helper()
	path = newMigratedDB(t)
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := demo.Seed(ctx, db, time.Now(), demo.NewPassword()); err != nil {
		t.Fatal(err)
	}
	ds, err := db.OverdueClocks(ctx, time.Now(), 1000)
	if err != nil || len(ds) == 0 {
		t.Fatalf("the demo has %d overdue clocks (%v); the test needs some", len(ds), err)
	}
	overdue = map[int64]bool{}
	for _, d := range ds {
		overdue[d.EscalationID] = true
	}
	if got := prompted(t, path, overdue); len(got) != 0 {
		t.Fatalf("the seed already has overdue prompts for %v; the test needs none", got)
	}
	return path, overdue
}

// prompted returns those of ids that have a clock.overdue outbox row.
func prompted(t *testing.T, path string, ids map[int64]bool) map[int64]bool {
	t.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got := map[int64]bool{}
	for id := range ids {
		msgs, err := db.Outbox(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			if m.Kind == "clock.overdue" {
				got[id] = true
			}
		}
	}
	return got
}

// TestServeSchedulerWithoutSMTP: escalate serve with no SMTP settings still
// puts the overdue prompts in the outbox, which in-app notifications read.
func TestServeSchedulerWithoutSMTP(t *testing.T) {
	path, overdue := seedOverdueDemo(t)
	_, logs, stop := startServe(t, map[string]string{"ESCALATE_DB": path, "ESCALATE_SECURE_COOKIES": "0"}, "--addr", "127.0.0.1:0")
	deadline := time.Now().Add(30 * time.Second)
	var got map[int64]bool
	for {
		if got = prompted(t, path, overdue); len(got) == len(overdue) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 30s, %d of %d overdue escalations have a clock.overdue outbox row\n%s", len(got), len(overdue), logs)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if code := stop(); code != 0 {
		t.Fatalf("serve exited %d:\n%s", code, logs)
	}
	if n := strings.Count(logs.String(), `"msg":"scheduler started"`); n != 1 {
		t.Errorf("serve started the scheduler %d times, want once:\n%s", n, logs)
	}
}

// TestServeNoScheduler: --no-scheduler (or ESCALATE_NO_SCHEDULER=1) runs the
// web app without the scheduler, so nothing is enqueued.
func TestServeNoScheduler(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
	}{
		{"Flag", nil, []string{"--no-scheduler"}},
		{"Env", map[string]string{"ESCALATE_NO_SCHEDULER": "1"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path, overdue := seedOverdueDemo(t)
			env := map[string]string{"ESCALATE_DB": path, "ESCALATE_SECURE_COOKIES": "0"}
			for k, v := range tc.env {
				env[k] = v
			}
			_, logs, stop := startServe(t, env, append([]string{"--addr", "127.0.0.1:0"}, tc.args...)...)
			// stop waits for everything serve started, so had a scheduler
			// run, its first pass would show now.
			if code := stop(); code != 0 {
				t.Fatalf("serve exited %d:\n%s", code, logs)
			}
			if strings.Contains(logs.String(), "scheduler started") {
				t.Errorf("the scheduler started:\n%s", logs)
			}
			if got := prompted(t, path, overdue); len(got) != 0 {
				t.Errorf("overdue prompts were enqueued for %v", got)
			}
		})
	}
}

// TestServeSchedulerWithSMTP: with --smtp-host serve also sends, but still
// runs one scheduler, not one for the app and one for the sender.
func TestServeSchedulerWithSMTP(t *testing.T) {
	path, overdue := seedOverdueDemo(t)
	_, logs, stop := startServe(t, map[string]string{"ESCALATE_DB": path, "ESCALATE_SECURE_COOKIES": "0"},
		"--addr", "127.0.0.1:0", "--smtp-host", "127.0.0.1", "--smtp-port", "1", "--smtp-tls", "none",
		"--from", "Escalate <escalate@example.org>", "--base-url", "https://escalate.example.org")
	deadline := time.Now().Add(30 * time.Second)
	for len(prompted(t, path, overdue)) != len(overdue) {
		if time.Now().After(deadline) {
			t.Fatalf("after 30s not every overdue escalation has a clock.overdue outbox row\n%s", logs)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if code := stop(); code != 0 {
		t.Fatalf("serve exited %d:\n%s", code, logs)
	}
	out := logs.String()
	if !strings.Contains(out, `"msg":"outbox worker started"`) {
		t.Errorf("the sender did not start:\n%s", out)
	}
	if n := strings.Count(out, `"msg":"scheduler started"`); n != 1 {
		t.Errorf("serve started the scheduler %d times, want once:\n%s", n, out)
	}
}
