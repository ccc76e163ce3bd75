package escalate

import (
	"strings"
	"time"
)

// Who has seen what (doc/privacy.md): the audit log read back by case or by
// person, for the Business Manager and the data protection officer.

// PrivacyRoles may read their partnership's audit log: who has seen what.
var PrivacyRoles = []Role{RoleBusinessManager, RoleDataProtectionOfficer}

// Audit actions about the audit log and personal data.
const (
	ActionAuditRead     = "audit.read"            // the audit log was read
	ActionSubjectAccess = "subject-access.export" // a subject access export included the object
)

// AuditQuery selects the audit events about one case, or those one person
// did, within [From, To) (zero times leave an end open).
type AuditQuery struct {
	Ref   string // an escalation's or dissent's reference
	Email string // a person's email address
	// PartnershipID narrows Email to one partnership at the console; a
	// signed-in reader is always held to their own.
	PartnershipID int64
	From, To      time.Time
	Limit         int // default 500, at most 5,000
}

// AuditLogEntry is one audit event as the log shows it.
type AuditLogEntry struct {
	Seq        int64
	At         time.Time
	Actor      string // "user:42", "cli:alice", "system"
	ActorName  string // the user's name and email, when the actor is a user
	ActorEmail string
	Action     string
	Object     string
	Kind       string // AuditView, AuditDownload, AuditChange or AuditSignIn
}

// What an event was, as the log groups them.
const (
	AuditView     = "view"
	AuditDownload = "download"
	AuditChange   = "change"
	AuditSignIn   = "sign-in"
)

// AuditLog is the answer to an AuditQuery.
type AuditLog struct {
	Subject   string // what was asked about: the case's object, or the person's name and email
	Entries   []AuditLogEntry
	Truncated bool // more matched than the limit
}

// AuditKind says what an action was: a view, a download, a sign-in or a
// change.
func AuditKind(action string) string {
	switch {
	case strings.HasSuffix(action, ".view"), action == ActionAuditRead:
		return AuditView
	case strings.HasSuffix(action, ".download"), action == ActionSubjectAccess:
		return AuditDownload
	case strings.HasPrefix(action, "sign-in"), action == "sign-out":
		return AuditSignIn
	}
	return AuditChange
}
