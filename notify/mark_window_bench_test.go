package notify_test

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/notify"
	"github.com/escalate-project/escalate/sqlstore"
)

// BenchmarkMarkWindow measures the at-least-once window of the worker: the
// time from the mail server accepting a message (its DATA handler returning,
// before it answers 250) to the worker's mark of the row as sent being safe
// from a kill of the process, as a share of the time a whole message takes.
// A kill drawn evenly in time duplicates a message about that often
// (TestWorkerCrash in cmd/escalate measures that directly).
//
//	go test ./notify/ -run '^$' -bench BenchmarkMarkWindow -benchtime 1000x -count 3
//
// It reports accept→send (the server's 250 reaching the worker, Send
// returning), send→mark (the mark, from Send's return to Commit's) and
// window/msg (their sum over a whole message's time). sqlite-writers has
// another goroutine commit a write transaction every millisecond, as the
// web app does beside the sender in escalate serve. On PostgreSQL Commit
// returns once the server has answered the COMMIT, but the mark is safe as
// soon as the COMMIT has been written to the socket (the server commits it
// even if the worker dies), so there send→mark overstates the window.
func BenchmarkMarkWindow(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { markWindow(b, openSQLite(b), false) })
	b.Run("sqlite-writers", func(b *testing.B) { markWindow(b, openSQLite(b), true) })
	b.Run("postgres", func(b *testing.B) { markWindow(b, openMigrated(b, postgresURL(b)), false) })
}

// timedStore times each mark's Commit.
type timedStore struct {
	*sqlstore.DB
	mu        sync.Mutex
	returned  map[string]time.Time // Send returned, by Message-ID
	committed map[string]time.Time // Commit returned
	domain    string
}

type timedMark struct {
	escalate.SentMark
	s   *timedStore
	mid string
}

func (m timedMark) Commit() error {
	err := m.SentMark.Commit()
	now := time.Now()
	m.s.mu.Lock()
	m.s.committed[m.mid] = now
	m.s.mu.Unlock()
	return err
}

func (s *timedStore) PrepareMarkSent(ctx context.Context, id int64, messageID string) (escalate.SentMark, error) {
	m, err := s.DB.PrepareMarkSent(ctx, id, messageID)
	if err != nil {
		return nil, err
	}
	return timedMark{m, s, messageID}, nil
}

type timedMailer struct {
	notify.Mailer
	s *timedStore
}

func (m timedMailer) Send(ctx context.Context, e *notify.Email) error {
	err := m.Mailer.Send(ctx, e)
	now := time.Now()
	m.s.mu.Lock()
	m.s.returned[e.MessageID] = now
	m.s.mu.Unlock()
	return err
}

func markWindow(b *testing.B, db *sqlstore.DB, writers bool) {
	w := newWorld(b, db)
	ctx := context.Background()
	if writers {
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			for {
				select {
				case <-stop:
					return
				case <-time.After(time.Millisecond):
				}
				db.WithTx(ctx, func(tx *sqlstore.Tx) error {
					_, err := tx.ExecContext(ctx, `UPDATE partnerships SET name = name WHERE id = $1`, w.p.ID)
					return err
				})
			}
		}()
		defer func() { close(stop); <-done }()
	}
	for i := range b.N {
		if _, err := db.EnqueueOutbox(ctx, escalate.ActionRecordAdd, 0, escalate.Recipient{User: w.users["rmgr"].ID},
			"record-added", map[string]any{"ref": fmt.Sprintf("T-%d", i)}); err != nil {
			b.Fatal(err)
		}
	}
	s := startSMTP(b)
	ts := &timedStore{DB: db, returned: map[string]time.Time{}, committed: map[string]time.Time{}}
	wk := newWorker(b, db, s, "bench", newClock(testNow))
	wk.Store = ts
	wk.Mailer = timedMailer{wk.Mailer, ts}
	b.ResetTimer()
	sendAll(ctx, b, wk)
	b.StopTimer()
	msgs := s.messages()
	if len(msgs) != b.N {
		b.Fatalf("server got %d messages, want %d", len(msgs), b.N)
	}
	var toSend, toMark, window []float64
	for _, m := range msgs {
		r, c := ts.returned[m.MessageID], ts.committed[m.MessageID]
		if r.IsZero() || c.IsZero() {
			b.Fatalf("message %s: no times", m.MessageID)
		}
		toSend = append(toSend, float64(r.Sub(m.At).Microseconds()))
		toMark = append(toMark, float64(c.Sub(r).Microseconds()))
		window = append(window, float64(c.Sub(m.At).Microseconds()))
	}
	perMsg := float64(b.Elapsed().Microseconds()) / float64(b.N)
	b.ReportMetric(mean(toSend), "µs-accept→send")
	b.ReportMetric(mean(toMark), "µs-send→mark")
	b.ReportMetric(quantile(window, 0.5), "µs-window-p50")
	b.ReportMetric(quantile(window, 0.99), "µs-window-p99")
	b.ReportMetric(mean(window)/perMsg, "window/msg")
}

func mean(xs []float64) float64 {
	t := 0.0
	for _, x := range xs {
		t += x
	}
	return t / float64(len(xs))
}

func quantile(xs []float64, q float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[int(q*float64(len(s)-1))]
}
