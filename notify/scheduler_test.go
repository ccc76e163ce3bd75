package notify_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/notify"
	"github.com/escalate-project/escalate/sqlstore"
)

// schedulerNow is when the generated history ends: a Tuesday morning.
var schedulerNow = time.Date(2026, time.May, 19, 9, 30, 0, 0, time.UTC)

// mustScaleDB returns a SQLite database holding a small generated history
// that ends at schedulerNow with open escalations, some clocks overdue and
// some due soon.
func mustScaleDB(t *testing.T) *sqlstore.DB {
	t.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "escalate.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	db.Now = func() time.Time { return schedulerNow }
	if _, err := db.GenerateScale(ctx, sqlstore.ScaleOptions{Escalations: 400, EventsPer: 4, Years: 1, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	return db
}

// recording passes every call to the real store and keeps what it wrote.
type recording struct {
	notify.ClockStore
	mu      sync.Mutex
	passes  int
	nows    []time.Time
	written map[string]int // kind/ref/clock → times written
	onPass  func(n int)
}

func (r *recording) keep(now time.Time, ns []escalate.ClockNotice) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.nows = append(r.nows, now)
	for _, n := range ns {
		r.written[fmt.Sprintf("%s/%s/%d", n.Kind, n.Ref, n.ClockID)]++
	}
}

func (r *recording) EnqueueOverdue(ctx context.Context, now time.Time, limit int) ([]escalate.ClockNotice, error) {
	ns, err := r.ClockStore.EnqueueOverdue(ctx, now, limit)
	r.keep(now, ns)
	return ns, err
}

func (r *recording) EnqueueReminders(ctx context.Context, now time.Time, limit int) ([]escalate.ClockNotice, error) {
	ns, err := r.ClockStore.EnqueueReminders(ctx, now, limit)
	r.keep(now, ns)
	r.mu.Lock()
	r.passes++
	p, on := r.passes, r.onPass
	r.mu.Unlock()
	if on != nil {
		on(p)
	}
	return ns, err
}

func TestSchedulerTick(t *testing.T) {
	ctx := context.Background()
	db := mustScaleDB(t)
	overdue, err := db.OverdueClocks(ctx, schedulerNow, 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	if len(overdue) < 5 {
		t.Fatalf("the generated history has %d overdue clocks; the test needs a backlog", len(overdue))
	}
	rec := &recording{ClockStore: db, written: map[string]int{}}
	s := notify.Scheduler{Store: rec, Now: func() time.Time { return schedulerNow }, Batch: 3}
	total := 0
	for pass := 0; ; pass++ {
		if pass > len(overdue) {
			t.Fatal("the scheduler never caught up")
		}
		n, err := s.Tick(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n > 2*s.Batch {
			t.Fatalf("one pass wrote %d notices, want at most %d", n, 2*s.Batch)
		}
		if n == 0 {
			break
		}
		total += n
	}
	overdueWritten := 0
	for k, n := range rec.written {
		if n != 1 {
			t.Fatalf("%s written %d times", k, n)
		}
		if strings.HasPrefix(k, sqlstore.NoticeOverdue+"/") {
			overdueWritten++
		}
	}
	if overdueWritten != len(overdue) {
		t.Fatalf("overdue prompts = %d, want one for each of the %d overdue clocks", overdueWritten, len(overdue))
	}
	t.Logf("%d overdue prompts and %d reminders", overdueWritten, total-overdueWritten)
	if overdueWritten == total {
		t.Fatal("no reminder was written: the history has no clock due soon")
	}
	if len(rec.written) != total {
		t.Fatalf("Tick reported %d notices, the store wrote %d", total, len(rec.written))
	}
	for _, now := range rec.nows {
		if !now.Equal(schedulerNow) {
			t.Fatalf("the store was asked at %v, want the injected %v", now, schedulerNow)
		}
	}
}

func TestSchedulerRun(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		db := mustScaleDB(t)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		rec := &recording{ClockStore: db, written: map[string]int{}}
		rec.onPass = func(p int) {
			if p == 3 {
				cancel()
			}
		}
		s := notify.Scheduler{Store: rec, Now: func() time.Time { return schedulerNow }, Batch: 2}
		err := s.Run(ctx, time.Millisecond)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Run = %v, want context.Canceled", err)
		}
		if rec.passes != 3 {
			t.Fatalf("passes = %d, want 3 (Run stops when its context ends)", rec.passes)
		}
		if len(rec.written) == 0 {
			t.Fatal("Run wrote nothing over a backlog")
		}
	})
	t.Run("ErrInterval", func(t *testing.T) {
		s := notify.Scheduler{}
		if err := s.Run(context.Background(), 0); err == nil {
			t.Fatal("Run with interval 0 succeeded")
		}
	})
}
