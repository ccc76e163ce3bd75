package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/escalate-project/escalate"
)

// The learning step at closure and the partnership's learning log
// (doc/learning.md).

// RecordLearning records the actor's answer to the learning step of closed
// escalation ref: each yes becomes a learning item, assigned as the policy
// says, linked to the escalation, and the Business Manager (and, for a
// policy gap, whom the policy sends those to) is told. One answer per
// person per escalation.
func (db *DB) RecordLearning(ctx context.Context, ref string, in escalate.LearningInput) ([]*escalate.LearningItem, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	var out []*escalate.LearningItem
	err = db.WithTx(ctx, func(tx *Tx) error {
		actor, err := tx.actingUser(actor)
		if err != nil {
			return err
		}
		row, pin, err := tx.loadForLearning(ref, actor)
		if err != nil {
			return err
		}
		if err := in.Validate(); err != nil {
			return err
		}
		kinds, texts := in.Items()
		res, err := tx.exec(`INSERT INTO learning_responses (escalation_id, user_id, debriefed, items, created)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT (escalation_id, user_id) DO NOTHING`,
			row.ID, actor.ID, in.Debriefed == "yes", len(kinds), timeArg(tx.now))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return escalate.Errorf(escalate.ECONFLICT, "You have already recorded learning for escalation %s. The Business Manager can add to the learning log.", row.Ref)
		}
		var ids []int64
		for i, kind := range kinds {
			it := &escalate.LearningItem{PartnershipID: row.PartnershipID, Kind: kind, Description: texts[i],
				Assignee: escalate.DefaultAssignee(pin.policy, kind), Status: escalate.LearningOpen,
				Refs: []string{row.Ref}, CreatedBy: actor.ID, Created: tx.now, Updated: tx.now, Version: 1}
			if err := tx.insertLearningItem(it, row.ID, actor); err != nil {
				return err
			}
			ids = append(ids, it.ID)
			out = append(out, it)
			if err := tx.tellOfItem(it, row.Escalation); err != nil {
				return err
			}
		}
		return tx.AuditIn(row.PartnershipID, fmt.Sprintf("user:%d", actor.ID), escalate.ActionLearningRecord, "escalation:"+row.Ref,
			map[string]any{"debriefed": in.Debriefed == "yes", "items": ids})
	})
	return out, err
}

// loadForLearning loads escalation ref for the learning step and checks
// the actor may answer it.
func (tx *Tx) loadForLearning(ref string, actor *escalate.User) (*escalationRow, *pinned, error) {
	row, pin, err := tx.loadForActor(ref, actor, escalate.ActionView)
	if err != nil {
		return nil, nil, err
	}
	ps, err := tx.parties(pin.policy, row.Escalation)
	if err != nil {
		return nil, nil, err
	}
	switch {
	case escalate.Can(actor, row.Escalation, ps, escalate.ActionLearningRecord):
		return row, pin, nil
	case !row.Status.Closed():
		return nil, nil, escalate.Errorf(escalate.ECONFLICT, "The learning step opens when escalation %s closes.", row.Ref)
	}
	return nil, nil, escalate.Errorf(escalate.EFORBIDDEN, "Only the parties to escalation %s record its learning.", row.Ref)
}

// insertLearningItem stores it with its first link, to escalation
// escalationID, and audits its creation.
func (tx *Tx) insertLearningItem(it *escalate.LearningItem, escalationID int64, actor *escalate.User) error {
	err := tx.queryRow(`
		INSERT INTO learning_items (partnership_id, kind, description, assigned_role, assigned_subgroup, status,
			action_taken, theme, created_by, created, updated, version)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, 1) RETURNING id`,
		it.PartnershipID, it.Kind, it.Description, string(it.Assignee.Role), it.Assignee.Subgroup, it.Status,
		it.ActionTaken, it.Theme, actor.ID, timeArg(tx.now)).Scan(&it.ID)
	if err != nil {
		return fmt.Errorf("learning item: %w", WrapError(err))
	}
	if _, err := tx.exec(`INSERT INTO learning_links (item_id, escalation_id, linked_by, linked) VALUES ($1, $2, $3, $4)`,
		it.ID, escalationID, actor.ID, timeArg(tx.now)); err != nil {
		return fmt.Errorf("learning link: %w", WrapError(err))
	}
	return tx.AuditIn(actor.PartnershipID, fmt.Sprintf("user:%d", actor.ID), escalate.ActionLearningCreate, fmt.Sprintf("learning:%d", it.ID),
		map[string]any{"kind": it.Kind, "description": it.Description, "assigned_role": it.Assignee.Role,
			"assigned_subgroup": it.Assignee.Subgroup, "refs": it.Refs})
}

// tellOfItem tells the Business Manager of a new item, and the holders of
// its assignee's post when that is another (the chair, for a policy gap)
// who may open the escalation it came from: the notice names the case, and
// nobody is told of a case they may not open.
func (tx *Tx) tellOfItem(it *escalate.LearningItem, e *escalate.Escalation) error {
	body := jsonText(map[string]any{"ref": e.Ref, "action": escalate.ActionLearningCreate, "item": it.ID, "kind": it.Kind})
	if err := tx.insertOutbox(escalate.ActionLearningCreate, e.ID, escalate.Recipient{Role: escalate.RoleBusinessManager}, "learning-item", body); err != nil {
		return err
	}
	r := it.Assignee.Role
	if r == "" || r == escalate.RoleBusinessManager {
		return nil
	}
	row, err := tx.loadEscalation(e.Ref)
	if err != nil {
		return err
	}
	p, err := tx.pinnedPolicy(row.PartnershipID, row.PolicyVersionID)
	if err != nil {
		return err
	}
	ps, err := tx.parties(p.policy, row.Escalation)
	if err != nil {
		return err
	}
	dir := ps.Directory()
	for _, id := range dir.Holders(r, 0) {
		if ps.MayOpen(dir.Person(id)) {
			if err := tx.insertOutbox(escalate.ActionLearningCreate, e.ID, escalate.Recipient{User: id}, "learning-item", body); err != nil {
				return err
			}
		}
	}
	return nil
}

const learningColumns = `i.id, i.partnership_id, i.kind, i.description, i.assigned_role, i.assigned_subgroup, i.status,
	i.action_taken, i.theme, i.created_by, i.created, i.updated, i.version`

func scanLearningItem(r interface{ Scan(...any) error }) (*escalate.LearningItem, error) {
	it := &escalate.LearningItem{}
	var role string
	err := r.Scan(&it.ID, &it.PartnershipID, &it.Kind, &it.Description, &role, &it.Assignee.Subgroup, &it.Status,
		&it.ActionTaken, &it.Theme, &it.CreatedBy, scanTime(&it.Created), scanTime(&it.Updated), &it.Version)
	it.Assignee.Role = escalate.Role(role)
	return it, err
}

// learningItems runs a query of learningColumns and fills in each item's
// escalation references.
func (tx *Tx) learningItems(query string, args ...any) ([]*escalate.LearningItem, error) {
	rows, err := tx.QueryContext(tx.ctx, query, args...)
	if err != nil {
		return nil, err
	}
	var out []*escalate.LearningItem
	byID := map[int64]*escalate.LearningItem{}
	for rows.Next() {
		it, err := scanLearningItem(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, it)
		byID[it.ID] = it
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	ids := make([]string, 0, len(out))
	for _, it := range out {
		ids = append(ids, fmt.Sprint(it.ID))
	}
	// The IDs are the store's own integers, never user input.
	links, err := tx.QueryContext(tx.ctx, `SELECT l.item_id, e.ref FROM learning_links l JOIN escalations e ON e.id = l.escalation_id
		WHERE l.item_id IN (`+strings.Join(ids, ",")+`) ORDER BY e.ref`)
	if err != nil {
		return nil, err
	}
	defer links.Close()
	for links.Next() {
		var id int64
		var ref string
		if err := links.Scan(&id, &ref); err != nil {
			return nil, err
		}
		byID[id].Refs = append(byID[id].Refs, ref)
	}
	return out, links.Err()
}

// learningOf returns the learning items linked to escalation id.
func (tx *Tx) learningOf(escalationID int64) ([]*escalate.LearningItem, error) {
	return tx.learningItems(`SELECT `+learningColumns+` FROM learning_items i
		JOIN learning_links l ON l.item_id = i.id WHERE l.escalation_id = $1 ORDER BY i.id`, escalationID)
}

// EscalationLearning returns the learning recorded for escalation ref and
// who answered the learning step, for its page. It records no view: the
// page's Get does.
func (db *DB) EscalationLearning(ctx context.Context, ref string) ([]*escalate.LearningItem, []escalate.LearningResponse, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, nil, err
	}
	var items []*escalate.LearningItem
	var resp []escalate.LearningResponse
	err = db.WithTx(ctx, func(tx *Tx) error {
		actor, err := tx.actingUser(actor)
		if err != nil {
			return err
		}
		row, _, err := tx.loadForActor(ref, actor, escalate.ActionView)
		if err != nil {
			return err
		}
		if items, err = tx.learningOf(row.ID); err != nil {
			return err
		}
		rows, err := tx.query(`SELECT user_id, debriefed, items, created FROM learning_responses
			WHERE escalation_id = $1 ORDER BY created, user_id`, row.ID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r escalate.LearningResponse
			if err := rows.Scan(&r.UserID, &r.Debriefed, &r.Items, scanTime(&r.Created)); err != nil {
				return err
			}
			resp = append(resp, r)
		}
		return rows.Err()
	})
	return items, resp, err
}

// LearningItems returns the partnership's learning log, newest first,
// narrowed by f. For the Business Manager, chair and vice chair.
func (db *DB) LearningItems(ctx context.Context, f escalate.LearningFilter) ([]*escalate.LearningItem, error) {
	var out []*escalate.LearningItem
	err := db.WithTx(ctx, func(tx *Tx) error {
		u, err := tx.oversightActor(ctx)
		if err != nil {
			return err
		}
		where, args := []string{"i.partnership_id = $1"}, []any{u.PartnershipID}
		add := func(cond string, v any) {
			args = append(args, v)
			where = append(where, fmt.Sprintf(cond, len(args)))
		}
		if f.Status != "" {
			add("i.status = $%d", f.Status)
		}
		if f.Kind != "" {
			add("i.kind = $%d", f.Kind)
		}
		switch f.Assigned {
		case "":
		case "subgroup":
			where = append(where, "i.assigned_subgroup <> ''")
		default:
			add("i.assigned_role = $%d", f.Assigned)
		}
		out, err = tx.learningItems(`SELECT `+learningColumns+` FROM learning_items i WHERE `+
			strings.Join(where, " AND ")+` ORDER BY i.created DESC, i.id DESC`, args...)
		return err
	})
	return out, err
}

// learningItem loads item id of the partnership; another's is not found.
func (tx *Tx) learningItem(partnershipID, id int64) (*escalate.LearningItem, error) {
	its, err := tx.learningItems(`SELECT `+learningColumns+` FROM learning_items i WHERE i.id = $1 AND i.partnership_id = $2`, id, partnershipID)
	if err != nil {
		return nil, err
	}
	if len(its) == 0 {
		return nil, escalate.Errorf(escalate.ENOTFOUND, "Learning item not found.")
	}
	return its[0], nil
}

// LearningItem returns item id of the log and, when view is set, records
// that the actor read it (a form shown again after bad input is not a new
// reading, and writes nothing).
func (db *DB) LearningItem(ctx context.Context, id int64, view bool) (*escalate.LearningItem, error) {
	var out *escalate.LearningItem
	err := db.WithTx(ctx, func(tx *Tx) error {
		u, err := tx.oversightActor(ctx)
		if err != nil {
			return err
		}
		if out, err = tx.learningItem(u.PartnershipID, id); err != nil || !view {
			return err
		}
		return tx.Audit(fmt.Sprintf("user:%d", u.ID), escalate.ActionLearningView, fmt.Sprintf("learning:%d", id), nil)
	})
	return out, err
}

// UpdateLearningItem applies the Business Manager's change to item id:
// assignee, status, action taken, theme, and a further escalation linked
// by reference (of the same partnership). Invalid input changes nothing.
func (db *DB) UpdateLearningItem(ctx context.Context, id int64, in escalate.LearningUpdate) (*escalate.LearningItem, error) {
	var out *escalate.LearningItem
	err := db.WithTx(ctx, func(tx *Tx) error {
		u, err := tx.oversightActor(ctx)
		if err != nil {
			return err
		}
		it, err := tx.learningItem(u.PartnershipID, id)
		if err != nil {
			return err
		}
		if err := onlyBusinessManager(u); err != nil {
			return err
		}
		if err := in.Validate(); err != nil {
			return err
		}
		if in.Version != it.Version {
			return escalate.Errorf(escalate.ECONFLICT, "This learning item was changed by someone else; reload and try again.")
		}
		if in.Theme, err = tx.themeFor(u.PartnershipID, it.Theme, in.Theme); err != nil {
			return err
		}
		var linkID int64
		if in.Link != "" {
			var part int64
			err := tx.queryRow(`SELECT id, partnership_id FROM escalations WHERE ref = $1`, in.Link).Scan(&linkID, &part)
			if notFound(WrapError(err)) || err == nil && part != u.PartnershipID {
				return escalate.FieldErrorf("link", "There is no escalation %s in this partnership.", in.Link)
			} else if err != nil {
				return err
			}
		}
		res, err := tx.exec(`UPDATE learning_items SET assigned_role = $1, assigned_subgroup = $2, status = $3,
			action_taken = $4, theme = $5, updated = $6, version = version + 1 WHERE id = $7 AND version = $8`,
			string(in.Assignee.Role), in.Assignee.Subgroup, in.Status, in.ActionTaken, in.Theme, timeArg(tx.now), id, in.Version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return escalate.Errorf(escalate.ECONFLICT, "This learning item was changed by someone else; reload and try again.")
		}
		actor := fmt.Sprintf("user:%d", u.ID)
		object := fmt.Sprintf("learning:%d", id)
		if err := tx.Audit(actor, escalate.ActionLearningUpdate, object, map[string]any{
			"assigned_role": in.Assignee.Role, "assigned_subgroup": in.Assignee.Subgroup, "status": in.Status,
			"action_taken": in.ActionTaken, "theme": in.Theme, "version": in.Version + 1}); err != nil {
			return err
		}
		if linkID != 0 {
			res, err := tx.exec(`INSERT INTO learning_links (item_id, escalation_id, linked_by, linked) VALUES ($1, $2, $3, $4)
				ON CONFLICT (item_id, escalation_id) DO NOTHING`, id, linkID, u.ID, timeArg(tx.now))
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 1 {
				if err := tx.Audit(actor, escalate.ActionLearningLink, object, map[string]any{"ref": in.Link}); err != nil {
					return err
				}
			}
		}
		out, err = tx.learningItem(u.PartnershipID, id)
		return err
	})
	return out, err
}

// LearningThemes counts the learning items of partnership partnershipID
// created in [from, to) by theme, without regard to case (countThemes); an
// item without a theme counts under its kind's name. For the quarterly report's "themes from the learning log":
// the report checks who may read it.
func (db *DB) LearningThemes(ctx context.Context, partnershipID int64, from, to time.Time) (map[string]int, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT kind, theme FROM learning_items
		WHERE partnership_id = $1 AND created >= $2 AND created < $3`, partnershipID, timeArg(from), timeArg(to))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	labels := map[string]int{}
	for rows.Next() {
		it := &escalate.LearningItem{}
		if err := rows.Scan(&it.Kind, &it.Theme); err != nil {
			return nil, err
		}
		labels[it.ThemeLabel()]++
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	themes, err := learningThemes(ctx, db.db, partnershipID)
	if err != nil {
		return nil, err
	}
	return countThemes(themes, labels), nil
}
