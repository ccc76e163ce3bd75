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

// OpensCases reports whether holding role r can open escalations the
// holder neither raised nor was named on, so that nobody may give it to
// themselves. The oversight roles (Oversight) open every escalation of the
// partnership; the partnership roles (PartnershipRoles: a board member too)
// open those whose stage names them, from any agency; every other role, a
// policy's own included, opens those whose stage, copy list, meeting,
// immediate-risk route or routing rule names it (routing.go). Only the
// practitioner, whom routing reaches as the raiser or the person named, and
// the administrator, who never reads a case, open none.
func OpensCases(r Role) bool { return r != RolePractitioner && r != RoleAdmin }

// The stages of a session. A password sign-in that needs a second factor
// starts a session that opens no page until the factor is given (or, on a
// first sign-in, set up); single sign-on starts a full session, since the
// organisation's provider applies its own second factor.
const (
	StageFull         = "full"
	StageSecondFactor = "second-factor"
	StageEnrol        = "enrol"
)

// SecondFactors says which second factors a person has.
type SecondFactors struct {
	TOTP         bool // an authenticator app
	Passkeys     []Passkey
	RecoveryLeft int // unused recovery codes
}

// Any reports whether the person has a second factor they can sign in with.
func (f SecondFactors) Any() bool { return f.TOTP || len(f.Passkeys) > 0 }

// Passkey is one of a person's passkeys, as their account page lists it.
type Passkey struct {
	ID       int64
	Name     string
	Created  time.Time
	LastUsed time.Time
}
