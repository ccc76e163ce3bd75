package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/escalate-project/escalate"
)

// Who has seen what: the audit log read back by case or by person, for the
// Business Manager and the data protection officer (web/privacy.go) and for
// the administrator at the console (escalate audit log). Every reading of
// it is itself audited, against what was read.

// AuditLog returns the events about a case (its own, its proforma's and
// its learning items') or those a person did, oldest first, and records
// that the reader read them. A signed-in reader must be the Business
// Manager or the data protection officer of the case's or person's
// partnership; anyone else learns nothing (ENOTFOUND). At the console
// (an actor named with WithActor) any partnership may be read.
func (db *DB) AuditLog(ctx context.Context, q escalate.AuditQuery) (*escalate.AuditLog, error) {
	q.Ref, q.Email = strings.TrimSpace(q.Ref), strings.TrimSpace(q.Email)
	switch {
	case (q.Ref == "") == (q.Email == ""):
		return nil, escalate.FieldErrorf("ref", "Enter a case reference, or a person's email address.")
	case !q.To.IsZero() && q.To.Before(q.From):
		return nil, escalate.FieldErrorf("to", "The end of the period must be after its start.")
	}
	if q.Limit <= 0 {
		q.Limit = 500
	}
	q.Limit = min(q.Limit, 5000)
	var out *escalate.AuditLog
	err := db.WithTx(ctx, func(tx *Tx) error {
		reader, partnership, err := tx.privacyReader(q.PartnershipID)
		if err != nil {
			return err
		}
		var where string
		var args []any
		var object string
		if q.Ref != "" {
			objects, err := tx.caseObjects(q.Ref, partnership)
			if err != nil {
				return err
			}
			object = objects[0]
			out = &escalate.AuditLog{Subject: object}
			where = `object IN (` + placeholders(len(objects)) + `)`
			for _, o := range objects {
				args = append(args, o)
			}
		} else {
			email, err := normalEmail(q.Email)
			if err != nil {
				return err
			}
			cond, cargs := `lower(email) = $1`, []any{email}
			if partnership != 0 {
				cond, cargs = cond+` AND partnership_id = $2`, append(cargs, partnership)
			}
			u, err := findUser(tx.ctx, tx, cond, cargs...)
			if notFound(err) {
				return escalate.FieldErrorf("email", "There is no one with that email address in this partnership.")
			} else if err != nil {
				return err
			}
			object = fmt.Sprintf("user:%d", u.ID)
			out = &escalate.AuditLog{Subject: u.Name + " (" + u.Email + ")"}
			where, args = `actor = $1`, []any{object}
		}
		n := len(args)
		if !q.From.IsZero() {
			n++
			where += fmt.Sprintf(` AND at >= $%d`, n)
			args = append(args, timeArg(q.From))
		}
		if !q.To.IsZero() {
			n++
			where += fmt.Sprintf(` AND at < $%d`, n)
			args = append(args, timeArg(q.To))
		}
		args = append(args, q.Limit+1)
		if out.Entries, err = tx.auditLogEntries(where+fmt.Sprintf(` ORDER BY seq LIMIT $%d`, n+1), args...); err != nil {
			return err
		}
		if len(out.Entries) > q.Limit {
			out.Entries, out.Truncated = out.Entries[:q.Limit], true
		}
		data := map[string]any{"query": "case"}
		if q.Email != "" {
			data["query"] = "person"
		}
		if !q.From.IsZero() {
			data["from"] = q.From
		}
		if !q.To.IsZero() {
			data["to"] = q.To
		}
		return tx.AuditIn(partnership, reader, escalate.ActionAuditRead, object, data)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// privacyReader is the audit actor of a reader of the audit log and the
// partnership they are held to: a signed-in Business Manager or data
// protection officer (their own partnership), or the console (console, any
// partnership; 0 for all).
func (tx *Tx) privacyReader(console int64) (string, int64, error) {
	if u := escalate.UserFromContext(tx.ctx); u != nil {
		fresh, err := tx.actingUser(u)
		if err != nil {
			return "", 0, err
		}
		if fresh.Disabled || !hasAnyRole(fresh, escalate.PrivacyRoles) {
			return "", 0, escalate.Errorf(escalate.ENOTFOUND, "Page not found.")
		}
		return fmt.Sprintf("user:%d", fresh.ID), fresh.PartnershipID, nil
	}
	actor := Actor(tx.ctx)
	if !strings.HasPrefix(actor, "cli") {
		return "", 0, escalate.Errorf(escalate.EUNAUTHORIZED, "Sign in to do this.")
	}
	return actor, console, nil
}

func hasAnyRole(u *escalate.User, roles []escalate.Role) bool {
	for _, r := range roles {
		if u.HasRole(r) {
			return true
		}
	}
	return false
}

// caseObjects returns the audit objects of case ref in partnership (0 for
// any): the escalation or dissent first, then its proforma and learning
// items. A case of another partnership is not found.
func (tx *Tx) caseObjects(ref string, partnership int64) ([]string, error) {
	var id, part int64
	err := tx.queryRow(`SELECT id, partnership_id FROM escalations WHERE ref = $1`, ref).Scan(&id, &part)
	if err == sql.ErrNoRows {
		err = tx.queryRow(`SELECT id, partnership_id FROM dissents WHERE ref = $1`, ref).Scan(&id, &part)
		if err == nil && (partnership == 0 || part == partnership) {
			return []string{"dissent:" + ref}, nil
		}
	}
	switch {
	case err == sql.ErrNoRows || err == nil && partnership != 0 && part != partnership:
		return nil, escalate.FieldErrorf("ref", "There is no case %s in this partnership.", ref)
	case err != nil:
		return nil, err
	}
	objects := []string{"escalation:" + ref}
	rows, err := tx.query(`SELECT 'proforma:' || CAST(id AS TEXT) FROM proformas WHERE escalation_id = $1
		UNION ALL SELECT 'learning:' || CAST(item_id AS TEXT) FROM learning_links WHERE escalation_id = $1`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var o string
		if err := rows.Scan(&o); err != nil {
			return nil, err
		}
		objects = append(objects, o)
	}
	return objects, rows.Err()
}

// auditLogEntries reads events matching where, naming the users who acted.
func (tx *Tx) auditLogEntries(where string, args ...any) ([]escalate.AuditLogEntry, error) {
	rows, err := tx.QueryContext(tx.ctx, `SELECT seq, at, actor, action, object FROM audit_events WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	var out []escalate.AuditLogEntry
	ids := map[int64]bool{}
	for rows.Next() {
		var e escalate.AuditLogEntry
		if err := rows.Scan(&e.Seq, scanTime(&e.At), &e.Actor, &e.Action, &e.Object); err != nil {
			rows.Close()
			return nil, err
		}
		e.Kind = escalate.AuditKind(e.Action)
		if id, ok := userActor(e.Actor); ok {
			ids[id] = true
		}
		out = append(out, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(ids) == 0 {
		return out, err
	}
	names := map[int64][2]string{}
	var idArgs []any
	for id := range ids {
		idArgs = append(idArgs, id)
	}
	urows, err := tx.QueryContext(tx.ctx, `SELECT id, name, email FROM users WHERE id IN (`+placeholders(len(idArgs))+`)`, idArgs...)
	if err != nil {
		return nil, err
	}
	defer urows.Close()
	for urows.Next() {
		var id int64
		var n [2]string
		if err := urows.Scan(&id, &n[0], &n[1]); err != nil {
			return nil, err
		}
		names[id] = n
	}
	for i := range out {
		if id, ok := userActor(out[i].Actor); ok {
			out[i].ActorName, out[i].ActorEmail = names[id][0], names[id][1]
		}
	}
	return out, urows.Err()
}

// userActor reads the user ID of an actor "user:N".
func userActor(actor string) (int64, bool) {
	rest, ok := strings.CutPrefix(actor, "user:")
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	return id, err == nil
}
