package escalate

import (
	"fmt"
	"strings"
	"time"
)

// Retention and legal hold (doc/privacy.md): each partnership keeps each
// class of personal data for a period after it ends, then a daily job
// erases it, unless a legal hold on the case or on the whole partnership
// stops it. Erasure keeps the audit chain verifiable: events keep their
// commitments, and only the content behind them goes.

// ActionRetentionErase is the audit action of an erasure under the
// retention schedule: the object's personal data and its events' content
// are gone, and verification checks that nothing personal is left.
const ActionRetentionErase = "retention.erase"

// RetentionClass names a class of personal data with its own period.
type RetentionClass string

// The classes, in the order pages and reports show them.
const (
	// RetainClosedEscalations: a closed escalation's child fields, free
	// text, records and parties, from when it closed. The de-identified
	// row stays for the board's counts. Its attachments are deleted.
	RetainClosedEscalations RetentionClass = "closed-escalations"
	// RetainConferenceDissents: a closed Child Protection Conference
	// dissent's free text and steps, from when it closed. The de-identified
	// row stays for the board's counts.
	RetainConferenceDissents RetentionClass = "conference-dissents"
	// RetainLearningItems: a learning item, from when it was marked done.
	RetainLearningItems RetentionClass = "learning-items"
	// RetainProformas: a proforma, from when it was written.
	RetainProformas RetentionClass = "proformas"
	// RetainGoodPractice: a recognition of good practice, from when it was
	// recorded.
	RetainGoodPractice RetentionClass = "good-practice"
	// RetainContacts: what the audit log holds of a contact deleted from
	// the directory, from its deletion.
	RetainContacts RetentionClass = "contacts"
	// RetainDisabledAccounts: a disabled account's name, email and sign-in
	// details, and the record of the roles it was given and lost (role
	// changes), from when it was disabled; it is then anonymised.
	RetainDisabledAccounts RetentionClass = "disabled-accounts"
	// RetainNotifications: sent and dead (failed for good) notifications, from when they
	// were written.
	RetainNotifications RetentionClass = "notifications"
)

// RetentionClasses lists every class in order.
var RetentionClasses = []RetentionClass{
	RetainClosedEscalations, RetainConferenceDissents, RetainLearningItems, RetainProformas,
	RetainGoodPractice, RetainContacts, RetainDisabledAccounts, RetainNotifications,
}

// DefaultRetentionDays are the periods a partnership starts with, in days
// after the data ends; doc/privacy.md gives the reasons.
var DefaultRetentionDays = map[RetentionClass]int{
	RetainClosedEscalations:  6 * 365,
	RetainConferenceDissents: 6 * 365,
	RetainLearningItems:      3 * 365,
	RetainProformas:          3 * 365,
	RetainGoodPractice:       3 * 365,
	RetainContacts:           365,
	RetainDisabledAccounts:   2 * 365,
	RetainNotifications:      90,
}

// RetentionClassNames are the classes as pages show them.
var RetentionClassNames = map[RetentionClass]string{
	RetainClosedEscalations:  "Closed escalations, with their records and attachments",
	RetainConferenceDissents: "Closed conference dissents",
	RetainLearningItems:      "Learning items",
	RetainProformas:          "Proformas",
	RetainGoodPractice:       "Recognitions of good practice",
	RetainContacts:           "Deleted contacts",
	RetainDisabledAccounts:   "Disabled accounts, with their role changes",
	RetainNotifications:      "Notifications sent or failed",
}

// Bounds of a retention period: at least a day, at most 50 years.
const (
	MinRetentionDays = 1
	MaxRetentionDays = 50 * 365
)

// ParseRetentionClass reads a class by its name, e.g. "closed-escalations".
func ParseRetentionClass(s string) (RetentionClass, error) {
	for _, c := range RetentionClasses {
		if string(c) == strings.TrimSpace(s) {
			return c, nil
		}
	}
	names := make([]string, len(RetentionClasses))
	for i, c := range RetentionClasses {
		names[i] = string(c)
	}
	return "", FieldErrorf("class", "There is no class %q: choose one of %s.", s, strings.Join(names, ", "))
}

// ValidateRetentionDays checks a period.
func ValidateRetentionDays(days int) error {
	if days < MinRetentionDays || days > MaxRetentionDays {
		return FieldErrorf("days", "Enter a period from %d day to %d days (50 years).", MinRetentionDays, MaxRetentionDays)
	}
	return nil
}

// LegalHold stops erasure: of one case, or of everything of a partnership
// (for example while a public inquiry's order stands), until lifted.
type LegalHold struct {
	ID            int64
	PartnershipID int64
	Ref           string // the escalation held; "" for the whole partnership
	Reason        string
	PlacedBy      int64
	Placed        time.Time
	LiftedBy      int64 // 0 while it stands
	Lifted        time.Time
	LiftReason    string
}

// Active reports whether h still stops erasure.
func (h *LegalHold) Active() bool { return h.Lifted.IsZero() }

// Covers says what h holds, in words.
func (h *LegalHold) Covers() string {
	if h.Ref == "" {
		return "Everything of the partnership"
	}
	return "Escalation " + h.Ref
}

// MaxHoldReason bounds a hold's reason.
const MaxHoldReason = 2000

// ValidateHoldReason checks the reason given for placing or lifting a hold.
func ValidateHoldReason(field, reason string) error {
	switch r := strings.TrimSpace(reason); {
	case r == "":
		return FieldErrorf(field, "Say why: for example, the order of the public inquiry and its date.")
	case len(r) > MaxHoldReason:
		return FieldErrorf(field, "Keep the reason to %d characters.", MaxHoldReason)
	}
	return nil
}

// RetentionItem is one thing the retention job erased, would erase (a dry
// run), or kept because a legal hold stops it.
type RetentionItem struct {
	PartnershipID int64
	Class         RetentionClass
	Object        string    // the audit object, e.g. "escalation:WIRRAL-2021-0004"; "outbox" for notifications
	Count         int       // rows it stands for: 1, or the notifications erased
	Ended         time.Time // when the data ended: closed, done, written, deleted, disabled
	Due           time.Time // Ended plus the class's period
	Held          bool      // kept: a legal hold stands
	HoldID        int64
	At            time.Time // when it was erased or found held; zero in a dry run
}

// String says what the item is.
func (it RetentionItem) String() string {
	if it.Count > 1 {
		return fmt.Sprintf("%d %s", it.Count, RetentionClassNames[it.Class])
	}
	return it.Object
}

// RetentionOptions narrows a run of the retention job.
type RetentionOptions struct {
	PartnershipID int64 // 0 for every partnership (the console and the daily job)
	DryRun        bool  // list what would go; erase nothing
}

// RetentionRun is what one run of the retention job did, or in a dry run
// would do.
type RetentionRun struct {
	At     time.Time
	DryRun bool
	Items  []RetentionItem
}
