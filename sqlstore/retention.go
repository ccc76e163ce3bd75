package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/escalate-project/escalate"
)

// Retention periods and legal holds (doc/privacy.md): set by the
// partnership's data protection officer, or at the console. The job that
// erases what is due is in retention_run.go.

// dpoActor is the audit actor of someone who may manage retention and
// holds, and the partnership they are held to: a signed-in data protection
// officer (their own partnership), or the console (console: the one named,
// 0 for all).
func (tx *Tx) dpoActor(console int64) (string, int64, error) {
	if u := escalate.UserFromContext(tx.ctx); u != nil {
		fresh, err := tx.actingUser(u)
		if err != nil {
			return "", 0, err
		}
		if fresh.Disabled || !fresh.HasRole(escalate.RoleDataProtectionOfficer) {
			return "", 0, escalate.Errorf(escalate.ENOTFOUND, "Page not found.")
		}
		return fmt.Sprintf("user:%d", fresh.ID), fresh.PartnershipID, nil
	}
	actor := Actor(tx.ctx)
	if !strings.HasPrefix(actor, "cli") && actor != "system" {
		return "", 0, escalate.Errorf(escalate.EUNAUTHORIZED, "Sign in to do this.")
	}
	return actor, console, nil
}

// retentionDays returns partnership's period for every class: its own, or
// the default.
func retentionDays(ctx context.Context, q querier, partnershipID int64) (map[escalate.RetentionClass]int, error) {
	out := map[escalate.RetentionClass]int{}
	for c, d := range escalate.DefaultRetentionDays {
		out[c] = d
	}
	rows, err := q.QueryContext(ctx, `SELECT class, days FROM retention_periods WHERE partnership_id = $1`, partnershipID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var c string
		var d int
		if err := rows.Scan(&c, &d); err != nil {
			return nil, err
		}
		out[escalate.RetentionClass(c)] = d
	}
	return out, rows.Err()
}

// RetentionPeriods returns the acting partnership's period, in days, for
// every class, and which are its own rather than the default. partnershipID
// names the partnership at the console; a signed-in reader gets their own.
func (db *DB) RetentionPeriods(ctx context.Context, partnershipID int64) (map[escalate.RetentionClass]int, map[escalate.RetentionClass]bool, error) {
	var days map[escalate.RetentionClass]int
	own := map[escalate.RetentionClass]bool{}
	err := db.readTx(ctx, func(stx *sql.Tx) error {
		tx := &Tx{Tx: stx, ctx: ctx, db: db}
		_, p, err := tx.dpoActor(partnershipID)
		if err != nil {
			return err
		}
		if p == 0 {
			return escalate.FieldErrorf("partnership", "Name the partnership.")
		}
		if days, err = retentionDays(ctx, tx, p); err != nil {
			return err
		}
		for c, d := range days {
			own[c] = d != escalate.DefaultRetentionDays[c]
		}
		return nil
	})
	return days, own, err
}

// SetRetentionPeriod sets how many days the partnership keeps class after
// it ends. partnershipID names the partnership at the console.
func (db *DB) SetRetentionPeriod(ctx context.Context, partnershipID int64, class escalate.RetentionClass, days int) error {
	if _, err := escalate.ParseRetentionClass(string(class)); err != nil {
		return err
	}
	if err := escalate.ValidateRetentionDays(days); err != nil {
		return err
	}
	return db.WithTx(ctx, func(tx *Tx) error {
		actor, p, err := tx.dpoActor(partnershipID)
		if err != nil {
			return err
		}
		if p == 0 {
			return escalate.FieldErrorf("partnership", "Name the partnership.")
		}
		if err := tx.lockPartnership(p); err != nil {
			return err
		}
		var was sql.NullInt64
		if err := tx.queryRow(`SELECT days FROM retention_periods WHERE partnership_id = $1 AND class = $2`, p, string(class)).Scan(&was); err != nil && err != sql.ErrNoRows {
			return err
		}
		if _, err := tx.exec(`
			INSERT INTO retention_periods (partnership_id, class, days, updated_by, updated) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (partnership_id, class) DO UPDATE SET days = $3, updated_by = $4, updated = $5`,
			p, string(class), days, actor, timeArg(tx.now)); err != nil {
			return err
		}
		from := escalate.DefaultRetentionDays[class]
		if was.Valid {
			from = int(was.Int64)
		}
		return tx.AuditIn(p, actor, "retention.period", fmt.Sprintf("partnership:%d", p),
			map[string]any{"class": class, "days": days, "was": from})
	})
}

// PlaceHold places a legal hold on escalation ref of the partnership, or
// on the whole partnership when ref is "". partnershipID names the
// partnership at the console.
func (db *DB) PlaceHold(ctx context.Context, partnershipID int64, ref, reason string) (*escalate.LegalHold, error) {
	ref = strings.TrimSpace(ref)
	if err := escalate.ValidateHoldReason("reason", reason); err != nil {
		return nil, err
	}
	var out *escalate.LegalHold
	err := db.WithTx(ctx, func(tx *Tx) error {
		actor, p, err := tx.dpoActor(partnershipID)
		if err != nil {
			return err
		}
		var escID sql.NullInt64
		object := fmt.Sprintf("partnership:%d", p)
		if ref != "" {
			var part int64
			err := tx.queryRow(`SELECT id, partnership_id FROM escalations WHERE ref = $1`, ref).Scan(&escID, &part)
			if err == sql.ErrNoRows || err == nil && p != 0 && part != p {
				return escalate.FieldErrorf("ref", "There is no escalation %s in this partnership.", ref)
			} else if err != nil {
				return err
			}
			p, object = part, "escalation:"+ref
		}
		if p == 0 {
			return escalate.FieldErrorf("partnership", "Name the partnership.")
		}
		// The retention job locks the partnership too: a hold placed now
		// is seen by any erasure that has not yet begun.
		if err := tx.lockPartnership(p); err != nil {
			return err
		}
		h := &escalate.LegalHold{PartnershipID: p, Ref: ref, Reason: strings.TrimSpace(reason), Placed: tx.now}
		if err := tx.queryRow(`INSERT INTO legal_holds (partnership_id, escalation_id, reason, placed_by, placed)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, p, escID, h.Reason, actor, timeArg(tx.now)).Scan(&h.ID); err != nil {
			return err
		}
		if id, ok := userActor(actor); ok {
			h.PlacedBy = id
		}
		out = h
		return tx.AuditIn(p, actor, "legal-hold.place", object, map[string]any{"hold": h.ID, "reason": h.Reason})
	})
	return out, err
}

// LiftHold lifts legal hold id of the partnership, giving the reason.
func (db *DB) LiftHold(ctx context.Context, partnershipID, id int64, reason string) error {
	if err := escalate.ValidateHoldReason("lift_reason", reason); err != nil {
		return err
	}
	return db.WithTx(ctx, func(tx *Tx) error {
		actor, p, err := tx.dpoActor(partnershipID)
		if err != nil {
			return err
		}
		hs, err := legalHolds(ctx, tx, p, `h.id = $2`, id)
		if err != nil {
			return err
		}
		if len(hs) == 0 {
			return escalate.Errorf(escalate.ENOTFOUND, "There is no such legal hold.")
		}
		// Locked, then read again: a lift that got there first shows.
		if err := tx.lockPartnership(hs[0].PartnershipID); err != nil {
			return err
		}
		if hs, err = legalHolds(ctx, tx, p, `h.id = $2`, id); err != nil {
			return err
		}
		if !hs[0].Active() {
			return escalate.Errorf(escalate.ECONFLICT, "This legal hold was already lifted.")
		}
		if _, err := tx.exec(`UPDATE legal_holds SET lifted_by = $1, lifted = $2, lift_reason = $3 WHERE id = $4`,
			actor, timeArg(tx.now), strings.TrimSpace(reason), id); err != nil {
			return err
		}
		object := fmt.Sprintf("partnership:%d", hs[0].PartnershipID)
		if hs[0].Ref != "" {
			object = "escalation:" + hs[0].Ref
		}
		return tx.AuditIn(hs[0].PartnershipID, actor, "legal-hold.lift", object, map[string]any{"hold": id, "reason": strings.TrimSpace(reason)})
	})
}

// LegalHolds returns the partnership's holds, standing ones first, newest
// first. partnershipID names the partnership at the console.
func (db *DB) LegalHolds(ctx context.Context, partnershipID int64) ([]*escalate.LegalHold, error) {
	var out []*escalate.LegalHold
	err := db.readTx(ctx, func(stx *sql.Tx) error {
		tx := &Tx{Tx: stx, ctx: ctx, db: db}
		_, p, err := tx.dpoActor(partnershipID)
		if err != nil {
			return err
		}
		out, err = legalHolds(ctx, tx, p, `TRUE`)
		return err
	})
	return out, err
}

// legalHolds reads the holds of partnership p (0 for all) matching cond,
// whose arguments follow p as $2….
func legalHolds(ctx context.Context, q querier, p int64, cond string, args ...any) ([]*escalate.LegalHold, error) {
	rows, err := q.QueryContext(ctx, `
		SELECT h.id, h.partnership_id, COALESCE(e.ref, ''), h.reason, h.placed_by, h.placed,
			COALESCE(h.lifted_by, ''), h.lifted, h.lift_reason
		FROM legal_holds h LEFT JOIN escalations e ON e.id = h.escalation_id
		WHERE ($1 = 0 OR h.partnership_id = $1) AND `+cond+`
		ORDER BY h.lifted IS NOT NULL, h.id DESC`, append([]any{p}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*escalate.LegalHold
	for rows.Next() {
		h := &escalate.LegalHold{}
		var placedBy, liftedBy string
		if err := rows.Scan(&h.ID, &h.PartnershipID, &h.Ref, &h.Reason, &placedBy, scanTime(&h.Placed),
			&liftedBy, scanTime(&h.Lifted), &h.LiftReason); err != nil {
			return nil, err
		}
		h.PlacedBy, _ = userActor(placedBy)
		h.LiftedBy, _ = userActor(liftedBy)
		out = append(out, h)
	}
	return out, rows.Err()
}
