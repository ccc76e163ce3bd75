package sqlstore

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/escalate-project/escalate"
)

// A calendar change (an imported holiday) moves only the running clocks of
// open escalations: met and stopped clocks, and so every clock of a closed
// stage, keep the deadline they had. Each move is a clock.recompute event.

func init() {
	// ImportHolidays calls this in its own transaction, after it has
	// written the new days.
	recomputeOpenClocks = func(tx *Tx, partnershipID int64, division string) error {
		_, err := tx.recomputeClocks(partnershipID, division)
		return err
	}
}

// RecomputeClocks recomputes the running clocks of every open escalation of
// the partnership on its current calendar and returns how many clocks
// moved. Only an administrator or the Business Manager of the partnership
// may ask; ImportHolidays does it by itself.
func (s *EscalationService) RecomputeClocks(ctx context.Context, partnershipID int64) (int, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return 0, err
	}
	var n int
	err = s.db.WithTx(ctx, func(tx *Tx) error {
		actor, err := tx.actingUser(actor)
		if err != nil {
			return err
		}
		probe := &escalate.Escalation{PartnershipID: partnershipID, Status: escalate.StatusOpen}
		if !escalate.Can(actor, probe, escalate.Parties{}, escalate.ActionClockRecompute) {
			return escalate.Errorf(escalate.EFORBIDDEN, "Only an administrator or the Business Manager may recompute deadlines.")
		}
		n, err = tx.recomputeClocks(partnershipID, "")
		return err
	})
	return n, err
}

// recomputeClocks recomputes the running clocks of the open escalations of
// partnershipID (0: every partnership) whose pinned policy counts on
// division ("": any), and returns how many clocks moved. On PostgreSQL it
// locks the cases first (FOR UPDATE, in ID order), so a change made to one
// meanwhile is waited for and then read, never overwritten or refused as a
// conflict; its audit events, like every change's, take their chains'
// locks at commit.
func (tx *Tx) recomputeClocks(partnershipID int64, division string) (int, error) {
	where := []string{"e.status = 'open'",
		"EXISTS (SELECT 1 FROM clocks c WHERE c.escalation_id = e.id AND c.status = 'running')"}
	var args []any
	if partnershipID != 0 {
		args = append(args, partnershipID)
		where = append(where, "e.partnership_id = $"+strconv.Itoa(len(args)))
	}
	if division != "" {
		args = append(args, division)
		where = append(where, "v.division = $"+strconv.Itoa(len(args)))
	}
	lock := ""
	if tx.db.dialect == Postgres {
		lock = " FOR UPDATE OF e"
	}
	rows, err := tx.QueryContext(tx.ctx, `SELECT e.ref`+escalationFrom+`WHERE `+strings.Join(where, " AND ")+` ORDER BY e.id`+lock, args...)
	if err != nil {
		return 0, fmt.Errorf("recompute: %w", err)
	}
	var refs []string
	for rows.Next() {
		var ref string
		if err := rows.Scan(&ref); err != nil {
			rows.Close()
			return 0, err
		}
		refs = append(refs, ref)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	actor := escalate.UserFromContext(tx.ctx)
	var all []escalate.Event
	chainOf := map[string]int64{} // ref → its partnership, whose chain its events join
	for _, ref := range refs {
		row, err := tx.loadEscalation(ref)
		if err != nil {
			return 0, err
		}
		pin, err := tx.pin(row.PartnershipID, row.PolicyVersionID, row.PolicySHA)
		if err != nil {
			return 0, err
		}
		old, from := row.Clone(), row.Version
		events := row.RecomputeClocks(tx.now, pin.policy, pin.cal, actor)
		if len(events) == 0 {
			continue
		}
		if err := tx.updateEscalation(old, row.Escalation, from); err != nil {
			return 0, err
		}
		all = append(all, events...)
		chainOf[row.Ref] = row.PartnershipID
	}
	who := Actor(tx.ctx)
	items := make([]auditItem, len(all))
	for i, ev := range all {
		items[i] = auditItem{chainOf[ev.Ref], who, ev.Action, "escalation:" + ev.Ref, ev.Data}
	}
	if err := tx.auditAll(items); err != nil {
		return 0, err
	}
	return len(all), nil
}
