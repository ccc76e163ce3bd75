package escalate

import "time"

// PolicyPublication is one time a policy text was made the one a
// partnership's new escalations follow (doc/policy-format.md, "Changing a
// policy"). Escalations already open stay on the version they pinned.
type PolicyPublication struct {
	ID            int64
	PartnershipID int64
	VersionID     int64  // the stored text; a text published again keeps its ID
	PolicyID      string // the policy's id
	Version       string // the policy's own version, e.g. "2.1"
	SHA256        string // hex SHA-256 of the text
	PublishedAt   time.Time
	// PublishedBy is the user who published it; 0 for the command line, or
	// for a version published before the history was kept.
	PublishedBy   int64
	PublisherName string
	// Actor is the audit actor: "user:12", "cli:…", or "" before the
	// history was kept.
	Actor string
	// Current is true for the latest publication: the text in force.
	Current bool
	// OpenEscalations counts the open escalations pinned to this version.
	OpenEscalations int
}

// PolicyPublishers are the roles that may change a partnership's policy.
var PolicyPublishers = []Role{RoleBusinessManager, RoleAdmin}

// CanPublishPolicy refuses an actor who may not change partnershipID's
// policy: a person must be of that partnership and a Business Manager or
// administrator.
func CanPublishPolicy(u *User, partnershipID int64) error {
	switch {
	case u == nil:
		return Errorf(EUNAUTHORIZED, "Sign in to do this.")
	case u.Disabled:
		return Errorf(EFORBIDDEN, "Your account is disabled.")
	case u.PartnershipID == partnershipID:
		for _, r := range PolicyPublishers {
			if u.HasRole(r) {
				return nil
			}
		}
	}
	return Errorf(EFORBIDDEN, "Only the Partnership Business Manager or an administrator can change the policy.")
}
