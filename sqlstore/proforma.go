package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/escalate-project/escalate"
)

// Proformas and the close of a case (doc/learning.md). A proforma is written
// in the transaction that resolves the case, so it exists if and only if
// the resolution does; the parties are asked for learning in that same
// transaction.

// afterClose does what closing an escalation sets off: the proforma of a
// case resolved at a proforma stage, and the request for learning to its
// parties. before is the case as loaded, after as changed.
func (tx *Tx) afterClose(pin *pinned, before, after *escalate.Escalation, actor *escalate.User) error {
	if before.Status.Closed() || !after.Status.Closed() {
		return nil
	}
	if escalate.NeedsProforma(pin.policy, before, after) {
		if err := tx.createProforma(pin, after, actor); err != nil {
			return err
		}
	}
	return tx.askLearning(pin, after, actor)
}

// createProforma builds and stores the proforma of e, just resolved, and
// puts it in the queue of the policy's proforma recipient.
func (tx *Tx) createProforma(pin *pinned, e *escalate.Escalation, actor *escalate.User) error {
	var partnership string
	if err := tx.queryRow(`SELECT name FROM partnerships WHERE id = $1`, e.PartnershipID).Scan(&partnership); err != nil {
		return fmt.Errorf("proforma: partnership: %w", err)
	}
	names := map[int64]string{}
	for _, id := range []int64{e.RaisingAgencyID, e.ReceivingAgencyID} {
		var n string
		if err := tx.queryRow(`SELECT name FROM agencies WHERE id = $1`, id).Scan(&n); err != nil {
			return fmt.Errorf("proforma: agency: %w", err)
		}
		names[id] = n
	}
	body := escalate.BuildProforma(pin.policy, pin.cal, e, tx.now, partnership, names)
	st := e.CurrentStage(pin.policy)
	var id int64
	err := tx.queryRow(`
		INSERT INTO proformas (partnership_id, escalation_id, stage_key, body, status, created, version)
		VALUES ($1, $2, $3, $4, 'new', $5, 1) RETURNING id`,
		e.PartnershipID, e.ID, st.Key, jsonText(body), timeArg(tx.now)).Scan(&id)
	if err != nil {
		return fmt.Errorf("proforma: %w", WrapError(err))
	}
	if err := tx.AuditIn(actor.PartnershipID, fmt.Sprintf("user:%d", actor.ID), escalate.ActionProformaCreate, fmt.Sprintf("proforma:%d", id),
		map[string]any{"ref": e.Ref, "stage": st.Key}); err != nil {
		return err
	}
	to := pin.policy.Learning.ProformaTo
	if to == "" {
		to = escalate.RoleBusinessManager
	}
	// The reference and the stage only: the recipient signs in to read it.
	return tx.insertOutbox(escalate.ActionProformaCreate, e.ID, escalate.Recipient{Role: to}, "proforma-new",
		jsonText(map[string]any{"ref": e.Ref, "action": escalate.ActionProformaCreate, "stage": st.Key, "proforma": id}))
}

// askLearning tells the parties of e, just closed, that the learning step
// waits for them: the raiser and everyone involved, except the actor, who
// sees the request on the page.
func (tx *Tx) askLearning(pin *pinned, e *escalate.Escalation, actor *escalate.User) error {
	ps, err := tx.parties(pin.policy, e)
	if err != nil {
		return err
	}
	body := jsonText(map[string]any{"ref": e.Ref, "action": "learning.asked", "status": string(e.Status)})
	seen := map[int64]bool{actor.ID: true}
	for _, u := range ps.With(escalate.TieRaiser | escalate.TieInvolved | escalate.TieNamed) {
		if seen[u] {
			continue
		}
		seen[u] = true
		if err := tx.insertOutbox("learning.asked", e.ID, escalate.Recipient{User: u}, "learning-asked", body); err != nil {
			return err
		}
	}
	return nil
}

// oversightActor re-reads the acting user of ctx inside tx and returns it
// when they hold an oversight role (Business Manager, chair, vice chair):
// the only people who see proformas and the learning log. Anyone else gets
// ENOTFOUND, as for something that does not exist.
func (tx *Tx) oversightActor(ctx context.Context) (*escalate.User, error) {
	u, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	if u, err = tx.actingUser(u); err != nil {
		return nil, err
	}
	if u.Disabled || !isOversight(u) {
		return nil, escalate.Errorf(escalate.ENOTFOUND, "Page not found.")
	}
	return u, nil
}

func isOversight(u *escalate.User) bool {
	for _, r := range escalate.Oversight {
		if u.HasRole(r) {
			return true
		}
	}
	return false
}

// onlyBusinessManager is EFORBIDDEN unless u is the Business Manager: the
// chair and vice chair read the learning log and proformas, the Business
// Manager keeps them.
func onlyBusinessManager(u *escalate.User) error {
	if !u.HasRole(escalate.RoleBusinessManager) {
		return escalate.Errorf(escalate.EFORBIDDEN, "Only the Business Manager can change this.")
	}
	return nil
}

const proformaColumns = `p.id, p.partnership_id, p.escalation_id, e.ref, p.stage_key, p.status, p.created,
	COALESCE(p.reviewed_by, 0), p.reviewed_at, p.version, p.body`

func scanProforma(r interface{ Scan(...any) error }) (*escalate.Proforma, error) {
	p := &escalate.Proforma{}
	var body string
	if err := r.Scan(&p.ID, &p.PartnershipID, &p.EscalationID, &p.Ref, &p.StageKey, &p.Status, scanTime(&p.Created),
		&p.ReviewedBy, scanTime(&p.ReviewedAt), &p.Version, &body); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(body), &p.Body); err != nil {
		return nil, fmt.Errorf("proforma %d: %w", p.ID, err)
	}
	return p, nil
}

// Proformas returns the partnership's proformas, newest first; status ""
// for all. For the Business Manager, chair and vice chair; a list records
// no view (opening one does).
func (db *DB) Proformas(ctx context.Context, status string) ([]*escalate.Proforma, error) {
	var out []*escalate.Proforma
	err := db.WithTx(ctx, func(tx *Tx) error {
		u, err := tx.oversightActor(ctx)
		if err != nil {
			return err
		}
		rows, err := tx.query(`SELECT `+proformaColumns+` FROM proformas p JOIN escalations e ON e.id = p.escalation_id
			WHERE p.partnership_id = $1 AND ($2 = '' OR p.status = $2) ORDER BY p.created DESC, p.id DESC`, u.PartnershipID, status)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			p, err := scanProforma(rows)
			if err != nil {
				return err
			}
			out = append(out, p)
		}
		return rows.Err()
	})
	return out, err
}

// Proforma returns proforma id with the learning linked to its escalation,
// and records that the actor read it: as a page ("page") or a download
// ("pdf", "csv"); as "" records nothing (a form shown again).
func (db *DB) Proforma(ctx context.Context, id int64, as string) (*escalate.Proforma, error) {
	var out *escalate.Proforma
	err := db.WithTx(ctx, func(tx *Tx) error {
		u, err := tx.oversightActor(ctx)
		if err != nil {
			return err
		}
		p, err := tx.proforma(u.PartnershipID, id)
		if err != nil {
			return err
		}
		if p.Learning, err = tx.learningOf(p.EscalationID); err != nil {
			return err
		}
		out = p
		if as == "" {
			return nil
		}
		return tx.Audit(fmt.Sprintf("user:%d", u.ID), escalate.ActionProformaView, fmt.Sprintf("proforma:%d", id),
			map[string]any{"as": as})
	})
	return out, err
}

// proforma loads proforma id of the partnership; another partnership's is
// not found.
func (tx *Tx) proforma(partnershipID, id int64) (*escalate.Proforma, error) {
	p, err := scanProforma(tx.queryRow(`SELECT `+proformaColumns+` FROM proformas p JOIN escalations e ON e.id = p.escalation_id
		WHERE p.id = $1 AND p.partnership_id = $2`, id, partnershipID))
	if notFound(WrapError(err)) {
		return nil, escalate.Errorf(escalate.ENOTFOUND, "Proforma not found.")
	}
	return p, err
}

// ReviewProforma moves proforma id to status (new or reviewed), made
// against version; the Business Manager's step, audited.
func (db *DB) ReviewProforma(ctx context.Context, id int64, version int, status string) (*escalate.Proforma, error) {
	var out *escalate.Proforma
	err := db.WithTx(ctx, func(tx *Tx) error {
		u, err := tx.oversightActor(ctx)
		if err != nil {
			return err
		}
		p, err := tx.proforma(u.PartnershipID, id)
		if err != nil {
			return err
		}
		if err := onlyBusinessManager(u); err != nil {
			return err
		}
		if status != escalate.ProformaNew && status != escalate.ProformaReviewed {
			return escalate.FieldErrorf("status", "Choose the status: new or reviewed.")
		}
		if version != p.Version {
			return escalate.Errorf(escalate.ECONFLICT, "This proforma was changed by someone else; reload and try again.")
		}
		if _, err := tx.exec(`UPDATE proformas SET status = $1, reviewed_by = $2, reviewed_at = $3, version = version + 1
			WHERE id = $4 AND version = $5`, status, u.ID, timeArg(tx.now), id, version); err != nil {
			return err
		}
		if err := tx.Audit(fmt.Sprintf("user:%d", u.ID), escalate.ActionProformaReview, fmt.Sprintf("proforma:%d", id),
			map[string]any{"from": p.Status, "to": status}); err != nil {
			return err
		}
		p.Status, p.ReviewedBy, p.ReviewedAt, p.Version = status, u.ID, tx.now, p.Version+1
		out = p
		return nil
	})
	return out, err
}
