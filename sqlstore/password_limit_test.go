package sqlstore

import (
	"context"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
)

func TestHashLimit(t *testing.T) {
	defer SetHashLimit(DefaultHashSlots, DefaultHashQueue)
	defer func(w time.Duration) { HashWait = w }(HashWait)
	ctx := context.Background()

	t.Run("FullAnswersUnavailable", func(t *testing.T) {
		SetHashLimit(2, 0)
		var releases []func()
		for range 2 {
			r, err := acquireHash(ctx)
			if err != nil {
				t.Fatal(err)
			}
			releases = append(releases, r)
		}
		_, err := HashPasswordLimited(ctx, "a long enough passphrase")
		if escalate.ErrorCode(err) != escalate.EUNAVAILABLE || escalate.RetryAfter(err) <= 0 {
			t.Fatalf("with every slot taken and no queue: %v, want EUNAVAILABLE with a Retry-After", err)
		}
		releases[0]()
		if _, err := HashPasswordLimited(ctx, "a long enough passphrase"); err != nil {
			t.Fatalf("with a slot free: %v", err)
		}
		releases[1]()
	})
	t.Run("QueueWaitsThenTimesOut", func(t *testing.T) {
		SetHashLimit(1, 1)
		HashWait = 50 * time.Millisecond
		release, err := acquireHash(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// One waits in the queue; the next finds the queue full at once.
		done := make(chan error, 1)
		go func() { _, err := HashPasswordLimited(ctx, "x"); done <- err }()
		for {
			if len(hashLimit.queue) == 1 {
				break
			}
			time.Sleep(time.Millisecond)
		}
		if _, err := HashPasswordLimited(ctx, "y"); escalate.ErrorCode(err) != escalate.EUNAVAILABLE {
			t.Errorf("queue full: %v, want EUNAVAILABLE", err)
		}
		if err := <-done; escalate.ErrorCode(err) != escalate.EUNAVAILABLE {
			t.Errorf("waited past HashWait: %v, want EUNAVAILABLE", err)
		}
		release()
	})
	t.Run("QueuedGetsSlot", func(t *testing.T) {
		SetHashLimit(1, 4)
		HashWait = 10 * time.Second
		release, err := acquireHash(ctx)
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { _, err := HashPasswordLimited(ctx, "a long enough passphrase"); done <- err }()
		for len(hashLimit.queue) == 0 {
			time.Sleep(time.Millisecond)
		}
		release()
		if err := <-done; err != nil {
			t.Errorf("queued hash: %v", err)
		}
	})
	t.Run("SignInBusy", func(t *testing.T) {
		forEachEngine(t, func(t *testing.T, db *DB) {
			f := newSessFixture(t, db)
			f.user(t, "busy@example.org", sessPW)
			SetHashLimit(1, 0)
			release, err := acquireHash(ctx)
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = f.s.SignIn(ctx, "busy@example.org", sessPW, "192.0.2.1", "")
			release()
			if escalate.ErrorCode(err) != escalate.EUNAVAILABLE {
				t.Fatalf("SignIn with no slot: %v, want EUNAVAILABLE", err)
			}
			// Busy is not a failure: it counts against no one.
			var n int
			if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sign_in_failures`).Scan(&n); err != nil || n != 0 {
				t.Errorf("%d failures recorded (err %v), want 0", n, err)
			}
			if _, _, err := f.s.SignIn(ctx, "busy@example.org", sessPW, "192.0.2.1", ""); err != nil {
				t.Fatalf("SignIn with a slot: %v", err)
			}
		})
	})
}
