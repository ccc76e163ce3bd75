package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
)

// DigestHour is the London hour of a working day from which the daily
// digest is written: before the reminders at ReminderHour, so the day
// starts with the whole list.
const DigestHour = 8

// digestListLimit bounds the open escalations read for one user's digest.
const digestListLimit = 500

// DigestItem is one escalation in a digest: its reference, what is due and
// its next deadline. It holds no child data.
type DigestItem struct {
	Ref    string    `json:"ref"`
	Action string    `json:"action"`
	Due    time.Time `json:"due"`
}

// NeedsUser returns the running clocks of open escalation e that wait on u,
// the rule My work uses (web/work.go, needsMe): a clock of the current
// stage that runs for u's side (the agency u is in), or, for an oversight
// role from neither agency, every clock of a stage that names a role u
// holds. Access is not decided here: call it only on what u may see.
func NeedsUser(u *escalate.User, e *escalate.Escalation, p *escalate.Policy) []escalate.ClockState {
	st := e.CurrentStage(p)
	if st == nil || e.Status != escalate.StatusOpen {
		return nil
	}
	side := ""
	switch u.AgencyID {
	case e.RaisingAgencyID:
		side = escalate.SideRaising
	case e.ReceivingAgencyID:
		side = escalate.SideReceiving
	}
	if side == "" {
		roles := slices.Concat(st.Raising, st.Receive)
		if st.Meeting != nil {
			roles = append(roles, st.Meeting.Chair)
		}
		if !slices.ContainsFunc(roles, u.HasRole) {
			return nil
		}
	}
	var out []escalate.ClockState
	for _, c := range e.Clocks {
		if c.Status == escalate.ClockRunning && c.Stage == st.Key && (side == "" || c.By == "" || c.By == side) {
			out = append(out, c)
		}
	}
	return out
}

// ClockDue is when c is due: an immediate clock, which has no Due, at its
// start.
func ClockDue(c escalate.ClockState) time.Time {
	if c.Immediate {
		return c.Start
	}
	return c.Due
}

// DigestItems returns what waits on u, as the service lets u see it: each
// open escalation with a clock for u and its soonest deadline, soonest
// first.
func (db *DB) DigestItems(ctx context.Context, u *escalate.User) ([]DigestItem, error) {
	ctx = escalate.NewContextWithUser(ctx, u)
	svc := NewEscalationService(db)
	open, _, err := svc.List(ctx, escalate.EscalationFilter{Status: escalate.StatusOpen, Limit: digestListLimit})
	if err != nil {
		return nil, err
	}
	var items []DigestItem
	for _, e := range open {
		p, err := svc.PolicyFor(ctx, e)
		if err != nil {
			return nil, err
		}
		cs := NeedsUser(u, e, p)
		if len(cs) == 0 {
			continue
		}
		best := slices.MinFunc(cs, func(a, b escalate.ClockState) int { return ClockDue(a).Compare(ClockDue(b)) })
		items = append(items, DigestItem{Ref: e.Ref, Action: best.Action, Due: ClockDue(best).UTC()})
	}
	slices.SortStableFunc(items, func(a, b DigestItem) int { return a.Due.Compare(b.Due) })
	return items, nil
}

// EnqueueDigests writes today's daily digest for up to limit opted-in users
// not yet done today, and returns how many digests it wrote to the outbox.
// A user's digest is due from DigestHour London on a working day of their
// partnership's calendar, never at weekends or on bank holidays. Each
// user's day is marked in digest_sent, in the transaction of the outbox
// row, so no day sends twice on any number of instances; a user with
// nothing waiting is marked too and gets no email.
func (db *DB) EnqueueDigests(ctx context.Context, now time.Time, limit int) (int, error) {
	if limit <= 0 {
		limit = 100
	}
	today := calendar.DateOf(now)
	if now.Before(today.At(DigestHour, 0)) {
		return 0, nil
	}
	rows, err := db.db.QueryContext(ctx, `
		SELECT u.id, u.partnership_id FROM digest_subscribers d JOIN users u ON u.id = d.user_id
		WHERE u.disabled = FALSE
			AND NOT EXISTS (SELECT 1 FROM digest_sent s WHERE s.user_id = d.user_id AND s.date = $1)
		ORDER BY u.id`, today.String())
	if err != nil {
		return 0, fmt.Errorf("digest subscribers: %w", err)
	}
	subs, err := scanIDPairs(rows) // user, their partnership
	if err != nil {
		return 0, err
	}
	working := map[int64]bool{}
	sent, done := 0, 0
	for _, sub := range subs {
		user, partnership := sub[0], sub[1]
		if done == limit {
			break
		}
		w, ok := working[partnership]
		if !ok {
			cal, err := db.Calendar(ctx, partnership)
			if err != nil {
				return sent, fmt.Errorf("digest calendar: %w", err)
			}
			w = cal.IsWorkingDay(today)
			working[partnership] = w
		}
		if !w {
			continue
		}
		done++
		u, err := findUser(ctx, db.db, `id = $1`, user)
		if err != nil {
			return sent, WrapError(err)
		}
		items, err := db.DigestItems(ctx, u)
		if err != nil {
			return sent, fmt.Errorf("digest items: %w", err)
		}
		wrote := false
		err = db.WithTx(ctx, func(tx *Tx) error {
			wrote = false
			res, err := tx.ExecContext(ctx, `INSERT INTO digest_sent (user_id, date, items) VALUES ($1, $2, $3)
				ON CONFLICT (user_id, date) DO NOTHING`, u.ID, today.String(), len(items))
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil || n == 0 || len(items) == 0 {
				return err // another instance did today's, or nothing waits
			}
			body := map[string]any{"count": len(items), "items": items, "next_due": items[0].Due.Format(time.RFC3339Nano)}
			wrote = true
			return tx.insertOutbox("daily-digest", 0, escalate.Recipient{User: u.ID}, "daily-digest", jsonText(body))
		})
		if err != nil {
			return sent, fmt.Errorf("enqueue digest: %w", err)
		}
		if wrote {
			sent++
		}
	}
	return sent, nil
}
