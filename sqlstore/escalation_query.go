package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/escalate-project/escalate"
)

// The queries the later pages and the scheduler need, each served by an
// index of migration 00002 (doc/storage.md; TestEscalationQueryPlans checks
// both engines use them). They read without access checks: callers that
// act for a person apply escalate.Can, as List does.
const (
	// queryOpenRaisedBy is a person's open escalations, soonest deadline
	// first: index escalations_raised_due.
	queryOpenRaisedBy = `SELECT e.id, e.ref, e.next_due FROM escalations e
		WHERE e.raised_by = $1 AND e.status = 'open' ORDER BY e.next_due LIMIT $2`
	// queryOpenReceiving is an agency's open escalations as the receiving
	// side, soonest deadline first: index escalations_receiving_due.
	queryOpenReceiving = `SELECT e.id, e.ref, e.next_due FROM escalations e
		WHERE e.receiving_agency_id = $1 AND e.status = 'open' ORDER BY e.next_due LIMIT $2`
	// queryOverdue is every running clock due before an instant, oldest
	// first: the partial index clocks_running_due.
	queryOverdue = `SELECT e.id, e.ref, c.id, c.stage, c.key, c.action, c.by_side, c.within, c.start_at,
			c.due_at, c.immediate, c.explanation, c.status, c.met_at, c.shortened_reason, c.recomputed
		FROM clocks c JOIN escalations e ON e.id = c.escalation_id
		WHERE c.status = 'running' AND c.due_at < $1 ORDER BY c.due_at LIMIT $2`
	// queryTimeline is one escalation's audit events in order: index
	// audit_events_object. Its records come by primary key.
	queryTimeline = `SELECT seq, at, actor, action FROM audit_events WHERE object = $1 ORDER BY seq`
)

// Deadline is one running clock of an escalation.
type Deadline struct {
	EscalationID int64
	Ref          string
	Clock        escalate.ClockState
}

// OverdueClocks returns up to limit running clocks due before at, the most
// overdue first; an immediate clock counts as due when it started. It is for
// the scheduler that prompts the next step when a timescale lapses.
func (db *DB) OverdueClocks(ctx context.Context, at time.Time, limit int) ([]Deadline, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := db.db.QueryContext(ctx, queryOverdue, timeArg(at), limit)
	if err != nil {
		return nil, fmt.Errorf("overdue clocks: %w", err)
	}
	defer rows.Close()
	var out []Deadline
	for rows.Next() {
		var d Deadline
		c := &d.Clock
		if err := rows.Scan(&d.EscalationID, &d.Ref, &c.ID, &c.Stage, &c.Key, &c.Action, &c.By, &c.Within,
			scanTime(&c.Start), scanTime(&c.Due), &c.Immediate, &c.Explanation, &c.Status, scanTime(&c.MetAt),
			&c.ShortenedReason, &c.Recomputed); err != nil {
			return nil, fmt.Errorf("overdue clocks: %w", err)
		}
		if c.Immediate {
			c.Due = time.Time{}
		}
		out = append(out, d)
	}
	return out, rows.Err()
}
