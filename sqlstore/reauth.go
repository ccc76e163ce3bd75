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

// Reauthenticate makes the session's person prove again who they are, for
// an action a stolen session must not be able to take alone (making an API
// token): their password, or a code from their authenticator app or a
// recovery code. Someone with neither (single sign-on only) proves it by
// having signed in within ReauthWindow. On success the session's reauth_at
// is set; CreateToken then accepts it for ReauthWindow. Wrong answers count
// as failed sign-ins of the account from ip, so they are throttled alike.
func (s *Sessions) Reauthenticate(ctx context.Context, token, password, code, ip string) error {
	db := s.DB
	if !validToken(token) {
		return errNoSession
	}
	var userID int64
	var created time.Time
	err := db.db.QueryRowContext(ctx, `SELECT user_id, created FROM sessions WHERE id_hash = $1`, tokenHash(token)).
		Scan(&userID, scanTime(&created))
	if errors.Is(err, sql.ErrNoRows) {
		return errNoSession
	} else if err != nil {
		return err
	}
	u, err := findUser(ctx, db.db, `id = $1`, userID)
	if err != nil {
		return err
	}
	var hash string
	err = db.db.QueryRowContext(ctx, `SELECT hash FROM passwords WHERE user_id = $1`, userID).Scan(&hash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	hasFactor, err := hasSecondFactor(ctx, db.db, userID)
	if err != nil {
		return err
	}
	account, client := accountKey(u.Email), clientKey(ip)
	object := fmt.Sprintf("user:%d", userID)

	var wait time.Duration
	err = db.WithTx(ctx, func(tx *Tx) error {
		var key string
		var err error
		if wait, key, err = tx.throttleWait(account, client); err != nil || wait <= 0 {
			return err
		}
		return tx.recordThrottle(key, object, ip, wait)
	})
	if err != nil {
		return err
	} else if wait > 0 {
		return errThrottled(wait)
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
		if ok, _, err = VerifyPasswordLimited(ctx, hash, password); err != nil {
			return err
		}
	default:
		how = "second-factor"
		refusal = escalate.FieldErrorf("code", "The code is not right, or has been used")
		if ok, err = s.checkFactorCode(ctx, userID, code); err != nil {
			return err
		}
	}
	err = db.WithTx(ctx, func(tx *Tx) error {
		if !ok {
			if how == "recent-sign-in" {
				return nil
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO sign_in_failures (at, account, ip) VALUES ($1, $2, $3)`,
				timeArg(tx.now), account, client); err != nil {
				return err
			}
			return tx.Audit(object, "reauth.failed", object, map[string]any{"ip": ip, "with": how})
		}
		if _, err := tx.ExecContext(ctx, `UPDATE sessions SET reauth_at = $1 WHERE id_hash = $2`, timeArg(tx.now), tokenHash(token)); err != nil {
			return err
		}
		return tx.Audit(object, "reauth", object, map[string]any{"ip": ip, "with": how})
	})
	if err != nil {
		return err
	}
	if !ok {
		return refusal
	}
	return nil
}

// hasSecondFactor reports whether the user has enrolled a second factor.
// Second factors come with issue 11's item 2; until then nobody has one.
func hasSecondFactor(ctx context.Context, q querier, userID int64) (bool, error) { return false, nil }

// checkFactorCode checks a code from the user's authenticator app or a
// recovery code.
func (s *Sessions) checkFactorCode(ctx context.Context, userID int64, code string) (bool, error) {
	return false, nil
}
