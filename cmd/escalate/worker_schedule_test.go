package main

import (
	"context"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/escalate-project/escalate/demo"
	"github.com/escalate-project/escalate/sqlstore"
)

// TestWorkerSendsOverdue: escalate worker --once finds the demo's lapsed
// clocks, puts one overdue prompt each in the outbox and mails it, and a
// second run sends no prompt again.
func TestWorkerSendsOverdue(t *testing.T) {
	path := newMigratedDB(t)
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Seed(ctx, db, time.Now(), demo.NewPassword()); err != nil {
		t.Fatal(err)
	}
	overdue, err := db.OverdueClocks(ctx, time.Now(), 1000)
	if err != nil || len(overdue) == 0 {
		t.Fatalf("the demo has %d overdue clocks (%v); the test needs some", len(overdue), err)
	}
	db.Close()

	var mu sync.Mutex
	subjects := map[string]int{}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := smtp.NewServer(cliBackend(func(to []string, d string) {
		mu.Lock()
		defer mu.Unlock()
		for _, line := range strings.Split(d, "\r\n") {
			if s, ok := strings.CutPrefix(line, "Subject: "); ok {
				subjects[s]++
			}
		}
	}))
	srv.Domain = "localhost"
	go srv.Serve(l)
	t.Cleanup(func() { l.Close(); srv.Close() })
	args := []string{"worker", "--once", "--smtp-host", "127.0.0.1", "--smtp-port", strconv.Itoa(l.Addr().(*net.TCPAddr).Port),
		"--smtp-tls", "none", "--from", "Escalate <escalate@example.org>", "--base-url", "https://escalate.example.org"}

	mustRun(t, path, args...)
	count := func() (n int) {
		mu.Lock()
		defer mu.Unlock()
		for s, k := range subjects {
			if strings.HasPrefix(s, "Overdue: ") {
				n += k
			}
		}
		return n
	}
	first := count()
	if first < len(overdue) {
		t.Fatalf("got %d overdue emails for %d overdue clocks; subjects: %v", first, len(overdue), subjects)
	}
	mustRun(t, path, args...)
	if again := count(); again != first {
		t.Errorf("a second run sent %d more overdue emails; each prompt is sent once", again-first)
	}
}
