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

// API token limits. Tokens are long-lived, so each user keeps few: a
// forgotten token is one more way in.
const (
	MaxTokenName  = escalate.MaxTokenName
	MaxLiveTokens = 20
)

// apiTokenBytes is the randomness of an API token: 256 bits, so that the
// hint's 4 characters (24 bits) leave far more than the 128 bits a token
// needs.
const apiTokenBytes = 32

// apiTokenLen is the length of a token: the prefix and 43 characters of
// unpadded base64url.
var apiTokenLen = len(escalate.APITokenPrefix) + base64.RawURLEncoding.EncodedLen(apiTokenBytes)

var errBadToken = escalate.Errorf(escalate.EUNAUTHORIZED,
	"The API token is not valid: it is unknown, revoked or expired, or its user is disabled.")

// TokenService implements escalate.TokenService on a DB. Tokens are stored
// as their SHA-256 only; creating and revoking one are audit events.
type TokenService struct {
	db *DB
}

var _ escalate.TokenService = (*TokenService)(nil)

// NewTokenService returns the API token service of db.
func NewTokenService(db *DB) *TokenService { return &TokenService{db: db} }

// CheckTokenName returns an EINVALID error for field "name" unless name is
// 1 to MaxTokenName characters of text.
func CheckTokenName(name string) error { return escalate.CheckTokenName(name) }

// ReauthWindow is how recently a session must have re-authenticated for
// CreateToken to issue a token to it.
const ReauthWindow = 5 * time.Minute

// CheckTokenRequest fills in req's defaults (scope read, expiry in
// DefaultTokenLifetime) and returns an EINVALID error naming the field at
// fault: name, scope or expires.
func CheckTokenRequest(req *escalate.TokenRequest, now time.Time) error {
	if err := CheckTokenName(req.Name); err != nil {
		return err
	}
	switch req.Scope {
	case "":
		req.Scope = escalate.ScopeRead
	case escalate.ScopeRead, escalate.ScopeReadWrite:
	default:
		return escalate.FieldErrorf("scope", "Choose whether the token may only read, or read and change.")
	}
	if req.Expires.IsZero() {
		req.Expires = now.Add(escalate.DefaultTokenLifetime)
	}
	switch {
	case !req.Expires.After(now):
		return escalate.FieldErrorf("expires", "The expiry must be in the future.")
	case req.Expires.After(now.Add(escalate.MaxTokenLifetime + 24*time.Hour)):
		return escalate.FieldErrorf("expires", "A token may last at most a year.")
	}
	return nil
}

// CreateToken issues a new token for the acting user. A request from a web
// session needs that session to have re-authenticated (Reauthenticate)
// within ReauthWindow, so a stolen session cookie alone cannot mint a
// lasting credential.
func (s *TokenService) CreateToken(ctx context.Context, req escalate.TokenRequest) (string, *escalate.APIToken, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return "", nil, err
	}
	req.Name = strings.TrimSpace(req.Name)
	secret := newAPIToken()
	var t *escalate.APIToken
	err = s.db.WithTx(ctx, func(tx *Tx) error {
		if err := CheckTokenRequest(&req, tx.now); err != nil {
			return err
		}
		u, err := tx.actingUser(actor)
		if err != nil {
			return err
		} else if u.Disabled {
			return escalate.Errorf(escalate.EUNAUTHORIZED, "Sign in to do this.")
		}
		p, err := findPartnership(ctx, tx, "id", u.PartnershipID)
		if err != nil {
			return err
		}
		if !p.MayUseAPI(u) {
			return errNoAPI
		}
		if req.Session != "" {
			if err := tx.checkReauth(u.ID, req.Session); err != nil {
				return err
			}
		}
		var live int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM api_tokens WHERE user_id = $1 AND revoked IS NULL
			AND (expires IS NULL OR expires > $2)`, u.ID, timeArg(tx.now)).Scan(&live); err != nil {
			return err
		}
		if live >= MaxLiveTokens {
			return escalate.FieldErrorf("name", "You already have %d tokens. Revoke one you no longer use first.", MaxLiveTokens)
		}
		t = &escalate.APIToken{UserID: u.ID, Name: req.Name, Scope: req.Scope, Created: tx.now, Expires: req.Expires.UTC(),
			Hint: escalate.APITokenPrefix + "…" + secret[len(secret)-4:]}
		if err := tx.QueryRowContext(ctx, `
			INSERT INTO api_tokens (user_id, name, hash, hint, created, expires, scope) VALUES ($1, $2, $3, $4, $5, $6, $7)
			RETURNING id`, u.ID, t.Name, tokenHash(secret), t.Hint, timeArg(tx.now), timeArg(t.Expires), string(t.Scope)).Scan(&t.ID); err != nil {
			return err
		}
		who := fmt.Sprintf("user:%d", u.ID)
		return tx.AuditIn(u.PartnershipID, who, "api-token.create", who, map[string]any{"token": t.ID, "scope": string(t.Scope),
			"expires": timeArg(t.Expires)})
	})
	if err != nil {
		return "", nil, err
	}
	return secret, t, nil
}

// checkReauth refuses unless the session is userID's and re-authenticated
// within ReauthWindow.
func (tx *Tx) checkReauth(userID int64, session string) error {
	var owner int64
	var at time.Time
	err := tx.QueryRowContext(tx.ctx, `SELECT user_id, reauth_at FROM sessions WHERE id_hash = $1`, tokenHash(session)).
		Scan(&owner, scanTime(&at))
	if errors.Is(err, sql.ErrNoRows) || err == nil && owner != userID {
		return errNoSession
	} else if err != nil {
		return err
	}
	if at.IsZero() || tx.now.Sub(at) > ReauthWindow {
		return escalate.FieldErrorf("password", "Enter your password or a code from your authenticator app again to confirm it is you.")
	}
	return nil
}

// Tokens lists the acting user's tokens, newest first.
func (s *TokenService) Tokens(ctx context.Context) ([]*escalate.APIToken, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.db.QueryContext(ctx, `
		SELECT id, user_id, name, hint, scope, created, expires, last_used, revoked
		FROM api_tokens WHERE user_id = $1 ORDER BY id DESC`, actor.ID)
	if err != nil {
		return nil, WrapError(err)
	}
	defer rows.Close()
	var ts []*escalate.APIToken
	for rows.Next() {
		var t escalate.APIToken
		if err := rows.Scan(&t.ID, &t.UserID, &t.Name, &t.Hint, &t.Scope, scanTime(&t.Created), scanTime(&t.Expires),
			scanTime(&t.LastUsed), scanTime(&t.Revoked)); err != nil {
			return nil, WrapError(err)
		}
		if t.Expires.IsZero() {
			t.Expires = t.Created.Add(escalate.DefaultTokenLifetime)
		}
		ts = append(ts, &t)
	}
	return ts, WrapError(rows.Err())
}

// RevokeToken revokes one of the acting user's tokens. Revoking a revoked
// token changes nothing and is not an error.
func (s *TokenService) RevokeToken(ctx context.Context, id int64) error {
	actor, err := actorOf(ctx)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *Tx) error {
		var revoked bool
		err := tx.QueryRowContext(ctx, `SELECT revoked IS NOT NULL FROM api_tokens WHERE id = $1 AND user_id = $2`,
			id, actor.ID).Scan(&revoked)
		if errors.Is(err, sql.ErrNoRows) {
			return escalate.Errorf(escalate.ENOTFOUND, "There is no such token.")
		} else if err != nil || revoked {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked = $1 WHERE id = $2`, timeArg(tx.now), id); err != nil {
			return err
		}
		who := fmt.Sprintf("user:%d", actor.ID)
		return tx.AuditIn(actor.PartnershipID, who, "api-token.revoke", who, map[string]any{"token": id})
	})
}

// TokenUser finds the user of a live token and its scope. Its last use is
// written at most once a minute, like a session's, so that reading does
// not write every time.
func (s *TokenService) TokenUser(ctx context.Context, secret string) (*escalate.User, *escalate.Partnership, escalate.TokenScope, error) {
	if !validAPIToken(secret) {
		return nil, nil, "", errBadToken
	}
	db := s.db
	// The token, its user and their partnership in one query: this runs
	// for every API request, and each query is a round trip to the
	// database (and on PostgreSQL a transaction of its own).
	var id int64
	var scope escalate.TokenScope
	var created, expires, lastUsed, revoked time.Time
	var row userRow
	err := db.db.QueryRowContext(ctx, `SELECT t.id, t.scope, t.created, t.expires, t.last_used, t.revoked, `+userRowColumns+`
		FROM api_tokens t`+userRowJoin+` WHERE t.hash = $1`, tokenHash(secret)).Scan(
		append([]any{&id, &scope, scanTime(&created), scanTime(&expires), scanTime(&lastUsed), scanTime(&revoked)}, row.dest()...)...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, "", errBadToken
	} else if err != nil {
		return nil, nil, "", WrapError(err)
	}
	u, p := row.read()
	now := db.Now().UTC()
	if expires.IsZero() {
		expires = created.Add(escalate.DefaultTokenLifetime)
	}
	if !revoked.IsZero() || !now.Before(expires) || u.Disabled {
		return nil, nil, "", errBadToken
	}
	if now.Sub(lastUsed) >= touchEvery {
		if _, err := db.db.ExecContext(ctx, `UPDATE api_tokens SET last_used = $1 WHERE id = $2`, timeArg(now), id); err != nil {
			return nil, nil, "", WrapError(err)
		}
	}
	if !p.MayUseAPI(u) {
		return nil, nil, "", errNoAPI
	}
	return u, p, scope, nil
}

// revokeAllTokens revokes every live token of userID, when their password
// is changed or reset, and says how many.
func (tx *Tx) revokeAllTokens(userID int64) (int64, error) {
	res, err := tx.ExecContext(tx.ctx, `UPDATE api_tokens SET revoked = $1 WHERE user_id = $2 AND revoked IS NULL`,
		timeArg(tx.now), userID)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// errNoAPI refuses a token whose owner's partnership does not let their
// role use the API.
var errNoAPI = escalate.Errorf(escalate.EFORBIDDEN, "Your partnership does not let your role use the API. Ask your administrator if you need it.")

func newAPIToken() string {
	b := make([]byte, apiTokenBytes)
	rand.Read(b) // never fails: crypto/rand panics rather than return an error
	return escalate.APITokenPrefix + base64.RawURLEncoding.EncodeToString(b)
}

func validAPIToken(t string) bool {
	if len(t) != apiTokenLen || !strings.HasPrefix(t, escalate.APITokenPrefix) {
		return false
	}
	b, err := base64.RawURLEncoding.DecodeString(t[len(escalate.APITokenPrefix):])
	return err == nil && len(b) == apiTokenBytes
}
