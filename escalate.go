// Package escalate holds Escalate's domain: the types of a Safeguarding Children
// Partnership's inter-agency escalation process, their validation, the pure rules
// of what may happen next, and the service interfaces the other packages implement.
//
// Subpackages depend inward on this package and never on each other, except that
// everything may use the pure calendar package.
package escalate

import (
	"context"
	"time"
)

// Partnership is the tenant: it owns a policy, a calendar, agencies and people.
type Partnership struct {
	ID       int64
	Key      string // short URL-safe name, e.g. "redbridge"
	Name     string
	PolicyID string // the built-in pack or file the partnership follows
	Created  time.Time
	// SecondFactorOptional relaxes the rule that password sign-in needs a
	// second factor (the demo's partnerships do); it is required by default.
	SecondFactorOptional bool
	// APIRoles are the roles whose holders may use the JSON API (hold API
	// tokens); nil means everyone. A partnership's administrator sets it.
	APIRoles []Role
}

// MayUseAPI reports whether u may hold API tokens and call the API in
// partnership p: p allows everyone, or one of u's roles.
func (p *Partnership) MayUseAPI(u *User) bool {
	if p == nil || u == nil || u.PartnershipID != p.ID {
		return false
	}
	if p.APIRoles == nil {
		return true
	}
	for _, r := range p.APIRoles {
		if u.HasRole(r) {
			return true
		}
	}
	return false
}

// Agency is an organisation within a partnership.
type Agency struct {
	ID            int64
	PartnershipID int64
	Name          string
	// Kind groups agencies for routing rules, e.g. "health-provider",
	// "primary-care", "police", "school", "childrens-social-care".
	Kind string
}

// User is a person who signs in. Need-to-know access follows from their
// partnership, agency, roles and line manager.
type User struct {
	ID            int64
	PartnershipID int64
	AgencyID      int64
	Name          string
	Email         string
	Roles         []Role
	ManagerID     int64 // line manager's user ID, 0 for none
	Disabled      bool
}

// HasRole reports whether u holds role r.
func (u *User) HasRole(r Role) bool {
	for _, x := range u.Roles {
		if x == r {
			return true
		}
	}
	return false
}

type userKey struct{}

// NewContextWithUser returns a copy of ctx that carries u as the acting user.
func NewContextWithUser(ctx context.Context, u *User) context.Context {
	return context.WithValue(ctx, userKey{}, u)
}

// UserFromContext returns the acting user carried by ctx, or nil.
func UserFromContext(ctx context.Context) *User {
	u, _ := ctx.Value(userKey{}).(*User)
	return u
}
