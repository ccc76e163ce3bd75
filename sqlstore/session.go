package sqlstore

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/escalate-project/escalate"
)

// Default session lifetimes (OWASP ASVS 5.0 level 2).
const (
	DefaultIdleTimeout = 30 * time.Minute
	DefaultLifetime    = 12 * time.Hour
)

// touchEvery is how stale last_seen may get before a request writes it
// again, so that reading pages does not write to the database every time.
// The idle timeout is therefore exact to within this much.
const touchEvery = time.Minute

// Sessions signs users in and out with their local passwords and keeps their
// sessions server-side in the sessions table.
type Sessions struct {
	DB       *DB
	Idle     time.Duration // a session unused this long ends; 0 for DefaultIdleTimeout
	Lifetime time.Duration // a session ends this long after sign-in; 0 for DefaultLifetime
}

// Errors of sign-in. The same message answers an unknown email, a wrong
// password and a disabled account, so that none can be told apart.
var (
	errBadCredentials = escalate.Errorf(escalate.EUNAUTHORIZED, "The email address or password is not right.")
	errNoSession      = escalate.Errorf(escalate.EUNAUTHORIZED, "Sign in to continue.")
)

// SignIn checks email and password, and on success starts a new session and
// returns its token, which goes only into the cookie. oldToken, the session
// the browser had before (or ""), is ended, so the ID always changes at
// sign-in. ip is the client's address, for throttling (sign_in_throttle.go):
// a client that has failed too often must wait (ETOOMANY with the wait),
// and when every password-hashing slot is busy the answer is EUNAVAILABLE.
// Every attempt is audited with the user's ID (or "unknown"), never the
// email; throttled attempts once per window.
func (s *Sessions) SignIn(ctx context.Context, email, password, ip, oldToken string) (string, *escalate.User, error) {
	db := s.DB
	email = strings.ToLower(strings.TrimSpace(email))
	account, client := accountKey(email), clientKey(ip)
	// Normally one candidate; an email used in several partnerships signs in
	// to the first (lowest ID) whose password matches.
	cands, err := passwordCandidates(ctx, db.db, email)
	if err != nil {
		return "", nil, err
	}
	object, userID := "unknown", int64(0)
	if len(cands) > 0 {
		userID = cands[0].userID
		object = fmt.Sprintf("user:%d", userID)
	}

	var wait time.Duration
	err = db.WithTx(ctx, func(tx *Tx) error {
		var key string
		var err error
		if wait, key, err = tx.throttleWait(account, client); err != nil || wait <= 0 {
			return err
		}
		// Committed: a refused attempt is recorded (once per window), but
		// not counted, so the wait always ends.
		return tx.recordThrottle(key, userID, object, ip, wait)
	})
	if err != nil {
		return "", nil, err
	} else if wait > 0 {
		return "", nil, errThrottled(wait)
	}

	// Hash outside any transaction: it takes tens of milliseconds, and a
	// SQLite write transaction would hold every other writer that long.
	match, err := matchPassword(ctx, cands, password)
	if err != nil {
		return "", nil, err
	}
	if match != nil {
		object = fmt.Sprintf("user:%d", match.userID)
	}

	var token string
	var u *escalate.User
	err = db.WithTx(ctx, func(tx *Tx) error {
		if err := tx.forgetOldFailures(); err != nil {
			return err
		}
		if match == nil {
			if _, err := tx.ExecContext(ctx, `INSERT INTO sign_in_failures (at, account, ip) VALUES ($1, $2, $3)`,
				timeArg(tx.now), account, client); err != nil {
				return err
			}
			return tx.auditAccount(userID, "anonymous", "sign-in.failed", object, map[string]any{"ip": ip})
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sign_in_failures WHERE account = $1 AND ip = $2`, account, client); err != nil {
			return err
		}
		if match.rehash {
			if h, err := HashPassword(password); err == nil {
				if err := tx.setPassword(match.userID, h, "password.rehash"); err != nil {
					return err
				}
			}
		}
		var err error
		if u, err = findUser(ctx, tx, `id = $1`, match.userID); err != nil {
			return err
		}
		stage, err := tx.signInStage(u)
		if err != nil {
			return err
		}
		if token, err = s.startStagedSession(tx, u.ID, oldToken, stage); err != nil {
			return err
		}
		action := "sign-in"
		if stage != escalate.StageFull {
			action = "sign-in.first-factor"
		}
		return tx.AuditIn(u.PartnershipID, fmt.Sprintf("user:%d", u.ID), action, object, map[string]any{"ip": ip})
	})
	if err != nil {
		return "", nil, err
	}
	if match == nil {
		return "", nil, errBadCredentials
	}
	return token, u, nil
}

// matchPassword returns the first enabled candidate whose password is pw,
// or nil. With no candidate to check it verifies a dummy hash, so that an
// unknown email takes as long to refuse. Every hash runs under the hashing
// limit.
func matchPassword(ctx context.Context, cands []candidate, pw string) (*candidate, error) {
	checked := false
	for i := range cands {
		c := &cands[i]
		if c.hash == "" {
			continue
		}
		checked = true
		ok, rehash, err := VerifyPasswordLimited(ctx, c.hash, pw)
		if escalate.ErrorCode(err) == escalate.EUNAVAILABLE {
			return nil, err
		} else if err != nil {
			return nil, fmt.Errorf("sign in: user %d: %w", c.userID, err)
		}
		if ok && !c.disabled {
			c.rehash = rehash
			return c, nil
		}
	}
	if !checked {
		if _, _, err := VerifyPasswordLimited(ctx, dummyHash(), pw); escalate.ErrorCode(err) == escalate.EUNAVAILABLE {
			return nil, err
		}
	}
	return nil, nil
}

// User returns the signed-in user of the session token names and their
// partnership, or EUNAUTHORIZED when there is no such session, it has been
// idle too long or outlived its lifetime, or the user is disabled. An ended
// session is deleted. A session still waiting for a second factor is not
// signed in.
func (s *Sessions) User(ctx context.Context, token string) (*escalate.User, *escalate.Partnership, error) {
	if !validToken(token) {
		return nil, nil, errNoSession
	}
	u, p, stage, err := s.liveSession(ctx, token)
	if err != nil {
		return nil, nil, err
	}
	if stage != escalate.StageFull {
		// Waiting for a second factor: no page opens yet.
		return nil, nil, errNoSession
	}
	return u, p, nil
}

// Pending returns the user of a live session whatever its stage, with the
// stage: the second-factor pages serve sessions that wait for one.
func (s *Sessions) Pending(ctx context.Context, token string) (*escalate.User, *escalate.Partnership, string, error) {
	if !validToken(token) {
		return nil, nil, "", errNoSession
	}
	return s.liveSession(ctx, token)
}

// liveSession returns the user, partnership and stage of a live session,
// deleting it if it has ended.
func (s *Sessions) liveSession(ctx context.Context, token string) (*escalate.User, *escalate.Partnership, string, error) {
	db := s.DB
	id := tokenHash(token)
	var userID int64
	var stage string
	var created, lastSeen, expires time.Time
	// The session, its user and their partnership in one query: every
	// page starts with it.
	var row userRow
	err := db.db.QueryRowContext(ctx, `SELECT t.user_id, t.stage, t.created, t.last_seen, t.expires, `+userRowColumns+`
		FROM sessions t`+userRowJoin+` WHERE t.id_hash = $1`, id).
		Scan(append([]any{&userID, &stage, scanTime(&created), scanTime(&lastSeen), scanTime(&expires)}, row.dest()...)...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, "", errNoSession
	} else if err != nil {
		return nil, nil, "", err
	}
	now := db.Now().UTC()
	u, p := row.read()
	if !now.Before(expires) || !now.Before(lastSeen.Add(s.idle())) || u.Disabled {
		if _, err := db.db.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = $1`, id); err != nil {
			return nil, nil, "", err
		}
		if u.Disabled || stage != escalate.StageFull {
			return nil, nil, "", errNoSession
		}
		// Timed out: say whose it was, so what they were sending can be
		// kept for them until they sign in again (only a session that had
		// passed every factor: a half-made one may not leave drafts).
		return nil, nil, "", &escalate.SessionEnded{UserID: userID, Idle: now.Before(expires)}
	}
	if now.Sub(lastSeen) >= touchEvery {
		if _, err := db.db.ExecContext(ctx, `UPDATE sessions SET last_seen = $1 WHERE id_hash = $2`, timeArg(now), id); err != nil {
			return nil, nil, "", err
		}
	}
	return u, p, stage, nil
}

// SignOut ends the session token names, if there is one, and audits it.
func (s *Sessions) SignOut(ctx context.Context, token string) error {
	if !validToken(token) {
		return nil
	}
	return s.DB.WithTx(ctx, func(tx *Tx) error {
		var userID int64
		err := tx.QueryRowContext(ctx, `DELETE FROM sessions WHERE id_hash = $1 RETURNING user_id`, tokenHash(token)).Scan(&userID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		} else if err != nil {
			return err
		}
		who := fmt.Sprintf("user:%d", userID)
		return tx.auditUser(userID, who, "sign-out", who, nil)
	})
}

// Ping reports whether the database answers and takes writes, for a
// readiness check (DB.Ping).
func (s *Sessions) Ping(ctx context.Context) error { return s.DB.Ping(ctx) }

// DisableUser disables the user and ends all their sessions, in one
// transaction, so that no request of theirs succeeds once it returns.
func (db *DB) DisableUser(ctx context.Context, userID int64) error {
	return db.WithTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET disabled = TRUE WHERE id = $1`, userID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return escalate.Errorf(escalate.ENOTFOUND, "There is no such user.")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID); err != nil {
			return err
		}
		// What they had typed goes with their access.
		if _, err := tx.ExecContext(ctx, `DELETE FROM drafts WHERE user_id = $1`, userID); err != nil {
			return err
		}
		return tx.auditUser(userID, Actor(ctx), "user.disable", fmt.Sprintf("user:%d", userID), nil)
	})
}

func (s *Sessions) idle() time.Duration {
	if s.Idle > 0 {
		return s.Idle
	}
	return DefaultIdleTimeout
}

func (s *Sessions) lifetime() time.Duration {
	if s.Lifetime > 0 {
		return s.Lifetime
	}
	return DefaultLifetime
}

// candidate is a user an email may sign in as.
type candidate struct {
	userID   int64
	hash     string // "" when the user has no password
	disabled bool
	rehash   bool
}

func passwordCandidates(ctx context.Context, q querier, email string) ([]candidate, error) {
	rows, err := q.QueryContext(ctx, `
		SELECT u.id, COALESCE(p.hash, ''), u.disabled
		FROM users u LEFT JOIN passwords p ON p.user_id = u.id
		WHERE u.email = $1 ORDER BY u.id LIMIT 10`, email)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cs []candidate
	for rows.Next() {
		var c candidate
		if err := rows.Scan(&c.userID, &c.hash, &c.disabled); err != nil {
			return nil, err
		}
		cs = append(cs, c)
	}
	return cs, rows.Err()
}

// accountKey is what the rate limit counts failures by: the email's SHA-256,
// so the table holds no address.
func accountKey(email string) string {
	h := sha256.Sum256([]byte(email))
	return hex.EncodeToString(h[:])
}

// tokenLen is the length of a session token: 128 random bits in unpadded
// base64url.
const tokenLen = 22

func newToken() string {
	b := make([]byte, 16)
	rand.Read(b) // never fails: crypto/rand panics rather than return an error
	return base64.RawURLEncoding.EncodeToString(b)
}

func validToken(t string) bool {
	if len(t) != tokenLen {
		return false
	}
	b, err := base64.RawURLEncoding.DecodeString(t)
	return err == nil && len(b) == 16
}

// tokenHash is how a session is stored: a database reader who sees it
// cannot turn it back into the cookie.
func tokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}
