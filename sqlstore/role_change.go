package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/policy"
)

// Who may change roles and line managers, beyond the web's "administrators
// only": nobody may give themselves a role that opens cases
// (escalate.OpensCases: an oversight role, which reads every case, a
// partnership role such as board member, or any role a stage may name),
// make themselves anyone's line manager, which reads their cases, or make
// themselves an agency's escalation contact (agency_contacts.go). The rules
// are here, in the store, so the web and the command line keep them alike.
// Every role change is written to role_changes; a grant of an oversight role
// (escalate.Oversight: Business Manager, Chair, Vice Chair) is also emailed
// to the partnership's Business Managers and Chairs.

// forbidden is an EFORBIDDEN error that names the form field at fault, so a
// form can show it in its error summary.
func forbidden(field, format string, args ...any) error {
	return &escalate.Error{Code: escalate.EFORBIDDEN, Field: field, Message: fmt.Sprintf(format, args...)}
}

// roleDiff returns the roles added and removed going from was to now.
func roleDiff(was, now []escalate.Role) (added, removed []escalate.Role) {
	for _, r := range now {
		if !slices.Contains(was, r) {
			added = append(added, r)
		}
	}
	for _, r := range was {
		if !slices.Contains(now, r) {
			removed = append(removed, r)
		}
	}
	return added, removed
}

// oversightIn returns the oversight roles among rs.
func oversightIn(rs []escalate.Role) []escalate.Role {
	var out []escalate.Role
	for _, r := range rs {
		if slices.Contains(escalate.Oversight, r) {
			out = append(out, r)
		}
	}
	return out
}

// checkSelfGrant refuses an actor adding to themselves a role that opens
// cases (escalate.OpensCases).
func checkSelfGrant(ctx context.Context, userID int64, added []escalate.Role) error {
	a := escalate.UserFromContext(ctx)
	if a == nil || a.ID != userID {
		return nil
	}
	for _, r := range added {
		if !escalate.OpensCases(r) {
			continue
		}
		if slices.Contains(escalate.Oversight, r) {
			return forbidden("roles", "You cannot give yourself the %s role: it reads every case, so another administrator must, and the partnership's Business Manager and Chair are told.",
				roleWords(r))
		}
		return forbidden("roles", "You cannot give yourself the %s role: it opens the cases that reach its holder, so another administrator must.",
			roleWords(r))
	}
	return nil
}

// checkSelfContact refuses an actor making themselves an escalation
// contact, who is brought every case raised against the agency.
func checkSelfContact(ctx context.Context, userID int64) error {
	if a := escalate.UserFromContext(ctx); a != nil && a.ID == userID {
		return forbidden("user", "You cannot make yourself an escalation contact: it opens every case raised against the agency, so another administrator must.")
	}
	return nil
}

// checkSelfManager refuses an actor making themselves someone's line manager.
func checkSelfManager(ctx context.Context, managerID int64) error {
	if a := escalate.UserFromContext(ctx); a != nil && managerID != 0 && a.ID == managerID {
		return forbidden("manager", "You cannot make yourself anyone's line manager: another administrator must.")
	}
	return nil
}

// roleWords names a role in an email or message: an oversight role as the
// partnership calls it, another by its built-in name (policy.RoleName).
func roleWords(r escalate.Role) string {
	switch r {
	case escalate.RoleBusinessManager:
		return "Business Manager"
	case escalate.RoleChair:
		return "Chair"
	case escalate.RoleViceChair:
		return "Vice Chair"
	}
	return policy.RoleName(&escalate.Policy{}, r)
}

// recordRoleChange writes the change to role_changes and, when a person or
// the command line adds an oversight role, tells each enabled Business
// Manager and Chair of the partnership by an outbox message that names
// nobody.
func (tx *Tx) recordRoleChange(partnershipID, userID int64, was, now []escalate.Role) error {
	added, removed := roleDiff(was, now)
	if len(added) == 0 && len(removed) == 0 {
		return nil
	}
	granted := oversightIn(added)
	if _, err := tx.ExecContext(tx.ctx, `
		INSERT INTO role_changes (partnership_id, user_id, actor, at, added, removed, oversight)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		partnershipID, userID, Actor(tx.ctx), timeArg(tx.now), formatRoles(added), formatRoles(removed), len(granted) > 0); err != nil {
		return fmt.Errorf("role change: %w", err)
	}
	if actor := Actor(tx.ctx); len(granted) == 0 || !strings.HasPrefix(actor, "user:") && !strings.HasPrefix(actor, "cli") {
		// Seeding inside the process (the demo, tests) names no person:
		// recorded, not emailed. A person (user:ID) or the command line
		// (cli:NAME) always is.
		return nil
	}
	rows, err := tx.QueryContext(tx.ctx, `SELECT id, roles FROM users WHERE partnership_id = $1 AND NOT disabled ORDER BY id`, partnershipID)
	if err != nil {
		return err
	}
	var to []int64
	for rows.Next() {
		var id int64
		var roles string
		if err := rows.Scan(&id, &roles); err != nil {
			rows.Close()
			return err
		}
		rs := strings.Split(roles, ",")
		if slices.Contains(rs, string(escalate.RoleBusinessManager)) || slices.Contains(rs, string(escalate.RoleChair)) {
			to = append(to, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	words := make([]string, len(granted))
	for i, r := range granted {
		words[i] = roleWords(r)
	}
	body := jsonText(map[string]any{"roles": strings.Join(words, ", "), "at": timeArg(tx.now)})
	for _, id := range to {
		if err := tx.insertOutbox("account.oversight-granted", 0, escalate.Recipient{User: id}, "account-oversight-granted", body); err != nil {
			return err
		}
	}
	return nil
}

// RoleChanges returns the partnership's role changes, newest first, at most
// limit.
func (db *DB) RoleChanges(ctx context.Context, partnershipID int64, limit int) ([]escalate.RoleChange, error) {
	rows, err := db.db.QueryContext(ctx, `
		SELECT id, user_id, actor, at, added, removed, oversight FROM role_changes
		WHERE partnership_id = $1 ORDER BY at DESC, id DESC LIMIT $2`, partnershipID, limit)
	if err != nil {
		return nil, WrapError(err)
	}
	defer rows.Close()
	var out []escalate.RoleChange
	for rows.Next() {
		var c escalate.RoleChange
		var added, removed string
		if err := rows.Scan(&c.ID, &c.UserID, &c.Actor, scanTime(&c.At), &added, &removed, &c.Oversight); err != nil {
			return nil, WrapError(err)
		}
		c.Added, c.Removed = splitRoles(added), splitRoles(removed)
		if id, ok := strings.CutPrefix(c.Actor, "user:"); ok {
			fmt.Sscan(id, &c.ActorID)
		}
		out = append(out, c)
	}
	return out, WrapError(rows.Err())
}

func splitRoles(s string) []escalate.Role {
	var rs []escalate.Role
	for _, r := range strings.Split(s, ",") {
		if r != "" {
			rs = append(rs, escalate.Role(r))
		}
	}
	return rs
}
