package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/escalate-project/escalate"
)

// sessionUser returns the user of a session token, live or not, and when
// it began.
func (s *Sessions) sessionUser(ctx context.Context, token string) (*escalate.User, time.Time, error) {
	if !validToken(token) {
		return nil, time.Time{}, errNoSession
	}
	var userID int64
	var created time.Time
	err := s.DB.db.QueryRowContext(ctx, `SELECT user_id, created FROM sessions WHERE id_hash = $1`, tokenHash(token)).
		Scan(&userID, scanTime(&created))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, time.Time{}, errNoSession
	} else if err != nil {
		return nil, time.Time{}, err
	}
	u, err := findUser(ctx, s.DB.db, `id = $1`, userID)
	if err != nil {
		return nil, time.Time{}, err
	}
	return u, created, nil
}

// passwordHash returns the user's password hash, "" for none.
func passwordHash(ctx context.Context, q querier, userID int64) (string, error) {
	var hash string
	err := q.QueryRowContext(ctx, `SELECT hash FROM passwords WHERE user_id = $1`, userID).Scan(&hash)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return hash, err
}

// attempt runs check, a guess at u's password or second factor, under the
// sign-in throttle of u's account from ip: a client that must wait is
// refused without checking, and a wrong guess counts as a failed sign-in
// and is audited as what+".failed".
func (s *Sessions) attempt(ctx context.Context, u *escalate.User, ip, what string, check func() (bool, error)) (bool, error) {
	db := s.DB
	account, client := accountKey(u.Email), clientKey(ip)
	object := fmt.Sprintf("user:%d", u.ID)
	var wait time.Duration
	err := db.WithTx(ctx, func(tx *Tx) error {
		var key string
		var err error
		if wait, key, err = tx.throttleWait(account, client); err != nil || wait <= 0 {
			return err
		}
		return tx.recordThrottle(key, u.ID, object, ip, wait)
	})
	if err != nil {
		return false, err
	} else if wait > 0 {
		return false, errThrottled(wait)
	}
	ok, err := check()
	if err != nil || ok {
		return ok, err
	}
	return false, db.WithTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO sign_in_failures (at, account, ip) VALUES ($1, $2, $3)`,
			timeArg(tx.now), account, client); err != nil {
			return err
		}
		return tx.AuditIn(u.PartnershipID, object, what+".failed", object, map[string]any{"ip": ip})
	})
}

// Reauthenticate makes the session's person prove again who they are, for
// an action a stolen session must not be able to take alone (making an API
// token): their password, or a code from their authenticator app or a
// recovery code. Someone with neither (single sign-on only) proves it by
// having signed in within ReauthWindow. On success the session's reauth_at
// is set; CreateToken then accepts it for ReauthWindow. Wrong answers count
// as failed sign-ins of the account from ip, so they are throttled alike.
func (s *Sessions) Reauthenticate(ctx context.Context, token, password, code, ip string) error {
	db := s.DB
	u, created, err := s.sessionUser(ctx, token)
	if err != nil {
		return err
	}
	hash, err := passwordHash(ctx, db.db, u.ID)
	if err != nil {
		return err
	}
	hasFactor, err := hasSecondFactor(ctx, db.db, u.ID)
	if err != nil {
		return err
	}
	password, code = strings.TrimSpace(password), strings.TrimSpace(code)
	var ok bool
	var how string
	var refusal error
	switch {
	case hash == "" && !hasFactor:
		how = "recent-sign-in"
		ok = db.Now().Sub(created) <= ReauthWindow
		refusal = escalate.FieldErrorf("password",
			"Sign out, then sign in again with your organisation's account, and come back here within %d minutes.", int(ReauthWindow/time.Minute))
	case password == "" && code == "":
		return escalate.FieldErrorf("password", "Enter your password, or a code from your authenticator app")
	case password != "" && hash != "":
		how = "password"
		refusal = escalate.FieldErrorf("password", "The password is not right")
		ok, err = s.attempt(ctx, u, ip, "reauth", func() (bool, error) {
			ok, _, err := VerifyPasswordLimited(ctx, hash, password)
			return ok, err
		})
	default:
		how = "second-factor"
		refusal = escalate.FieldErrorf("code", "The code is not right, or has been used")
		ok, err = s.attempt(ctx, u, ip, "reauth", func() (bool, error) { return s.checkFactorCode(ctx, u.ID, code) })
	}
	if err != nil {
		return err
	} else if !ok {
		return refusal
	}
	object := fmt.Sprintf("user:%d", u.ID)
	return db.WithTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE sessions SET reauth_at = $1 WHERE id_hash = $2`, timeArg(tx.now), tokenHash(token)); err != nil {
			return err
		}
		return tx.AuditIn(u.PartnershipID, object, "reauth", object, map[string]any{"ip": ip, "with": how})
	})
}

// ChangePassword changes the session's person's own password: current must
// be right (a wrong one is throttled as a failed sign-in). Like every
// change of password it ends all their sessions, this one too, revokes
// their API tokens and calendar feed link, and emails them. The caller has
// applied the password policy to next.
func (s *Sessions) ChangePassword(ctx context.Context, token, current, next, ip string) error {
	u, _, err := s.sessionUser(ctx, token)
	if err != nil {
		return err
	}
	hash, err := passwordHash(ctx, s.DB.db, u.ID)
	if err != nil {
		return err
	}
	if hash == "" {
		return escalate.FieldErrorf("current", "You have no Escalate password: you sign in with your organisation's account.")
	}
	ok, err := s.attempt(ctx, u, ip, "password.change", func() (bool, error) {
		ok, _, err := VerifyPasswordLimited(ctx, hash, current)
		return ok, err
	})
	if err != nil {
		return err
	} else if !ok {
		return escalate.FieldErrorf("current", "Your current password is not right")
	}
	newHash, err := HashPasswordLimited(ctx, next)
	if err != nil {
		return err
	}
	ctx = escalate.NewContextWithUser(ctx, u)
	return s.DB.WithTx(ctx, func(tx *Tx) error { return tx.setPassword(u.ID, newHash, "password.change") })
}
