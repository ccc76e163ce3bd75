package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"

	"github.com/escalate-project/escalate"
)

// ParseRoles reads a comma-separated list of user roles, e.g.
// "manager,chair", refusing unknown and repeated ones. Besides the built-in
// user roles it accepts the roles in declared: those the partnership's
// policy declares (escalate.HoldableRole).
func ParseRoles(s string, declared ...escalate.Role) ([]escalate.Role, error) {
	var rs []escalate.Role
	for _, f := range strings.Split(s, ",") {
		r := escalate.Role(strings.TrimSpace(f))
		if r == "" {
			continue
		}
		if !escalate.IsUserRole(r) && !slices.Contains(declared, r) {
			return nil, escalate.FieldErrorf("roles", "Unknown role %q: a user may be %s.", r, roleList(declared))
		}
		if slices.Contains(rs, r) {
			return nil, escalate.FieldErrorf("roles", "The role %q is given twice.", r)
		}
		rs = append(rs, r)
	}
	if len(rs) == 0 {
		return nil, escalate.FieldErrorf("roles", "At least one role is required: %s.", roleList(declared))
	}
	return rs, nil
}

func roleList(declared []escalate.Role) string {
	var ss []string
	for _, r := range append(slices.Clone(escalate.UserRoles), declared...) {
		ss = append(ss, string(r))
	}
	return strings.Join(ss, ", ")
}

// parseRoles checks rs are roles an account of partnershipID may hold:
// built in, or declared by its policy (read only when needed).
func (tx *Tx) parseRoles(partnershipID int64, rs []escalate.Role) ([]escalate.Role, error) {
	out, err := ParseRoles(formatRoles(rs))
	if err == nil || escalate.ErrorField(err) != "roles" {
		return out, err
	}
	declared, derr := tx.declaredRoles(partnershipID)
	if derr != nil || len(declared) == 0 {
		// A policy text that no longer loads declares nothing usable.
		return nil, err
	}
	return ParseRoles(formatRoles(rs), declared...)
}

// declaredRoles returns the roles partnershipID's current policy declares,
// which its accounts may hold besides the built-in ones.
func (tx *Tx) declaredRoles(partnershipID int64) ([]escalate.Role, error) {
	var versionID int64
	var sum string
	err := tx.queryRow(`SELECT COALESCE(p.policy_version_id, 0), COALESCE(v.sha256, '') FROM partnerships p
		LEFT JOIN policy_versions v ON v.id = p.policy_version_id WHERE p.id = $1`, partnershipID).Scan(&versionID, &sum)
	if err != nil || versionID == 0 {
		return nil, WrapError(err)
	}
	pol, err := tx.policyVersion(versionID, sum)
	if err != nil {
		return nil, err
	}
	var out []escalate.Role
	for _, d := range pol.Roles {
		out = append(out, d.Key)
	}
	return out, nil
}

func formatRoles(rs []escalate.Role) string {
	ss := make([]string, len(rs))
	for i, r := range rs {
		ss[i] = string(r)
	}
	return strings.Join(ss, ",")
}

// normalEmail returns the address lower-cased, or an EINVALID error.
func normalEmail(s string) (string, error) {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return "", escalate.FieldErrorf("email", "%q is not an email address like name@example.org.", s)
	}
	return strings.ToLower(s), nil
}

// CreateUser adds a user to their partnership; ID is filled in and Email is
// lower-cased. The agency and the line manager (if ManagerID is set) must be
// of the same partnership.
func (db *DB) CreateUser(ctx context.Context, u *escalate.User) error {
	if err := checkName("name", u.Name); err != nil {
		return err
	}
	email, err := normalEmail(u.Email)
	if err != nil {
		return err
	}
	return db.WithTx(ctx, func(tx *Tx) error {
		if _, err := findPartnership(ctx, tx, "id", u.PartnershipID); err != nil {
			return err
		}
		roles, err := tx.parseRoles(u.PartnershipID, u.Roles)
		if err != nil {
			return err
		}
		a, err := findAgency(ctx, tx, `id = $1`, u.AgencyID)
		if notFound(err) || err == nil && a.PartnershipID != u.PartnershipID {
			return escalate.FieldErrorf("agency", "There is no such agency in this partnership.")
		} else if err != nil {
			return err
		}
		if err := checkSelfManager(ctx, u.ManagerID); err != nil {
			return err
		}
		if u.ManagerID != 0 {
			m, err := findUser(ctx, tx, `id = $1`, u.ManagerID)
			if notFound(err) || err == nil && m.PartnershipID != u.PartnershipID {
				return escalate.FieldErrorf("manager", "There is no such line manager in this partnership.")
			} else if err != nil {
				return err
			}
		}
		err = tx.QueryRowContext(ctx, `
			INSERT INTO users (partnership_id, agency_id, name, email, roles, manager_id, disabled, created)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			u.PartnershipID, u.AgencyID, u.Name, email, formatRoles(roles), nullID(u.ManagerID), u.Disabled, timeArg(tx.now),
		).Scan(&u.ID)
		if err != nil {
			return conflictMessage(err, "The partnership already has a user with the email address %s.", email)
		}
		u.Email, u.Roles = email, roles
		if err := tx.recordRoleChange(u.PartnershipID, u.ID, nil, roles); err != nil {
			return err
		}
		return tx.AuditIn(u.PartnershipID, Actor(ctx), "user.add", fmt.Sprintf("user:%d", u.ID), map[string]any{
			"partnership_id": u.PartnershipID, "agency_id": u.AgencyID, "name": u.Name, "email": email,
			"roles": formatRoles(roles), "manager_id": u.ManagerID,
		})
	})
}

// SetManager makes managerID the line manager of userID (0 for none). Both
// must be of one partnership, and no one may end up managing themselves,
// directly or up the line. The acting user may not make themselves anyone's
// line manager (EFORBIDDEN on field manager).
func (db *DB) SetManager(ctx context.Context, userID, managerID int64) error {
	return db.WithTx(ctx, func(tx *Tx) error {
		u, err := findUser(ctx, tx, `id = $1`, userID)
		if err != nil {
			return err
		}
		if err := checkSelfManager(ctx, managerID); err != nil {
			return err
		}
		if managerID != 0 {
			m, err := findUser(ctx, tx, `id = $1`, managerID)
			if notFound(err) || err == nil && m.PartnershipID != u.PartnershipID {
				return escalate.FieldErrorf("manager", "There is no such line manager in this partnership.")
			} else if err != nil {
				return err
			}
			// Walk up from the new manager: meeting the user is a loop.
			for id, steps := managerID, 0; id != 0; steps++ {
				if id == userID || steps > 1000 {
					return escalate.FieldErrorf("manager", "A user cannot be their own line manager, directly or up the line.")
				}
				up, err := findUser(ctx, tx, `id = $1`, id)
				if err != nil {
					return err
				}
				id = up.ManagerID
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET manager_id = $1 WHERE id = $2`, nullID(managerID), userID); err != nil {
			return err
		}
		return tx.auditUser(userID, Actor(ctx), "user.manager", fmt.Sprintf("user:%d", userID),
			map[string]any{"manager_id": managerID, "was": u.ManagerID})
	})
}

// FindUser returns the user with the given ID.
func (db *DB) FindUser(ctx context.Context, id int64) (*escalate.User, error) {
	u, err := findUser(ctx, db.db, `id = $1`, id)
	return u, WrapError(err)
}

// FindUserByEmail returns the partnership's user with the given email
// address, in any case.
func (db *DB) FindUserByEmail(ctx context.Context, partnershipID int64, email string) (*escalate.User, error) {
	u, err := findUser(ctx, db.db, `partnership_id = $1 AND email = $2`, partnershipID, strings.ToLower(email))
	return u, WrapError(err)
}

// Users returns the partnership's users ordered by name.
func (db *DB) Users(ctx context.Context, partnershipID int64) ([]*escalate.User, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT `+userColumns+` FROM users WHERE partnership_id = $1 ORDER BY name, id`, partnershipID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var us []*escalate.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		us = append(us, u)
	}
	return us, rows.Err()
}

const userColumns = `id, partnership_id, agency_id, name, email, roles, COALESCE(manager_id, 0), disabled`

func findUser(ctx context.Context, q querier, where string, args ...any) (*escalate.User, error) {
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE `+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, escalate.Errorf(escalate.ENOTFOUND, "There is no such user.")
	}
	return u, err
}

func scanUser(row interface{ Scan(...any) error }) (*escalate.User, error) {
	var u escalate.User
	var roles string
	if err := row.Scan(&u.ID, &u.PartnershipID, &u.AgencyID, &u.Name, &u.Email, &roles, &u.ManagerID, &u.Disabled); err != nil {
		return nil, err
	}
	u.Roles = parseRoles(roles)
	return &u, nil
}

// parseRoles reads the users.roles column: role names separated by commas.
func parseRoles(s string) []escalate.Role {
	var out []escalate.Role
	for _, r := range strings.Split(s, ",") {
		if r != "" {
			out = append(out, escalate.Role(r))
		}
	}
	return out
}

// nullID stores 0 as NULL, for optional references.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func notFound(err error) bool { return escalate.ErrorCode(err) == escalate.ENOTFOUND }
