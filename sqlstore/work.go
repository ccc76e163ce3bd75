package sqlstore

import (
	"context"
	"fmt"

	"github.com/escalate-project/escalate"
)

// Turns returns the open escalations whose next step names the signed-in
// user (routing, stored in escalation_people), immediate and increased
// risk first, then by the step's deadline (none last), at most limit of
// them with their clocks, and how many there are in all. A partnership
// whose people changed since its cases were last routed is routed again
// first, so the list is never stale.
func (s *EscalationService) Turns(ctx context.Context, limit int) ([]escalate.Turn, int, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, 0, err
	}
	if limit <= 0 {
		limit = defaultListLimit
	}
	var out []escalate.Turn
	total := 0
	err = s.db.WithTx(ctx, func(tx *Tx) error {
		actor, err := tx.actingUser(actor)
		if err != nil || actor.Disabled {
			return err
		}
		if err := tx.ensureRouting(actor.PartnershipID); err != nil {
			return err
		}
		const where = ` FROM escalation_people ep JOIN escalations e ON e.id = ep.escalation_id
			JOIN policy_versions v ON v.id = e.policy_version_id
			WHERE ep.user_id = $1 AND ep.turn AND e.status = 'open' AND e.partnership_id = $2`
		if err := tx.queryRow(`SELECT COUNT(*)`+where, actor.ID, actor.PartnershipID).Scan(&total); err != nil {
			return fmt.Errorf("turns: %w", err)
		}
		rows, err := tx.query(`SELECT `+escalationColumns+`, ep.what, ep.due_at, ep.immediate`+where+`
			ORDER BY CASE e.risk_level WHEN 'immediate' THEN 0 WHEN 'increased' THEN 1 ELSE 2 END,
				CASE WHEN ep.immediate THEN 0 WHEN ep.due_at IS NULL THEN 2 ELSE 1 END, ep.due_at, e.ref
			LIMIT $3`, actor.ID, actor.PartnershipID, limit)
		if err != nil {
			return fmt.Errorf("turns: %w", err)
		}
		for rows.Next() {
			var t escalate.Turn
			row, err := scanEscalation(turnScanner{rows, &t})
			if err != nil {
				rows.Close()
				return fmt.Errorf("turns: %w", err)
			}
			t.Escalation = row.Escalation
			out = append(out, t)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, t := range out {
			if t.Escalation.Clocks, err = tx.loadClocks(t.Escalation.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// turnScanner scans an escalation row followed by a turn's what, due and
// immediate.
type turnScanner struct {
	rows rowScanner
	t    *escalate.Turn
}

func (s turnScanner) Scan(dest ...any) error {
	return s.rows.Scan(append(dest, &s.t.What, scanTime(&s.t.Due), &s.t.Immediate)...)
}
