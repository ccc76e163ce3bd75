package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/escalate-project/escalate"
)

// Second factors for password sign-in (doc/web.md, "Second factors"). A
// password sign-in by someone with a second factor starts a session at
// StageSecondFactor; by someone without one, in a partnership that
// requires it (the default), at StageEnrol. Neither opens a page (User
// refuses it) until the factor is given or set up; then the session is
// replaced by a full one with a new token.

// MaxFactorFailures is how many wrong codes a waiting session may have
// before it is ended and the person must sign in again. Each wrong code
// also counts as a failed sign-in for throttling.
const MaxFactorFailures = 5

// errFactorSession answers a second-factor step with no waiting session.
var errFactorSession = escalate.Errorf(escalate.EUNAUTHORIZED, "Sign in again: your sign-in took too long or was not finished.")

// factorsOf returns which second factors the user has.
func factorsOf(ctx context.Context, q querier, userID int64) (escalate.SecondFactors, error) {
	var f escalate.SecondFactors
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM totp_secrets WHERE user_id = $1 AND confirmed IS NOT NULL`,
		userID).Scan(&n); err != nil {
		return f, err
	}
	f.TOTP = n > 0
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used IS NULL`,
		userID).Scan(&f.RecoveryLeft); err != nil {
		return f, err
	}
	rows, err := q.QueryContext(ctx, `SELECT id, name, created, last_used FROM passkeys WHERE user_id = $1 ORDER BY id`, userID)
	if err != nil {
		return f, err
	}
	defer rows.Close()
	for rows.Next() {
		var k escalate.Passkey
		if err := rows.Scan(&k.ID, &k.Name, scanTime(&k.Created), scanTime(&k.LastUsed)); err != nil {
			return f, err
		}
		f.Passkeys = append(f.Passkeys, k)
	}
	return f, rows.Err()
}

// hasSecondFactor reports whether the user has a second factor to sign in
// with.
func hasSecondFactor(ctx context.Context, q querier, userID int64) (bool, error) {
	f, err := factorsOf(ctx, q, userID)
	return f.Any(), err
}

// signInStage is where a password sign-in by u starts.
func (tx *Tx) signInStage(u *escalate.User) (string, error) {
	has, err := hasSecondFactor(tx.ctx, tx, u.ID)
	if err != nil || has {
		return escalate.StageSecondFactor, err
	}
	p, err := findPartnership(tx.ctx, tx, "id", u.PartnershipID)
	if err != nil {
		return "", err
	}
	if p.SecondFactorOptional {
		return escalate.StageFull, nil
	}
	return escalate.StageEnrol, nil
}

// pendingSession returns the user of a live session at one of stages.
func (s *Sessions) pendingSession(ctx context.Context, token string, stages ...string) (*escalate.User, string, error) {
	u, _, stage, err := s.Pending(ctx, token)
	if escalate.ErrorCode(err) == escalate.EUNAUTHORIZED {
		return nil, "", errFactorSession
	} else if err != nil {
		return nil, "", err
	}
	for _, st := range stages {
		if st == stage {
			return u, stage, nil
		}
	}
	return nil, "", errFactorSession
}

// promote replaces a waiting session with a full one, with a new token,
// and audits the sign-in with how the second factor was given.
func (s *Sessions) promote(tx *Tx, token string, userID int64, how, ip string) (string, error) {
	fresh, err := s.startStagedSession(tx, userID, token, escalate.StageFull)
	if err != nil {
		return "", err
	}
	who := fmt.Sprintf("user:%d", userID)
	return fresh, tx.auditUser(userID, who, "sign-in", who, map[string]any{"ip": ip, "second_factor": how})
}

// VerifyFactor finishes a password sign-in waiting for a second factor
// with a code from the person's authenticator app or a recovery code, and
// returns the token of the full session that replaces it. A wrong code is
// EINVALID on field "code"; after MaxFactorFailures the waiting session
// ends (EUNAUTHORIZED) and the person signs in again.
func (s *Sessions) VerifyFactor(ctx context.Context, token, code, ip string) (string, error) {
	u, _, err := s.pendingSession(ctx, token, escalate.StageSecondFactor)
	if err != nil {
		return "", err
	}
	code = strings.TrimSpace(code)
	var fresh, how string
	ok, err := s.attempt(ctx, u, ip, "second-factor", func() (bool, error) {
		var ok bool
		err := s.DB.WithTx(ctx, func(tx *Tx) error {
			var err error
			if ok, how, err = tx.checkFactor(u.ID, code); err != nil || !ok {
				return err
			}
			fresh, err = s.promote(tx, token, u.ID, how, ip)
			return err
		})
		return ok, err
	})
	if err != nil {
		return "", err
	}
	if ok {
		return fresh, nil
	}
	var failures int
	err = s.DB.WithTx(ctx, func(tx *Tx) error {
		if err := tx.QueryRowContext(ctx, `UPDATE sessions SET factor_failures = factor_failures + 1 WHERE id_hash = $1
			RETURNING factor_failures`, tokenHash(token)).Scan(&failures); err != nil {
			return err
		}
		if failures >= MaxFactorFailures {
			_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = $1`, tokenHash(token))
			return err
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	if failures >= MaxFactorFailures {
		return "", escalate.Errorf(escalate.EUNAUTHORIZED, "That was the wrong code too many times. Sign in again.")
	}
	return "", escalate.FieldErrorf("code", "The code is not right, or has been used. Check your authenticator app and try again.")
}

// StartTOTP starts setting up an authenticator app for the session's
// person (waiting to enrol, or signed in): it returns the secret and its
// otpauth:// URI for the QR code. Until a code from the app is confirmed
// the secret counts for nothing, and starting again shows the same one.
// Someone who has an app already must have it reset first (ECONFLICT).
func (s *Sessions) StartTOTP(ctx context.Context, token string) (secret, uri string, err error) {
	u, _, err := s.pendingSession(ctx, token, escalate.StageEnrol, escalate.StageFull)
	if err != nil {
		return "", "", err
	}
	err = s.DB.WithTx(ctx, func(tx *Tx) error {
		var confirmed bool
		err := tx.QueryRowContext(ctx, `SELECT secret, confirmed IS NOT NULL FROM totp_secrets WHERE user_id = $1`, u.ID).
			Scan(&secret, &confirmed)
		switch {
		case err == nil && confirmed:
			return escalate.Errorf(escalate.ECONFLICT, "You already have an authenticator app set up.")
		case err == nil:
			uri = totpURI(secret, u.Email)
			return nil
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		if secret, uri, err = newTOTPKey(u.Email); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO totp_secrets (user_id, secret, created) VALUES ($1, $2, $3)`,
			u.ID, secret, timeArg(tx.now))
		return err
	})
	return secret, uri, WrapError(err)
}

// PendingTOTP returns the authenticator app secret the session's person
// started to set up and has not confirmed, and its URI; ENOTFOUND when
// there is none. It changes nothing, for pages that show it again.
func (s *Sessions) PendingTOTP(ctx context.Context, token string) (secret, uri string, err error) {
	u, _, err := s.pendingSession(ctx, token, escalate.StageEnrol, escalate.StageFull)
	if err != nil {
		return "", "", err
	}
	err = s.DB.db.QueryRowContext(ctx, `SELECT secret FROM totp_secrets WHERE user_id = $1 AND confirmed IS NULL`, u.ID).Scan(&secret)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", escalate.Errorf(escalate.ENOTFOUND, "No authenticator app is being set up.")
	} else if err != nil {
		return "", "", err
	}
	return secret, totpURI(secret, u.Email), nil
}

// ConfirmTOTP finishes setting up an authenticator app with a code from
// it. The person gets a new set of recovery codes if they have none left
// (shown once: returned here), and a session waiting to enrol becomes a
// full one (its new token returned; "" when the session was full already).
func (s *Sessions) ConfirmTOTP(ctx context.Context, token, code, ip string) (codes []string, fresh string, err error) {
	u, stage, err := s.pendingSession(ctx, token, escalate.StageEnrol, escalate.StageFull)
	if err != nil {
		return nil, "", err
	}
	ok, err := s.attempt(ctx, u, ip, "second-factor.enrol", func() (bool, error) {
		var ok bool
		err := s.DB.WithTx(ctx, func(tx *Tx) error {
			var secret string
			err := tx.QueryRowContext(ctx, `SELECT secret FROM totp_secrets WHERE user_id = $1 AND confirmed IS NULL`, u.ID).Scan(&secret)
			if errors.Is(err, sql.ErrNoRows) {
				return escalate.Errorf(escalate.ECONFLICT, "Start setting up your authenticator app again.")
			} else if err != nil {
				return err
			}
			step := matchTOTP(secret, code, tx.now)
			if ok = step != 0; !ok {
				return nil
			}
			if _, err := tx.ExecContext(ctx, `UPDATE totp_secrets SET confirmed = $1, last_step = $2 WHERE user_id = $3`,
				timeArg(tx.now), step, u.ID); err != nil {
				return err
			}
			if codes, err = tx.freshRecoveryCodes(u.ID); err != nil {
				return err
			}
			who := fmt.Sprintf("user:%d", u.ID)
			if err := tx.AuditIn(u.PartnershipID, who, "second-factor.add", who, map[string]any{"kind": "totp"}); err != nil {
				return err
			}
			if stage == escalate.StageEnrol {
				fresh, err = s.promote(tx, token, u.ID, "totp-enrolled", ip)
			}
			return err
		})
		return ok, err
	})
	if err != nil {
		return nil, "", WrapError(err)
	} else if !ok {
		return nil, "", escalate.FieldErrorf("code", "The code is not right. Check the app shows Escalate, then type the code it shows now.")
	}
	return codes, fresh, nil
}

// freshRecoveryCodes makes recovery codes when the user has none unused.
func (tx *Tx) freshRecoveryCodes(userID int64) ([]string, error) {
	var left int
	if err := tx.QueryRowContext(tx.ctx, `SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used IS NULL`,
		userID).Scan(&left); err != nil || left > 0 {
		return nil, err
	}
	return tx.replaceRecoveryCodes(userID)
}

// NewRecoveryCodes replaces the signed-in person's recovery codes.
func (s *Sessions) NewRecoveryCodes(ctx context.Context, token string) ([]string, error) {
	u, _, err := s.pendingSession(ctx, token, escalate.StageFull)
	if err != nil {
		return nil, err
	}
	var codes []string
	err = s.DB.WithTx(ctx, func(tx *Tx) error {
		f, err := factorsOf(ctx, tx, u.ID)
		if err != nil {
			return err
		} else if !f.Any() {
			return escalate.Errorf(escalate.ECONFLICT, "Set up an authenticator app or a passkey first.")
		}
		if codes, err = tx.replaceRecoveryCodes(u.ID); err != nil {
			return err
		}
		who := fmt.Sprintf("user:%d", u.ID)
		return tx.AuditIn(u.PartnershipID, who, "second-factor.recovery-codes", who, nil)
	})
	return codes, WrapError(err)
}

// Factors says which second factors the session's person has.
func (s *Sessions) Factors(ctx context.Context, token string) (escalate.SecondFactors, error) {
	u, _, err := s.pendingSession(ctx, token, escalate.StageEnrol, escalate.StageFull, escalate.StageSecondFactor)
	if err != nil {
		return escalate.SecondFactors{}, err
	}
	f, err := factorsOf(ctx, s.DB.db, u.ID)
	return f, WrapError(err)
}

// checkFactorCode checks a code from the user's authenticator app or a
// recovery code, for re-authentication.
func (s *Sessions) checkFactorCode(ctx context.Context, userID int64, code string) (bool, error) {
	var ok bool
	err := s.DB.WithTx(ctx, func(tx *Tx) error {
		var err error
		ok, _, err = tx.checkFactor(userID, code)
		return err
	})
	return ok, err
}

// ResetSecondFactors removes every second factor of the user (app,
// recovery codes, passkeys) and ends their sessions, for someone who lost
// theirs: they set one up again at their next password sign-in. It is
// audited and emailed to them. Nobody may reset their own.
func (db *DB) ResetSecondFactors(ctx context.Context, userID int64) error {
	if a := escalate.UserFromContext(ctx); a != nil && a.ID == userID {
		return forbidden("", "You cannot reset your own second factors: ask another administrator.")
	}
	return WrapError(db.WithTx(ctx, func(tx *Tx) error {
		u, err := findUser(ctx, tx, `id = $1`, userID)
		if err != nil {
			return err
		}
		if a := escalate.UserFromContext(ctx); a != nil && a.PartnershipID != u.PartnershipID {
			return escalate.Errorf(escalate.ENOTFOUND, "There is no such user.")
		}
		for _, q := range []string{`DELETE FROM totp_secrets WHERE user_id = $1`, `DELETE FROM recovery_codes WHERE user_id = $1`,
			`DELETE FROM passkeys WHERE user_id = $1`, `DELETE FROM sessions WHERE user_id = $1`} {
			if _, err := tx.ExecContext(ctx, q, userID); err != nil {
				return err
			}
		}
		if err := tx.insertOutbox("account.factors-reset", 0, escalate.Recipient{User: userID}, "account-factors-reset",
			jsonText(map[string]any{"at": timeArg(tx.now)})); err != nil {
			return err
		}
		return tx.AuditIn(u.PartnershipID, Actor(ctx), "second-factor.reset", fmt.Sprintf("user:%d", userID), nil)
	}))
}

// SetSecondFactorOptional relaxes (or, with false, restores) the rule that
// password sign-in in the partnership needs a second factor.
func (db *DB) SetSecondFactorOptional(ctx context.Context, partnershipID int64, optional bool) error {
	return WrapError(db.WithTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE partnerships SET second_factor_optional = $1 WHERE id = $2`, optional, partnershipID)
		if err := oneRow(res, err, partnershipID); err != nil {
			return escalate.Errorf(escalate.ENOTFOUND, "There is no such partnership.")
		}
		return tx.AuditIn(partnershipID, Actor(ctx), "partnership.second-factor", fmt.Sprintf("partnership:%d", partnershipID),
			map[string]any{"optional": optional})
	}))
}
