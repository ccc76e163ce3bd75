package sqlstore

import (
	"context"
	"fmt"

	"github.com/escalate-project/escalate"
)

// Escalation contacts: each agency's single point of contact for
// disagreements raised against it. A new escalation reaches them at once
// (routing's "take" step); they take it or name who deals with it. The
// administrator sets them, in the service and on the command line.

// AddEscalationContact makes user an escalation contact of agency. The
// user must be an enabled account at that agency that does more than
// administer, and not the signed-in person themselves (role_change.go).
// Audited as the context's actor.
func (db *DB) AddEscalationContact(ctx context.Context, agencyID, userID int64) error {
	return db.WithTx(ctx, func(tx *Tx) error {
		u, err := findUser(tx.ctx, tx, `id = $1`, userID)
		if notFound(err) || err == nil && (u.AgencyID != agencyID || u.Disabled) {
			return escalate.FieldErrorf("user", "Choose an enabled account at this agency.")
		} else if err != nil {
			return err
		}
		if err := checkSelfContact(ctx, userID); err != nil {
			return err
		}
		if (&escalate.Person{Roles: u.Roles}).OnlyAdministers() {
			return escalate.FieldErrorf("user", "%s only administers the service or its data: an escalation contact must be someone who deals with cases.", u.Name)
		}
		res, err := tx.exec(`INSERT INTO agency_contacts (agency_id, user_id, added, added_by) VALUES ($1, $2, $3, $4)
			ON CONFLICT (agency_id, user_id) DO NOTHING`, agencyID, userID, timeArg(tx.now), nullID(signedInID(ctx)))
		if err != nil {
			return fmt.Errorf("add escalation contact: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return escalate.FieldErrorf("user", "%s is already an escalation contact of this agency.", u.Name)
		}
		return tx.AuditIn(u.PartnershipID, Actor(ctx), "agency.contact.add", fmt.Sprintf("agency:%d", agencyID),
			map[string]any{"user": userID, "time": tx.now}) // "time": the row's instant, for verify's replay
	})
}

// RemoveEscalationContact stops user being an escalation contact of agency.
func (db *DB) RemoveEscalationContact(ctx context.Context, agencyID, userID int64) error {
	return db.WithTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(`DELETE FROM agency_contacts WHERE agency_id = $1 AND user_id = $2`, agencyID, userID)
		if err != nil {
			return fmt.Errorf("remove escalation contact: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return escalate.Errorf(escalate.ENOTFOUND, "That person is not an escalation contact of this agency.")
		}
		return tx.auditUser(userID, Actor(ctx), "agency.contact.remove", fmt.Sprintf("agency:%d", agencyID), map[string]any{"user": userID})
	})
}

// EscalationContacts returns the partnership's escalation contacts by
// agency ID, each as the account it is.
func (db *DB) EscalationContacts(ctx context.Context, partnershipID int64) (map[int64][]*escalate.User, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT c.agency_id, u.id, u.partnership_id, u.agency_id, u.name, u.email,
			u.roles, COALESCE(u.manager_id, 0), u.disabled
		FROM agency_contacts c JOIN users u ON u.id = c.user_id
		WHERE u.partnership_id = $1 ORDER BY c.agency_id, u.name`, partnershipID)
	if err != nil {
		return nil, WrapError(err)
	}
	defer rows.Close()
	out := map[int64][]*escalate.User{}
	for rows.Next() {
		var agency int64
		u, err := scanUser(prefixScanner{&agency, rows})
		if err != nil {
			return nil, err
		}
		out[agency] = append(out[agency], u)
	}
	return out, rows.Err()
}

// signedInID is the signed-in user of ctx, 0 for the command line.
func signedInID(ctx context.Context) int64 {
	if u := escalate.UserFromContext(ctx); u != nil {
		return u.ID
	}
	return 0
}
