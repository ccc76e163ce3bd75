package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/escalate-project/escalate"
)

// The store's half of routing (escalate.Route): the facts about a case's
// people only the database knows, and routing's output kept per escalation
// in escalation_people, so that My work and lists are one indexed read. The
// rule itself stays in the domain; this file feeds it and stores what it
// says.

// involvement reads who was named to deal with e (and not removed), who
// took part in it, and who chairs its current stage's meeting.
func (tx *Tx) involvement(p *escalate.Policy, e *escalate.Escalation) (escalate.Involvement, error) {
	var inv escalate.Involvement
	stage := ""
	if st := e.CurrentStage(p); st != nil {
		stage = st.Key
	}
	rows, err := tx.query(`
		SELECT 0, user_id FROM escalation_parties WHERE escalation_id = $1 AND removed IS NULL
		UNION ALL SELECT 1, by_user FROM records WHERE escalation_id = $1
		UNION ALL SELECT 1, approved_by FROM records WHERE escalation_id = $1 AND approved_by IS NOT NULL
		UNION ALL SELECT 1, outcome_by FROM escalations WHERE id = $1 AND outcome_by IS NOT NULL
		UNION ALL SELECT 2, user_id FROM escalation_meeting_chairs WHERE escalation_id = $1 AND stage = $2`,
		e.ID, stage)
	if err != nil {
		return inv, fmt.Errorf("involvement: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind int
		var id int64
		if err := rows.Scan(&kind, &id); err != nil {
			return inv, fmt.Errorf("involvement: %w", err)
		}
		switch kind {
		case 0:
			inv.Named = append(inv.Named, id)
		case 1:
			inv.Involved = append(inv.Involved, id)
		case 2:
			inv.MeetingChair = id
		}
	}
	return inv, rows.Err()
}

// parties works out e's parties under policy p from the partnership's
// directory and e's involvement.
func (tx *Tx) parties(p *escalate.Policy, e *escalate.Escalation) (escalate.Parties, error) {
	dir, err := tx.directory(e.PartnershipID)
	if err != nil {
		return escalate.Parties{}, err
	}
	inv, err := tx.involvement(p, e)
	if err != nil {
		return escalate.Parties{}, err
	}
	return escalate.Route(p, e, dir, inv), nil
}

// personRow is one row of escalation_people.
type personRow struct {
	turn      bool
	what      string
	due       time.Time
	immediate bool
}

// peopleRows turns parties into escalation_people rows: everyone tied to
// the escalation, and for whose turn it is, the first step naming them.
func peopleRows(ps escalate.Parties) map[int64]personRow {
	out := map[int64]personRow{}
	for _, id := range ps.People() {
		out[id] = personRow{}
	}
	for _, s := range ps.Steps {
		for _, id := range s.People {
			if r := out[id]; !r.turn {
				out[id] = personRow{turn: true, what: s.What, due: s.Due, immediate: s.Immediate}
			}
		}
	}
	return out
}

// storePeople brings escalation_people for escalation id in line with ps,
// writing only what changed.
func (tx *Tx) storePeople(id int64, ps escalate.Parties) error {
	want := peopleRows(ps)
	rows, err := tx.query(`SELECT user_id, turn, what, due_at, immediate FROM escalation_people WHERE escalation_id = $1`, id)
	if err != nil {
		return fmt.Errorf("escalation people: %w", err)
	}
	have := map[int64]personRow{}
	for rows.Next() {
		var uid int64
		var r personRow
		if err := rows.Scan(&uid, &r.turn, &r.what, scanTime(&r.due), &r.immediate); err != nil {
			rows.Close()
			return fmt.Errorf("escalation people: %w", err)
		}
		have[uid] = r
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for uid := range have {
		if _, ok := want[uid]; !ok {
			if _, err := tx.exec(`DELETE FROM escalation_people WHERE escalation_id = $1 AND user_id = $2`, id, uid); err != nil {
				return fmt.Errorf("escalation people: %w", err)
			}
		}
	}
	for uid, r := range want {
		old, ok := have[uid]
		if ok && old.turn == r.turn && old.what == r.what && old.due.Equal(r.due) && old.immediate == r.immediate {
			delete(want, uid)
		}
	}
	return tx.upsertPeople(id, want) // change_rows.go
}

// routeAndStore works out e's parties after a change and stores them.
func (tx *Tx) routeAndStore(p *escalate.Policy, e *escalate.Escalation) (escalate.Parties, error) {
	ps, err := tx.parties(p, e)
	if err != nil {
		return ps, err
	}
	return ps, tx.storePeople(e.ID, ps)
}

// ensureRouting brings escalation_people up to date for partnershipID when
// its people changed since it was last worked out: every open escalation is
// routed again. Closed escalations keep the people tied to them when they
// closed. A change to one escalation routes that one as part of the change.
func (tx *Tx) ensureRouting(partnershipID int64) error {
	var people, routing int64
	err := tx.queryRow(`SELECT people_gen, routing_gen FROM partnerships WHERE id = $1`, partnershipID).Scan(&people, &routing)
	if err != nil {
		return fmt.Errorf("routing generation: %w", err)
	}
	if people == routing {
		return nil
	}
	if tx.db.dialect == Postgres {
		// One routing of the partnership at a time: wait for another under
		// way, then see whether it left anything to do.
		err := tx.queryRow(`SELECT people_gen, routing_gen FROM partnerships WHERE id = $1 FOR UPDATE`, partnershipID).
			Scan(&people, &routing)
		if err != nil || people == routing {
			return err
		}
	}
	if _, err := tx.routeBulk(partnershipID, true); err != nil {
		return err
	}
	_, err = tx.exec(`UPDATE partnerships SET routing_gen = $1 WHERE id = $2`, people, partnershipID)
	return err
}

// RouteAll routes every escalation of every partnership afresh, for a bulk
// load that wrote escalations directly (the scale generator), and returns
// how many it routed.
func (db *DB) RouteAll(ctx context.Context) (int, error) {
	n := 0
	err := db.WithTx(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, people_gen FROM partnerships ORDER BY id`)
		if err != nil {
			return err
		}
		gens := map[int64]int64{}
		var ids []int64
		for rows.Next() {
			var id, gen int64
			if err := rows.Scan(&id, &gen); err != nil {
				rows.Close()
				return err
			}
			ids, gens[id] = append(ids, id), gen
		}
		rows.Close()
		for _, id := range ids {
			k, err := tx.routeBulk(id, false)
			if err != nil {
				return err
			}
			n += k
			if _, err := tx.exec(`UPDATE partnerships SET routing_gen = $1 WHERE id = $2`, gens[id], id); err != nil {
				return err
			}
		}
		return rows.Err()
	})
	return n, err
}
