package escalate

import (
	"context"
	"time"
)

// Contact is a named person in the partnership's contacts directory: how a
// role a policy names (the LADO, the front door, a Designated Nurse) is
// reached in one agency. Contacts do not sign in.
type Contact struct {
	ID            int64
	PartnershipID int64
	AgencyID      int64
	AgencyName    string // filled in when read
	Role          Role
	Name          string
	JobTitle      string
	Phone         string
	Email         string
	LastVerified  string // YYYY-MM-DD: when someone last checked the details
	Created       time.Time
}

// ContactStaleMonths is how long a contact's details may go unchecked before
// the directory flags them.
const ContactStaleMonths = 6

// Stale reports whether the contact has not been verified in the
// ContactStaleMonths before today (YYYY-MM-DD).
func (c *Contact) Stale(today string) bool {
	t, err := time.Parse(time.DateOnly, today)
	if err != nil {
		return false
	}
	return c.LastVerified < t.AddDate(0, -ContactStaleMonths, 0).Format(time.DateOnly)
}

// ContactImport is what a contacts import did, or would have done.
type ContactImport struct {
	Added, Updated int
	// Problems are the bad rows, each "line N: what is wrong". When there
	// are any, nothing was imported.
	Problems []string
}

// ContactDirectory finds who to contact for the roles a policy names.
// sqlstore.DB implements it.
type ContactDirectory interface {
	// ContactsForRoles returns the partnership's contacts holding any of
	// roles, in the order of roles and then by agency and name.
	ContactsForRoles(ctx context.Context, partnershipID int64, roles []Role) ([]*Contact, error)
}
