package sqlstore

import (
	"fmt"
	"slices"

	"github.com/escalate-project/escalate"
)

// The store's half of need-to-know: the facts escalate.Can decides on that
// only the database knows, namely the raiser's management line and the users
// involved in a case. The rule itself stays in the domain.

// maxLineDepth bounds a walk up or down users.manager_id. SetManager refuses
// cycles; the bound keeps a corrupted table from looping the query.
const maxLineDepth = 50

// managersOf returns userID's line manager, that manager's manager, and so
// on up, nearest first.
func (tx *Tx) managersOf(userID int64) ([]int64, error) {
	rows, err := tx.QueryContext(tx.ctx, `
		WITH RECURSIVE line (id, depth) AS (
			SELECT manager_id, 1 FROM users WHERE id = $1 AND manager_id IS NOT NULL
			UNION
			SELECT u.manager_id, line.depth + 1 FROM users u JOIN line ON u.id = line.id
			WHERE u.manager_id IS NOT NULL AND line.depth < $2
		)
		SELECT id FROM line ORDER BY depth`, userID, maxLineDepth)
	if err != nil {
		return nil, fmt.Errorf("management line: %w", err)
	}
	return collectIDs(rows)
}

// reportsOf returns everyone userID manages, directly or down the line: the
// raisers whose escalations userID sees as their management line.
func (tx *Tx) reportsOf(userID int64) ([]int64, error) {
	rows, err := tx.QueryContext(tx.ctx, `
		WITH RECURSIVE line (id, depth) AS (
			SELECT id, 1 FROM users WHERE manager_id = $1
			UNION
			SELECT u.id, line.depth + 1 FROM users u JOIN line ON u.manager_id = line.id
			WHERE line.depth < $2
		)
		SELECT DISTINCT id FROM line`, userID, maxLineDepth)
	if err != nil {
		return nil, fmt.Errorf("reports: %w", err)
	}
	return collectIDs(rows)
}

// involvedIn returns the users who have taken part in the escalation: added
// or approved a record, agreed or determined its outcome, recorded an
// immediate action, or were named as a party.
func (tx *Tx) involvedIn(escalationID int64) ([]int64, error) {
	rows, err := tx.QueryContext(tx.ctx, `
		SELECT by_user FROM records WHERE escalation_id = $1
		UNION SELECT approved_by FROM records WHERE escalation_id = $1 AND approved_by IS NOT NULL
		UNION SELECT user_id FROM escalation_parties WHERE escalation_id = $1
		UNION SELECT outcome_by FROM escalations WHERE id = $1 AND outcome_by IS NOT NULL
		UNION SELECT immediate_by FROM escalations WHERE id = $1 AND immediate_by IS NOT NULL`, escalationID)
	if err != nil {
		return nil, fmt.Errorf("involved users: %w", err)
	}
	return collectIDs(rows)
}

// escalationsInvolving returns the IDs of the escalations userID is involved
// in, for List.
func (tx *Tx) escalationsInvolving(userID int64) ([]int64, error) {
	rows, err := tx.QueryContext(tx.ctx, `
		SELECT escalation_id FROM records WHERE by_user = $1 OR approved_by = $1
		UNION SELECT escalation_id FROM escalation_parties WHERE user_id = $1
		UNION SELECT id FROM escalations WHERE outcome_by = $1 OR immediate_by = $1`, userID)
	if err != nil {
		return nil, fmt.Errorf("escalations involving: %w", err)
	}
	return collectIDs(rows)
}

type idRows interface {
	Next() bool
	Scan(...any) error
	Err() error
	Close() error
}

func collectIDs(rows idRows) ([]int64, error) {
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// parties gathers the facts escalate.Can needs about e under policy p.
func (tx *Tx) parties(p *escalate.Policy, e *escalate.Escalation) (escalate.Parties, error) {
	line, err := tx.managersOf(e.RaisedBy)
	if err != nil {
		return escalate.Parties{}, err
	}
	involved, err := tx.involvedIn(e.ID)
	if err != nil {
		return escalate.Parties{}, err
	}
	return escalate.NewParties(p, e, line, involved), nil
}

// authorize checks actor may take action on e. Someone who may not even see
// e gets ENOTFOUND, so that a reference reveals nothing to a stranger;
// someone who may see it but not do this gets EFORBIDDEN.
func authorize(actor *escalate.User, e *escalate.Escalation, ps escalate.Parties, action string) error {
	if escalate.Can(actor, e, ps, action) {
		return nil
	}
	if !escalate.Can(actor, e, ps, escalate.ActionView) {
		return escalate.Errorf(escalate.ENOTFOUND, "Escalation not found.")
	}
	if e.Status.Closed() {
		return escalate.Errorf(escalate.ECONFLICT, "This escalation is closed (%s): it can no longer change.", e.Status)
	}
	return escalate.Errorf(escalate.EFORBIDDEN, "You are not a party who may do this to escalation %s.", e.Ref)
}

// containsID reports whether id is in ids.
func containsID(ids []int64, id int64) bool { return slices.Contains(ids, id) }
