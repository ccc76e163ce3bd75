package sqlstore

import (
	"context"
	"fmt"

	"github.com/escalate-project/escalate"
)

// SetRoles replaces the roles of user userID. Sessions go on: the roles are
// read again at each request. Nobody may give themselves a role that opens
// cases (escalate.OpensCases; EFORBIDDEN on field roles); every change is
// recorded, and a grant of an oversight role emailed to the partnership's
// Business Managers and Chairs (role_change.go).
func (db *DB) SetRoles(ctx context.Context, userID int64, roles []escalate.Role) error {
	return db.WithTx(ctx, func(tx *Tx) error {
		u, err := findUser(ctx, tx, `id = $1`, userID)
		if err != nil {
			return err
		}
		rs, err := tx.parseRoles(u.PartnershipID, roles)
		if err != nil {
			return err
		}
		added, _ := roleDiff(u.Roles, rs)
		if err := checkSelfGrant(ctx, userID, added); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET roles = $1 WHERE id = $2`, formatRoles(rs), userID); err != nil {
			return err
		}
		if err := tx.recordRoleChange(u.PartnershipID, userID, u.Roles, rs); err != nil {
			return err
		}
		return tx.auditUser(userID, Actor(ctx), "user.roles", fmt.Sprintf("user:%d", userID),
			map[string]any{"roles": formatRoles(rs), "was": formatRoles(u.Roles)})
	})
}

// EnableUser lets a disabled user sign in again.
func (db *DB) EnableUser(ctx context.Context, userID int64) error {
	return db.WithTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET disabled = FALSE WHERE id = $1`, userID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return escalate.Errorf(escalate.ENOTFOUND, "There is no such user.")
		}
		return tx.auditUser(userID, Actor(ctx), "user.enable", fmt.Sprintf("user:%d", userID), nil)
	})
}
