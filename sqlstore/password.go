package sqlstore

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"

	"github.com/escalate-project/escalate"
	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"
)

// The argon2id parameters of new hashes: OWASP's recommended minimum (19 MiB,
// two passes, one lane). Each hash records its own, so raising them later
// keeps old hashes verifiable, and a sign-in upgrades them.
const (
	argonTime    = 2
	argonMemory  = 19456 // KiB
	argonThreads = 1
	argonSaltLen = 16
	argonKeyLen  = 32
)

// MaxPasswordBytes bounds what the store will hash, so a huge form field
// cannot make hashing a denial of service. The web's password policy allows
// far less; this is only the backstop.
const MaxPasswordBytes = 4096

// NormalizePassword returns the NFC form of pw. A password is normalised
// before hashing so that the same characters typed on different systems
// (composed é or e plus a combining accent) match.
func NormalizePassword(pw string) string { return norm.NFC.String(pw) }

// HashPassword returns the argon2id hash of pw (after NFC normalisation) as
// a PHC string: $argon2id$v=19$m=19456,t=2,p=1$salt$key, both in unpadded
// standard base64.
func HashPassword(pw string) (string, error) {
	if pw == "" || len(pw) > MaxPasswordBytes {
		return "", escalate.FieldErrorf("password", "A password must have 1 to %d bytes.", MaxPasswordBytes)
	}
	salt := make([]byte, argonSaltLen)
	rand.Read(salt) // never fails: crypto/rand panics rather than return an error
	key := argon2.IDKey([]byte(NormalizePassword(pw)), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// PasswordHash is a decoded PHC argon2id string.
type PasswordHash struct {
	Version, Memory, Time int
	Threads               uint8
	Salt, Key             []byte
}

// ParsePasswordHash decodes a PHC argon2id string as HashPassword writes it.
func ParsePasswordHash(encoded string) (*PasswordHash, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return nil, fmt.Errorf("password hash: not an argon2id PHC string")
	}
	var h PasswordHash
	if _, err := fmt.Sscanf(parts[2], "v=%d", &h.Version); err != nil {
		return nil, fmt.Errorf("password hash: version: %w", err)
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &h.Memory, &h.Time, &h.Threads); err != nil {
		return nil, fmt.Errorf("password hash: parameters: %w", err)
	}
	var err error
	if h.Salt, err = base64.RawStdEncoding.DecodeString(parts[4]); err != nil {
		return nil, fmt.Errorf("password hash: salt: %w", err)
	}
	if h.Key, err = base64.RawStdEncoding.DecodeString(parts[5]); err != nil {
		return nil, fmt.Errorf("password hash: key: %w", err)
	}
	if h.Version != argon2.Version || h.Memory < 8 || h.Memory > 1<<22 || h.Time < 1 || h.Time > 64 ||
		h.Threads < 1 || len(h.Salt) < 8 || len(h.Key) < 16 || len(h.Key) > 64 {
		return nil, fmt.Errorf("password hash: parameters out of range")
	}
	return &h, nil
}

// VerifyPassword reports whether pw matches the encoded hash, comparing in
// constant time, and whether the hash should be replaced because it was made
// with other parameters than HashPassword's.
func VerifyPassword(encoded, pw string) (ok, rehash bool, err error) {
	h, err := ParsePasswordHash(encoded)
	if err != nil {
		return false, false, err
	}
	if len(pw) > MaxPasswordBytes {
		pw = "" // still hash, so the time taken does not tell
	}
	key := argon2.IDKey([]byte(NormalizePassword(pw)), h.Salt, uint32(h.Time), uint32(h.Memory), h.Threads, uint32(len(h.Key)))
	ok = subtle.ConstantTimeCompare(key, h.Key) == 1 && pw != ""
	rehash = h.Memory != argonMemory || h.Time != argonTime || h.Threads != argonThreads ||
		len(h.Salt) != argonSaltLen || len(h.Key) != argonKeyLen
	return ok, rehash, nil
}

// dummyHash is verified against when no account matches, so that an unknown
// email takes as long to refuse as a wrong password.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("not a password: this hash only makes failures take equal time")
	return h
})

// SetPassword sets the password of the partnership's user with the given
// email, ends all that user's sessions and revokes their API tokens and
// calendar feed link, so a reset locks out whoever knew the old one. It checks only the store's bounds: the caller applies the
// password policy (length, common passwords) first.
func (db *DB) SetPassword(ctx context.Context, partnershipKey, email, pw string) (*escalate.User, error) {
	hash, err := HashPassword(pw)
	if err != nil {
		return nil, err
	}
	var u *escalate.User
	err = db.WithTx(ctx, func(tx *Tx) error {
		p, err := findPartnership(ctx, tx, "key", partnershipKey)
		if err != nil {
			return err
		}
		if u, err = findUser(ctx, tx, `partnership_id = $1 AND email = $2`, p.ID, strings.ToLower(strings.TrimSpace(email))); err != nil {
			return err
		}
		return tx.setPassword(u.ID, hash, "password.set")
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// setPassword stores hash for userID, ends the user's sessions and audits
// action. The hash, even salted, never goes into the audit content.
func (tx *Tx) setPassword(userID int64, hash, action string) error {
	if _, err := tx.ExecContext(tx.ctx, `
		INSERT INTO passwords (user_id, hash, updated) VALUES ($1, $2, $3)
		ON CONFLICT (user_id) DO UPDATE SET hash = excluded.hash, updated = excluded.updated`,
		userID, hash, timeArg(tx.now)); err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	if action == "password.rehash" {
		// A silent upgrade at sign-in must not end the session being made.
		return tx.auditUser(userID, fmt.Sprintf("user:%d", userID), action, fmt.Sprintf("user:%d", userID), nil)
	}
	ended, err := tx.endCredentials(userID)
	if err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	if err := tx.tellPasswordChanged(userID, action); err != nil {
		return err
	}
	return tx.auditUser(userID, Actor(tx.ctx), action, fmt.Sprintf("user:%d", userID), ended)
}

// tellPasswordChanged emails the person that their password was changed or
// reset, when a person (user:ID) or the command line (cli:NAME) did it; an
// invitation accepted, a silent rehash and seeding inside the process (the
// demo, tests) tell nobody.
func (tx *Tx) tellPasswordChanged(userID int64, action string) error {
	actor := Actor(tx.ctx)
	if action == "account.invite-accepted" || !strings.HasPrefix(actor, "user:") && !strings.HasPrefix(actor, "cli") {
		return nil
	}
	return tx.insertOutbox("account.password-changed", 0, escalate.Recipient{User: userID}, "account-password-changed",
		jsonText(map[string]any{"at": timeArg(tx.now)}))
}

// endCredentials ends every session of userID and revokes their API tokens
// and calendar feed link: whoever knew the old password may have made any
// of them. It returns how many of each, for the audit event.
func (tx *Tx) endCredentials(userID int64) (map[string]any, error) {
	res, err := tx.ExecContext(tx.ctx, `DELETE FROM sessions WHERE user_id = $1`, userID)
	if err != nil {
		return nil, err
	}
	sessions, _ := res.RowsAffected()
	tokens, err := tx.revokeAllTokens(userID)
	if err != nil {
		return nil, err
	}
	res, err = tx.ExecContext(tx.ctx, `UPDATE calendar_feeds SET revoked = $1 WHERE user_id = $2 AND revoked IS NULL`,
		timeArg(tx.now), userID)
	if err != nil {
		return nil, err
	}
	feeds, _ := res.RowsAffected()
	return map[string]any{"sessions_ended": sessions, "tokens_revoked": tokens, "feeds_revoked": feeds}, nil
}
