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
	"unicode"
	"unicode/utf8"

	"github.com/escalate-project/escalate"
)

// API token limits. Tokens are long-lived, so each user keeps few: a
// forgotten token is one more way in.
const (
	MaxTokenName  = 100
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
	"The API token is not valid: it is unknown, revoked, or its user is disabled.")

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
func CheckTokenName(name string) error {
	switch n := strings.TrimSpace(name); {
	case n == "":
		return escalate.FieldErrorf("name", "Enter a name for the token, such as the system that will use it.")
	case !utf8.ValidString(n) || utf8.RuneCountInString(n) > MaxTokenName:
		return escalate.FieldErrorf("name", "The name must be text of at most %d characters.", MaxTokenName)
	case strings.ContainsFunc(n, unicode.IsControl):
		return escalate.FieldErrorf("name", "The name must be on one line.")
	}
	return nil
}

// CreateToken issues a new token for the acting user.
func (s *TokenService) CreateToken(ctx context.Context, name string) (string, *escalate.APIToken, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return "", nil, err
	}
	if err := CheckTokenName(name); err != nil {
		return "", nil, err
	}
	secret := newAPIToken()
	t := &escalate.APIToken{UserID: actor.ID, Name: strings.TrimSpace(name),
		Hint: escalate.APITokenPrefix + "…" + secret[len(secret)-4:]}
	err = s.db.WithTx(ctx, func(tx *Tx) error {
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
		var live int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM api_tokens WHERE user_id = $1 AND revoked IS NULL`,
			u.ID).Scan(&live); err != nil {
			return err
		}
		if live >= MaxLiveTokens {
			return escalate.FieldErrorf("name", "You already have %d tokens. Revoke one you no longer use first.", MaxLiveTokens)
		}
		t.Created = tx.now
		if err := tx.QueryRowContext(ctx, `
			INSERT INTO api_tokens (user_id, name, hash, hint, created) VALUES ($1, $2, $3, $4, $5)
			RETURNING id`, u.ID, t.Name, tokenHash(secret), t.Hint, timeArg(tx.now)).Scan(&t.ID); err != nil {
			return err
		}
		who := fmt.Sprintf("user:%d", u.ID)
		return tx.Audit(who, "api-token.create", who, map[string]any{"token": t.ID})
	})
	if err != nil {
		return "", nil, err
	}
	return secret, t, nil
}

// Tokens lists the acting user's tokens, newest first.
func (s *TokenService) Tokens(ctx context.Context) ([]*escalate.APIToken, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.db.QueryContext(ctx, `
		SELECT id, user_id, name, hint, created, last_used, revoked
		FROM api_tokens WHERE user_id = $1 ORDER BY id DESC`, actor.ID)
	if err != nil {
		return nil, WrapError(err)
	}
	defer rows.Close()
	var ts []*escalate.APIToken
	for rows.Next() {
		var t escalate.APIToken
		if err := rows.Scan(&t.ID, &t.UserID, &t.Name, &t.Hint, scanTime(&t.Created),
			scanTime(&t.LastUsed), scanTime(&t.Revoked)); err != nil {
			return nil, WrapError(err)
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
		return tx.Audit(who, "api-token.revoke", who, map[string]any{"token": id})
	})
}

// TokenUser finds the user of a live token. Its last use is written at
// most once a minute, like a session's, so that reading does not write
// every time.
func (s *TokenService) TokenUser(ctx context.Context, secret string) (*escalate.User, *escalate.Partnership, error) {
	if !validAPIToken(secret) {
		return nil, nil, errBadToken
	}
	db := s.db
	var id, userID int64
	var lastUsed, revoked time.Time
	err := db.db.QueryRowContext(ctx, `SELECT id, user_id, last_used, revoked FROM api_tokens WHERE hash = $1`,
		tokenHash(secret)).Scan(&id, &userID, scanTime(&lastUsed), scanTime(&revoked))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, errBadToken
	} else if err != nil {
		return nil, nil, WrapError(err)
	}
	if !revoked.IsZero() {
		return nil, nil, errBadToken
	}
	u, err := findUser(ctx, db.db, `id = $1`, userID)
	if err != nil {
		return nil, nil, WrapError(err)
	} else if u.Disabled {
		return nil, nil, errBadToken
	}
	now := db.Now().UTC()
	if now.Sub(lastUsed) >= touchEvery {
		if _, err := db.db.ExecContext(ctx, `UPDATE api_tokens SET last_used = $1 WHERE id = $2`, timeArg(now), id); err != nil {
			return nil, nil, WrapError(err)
		}
	}
	p, err := findPartnership(ctx, db.db, "id", u.PartnershipID)
	if err != nil {
		return nil, nil, WrapError(err)
	}
	if !p.MayUseAPI(u) {
		return nil, nil, errNoAPI
	}
	return u, p, nil
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
