package escalate

import "time"

// RoleChange is one change of a person's roles, as the role-change history
// page lists it.
type RoleChange struct {
	ID        int64
	UserID    int64
	Actor     string // user:ID, or cli:NAME for the command line
	ActorID   int64  // the acting user, 0 for the command line or the system
	At        time.Time
	Added     []Role
	Removed   []Role
	Oversight bool // an oversight role was added
}
