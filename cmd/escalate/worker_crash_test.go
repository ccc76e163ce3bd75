package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"os"
	"regexp"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/policy"
	"github.com/escalate-project/escalate/sqlstore"
)

// TestWorkerCrash kills escalate worker processes with SIGKILL while they
// send a full outbox to a real SMTP server on loopback, 20 times per
// engine, each at a moment drawn evenly from the 150 ms after the worker's
// first message, then lets a last worker finish. Nothing may be lost: every
// notification reaches the server and ends marked sent. A kill may cause
// a duplicate (the same Message-ID twice) only when it lands between the
// server accepting a message and the worker marking it sent, so there can
// be at most one per kill; the test reports how many there were.
//
//	go test ./cmd/escalate -run '^TestWorkerCrash$' -v
//
// ESCALATE_CRASH_SEED=<seed> replays a run's kill points.
func TestWorkerCrash(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) { workerCrash(t, engine) })
	}
}

// Bounds of TestWorkerCrash: it always stops by itself.
const (
	workerCrashRows   = 3000
	workerCrashKills  = 20
	workerCrashLease  = 2 * time.Second
	workerCrashRound  = 10 * time.Second // a round kills its worker by then whatever happened
	workerCrashFinish = 60 * time.Second // the last worker's limit
)

// mailCounter is a go-smtp backend that counts the messages it accepts by
// Message-ID.
type mailCounter struct {
	mu    sync.Mutex
	byID  map[string]int
	total int
}

var messageIDHeader = regexp.MustCompile(`(?m)^Message-ID: <([^>]+)>`)

func (c *mailCounter) got(_ []string, data string) {
	m := messageIDHeader.FindStringSubmatch(data)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.total++
	if m != nil {
		c.byID[m[1]]++
	}
}

func (c *mailCounter) count() int { c.mu.Lock(); defer c.mu.Unlock(); return c.total }

func workerCrash(t *testing.T, engine string) {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("ESCALATE_CRASH_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("seed %d (replay with ESCALATE_CRASH_SEED=%d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))

	dsn := newMigratedDB(t)
	if engine == "postgres" {
		dsn = newEmptyPostgres(t, "escalate_mailcrash")
		mustRun(t, dsn, "migrate")
	}
	ids := seedOutbox(t, dsn, workerCrashRows)

	counter := &mailCounter{byID: map[string]int{}}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := smtp.NewServer(cliBackend(counter.got))
	srv.Domain = "localhost"
	srv.ErrorLog = log.New(io.Discard, "", 0) // every kill resets a connection
	go srv.Serve(l)
	t.Cleanup(func() { l.Close(); srv.Close() })
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	args := []string{"worker", "--db", dsn, "--smtp-host", "127.0.0.1", "--smtp-port", port, "--smtp-tls", "none",
		"--from", "Escalate <escalate@example.org>", "--base-url", "https://escalate.example.org",
		"--lease", workerCrashLease.String(), "--interval", "100ms"}

	start := time.Now()
	for kill := 1; kill <= workerCrashKills; kill++ {
		before := counter.count()
		in := startInstanceAsync(t, nil, args...)
		deadline := time.Now().Add(workerCrashRound)
		for counter.count() == before && time.Now().Before(deadline) {
			time.Sleep(200 * time.Microsecond)
		}
		// Then kill at a moment drawn evenly from the next 150 ms, which
		// lands anywhere in a connection, an exchange or a mark.
		time.Sleep(time.Duration(rng.IntN(150_000)) * time.Microsecond)
		in.cmd.Process.Signal(syscall.SIGKILL)
		<-in.done
		if counter.count() == before {
			t.Fatalf("kill %d: the worker sent nothing in %v:\n%s", kill, workerCrashRound, in.logs.String())
		}
	}
	killed := time.Since(start)
	// The last kill's claims come back when their lease lapses; a worker
	// that runs to the end then sends everything left.
	time.Sleep(workerCrashLease)
	finish, cancel := context.WithTimeout(context.Background(), workerCrashFinish)
	defer cancel()
	for finish.Err() == nil {
		out := mustRun(t, dsn, append(args[:len(args)-2], "--once")...)
		if pending := outboxPending(t, dsn); pending == 0 {
			break
		} else {
			t.Logf("after the kills: %s%d still pending (claimed by a killed worker)", out, pending)
			time.Sleep(workerCrashLease / 2)
		}
	}

	counter.mu.Lock()
	defer counter.mu.Unlock()
	dups, lost := 0, 0
	for _, id := range ids {
		n := counter.byID[fmt.Sprintf("escalate-outbox-%d@example.org", id)]
		if n == 0 {
			lost++
		}
		if n > 1 {
			dups += n - 1
		}
	}
	t.Logf("%s: %d notifications, %d kills in %v: %d received, %d duplicates (%.2f per kill), %d lost",
		engine, len(ids), workerCrashKills, killed.Round(time.Millisecond), counter.total, dups,
		float64(dups)/workerCrashKills, lost)
	if lost != 0 {
		t.Errorf("%d notifications never reached the server", lost)
	}
	if dups > workerCrashKills {
		t.Errorf("%d duplicates in %d kills: a kill can duplicate at most the one message in flight", dups, workerCrashKills)
	}
	if pending := outboxPending(t, dsn); pending != 0 {
		t.Errorf("%d notifications are still not marked sent", pending)
	}
}

// seedOutbox adds a partnership, a user (Ann, ann@example.org) and n
// pending notifications to her, about REDBRIDGE-2026-0007 onwards, and
// returns their outbox ids.
func seedOutbox(t *testing.T, dsn string, n int) []int64 {
	t.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	raw, _ := policy.PackSource("redbridge")
	pol, _ := policy.Pack("redbridge")
	p := &escalate.Partnership{Key: "redbridge", Name: "Redbridge"}
	if err := db.CreatePartnership(ctx, p, pol, raw); err != nil {
		t.Fatal(err)
	}
	a := &escalate.Agency{PartnershipID: p.ID, Name: "School", Kind: "school"}
	if err := db.CreateAgency(ctx, a); err != nil {
		t.Fatal(err)
	}
	u := &escalate.User{PartnershipID: p.ID, AgencyID: a.ID, Name: "Ann", Email: "ann@example.org",
		Roles: []escalate.Role{escalate.RoleManager}}
	if err := db.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	ids := make([]int64, n)
	for i := range ids {
		if ids[i], err = db.EnqueueOutbox(ctx, escalate.ActionRecordAdd, 0, escalate.Recipient{User: u.ID}, "record-added",
			map[string]any{"ref": fmt.Sprintf("REDBRIDGE-2026-%04d", i+7)}); err != nil {
			t.Fatal(err)
		}
	}
	return ids
}

// outboxPending is how many outbox rows are not yet sent (or dead).
func outboxPending(t *testing.T, dsn string) int {
	t.Helper()
	db, err := sqlstore.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	counts, err := db.OutboxStatusCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return counts["pending"]
}
