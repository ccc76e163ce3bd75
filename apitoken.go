package escalate

import (
	"context"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// MaxTokenName bounds a token's name.
const MaxTokenName = 100

// CheckTokenName returns an EINVALID error for field "name" unless name is
// 1 to MaxTokenName characters of text on one line.
func CheckTokenName(name string) error {
	switch n := strings.TrimSpace(name); {
	case n == "":
		return FieldErrorf("name", "Enter a name for the token, such as the system that will use it.")
	case !utf8.ValidString(n) || utf8.RuneCountInString(n) > MaxTokenName:
		return FieldErrorf("name", "The name must be text of at most %d characters.", MaxTokenName)
	case strings.ContainsFunc(n, unicode.IsControl):
		return FieldErrorf("name", "The name must be on one line.")
	}
	return nil
}

// APITokenPrefix begins every API token, so that a leaked token is
// recognisable at a glance and by secret scanners.
const APITokenPrefix = "esc_"

// API token lifetimes: a token made without an expiry lasts
// DefaultTokenLifetime; none may last longer than MaxTokenLifetime.
const (
	DefaultTokenLifetime = 90 * 24 * time.Hour
	MaxTokenLifetime     = 365 * 24 * time.Hour
)

// TokenScope is what a token may do with the API.
type TokenScope string

// The scopes of API tokens: reading only (GET), or reading and writing.
const (
	ScopeRead      TokenScope = "read"
	ScopeReadWrite TokenScope = "read-write"
)

// CanWrite reports whether the scope allows changes.
func (s TokenScope) CanWrite() bool { return s == ScopeReadWrite }

// APIToken is a user's personal token for the JSON API. Only a hash of the
// secret is stored; the secret itself is shown once, when it is created.
type APIToken struct {
	ID       int64
	UserID   int64
	Name     string // what the user called it, e.g. "case system sync"
	Hint     string // the prefix and last 4 characters, to tell tokens apart
	Scope    TokenScope
	Created  time.Time
	Expires  time.Time
	LastUsed time.Time // zero if never used
	Revoked  time.Time // zero while the token works
}

// TokenRequest is what a new token is made from.
type TokenRequest struct {
	Name    string
	Scope   TokenScope // "" for ScopeRead
	Expires time.Time  // zero for DefaultTokenLifetime from now
	// Session is the token of the web session asking, which must have
	// re-authenticated within the last few minutes; "" only for callers
	// inside the process that are not serving a person (tests, seeders).
	Session string
}

// TokenService issues and checks API tokens. The acting user of the first
// three methods comes from UserFromContext(ctx); users manage only their own
// tokens.
type TokenService interface {
	// CreateToken issues a new token and returns its secret, which is
	// never stored and cannot be shown again.
	CreateToken(ctx context.Context, req TokenRequest) (secret string, t *APIToken, err error)
	// Tokens lists the actor's tokens, newest first, revoked ones included.
	Tokens(ctx context.Context) ([]*APIToken, error)
	// RevokeToken revokes one of the actor's tokens; another user's is
	// ENOTFOUND.
	RevokeToken(ctx context.Context, id int64) error
	// TokenUser returns the user whose live token secret is, their
	// partnership and the token's scope, or EUNAUTHORIZED when the token
	// is unknown, revoked, expired or belongs to a disabled user.
	TokenUser(ctx context.Context, secret string) (*User, *Partnership, TokenScope, error)
}
