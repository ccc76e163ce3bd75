package notify

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
	"github.com/escalate-project/escalate/sqlstore"
)

// fakeRetention counts runs; a unit test's stand-in for the store.
type fakeRetention struct {
	runs int
	fail bool
}

func (f *fakeRetention) RunRetention(ctx context.Context, opt escalate.RetentionOptions) (*escalate.RetentionRun, error) {
	if sqlstore.Actor(ctx) != "system" || opt.DryRun {
		return nil, errors.New("the daily job runs for real, as the system")
	}
	if f.fail {
		return nil, errors.New("disk full")
	}
	f.runs++
	return &escalate.RetentionRun{}, nil
}

// TestRetentionPassDaily: the job runs once per London day, from 02:00,
// and a failed run is tried again at the next pass.
func TestRetentionPassDaily(t *testing.T) {
	f := &fakeRetention{}
	p := &RetentionPass{Store: f}
	ctx := context.Background()
	at := func(day, hour, min int) time.Time { return time.Date(2026, 12, day, hour, min, 0, 0, calendar.London) }
	for _, tc := range []struct {
		now  time.Time
		runs int
	}{
		{at(7, 1, 59), 0}, // before 02:00
		{at(7, 2, 0), 1},
		{at(7, 2, 1), 1}, // once a day
		{at(7, 23, 59), 1},
		{at(8, 0, 30), 1},
		{at(8, 3, 0), 2},
	} {
		if err := p.tickAt(ctx, tc.now); err != nil {
			t.Fatal(err)
		}
		if f.runs != tc.runs {
			t.Errorf("at %v: %d runs, want %d", tc.now, f.runs, tc.runs)
		}
	}
	f.fail = true
	if err := p.tickAt(ctx, at(9, 2, 0)); err == nil {
		t.Error("a failed run is not reported")
	}
	f.fail = false
	if err := p.tickAt(ctx, at(9, 2, 5)); err != nil || f.runs != 3 {
		t.Errorf("the failed day's run is not tried again: %d runs, %v", f.runs, err)
	}
}
