package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/escalate-project/escalate"
)

// Invitations and password resets (doc/web.md, "Invitations and resets"):
// a single-use link that expires, emailed through the outbox. Only the
// link's SHA-256 is stored; the outbox row carries the secret to the mail
// server and is then erased (MarkSent through lazyMarkSent, MarkDead, MarkFailed). A newer link of the same
// purpose replaces the older, which stops working.

// Link purposes and lifetimes.
const (
	LinkInvite     = "invite"
	LinkReset      = "reset"
	InviteLifetime = 7 * 24 * time.Hour
	ResetLifetime  = time.Hour
	// MaxResetsPerHour bounds the reset emails one account can be sent, so
	// that "forgotten password" cannot be used to flood someone's inbox.
	MaxResetsPerHour = 3
)

// The web paths the emailed links open.
const (
	InvitePath = "/account/invitation"
	ResetPath  = "/account/reset"
)

// errBadLink answers an unknown, used, replaced or expired link alike.
var errBadLink = escalate.Errorf(escalate.ENOTFOUND,
	"This link has expired or has already been used. Ask for a new one: an administrator can invite you again, or use \"Forgotten your password?\" on the sign-in page.")

// linkSecret is 256 random bits, unpadded base64url.
func linkSecret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// personActor is the actor of a change the person makes to their own
// account without a session (an invitation or reset link): the person.
func personActor(ctx context.Context, userID int64) context.Context {
	if escalate.UserFromContext(ctx) != nil {
		return ctx
	}
	return WithActor(ctx, fmt.Sprintf("user:%d", userID))
}

// newLink stores a link for userID, replacing any unused one of the same
// purpose, and enqueues the email that carries it.
func (tx *Tx) newLink(userID int64, purpose, createdBy string) (time.Time, error) {
	lifetime, path, subject := InviteLifetime, InvitePath, "account-invite"
	if purpose == LinkReset {
		lifetime, path, subject = ResetLifetime, ResetPath, "account-reset"
	}
	if _, err := tx.ExecContext(tx.ctx, `UPDATE account_links SET used = $1 WHERE user_id = $2 AND purpose = $3 AND used IS NULL`,
		timeArg(tx.now), userID, purpose); err != nil {
		return time.Time{}, err
	}
	secret, expires := linkSecret(), tx.now.Add(lifetime)
	if _, err := tx.ExecContext(tx.ctx, `
		INSERT INTO account_links (user_id, purpose, hash, created, expires, created_by) VALUES ($1, $2, $3, $4, $5, $6)`,
		userID, purpose, tokenHash(secret), timeArg(tx.now), timeArg(expires), createdBy); err != nil {
		return time.Time{}, err
	}
	body := jsonText(map[string]any{"secret": secret, "path": path, "expires": timeArg(expires)})
	if err := tx.insertOutbox("account.link", 0, escalate.Recipient{User: userID}, subject, body); err != nil {
		return time.Time{}, err
	}
	return expires, nil
}

// Invite emails the partnership's user userID a link to set their password
// (and then their second factor), replacing any earlier invitation. A
// disabled user, or one of another partnership than the acting user's, is
// refused.
func (db *DB) Invite(ctx context.Context, userID int64) (time.Time, error) {
	var expires time.Time
	err := db.WithTx(ctx, func(tx *Tx) error {
		u, err := findUser(ctx, tx, `id = $1`, userID)
		if err != nil {
			return err
		}
		if a := escalate.UserFromContext(ctx); a != nil && a.PartnershipID != u.PartnershipID {
			return escalate.Errorf(escalate.ENOTFOUND, "There is no such user.")
		}
		if u.Disabled {
			return escalate.Errorf(escalate.ECONFLICT, "The account is disabled: enable it before inviting them.")
		}
		if expires, err = tx.newLink(u.ID, LinkInvite, Actor(ctx)); err != nil {
			return err
		}
		return tx.AuditIn(u.PartnershipID, Actor(ctx), "account.invite", fmt.Sprintf("user:%d", u.ID), map[string]any{"expires": timeArg(expires)})
	})
	return expires, WrapError(err)
}

// RequestReset emails a reset link to every enabled user with the email
// address, in whatever partnership. It says nothing about whether there is
// one, so it cannot tell anyone whether an address has an account; a
// request beyond MaxResetsPerHour for an account is dropped, as is one for
// an account without a password (single sign-on only). Each request is
// audited by user ID or "unknown", never the email.
func (db *DB) RequestReset(ctx context.Context, email, ip string) error {
	email = strings.ToLower(strings.TrimSpace(email))
	return WrapError(db.WithTx(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT u.id FROM users u JOIN passwords p ON p.user_id = u.id
			WHERE u.email = $1 AND NOT u.disabled ORDER BY u.id LIMIT 10`, email)
		if err != nil {
			return err
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(ids) == 0 {
			// No partnership is known: the service-wide chain.
			return tx.AuditIn(0, "anonymous", "password.reset-request", "unknown", map[string]any{"ip": ip})
		}
		for _, id := range ids {
			var recent int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM account_links WHERE user_id = $1 AND purpose = $2 AND created > $3`,
				id, LinkReset, timeArg(tx.now.Add(-time.Hour))).Scan(&recent); err != nil {
				return err
			}
			object := fmt.Sprintf("user:%d", id)
			if recent >= MaxResetsPerHour {
				if err := tx.auditUser(id, "anonymous", "password.reset-request", object, map[string]any{"ip": ip, "dropped": "too many"}); err != nil {
					return err
				}
				continue
			}
			if _, err := tx.newLink(id, LinkReset, "anonymous"); err != nil {
				return err
			}
			if err := tx.auditUser(id, "anonymous", "password.reset-request", object, map[string]any{"ip": ip}); err != nil {
				return err
			}
		}
		return nil
	}))
}

// findLink returns the live link's ID and user, or errBadLink.
func findLink(ctx context.Context, q querier, now time.Time, purpose, secret string) (int64, *escalate.User, error) {
	if secret == "" || len(secret) > 100 {
		return 0, nil, errBadLink
	}
	var id, userID int64
	var expires, used time.Time
	err := q.QueryRowContext(ctx, `SELECT id, user_id, expires, used FROM account_links WHERE hash = $1 AND purpose = $2`,
		tokenHash(secret), purpose).Scan(&id, &userID, scanTime(&expires), scanTime(&used))
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil, errBadLink
	} else if err != nil {
		return 0, nil, err
	}
	if !used.IsZero() || !now.Before(expires) {
		return 0, nil, errBadLink
	}
	u, err := findUser(ctx, q, `id = $1`, userID)
	if err != nil {
		return 0, nil, err
	}
	if u.Disabled {
		return 0, nil, errBadLink
	}
	return id, u, nil
}

// CheckLink returns the user and partnership a live link of purpose is
// for, without using it, so the page can show the form; an unknown, used,
// replaced or expired link is ENOTFOUND.
func (db *DB) CheckLink(ctx context.Context, purpose, secret string) (*escalate.User, *escalate.Partnership, error) {
	_, u, err := findLink(ctx, db.db, db.Now().UTC(), purpose, secret)
	if err != nil {
		return nil, nil, WrapError(err)
	}
	p, err := findPartnership(ctx, db.db, "id", u.PartnershipID)
	return u, p, WrapError(err)
}

// UseLink sets the password of a live link's user and uses the link up.
// Setting it ends every session and revokes the user's API tokens and feed
// link; a reset also emails them that their password changed. The caller
// has applied the password policy.
func (db *DB) UseLink(ctx context.Context, purpose, secret, password string) (*escalate.User, error) {
	if _, u, err := findLink(ctx, db.db, db.Now().UTC(), purpose, secret); err != nil {
		return nil, WrapError(err)
	} else {
		ctx = personActor(ctx, u.ID)
	}
	hash, err := HashPasswordLimited(ctx, password)
	if err != nil {
		return nil, err
	}
	var u *escalate.User
	err = db.WithTx(ctx, func(tx *Tx) error {
		var err error
		if _, u, err = findLink(ctx, tx, tx.now, purpose, secret); err != nil {
			return err
		}
		// Used, and every other unused link of the user with it.
		if _, err := tx.ExecContext(ctx, `UPDATE account_links SET used = $1 WHERE user_id = $2 AND used IS NULL`,
			timeArg(tx.now), u.ID); err != nil {
			return err
		}
		action := "password.reset"
		if purpose == LinkInvite {
			action = "account.invite-accepted"
		}
		return tx.setPassword(u.ID, hash, action)
	})
	if err != nil {
		return nil, WrapError(err)
	}
	return u, nil
}

// scrubLink erases the secret from a sent or dead link email: from then on
// only the link's hash is stored anywhere.
func (tx *Tx) scrubLink(id int64) error {
	_, err := tx.ExecContext(tx.ctx, `UPDATE outbox SET payload = '{"erased":true}' WHERE id = $1 AND kind = 'account.link'`, id)
	return err
}
