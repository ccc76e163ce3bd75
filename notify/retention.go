package notify

import (
	"context"
	"log/slog"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
)

// The daily retention job (doc/privacy.md): once a London day, from 02:00,
// the scheduler's pass also erases what every partnership keeps past its
// retention periods, unless a legal hold stands.

// RetentionStore runs the retention job: *sqlstore.DB.
type RetentionStore interface {
	RunRetention(ctx context.Context, opt escalate.RetentionOptions) (*escalate.RetentionRun, error)
}

// RetentionHour is the London hour from which the day's run is due.
const RetentionHour = 2

// RetentionPass runs the retention job at most once per London day.
type RetentionPass struct {
	Store RetentionStore
	Log   *slog.Logger // nil for slog.Default()
	last  calendar.Date
}

// tickAt runs the job if today's run, from RetentionHour, has not been made
// by this pass. A failed run is tried again at the next pass.
func (p *RetentionPass) tickAt(ctx context.Context, now time.Time) error {
	today := calendar.DateOf(now)
	if today == p.last || now.In(calendar.London).Hour() < RetentionHour {
		return nil
	}
	// No user and no console name: the store's audit actor is "system".
	run, err := p.Store.RunRetention(ctx, escalate.RetentionOptions{})
	if err != nil {
		return err
	}
	p.last = today
	erased, held := 0, 0
	for _, it := range run.Items {
		if it.Held {
			held++
		} else {
			erased++
		}
	}
	log := p.Log
	if log == nil {
		log = slog.Default()
	}
	log.Info("retention job ran", "erased", erased, "newly_held", held)
	return nil
}

// WithRetention returns store with the retention pass r run after each
// overdue pass, at the same instant, so that a Scheduler over it runs the
// daily job without a loop of its own. Dissent notices still go through.
func WithRetention(store ClockStore, r *RetentionPass) ClockStore {
	return retentionClockStore{ClockStore: store, retention: r}
}

type retentionClockStore struct {
	ClockStore
	retention *RetentionPass
}

func (s retentionClockStore) EnqueueOverdue(ctx context.Context, now time.Time, limit int) ([]escalate.ClockNotice, error) {
	out, err := s.ClockStore.EnqueueOverdue(ctx, now, limit)
	if err != nil {
		return out, err
	}
	return out, s.retention.tickAt(ctx, now)
}

// EnqueueDissentNotices passes dissent clocks on, where the store has them.
func (s retentionClockStore) EnqueueDissentNotices(ctx context.Context, now time.Time, limit int) (int, error) {
	if ds, ok := s.ClockStore.(DissentClockStore); ok {
		return ds.EnqueueDissentNotices(ctx, now, limit)
	}
	return 0, nil
}
