package escalate

import (
	"context"
	"time"
)

// APITokenPrefix begins every API token, so that a leaked token is
// recognisable at a glance and by secret scanners.
const APITokenPrefix = "esc_"

// APIToken is a user's personal token for the JSON API. Only a hash of the
// secret is stored; the secret itself is shown once, when it is created.
type APIToken struct {
	ID       int64
	UserID   int64
	Name     string // what the user called it, e.g. "case system sync"
	Hint     string // the prefix and last 4 characters, to tell tokens apart
	Created  time.Time
	LastUsed time.Time // zero if never used
	Revoked  time.Time // zero while the token works
}

// TokenService issues and checks API tokens. The acting user of the first
// three methods comes from UserFromContext(ctx); users manage only their own
// tokens.
type TokenService interface {
	// CreateToken issues a new token called name and returns its secret,
	// which is never stored and cannot be shown again.
	CreateToken(ctx context.Context, name string) (secret string, t *APIToken, err error)
	// Tokens lists the actor's tokens, newest first, revoked ones included.
	Tokens(ctx context.Context) ([]*APIToken, error)
	// RevokeToken revokes one of the actor's tokens; another user's is
	// ENOTFOUND.
	RevokeToken(ctx context.Context, id int64) error
	// TokenUser returns the user whose live token secret is, and their
	// partnership, or EUNAUTHORIZED when the token is unknown, revoked or
	// belongs to a disabled user.
	TokenUser(ctx context.Context, secret string) (*User, *Partnership, error)
}
