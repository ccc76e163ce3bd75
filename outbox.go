package escalate

import "time"

// The outbox as the notification sender sees it (package notify): what a
// claimed notification holds and what the scheduler writes. The store
// (sqlstore) makes them; notify reads them; neither needs the other.

// Recipient is one addressee of a notification: a user, or a role at an
// agency (AgencyID 0: the partnership's holder of the role, e.g. its
// Business Manager).
type Recipient struct {
	User     int64
	Role     Role
	AgencyID int64
}

// OutboxMessage is one stored notification.
type OutboxMessage struct {
	ID           int64
	Kind         string // the event's action
	EscalationID int64  // 0 for an immediate action recorded before a raise
	Recipient    Recipient
	SubjectKey   string
	Payload      map[string]any
	Status       string
}

// Addressee is one email address a notification goes to.
type Addressee struct {
	Name  string
	Email string
}

// OutboxDelivery is an outbox row with its delivery state: what a claim
// returns (with To resolved) and what the undelivered list holds.
type OutboxDelivery struct {
	OutboxMessage
	PartnershipID int64
	Attempts      int // including the one under way after a claim
	LastError     string
	MessageID     string
	DeadAt        time.Time   // zero unless dead
	To            []Addressee // the enabled users the recipient stands for, at claim time
}

// SentMark is the mark of one notification as sent, readied before its
// email goes to the mail server: Commit it the moment the server accepts
// the message, Rollback it if the server did not.
type SentMark interface {
	Commit() error
	Rollback()
}

// OutboxLease is how long a claim on a notification lasts by default: far
// longer than one SMTP exchange, so a live sender never loses a row to
// another, and short enough that the rows a crashed sender had claimed are
// sent by another within a minute or so.
const OutboxLease = time.Minute

// MaxOutboxAttempts is how many attempts a notification gets before it is
// given up on (undelivered).
const MaxOutboxAttempts = 8

// PolicyReviewNotice is one reminder of the review date of a partnership's
// policy in force, written to the outbox.
type PolicyReviewNotice struct {
	PartnershipID int64
	ReviewDate    string // YYYY-MM-DD
	Kind          string // "month-before" (sqlstore.ReviewMonthBefore) or "due" (sqlstore.ReviewDue)
	Recipients    int
}

// ClockNotice is one reminder or overdue prompt written to the outbox.
type ClockNotice struct {
	Kind         string
	EscalationID int64
	Ref          string
	ClockID      int
	Due          time.Time // zero for an immediate clock
	// OnLapse is the clock's stage's on_lapse ("prompt" or "escalate") for an
	// overdue notice. With "escalate" the case is also moved to the next
	// stage in the notice's transaction when it still can be.
	OnLapse string
	// Escalated says the scheduler escalated the case on this lapse.
	Escalated  bool
	Recipients int
}
