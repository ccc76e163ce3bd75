package notify_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/notify"
)

// BenchmarkWorkerSQLite measures delivering one notification end to end on
// SQLite: claim, resolve, compose, one SMTP exchange on loopback, mark sent.
//
//	go test ./notify/ -run '^$' -bench BenchmarkWorkerSQLite -benchtime 500x -count 1
func BenchmarkWorkerSQLite(b *testing.B) {
	db := openSQLite(b)
	w := newWorld(b, db)
	ctx := context.Background()
	for i := range b.N {
		if _, err := db.EnqueueOutbox(ctx, escalate.ActionRecordAdd, 0, escalate.Recipient{User: w.users["rmgr"].ID},
			"record-added", map[string]any{"ref": fmt.Sprintf("T-%d", i)}); err != nil {
			b.Fatal(err)
		}
	}
	s := startSMTP(b)
	wk := newWorker(b, db, s, "bench", newClock(testNow))
	b.ResetTimer()
	sendAll(ctx, b, wk)
	b.StopTimer()
	if got := len(s.messages()); got != b.N {
		b.Fatalf("server got %d messages, want %d", got, b.N)
	}
}

// sendAll runs wk until it has sent b.N messages, failing if it falls idle
// before.
func sendAll(ctx context.Context, b *testing.B, wk *notify.Worker) {
	sent := 0
	for sent < b.N {
		r, err := wk.RunOnce(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if r.Claimed == 0 {
			b.Fatalf("idle after %d of %d", sent, b.N)
		}
		sent += r.Sent
	}
}
