package notify

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/escalate-project/escalate"
)

// ClockStore is what the Scheduler needs of the store: to write, each in one
// transaction with its outbox rows, the overdue prompts and reminders due
// at an instant, at most limit of each. *sqlstore.DB implements it.
type ClockStore interface {
	EnqueueOverdue(ctx context.Context, now time.Time, limit int) ([]escalate.ClockNotice, error)
	EnqueueReminders(ctx context.Context, now time.Time, limit int) ([]escalate.ClockNotice, error)
}

// DefaultBatch is how many notices of each kind a pass writes when
// Scheduler.Batch is not set.
const DefaultBatch = 200

// Scheduler turns running clocks into reminders and overdue prompts in the
// outbox (doc/notifications.md, "Reminders and overdue"). Several
// schedulers may run on one PostgreSQL database: the store writes each
// notice at most once, whichever instance gets there first.
type Scheduler struct {
	Store ClockStore
	// Now returns the current time; nil means time.Now. Tests inject it.
	Now func() time.Time
	// Batch bounds how many notices of each kind one pass writes, so that
	// after downtime the backlog drains over several passes, not at once.
	Batch int
	// Log receives pass failures; nil means slog.Default(). Only counts and
	// errors are logged, never who is told what.
	Log *slog.Logger
	// Observe, when set, is told how long each pass of Run took and how it
	// ended (metrics.Metrics.ObserveSchedulerPass fits).
	Observe func(took time.Duration, err error)
}

func (s *Scheduler) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Scheduler) batch() int {
	if s.Batch > 0 {
		return s.Batch
	}
	return DefaultBatch
}

// Tick makes one bounded pass at Now: overdue prompts first, as the more
// urgent, then reminders. It returns how many notices it wrote (each to one
// or more recipients).
func (s *Scheduler) Tick(ctx context.Context) (int, error) {
	now := s.now()
	overdue, err := s.Store.EnqueueOverdue(ctx, now, s.batch())
	if err != nil {
		return 0, err
	}
	reminders, err := s.Store.EnqueueReminders(ctx, now, s.batch())
	n := len(overdue) + len(reminders)
	if err != nil {
		return n, err
	}
	// Conference dissent clocks (doc/dissents.md) prompt like escalation
	// clocks, where the store keeps dissents.
	if ds, ok := s.Store.(DissentClockStore); ok {
		m, err := ds.EnqueueDissentNotices(ctx, now, s.batch())
		n += m
		if err != nil {
			return n, err
		}
	}
	// A policy's review date reminds the Business Manager (a few
	// partnerships: no batch).
	if ps, ok := s.Store.(PolicyReviewStore); ok {
		m, err := ps.EnqueuePolicyReviews(ctx, now)
		return n + len(m), err
	}
	return n, nil
}

// PolicyReviewStore is a ClockStore that also reminds Business Managers of
// their policy's review date: *sqlstore.DB.
type PolicyReviewStore interface {
	EnqueuePolicyReviews(ctx context.Context, now time.Time) ([]escalate.PolicyReviewNotice, error)
}

// DissentClockStore is a ClockStore that also keeps conference dissents'
// clocks: *sqlstore.DB.
type DissentClockStore interface {
	EnqueueDissentNotices(ctx context.Context, now time.Time, limit int) (int, error)
}

// Run ticks at once and then every interval until ctx ends, and returns
// ctx's error. A failed pass is logged and the next one tries again: the
// notices it did not write are still due.
func (s *Scheduler) Run(ctx context.Context, interval time.Duration) error {
	if interval <= 0 {
		return errors.New("notify: scheduler interval must be positive")
	}
	log := s.Log
	if log == nil {
		log = slog.Default()
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		start := time.Now()
		n, err := s.Tick(ctx)
		if err != nil && ctx.Err() == nil {
			log.Error("scheduler pass failed", "err", err, "notices", n)
		}
		if s.Observe != nil && ctx.Err() == nil {
			s.Observe(time.Since(start), err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}
