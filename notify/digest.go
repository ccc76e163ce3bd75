package notify

import (
	"context"
	"time"

	"github.com/escalate-project/escalate"
)

// DigestStore is what the DigestPass needs of the store: to write today's
// daily digests due at an instant, at most limit, each with its outbox row
// and its day marked sent in one transaction. *sqlstore.DB implements it.
type DigestStore interface {
	EnqueueDigests(ctx context.Context, now time.Time, limit int) (int, error)
}

// DigestPass writes the optional daily digest (doc/notifications.md,
// "Calendar feed and daily digest"): from 08:00 London on each working day
// of a user's partnership calendar, one outbox row per opted-in user with
// something waiting on them, never twice a day.
type DigestPass struct {
	Store DigestStore
	// Now returns the current time; nil means time.Now. Tests inject it.
	Now func() time.Time
	// Batch bounds how many users one pass handles; the rest wait for the
	// next pass. Zero means DefaultBatch.
	Batch int
}

// Tick makes one bounded pass at Now and returns how many digests it wrote.
func (p *DigestPass) Tick(ctx context.Context) (int, error) {
	now := time.Now()
	if p.Now != nil {
		now = p.Now()
	}
	return p.tickAt(ctx, now)
}

func (p *DigestPass) tickAt(ctx context.Context, now time.Time) (int, error) {
	b := p.Batch
	if b <= 0 {
		b = DefaultBatch
	}
	return p.Store.EnqueueDigests(ctx, now, b)
}

// WithDigest returns store with the digest pass d run after each reminders
// pass, at the same instant, so that a Scheduler over it writes the digests
// too without a loop of its own. A failed digest pass fails the scheduler's
// pass, which logs it and tries again at the next.
func WithDigest(store ClockStore, d *DigestPass) ClockStore {
	return digestClockStore{ClockStore: store, digest: d}
}

type digestClockStore struct {
	ClockStore
	digest *DigestPass
}

func (s digestClockStore) EnqueueReminders(ctx context.Context, now time.Time, limit int) ([]escalate.ClockNotice, error) {
	out, err := s.ClockStore.EnqueueReminders(ctx, now, limit)
	if err != nil {
		return out, err
	}
	_, err = s.digest.tickAt(ctx, now)
	return out, err
}
