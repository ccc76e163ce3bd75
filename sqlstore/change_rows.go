package sqlstore

import (
	"fmt"
	"slices"

	"github.com/escalate-project/escalate"
)

// Fewer statements per change (doc/performance.md, "Fewer statements and
// pages per change"): the rows a change adds to one table go in one
// multi-row INSERT, and routing after a change reuses what the check before
// it read rather than reading it again.

// rowsBatch bounds the rows of one multi-row INSERT of clocks or
// escalation_people, so the statement texts (one per row count) stay few.
const rowsBatch = 8

// insertClocks inserts cs, new clocks of escalation escalationID, in one
// INSERT per rowsBatch clocks.
func (tx *Tx) insertClocks(escalationID int64, cs []escalate.ClockState) error {
	const cols = 15
	for len(cs) > 0 {
		n := min(len(cs), rowsBatch)
		args := make([]any, 0, n*cols)
		for _, c := range cs[:n] {
			args = append(args, escalationID, c.ID, c.Stage, c.Key, c.Action, c.By, c.Within, timeArg(c.Start), dueArg(c),
				c.Immediate, c.Explanation, c.Status, nullTime(c.MetAt), c.ShortenedReason, c.Recomputed)
		}
		_, err := tx.exec(`INSERT INTO clocks (escalation_id, id, stage, key, action, by_side, within, start_at, due_at,
			immediate, explanation, status, met_at, shortened_reason, recomputed) VALUES `+valuesList(n, cols), args...)
		if err != nil {
			return fmt.Errorf("insert clock: %w", err)
		}
		cs = cs[n:]
	}
	return nil
}

// upsertPeople writes rows of escalation_people for escalation id, in one
// INSERT per rowsBatch rows.
func (tx *Tx) upsertPeople(id int64, rows map[int64]personRow) error {
	const cols = 6
	uids := make([]int64, 0, len(rows))
	for uid := range rows {
		uids = append(uids, uid)
	}
	slices.Sort(uids) // the same rows give the same statement
	for len(uids) > 0 {
		n := min(len(uids), rowsBatch)
		args := make([]any, 0, n*cols)
		for _, uid := range uids[:n] {
			r := rows[uid]
			args = append(args, id, uid, r.turn, r.what, nullTime(r.due), r.immediate)
		}
		_, err := tx.exec(`INSERT INTO escalation_people (escalation_id, user_id, turn, what, due_at, immediate)
			VALUES `+valuesList(n, cols)+`
			ON CONFLICT (escalation_id, user_id) DO UPDATE SET turn = excluded.turn, what = excluded.what,
				due_at = excluded.due_at, immediate = excluded.immediate`, args...)
		if err != nil {
			return fmt.Errorf("escalation people: %w", err)
		}
		uids = uids[n:]
	}
	return nil
}

// routeInputs are what parties read about a case (the partnership's
// directory and the case's involvement) at a given stage.
type routeInputs struct {
	dir   *escalate.Directory
	inv   escalate.Involvement
	stage int
}

// routeInputsOf reads the inputs of routing e.
func (tx *Tx) routeInputsOf(p *escalate.Policy, e *escalate.Escalation) (routeInputs, error) {
	dir, err := tx.directory(e.PartnershipID)
	if err != nil {
		return routeInputs{}, err
	}
	inv, err := tx.involvement(p, e)
	if err != nil {
		return routeInputs{}, err
	}
	return routeInputs{dir: dir, inv: inv, stage: e.Stage}, nil
}

// routeChanged routes e after a change of the escalation.go kind (a pure
// rule applied to the loaded case, written by updateEscalation) and stores
// its people. in was read before the change in the same transaction. Such
// a change touches neither the partnership's people nor the case's named
// parties or meeting chairs, and what it adds to the involvement (records,
// approvals, the outcome) is in e, so the directory is not read again, and
// the involvement only when the stage moved (the chair is the stage's).
func (tx *Tx) routeChanged(p *escalate.Policy, e *escalate.Escalation, in routeInputs) (escalate.Parties, error) {
	inv := in.inv
	if e.Stage != in.stage {
		var err error
		if inv, err = tx.involvement(p, e); err != nil {
			return escalate.Parties{}, err
		}
	} else {
		inv.Involved = append(slices.Clip(inv.Involved), involvedIn(e)...)
	}
	ps := escalate.Route(p, e, in.dir, inv)
	return ps, tx.storePeople(e.ID, ps)
}

// involvedIn returns who e's rows show took part: every record's author
// and approver and the outcome's recorder, as involvement reads them.
func involvedIn(e *escalate.Escalation) []int64 {
	var ids []int64
	for _, r := range e.Records {
		ids = append(ids, r.By)
		if r.ApprovedBy != 0 {
			ids = append(ids, r.ApprovedBy)
		}
	}
	if e.Outcome != nil && e.Outcome.By != 0 {
		ids = append(ids, e.Outcome.By)
	}
	return ids
}

// routeRaised routes e, raised in this transaction, and stores its people;
// dir is the partnership's directory, read in this transaction.
// Its only involvement is whom the raise named to deal with it (named): a
// new case has no records, outcome or chair and no people rows yet, so
// nothing is read back unless someone was named.
func (tx *Tx) routeRaised(p *escalate.Policy, e *escalate.Escalation, dir *escalate.Directory, named bool) (escalate.Parties, error) {
	if named {
		return tx.routeAndStore(p, e)
	}
	ps := escalate.Route(p, e, dir, escalate.Involvement{})
	return ps, tx.upsertPeople(e.ID, peopleRows(ps))
}
