package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/escalate-project/escalate"
)

// Passkeys (WebAuthn). The web runs the ceremonies with go-webauthn; the
// store keeps each credential as go-webauthn's JSON (public key, sign
// count, flags), looked up by its credential ID, and a ceremony's
// challenge on the session that asked for it, used once.

// SaveWebAuthn keeps a ceremony's session data (its challenge) on the
// session until TakeWebAuthn.
func (s *Sessions) SaveWebAuthn(ctx context.Context, token string, data []byte) error {
	if _, _, err := s.pendingSession(ctx, token, escalate.StageFull, escalate.StageEnrol, escalate.StageSecondFactor); err != nil {
		return err
	}
	_, err := s.DB.db.ExecContext(ctx, `UPDATE sessions SET webauthn = $1 WHERE id_hash = $2`, string(data), tokenHash(token))
	return err
}

// takeWebAuthn returns the session's ceremony data and clears it, so a
// challenge is answered at most once.
func (tx *Tx) takeWebAuthn(token string) ([]byte, error) {
	var data sql.NullString
	err := tx.QueryRowContext(tx.ctx, `SELECT webauthn FROM sessions WHERE id_hash = $1`, tokenHash(token)).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) || err == nil && !data.Valid {
		return nil, escalate.Errorf(escalate.EINVALID, "Start again: the passkey request was not found or was used.")
	} else if err != nil {
		return nil, err
	}
	_, err = tx.ExecContext(tx.ctx, `UPDATE sessions SET webauthn = NULL WHERE id_hash = $1`, tokenHash(token))
	return []byte(data.String), err
}

// TakeWebAuthn returns and clears the session's ceremony data.
func (s *Sessions) TakeWebAuthn(ctx context.Context, token string) ([]byte, error) {
	var data []byte
	err := s.DB.WithTx(ctx, func(tx *Tx) error {
		var err error
		data, err = tx.takeWebAuthn(token)
		return err
	})
	return data, err
}

// PasskeyUser returns the person of a session at one of stages and their
// passkeys (go-webauthn's JSON), for a ceremony.
func (s *Sessions) PasskeyUser(ctx context.Context, token string, stages ...string) (*escalate.User, [][]byte, error) {
	u, _, err := s.pendingSession(ctx, token, stages...)
	if err != nil {
		return nil, nil, err
	}
	rows, err := s.DB.db.QueryContext(ctx, `SELECT data FROM passkeys WHERE user_id = $1 ORDER BY id`, u.ID)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var ks [][]byte
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, nil, err
		}
		ks = append(ks, []byte(data))
	}
	return u, ks, rows.Err()
}

// MaxPasskeys bounds a person's passkeys.
const MaxPasskeys = 10

// AddPasskey stores a passkey the person just registered. A session
// waiting to enrol becomes a full one; its new token is returned ("" when
// the session was full already).
func (s *Sessions) AddPasskey(ctx context.Context, token string, credentialID, data []byte, name, ip string) (string, error) {
	u, stage, err := s.pendingSession(ctx, token, escalate.StageEnrol, escalate.StageFull)
	if err != nil {
		return "", err
	}
	name = strings.TrimSpace(name)
	if name == "" || !utf8.ValidString(name) || utf8.RuneCountInString(name) > 60 {
		name = "Passkey"
	}
	var fresh string
	err = s.DB.WithTx(ctx, func(tx *Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM passkeys WHERE user_id = $1`, u.ID).Scan(&n); err != nil {
			return err
		}
		if n >= MaxPasskeys {
			return escalate.Errorf(escalate.ECONFLICT, "You have %d passkeys already.", MaxPasskeys)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO passkeys (user_id, credential_id, name, data, created) VALUES ($1, $2, $3, $4, $5)`,
			u.ID, credentialID, name, string(data), timeArg(tx.now)); err != nil {
			return conflictMessage(err, "That passkey is registered already.")
		}
		who := fmt.Sprintf("user:%d", u.ID)
		if err := tx.AuditIn(u.PartnershipID, who, "second-factor.add", who, map[string]any{"kind": "passkey"}); err != nil {
			return err
		}
		if stage == escalate.StageEnrol {
			fresh, err = s.promote(tx, token, u.ID, "passkey-enrolled", ip)
		}
		return err
	})
	return fresh, WrapError(err)
}

// PasskeySignedIn finishes a sign-in waiting for a second factor with a
// passkey the web has verified, storing its updated data (sign count), and
// returns the full session's new token.
func (s *Sessions) PasskeySignedIn(ctx context.Context, token string, credentialID, data []byte, ip string) (string, error) {
	u, _, err := s.pendingSession(ctx, token, escalate.StageSecondFactor)
	if err != nil {
		return "", err
	}
	var fresh string
	err = s.DB.WithTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE passkeys SET data = $1, last_used = $2 WHERE user_id = $3 AND credential_id = $4`,
			string(data), timeArg(tx.now), u.ID, credentialID)
		if err := oneRow(res, err, u.ID); err != nil {
			return escalate.Errorf(escalate.EINVALID, "That passkey is not one of yours.")
		}
		fresh, err = s.promote(tx, token, u.ID, "passkey", ip)
		return err
	})
	return fresh, WrapError(err)
}

// PasskeyFailed counts a failed passkey answer as a wrong code: it is
// throttled and, after MaxFactorFailures, ends the waiting sign-in.
func (s *Sessions) PasskeyFailed(ctx context.Context, token, ip string) error {
	u, _, err := s.pendingSession(ctx, token, escalate.StageSecondFactor)
	if err != nil {
		return err
	}
	_, err = s.attempt(ctx, u, ip, "second-factor", func() (bool, error) { return false, nil })
	return err
}

// RecoveryCodesIfNone makes the signed-in person recovery codes when they
// have none left, after they set up a passkey: nil when they have some.
func (s *Sessions) RecoveryCodesIfNone(ctx context.Context, token string) ([]string, error) {
	u, _, err := s.pendingSession(ctx, token, escalate.StageFull)
	if err != nil {
		return nil, err
	}
	var codes []string
	err = s.DB.WithTx(ctx, func(tx *Tx) error {
		if has, err := hasSecondFactor(ctx, tx, u.ID); err != nil || !has {
			return err
		}
		var err error
		codes, err = tx.freshRecoveryCodes(u.ID)
		return err
	})
	return codes, err
}
