package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/escalate-project/escalate"
)

// RecordGoodPractice records the actor's (in ctx) recognition of another
// agency's good practice under the partnership's policy in force, in one
// transaction with its audit event and the notices to the people
// escalate.GoodPracticeTold picks: those the policy names
// (good_practice.tell) at the agency recognised, else the Business
// Managers, and only people who may read it.
func (db *DB) RecordGoodPractice(ctx context.Context, in escalate.GoodPracticeInput) (*escalate.GoodPractice, error) {
	actor := escalate.UserFromContext(ctx)
	if actor == nil {
		return nil, escalate.Errorf(escalate.EUNAUTHORIZED, "Sign in to do this.")
	}
	var g *escalate.GoodPractice
	err := db.WithTx(ctx, func(tx *Tx) error {
		pol, err := currentPolicy(ctx, cachedQuerier{tx}, actor.PartnershipID)
		if err != nil {
			return err
		}
		var ev escalate.Event
		if g, ev, err = escalate.RecogniseGoodPractice(tx.now, pol, actor, in); err != nil {
			return err
		}
		a, err := findAgency(ctx, cachedQuerier{tx}, "id = $1", in.AgencyID)
		if err != nil || a.PartnershipID != actor.PartnershipID {
			return escalate.FieldErrorf("agency", "Choose one of the partnership's agencies.")
		}
		if err := tx.queryRow(`INSERT INTO good_practice (partnership_id, recorded_by, from_agency_id, agency_id, what, difference, at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			g.PartnershipID, g.By, g.FromAgencyID, g.AgencyID, g.What, g.Difference, timeArg(g.At)).Scan(&g.ID); err != nil {
			return err
		}
		if err := tx.Audit(Actor(ctx), ev.Action, fmt.Sprintf("good-practice:%d", g.ID), ev.Data); err != nil {
			return err
		}
		dir, err := tx.directory(actor.PartnershipID)
		if err != nil {
			return err
		}
		// The notice names the recognition, never what it says: that may
		// name people, and is read after signing in.
		body := jsonText(map[string]any{"object": "good-practice", "id": g.ID, "link": "/good-practice"})
		for _, u := range escalate.GoodPracticeTold(pol, g, dir) {
			if err := tx.insertOutbox(escalate.ActionGoodPractice, 0, escalate.Recipient{User: u}, "good-practice", body); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return g, nil
}

// maxGoodPracticeList bounds the good practice page: the latest this many.
const maxGoodPracticeList = 500

// GoodPractice returns the recognitions of the actor's (in ctx) partnership
// that the actor may read (escalate.CanSeeGoodPractice), newest first, and
// audits the view.
func (db *DB) GoodPractice(ctx context.Context) ([]escalate.GoodPracticeEntry, error) {
	actor := escalate.UserFromContext(ctx)
	if actor == nil {
		return nil, escalate.Errorf(escalate.EUNAUTHORIZED, "Sign in to do this.")
	}
	var out []escalate.GoodPracticeEntry
	err := db.WithTx(ctx, func(tx *Tx) error {
		out = nil
		rows, err := tx.query(`SELECT g.id, g.partnership_id, g.recorded_by, g.from_agency_id, g.agency_id, g.what, g.difference, g.at,
				u.name, fa.name, a.name
			FROM good_practice g
			JOIN users u ON u.id = g.recorded_by
			JOIN agencies fa ON fa.id = g.from_agency_id
			JOIN agencies a ON a.id = g.agency_id
			WHERE g.partnership_id = $1 ORDER BY g.at DESC, g.id DESC LIMIT $2`, actor.PartnershipID, maxGoodPracticeList)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var v escalate.GoodPracticeEntry
			g := &v.GoodPractice
			if err := rows.Scan(&g.ID, &g.PartnershipID, &g.By, &g.FromAgencyID, &g.AgencyID, &g.What, &g.Difference,
				scanTime(&g.At), &v.ByName, &v.FromAgency, &v.Agency); err != nil {
				return err
			}
			if escalate.CanSeeGoodPractice(actor, g) {
				out = append(out, v)
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		return tx.Audit(Actor(ctx), "good-practice.view", fmt.Sprintf("partnership:%d", actor.PartnershipID),
			map[string]any{"shown": len(out)})
	})
	return out, err
}

// GoodPracticeCounts counts the partnership's recognitions of good practice
// made in [from, to), by the name of the agency recognised, for the board
// report.
func (db *DB) GoodPracticeCounts(ctx context.Context, partnershipID int64, from, to time.Time) (map[string]int, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT a.name, COUNT(*) FROM good_practice g JOIN agencies a ON a.id = g.agency_id
		WHERE g.partnership_id = $1 AND g.at >= $2 AND g.at < $3 GROUP BY a.name`, partnershipID, timeArg(from), timeArg(to))
	if err != nil {
		return nil, WrapError(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var name string
		var n int
		if err := rows.Scan(&name, &n); err != nil {
			return nil, WrapError(err)
		}
		out[name] = n
	}
	return out, WrapError(rows.Err())
}
