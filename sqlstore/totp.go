package sqlstore

import (
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base32"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// Authenticator apps: TOTP as RFC 6238 defines it, with the parameters
// every app supports (HMAC-SHA1, 6 digits, 30-second steps), a 160-bit
// secret, and one step of clock drift either way. Each step's code works
// once: last_step remembers the newest step accepted.

// TOTPPeriod is the length of a TOTP step.
const TOTPPeriod = 30 * time.Second

var totpOpts = totp.ValidateOpts{Period: uint(TOTPPeriod / time.Second), Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// TOTPCode returns the 6-digit code of base32 secret at t: what an
// authenticator app shows.
func TOTPCode(secret string, t time.Time) (string, error) {
	return totp.GenerateCodeCustom(secret, t, totpOpts)
}

// totpStep is the number of the step t falls in.
func totpStep(t time.Time) int64 { return t.Unix() / int64(TOTPPeriod/time.Second) }

// matchTOTP returns the step of now-1, now or now+1 whose code is code, or
// 0 when none is.
func matchTOTP(secret, code string, now time.Time) int64 {
	code = strings.TrimSpace(code)
	if len(code) != 6 {
		return 0
	}
	for _, skew := range []int{0, -1, 1} {
		t := now.Add(time.Duration(skew) * TOTPPeriod)
		if want, err := TOTPCode(secret, t); err == nil && want == code {
			return totpStep(t)
		}
	}
	return 0
}

// newTOTPKey makes a secret for userEmail's authenticator app and its
// otpauth:// URI, which the QR code holds.
func newTOTPKey(email string) (secret, uri string, err error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "Escalate", AccountName: email, Period: totpOpts.Period,
		SecretSize: 20, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return "", "", err
	}
	return key.Secret(), key.URL(), nil
}

// totpURI rebuilds the otpauth:// URI of a stored secret, as newTOTPKey
// makes it.
func totpURI(secret, email string) string {
	v := url.Values{"secret": {secret}, "issuer": {"Escalate"}, "algorithm": {"SHA1"}, "digits": {"6"}, "period": {"30"}}
	u := url.URL{Scheme: "otpauth", Host: "totp", Path: "/Escalate:" + email, RawQuery: v.Encode()}
	return u.String()
}

// checkTOTP checks code against the user's confirmed authenticator app
// and, when it matches a step newer than the last accepted, accepts that
// step. A code seen before is refused, so a code read over a shoulder
// cannot be replayed.
func (tx *Tx) checkTOTP(userID int64, code string) (bool, error) {
	var secret string
	var last int64
	err := tx.QueryRowContext(tx.ctx, `SELECT secret, last_step FROM totp_secrets WHERE user_id = $1 AND confirmed IS NOT NULL`,
		userID).Scan(&secret, &last)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	step := matchTOTP(secret, code, tx.now)
	if step == 0 || step <= last {
		return false, nil
	}
	_, err = tx.ExecContext(tx.ctx, `UPDATE totp_secrets SET last_step = $1 WHERE user_id = $2`, step, userID)
	return err == nil, err
}

// Recovery codes: RecoveryCodeCount single-use codes of 80 random bits,
// shown once as XXXX-XXXX-XXXX-XXXX (base32), stored as SHA-256.
const RecoveryCodeCount = 10

var recoveryEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

func newRecoveryCode() string {
	b := make([]byte, 10)
	rand.Read(b)
	s := recoveryEncoding.EncodeToString(b)
	return s[0:4] + "-" + s[4:8] + "-" + s[8:12] + "-" + s[12:16]
}

// normalRecovery is a typed recovery code without spaces or dashes, in
// capitals, as it is hashed.
func normalRecovery(code string) string {
	return strings.ToUpper(strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' {
			return -1
		}
		return r
	}, code))
}

func recoveryHash(code string) []byte {
	h := sha256.Sum256([]byte("escalate recovery code\x00" + normalRecovery(code)))
	return h[:]
}

// isRecoveryCode tells a recovery code from an app's 6 digits.
func isRecoveryCode(code string) bool { return len(normalRecovery(code)) == 16 }

// replaceRecoveryCodes makes the user a new set of recovery codes, and the
// old ones stop working.
func (tx *Tx) replaceRecoveryCodes(userID int64) ([]string, error) {
	if _, err := tx.ExecContext(tx.ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, userID); err != nil {
		return nil, err
	}
	codes := make([]string, RecoveryCodeCount)
	for i := range codes {
		codes[i] = newRecoveryCode()
		if _, err := tx.ExecContext(tx.ctx, `INSERT INTO recovery_codes (user_id, hash, created) VALUES ($1, $2, $3)`,
			userID, recoveryHash(codes[i]), timeArg(tx.now)); err != nil {
			return nil, err
		}
	}
	return codes, nil
}

// useRecoveryCode uses up one of the user's unused recovery codes.
func (tx *Tx) useRecoveryCode(userID int64, code string) (bool, error) {
	res, err := tx.ExecContext(tx.ctx, `UPDATE recovery_codes SET used = $1 WHERE user_id = $2 AND hash = $3 AND used IS NULL`,
		timeArg(tx.now), userID, recoveryHash(code))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// checkFactor checks a code typed at sign-in: a recovery code, or an
// authenticator app's. It says which it was.
func (tx *Tx) checkFactor(userID int64, code string) (ok bool, how string, err error) {
	if isRecoveryCode(code) {
		ok, err = tx.useRecoveryCode(userID, code)
		return ok, "recovery-code", err
	}
	ok, err = tx.checkTOTP(userID, code)
	return ok, "totp", err
}
