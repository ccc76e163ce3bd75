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

// reportsOf returns everyone userID manages, directly or down the line: the
// raisers whose escalations userID sees as their management line.
func (tx *Tx) reportsOf(userID int64) ([]int64, error) {
	rows, err := tx.query(`
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

// partiesQuery reads, in one statement, the raiser's management line (kind
// 1: their line manager, that manager's manager, and so on up, nearest
// first) and the users who have taken part in the escalation (kind 0):
// added or approved a record, agreed or determined its outcome, recorded an
// immediate action, or were named as a party.
const partiesQuery = `
	WITH RECURSIVE line (id, depth) AS (
		SELECT manager_id, 1 FROM users WHERE id = $1 AND manager_id IS NOT NULL
		UNION
		SELECT u.manager_id, line.depth + 1 FROM users u JOIN line ON u.id = line.id
		WHERE u.manager_id IS NOT NULL AND line.depth < $3
	), involved (id) AS (
		SELECT by_user FROM records WHERE escalation_id = $2
		UNION SELECT approved_by FROM records WHERE escalation_id = $2 AND approved_by IS NOT NULL
		UNION SELECT user_id FROM escalation_parties WHERE escalation_id = $2
		UNION SELECT outcome_by FROM escalations WHERE id = $2 AND outcome_by IS NOT NULL
		UNION SELECT immediate_by FROM escalations WHERE id = $2 AND immediate_by IS NOT NULL
	)
	SELECT 1, depth, id FROM line
	UNION ALL SELECT 0, 0, id FROM involved
	ORDER BY 1, 2, 3`

// involvingQuery is the escalations of a partnership that user $1 is
// involved in (as partiesQuery's kind 0 counts it). Each branch is an
// index-only lookup by user (records_by_user, records_approved_by,
// escalation_parties_user, escalations_outcome_by,
// escalations_immediate_by), and each escalation found is then checked by
// its key: no scan of escalations.
const involvingQuery = `
	SELECT e.id FROM escalations e
	WHERE e.id IN (
		SELECT escalation_id FROM records WHERE by_user = $1
		UNION SELECT escalation_id FROM records WHERE approved_by = $1
		UNION SELECT escalation_id FROM escalation_parties WHERE user_id = $1
		UNION SELECT id FROM escalations WHERE outcome_by = $1
		UNION SELECT id FROM escalations WHERE immediate_by = $1)
	AND e.partnership_id = $2`

// escalationsInvolving returns the IDs of the escalations of partnershipID
// with status (any when "") that userID is involved in, for List: with a
// status, only those, so the list that List inlines grows with the
// person's open cases rather than with every case they ever touched.
func (tx *Tx) escalationsInvolving(userID, partnershipID int64, status escalate.Status) ([]int64, error) {
	q, args := involvingQuery+` AND ($3 = '' OR e.status = $3)`, []any{userID, partnershipID, string(status)}
	if status == escalate.StatusOpen {
		// 'open' as a literal lets the planner check each case in the
		// small partial index escalations_open instead of reading its
		// row (100,000 cases: 7.7 ms to 2.8 ms for a busy practitioner).
		q, args = involvingQuery+` AND e.status = 'open'`, args[:2]
	}
	rows, err := tx.query(q, args...)
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

// parties gathers the facts escalate.Can needs about e under policy p, in
// one query.
func (tx *Tx) parties(p *escalate.Policy, e *escalate.Escalation) (escalate.Parties, error) {
	rows, err := tx.query(partiesQuery, e.RaisedBy, e.ID, maxLineDepth)
	if err != nil {
		return escalate.Parties{}, fmt.Errorf("parties: %w", err)
	}
	defer rows.Close()
	var line, involved []int64
	for rows.Next() {
		var kind, depth, id int64
		if err := rows.Scan(&kind, &depth, &id); err != nil {
			return escalate.Parties{}, fmt.Errorf("parties: %w", err)
		}
		if kind == 1 {
			line = append(line, id)
		} else {
			involved = append(involved, id)
		}
	}
	if err := rows.Err(); err != nil {
		return escalate.Parties{}, fmt.Errorf("parties: %w", err)
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
