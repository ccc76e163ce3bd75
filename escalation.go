package escalate

import (
	"slices"
	"time"
)

// RiskLevel is how much danger the child is in, as the raiser judges it.
type RiskLevel string

// The risk levels, from least to most urgent.
const (
	RiskStandard  RiskLevel = "standard"
	RiskIncreased RiskLevel = "increased"
	RiskImmediate RiskLevel = "immediate"
)

// RiskLevels lists the risk levels from least to most urgent.
var RiskLevels = []RiskLevel{RiskStandard, RiskIncreased, RiskImmediate}

// rank orders risk levels; an unknown level ranks below standard.
func (r RiskLevel) rank() int { return slices.Index(RiskLevels, r) }

// Valid reports whether r is one of RiskLevels.
func (r RiskLevel) Valid() bool { return r.rank() >= 0 }

// Elevated reports whether r calls for a policy's increased-risk timescales.
func (r RiskLevel) Elevated() bool { return r == RiskIncreased || r == RiskImmediate }

// Status is where an escalation is in its life.
type Status string

// The statuses. Only StatusOpen may change; the others are closed for good.
const (
	StatusOpen       Status = "open"
	StatusResolved   Status = "resolved"
	StatusRedirected Status = "redirected"
	StatusWithdrawn  Status = "withdrawn"
)

// Closed reports whether s is a final status.
func (s Status) Closed() bool { return s != StatusOpen }

// Escalation is one case: a disagreement between agencies about what keeps a
// child safe, taken through its partnership's policy at the version it was
// raised under.
type Escalation struct {
	ID            int64
	Ref           string // human reference, assigned by the store, e.g. "RB-2026-0042"
	PartnershipID int64
	PolicyID      string
	PolicyVersion string

	RaisedBy        int64
	RaisedRole      Role
	RaisingAgencyID int64

	ReceivingAgencyID int64
	ReceivingContact  string // the role or post of who the raiser dealt with; optional

	Decision     string // the decision, action or inaction disagreed with
	DecisionDate string // YYYY-MM-DD

	// The child by a minimal reference only: the raising agency's own case
	// reference and initials. Never a name or an address.
	ChildRef      string
	ChildInitials string
	// ChildExpected is the month an unborn baby is due, YYYY-MM; "" for a
	// child already born, who has initials instead.
	ChildExpected string

	Categories []string // keys of Policy.Categories

	// What Redbridge 4.2 asks every escalation to state.
	Issue         string
	Risk          string
	Disagreement  string
	OutcomeSought string

	RiskLevel RiskLevel
	Immediate *ImmediateAction // the latest immediate-risk action; all are in the audit log

	Stage   int // index into Policy.Stages
	Status  Status
	Outcome *Outcome // set when an outcome is agreed or the case closes

	Clocks  []ClockState
	Records []Record

	// Version counts changes. Every change names the version it was made
	// against; a mismatch is ECONFLICT, so two people acting at once never
	// lose an update.
	Version int
	Created time.Time
	Updated time.Time
}

// ImmediateAction is what the raiser did first because the child was at
// immediate risk, e.g. "called 999" or "referred to the front door at 10:20".
type ImmediateAction struct {
	Action string
	At     time.Time // when it was recorded
	By     int64
}

// Clock statuses.
const (
	ClockRunning = "running"
	ClockMet     = "met"     // its action happened
	ClockStopped = "stopped" // its stage ended, or the case closed, before it was met
)

// ClockState is a policy clock made concrete for one escalation.
type ClockState struct {
	ID          int    // 1..n within the escalation
	Stage       string // the stage key the clock belongs to
	Key         string // the policy clock's key
	Action      string // the policy clock's action, in words; see ClockMetBy
	By          string // "raising" or "receiving"
	Within      string // the timescale text used: the policy's, or its increased-risk one
	Start       time.Time
	Due         time.Time // zero when Immediate
	Immediate   bool
	Explanation string // how Due was computed, from calendar.Deadline.Explain
	Status      string // ClockRunning, ClockMet or ClockStopped
	MetAt       time.Time
	// ShortenedReason is why a person or a risk raise brought Due forward;
	// a recomputation never moves a shortened clock later than it stands.
	ShortenedReason string
	Recomputed      int // how many times a calendar change moved Due
}

// Overdue reports whether the clock is still running after its due instant.
// An immediate clock is overdue as soon as it runs.
func (c ClockState) Overdue(now time.Time) bool {
	if c.Status != ClockRunning {
		return false
	}
	return c.Immediate || now.After(c.Due)
}

// Record forms of communication.
const (
	FormPhone   = "phone"
	FormMeeting = "meeting"
	FormEmail   = "email"
	FormLetter  = "letter"
	FormVideo   = "video"
)

// RecordForms lists the forms of communication a record may have.
var RecordForms = []string{FormPhone, FormMeeting, FormEmail, FormLetter, FormVideo}

// Record is a discussion or action, kept as the policy demands. Records are
// never edited: a correction is a new record whose Corrects names the old one.
type Record struct {
	ID           int    // 1..n within the escalation
	Stage        string // the stage key current when it was added
	At           time.Time
	Form         string // one of RecordForms
	Participants []string
	Discussion   string
	Outcome      string // including any further escalation and next steps
	Corrects     int    // the ID of the record this corrects; 0 for none
	// Result is what the discussion came to: ResultAgreed, ResultNotAgreed,
	// or "" (not settled yet, or not said).
	Result string
	// Facilitator is the independent facilitator of a facilitated
	// conversation (a stage with facilitated: true): name and role.
	Facilitator string
	By          int64
	Created     time.Time
	ApprovedBy  int64 // 0 until approved
	ApprovedAt  time.Time
}

// Outcome kinds.
const (
	OutcomeAgreed          = "agreed"
	OutcomeDetermination   = "determination"
	OutcomeRecommendations = "recommendations"
	OutcomeRedirected      = "redirected"
	OutcomeWithdrawn       = "withdrawn"
)

// What an agreed outcome, determination or recommendations did to the
// decision disagreed about, for the board report's outcomes.
const (
	DecisionChanged = "changed" // the decision disagreed about changes
	DecisionUpheld  = "upheld"  // the decision disagreed about stands
)

// Outcome is how an escalation ended, or the outcome agreed and awaiting
// written confirmation.
type Outcome struct {
	Kind              string
	Text              string // the agreed outcome, determination or recommendations
	OutstandingIssues string // how outstanding issues will be pursued
	RedirectTo        string // for a redirect: the policy redirect's key
	Reason            string // for a redirect or withdrawal
	// Decision is DecisionChanged or DecisionUpheld for an agreed outcome,
	// determination or recommendations; empty where not recorded (outcomes
	// recorded before the question was asked, or by API clients that omit it).
	Decision string
	// Report is what the meeting's chair reported to the body the stage's
	// meeting reports to (Hounslow stage 5: the Serious Case Review Sub
	// Committee); empty elsewhere.
	Report string
	At     time.Time
	By     int64
	// ConfirmedAt is when the agreed outcome was confirmed in writing, where
	// the stage has a confirmation clock; zero until then.
	ConfirmedAt time.Time
}

// Event records one thing that happened to an escalation, for the audit log.
// Data holds the content: what changed. The store hashes a commitment to it,
// so the content can later be erased while the chain still verifies.
type Event struct {
	At     time.Time
	Actor  int64
	Action string
	Ref    string
	Data   map[string]any
}

// Event actions.
const (
	ActionRaise          = "escalation.raise"
	ActionView           = "escalation.view"
	ActionEscalate       = "escalation.escalate"
	ActionRedirect       = "escalation.redirect"
	ActionWithdraw       = "escalation.withdraw"
	ActionDetermine      = "escalation.determine"
	ActionResolve        = "escalation.resolve"
	ActionRecordAdd      = "record.add"
	ActionRecordApprove  = "record.approve"
	ActionOutcomeAgree   = "outcome.agree"
	ActionOutcomeConfirm = "outcome.confirm"
	ActionRiskRaise      = "risk.raise"
	ActionRiskLower      = "risk.lower"
	ActionRiskImmediate  = "risk.immediate"
	ActionClockStart     = "clock.start"
	ActionClockMet       = "clock.met"
	ActionClockStop      = "clock.stop"
	ActionClockShorten   = "clock.shorten"
	ActionClockRecompute = "clock.recompute"
	// ActionClockLapse records that a clock lapsed unmet and started the
	// clocks that start on its lapse (starts.event clock-lapsed).
	ActionClockLapse = "clock.lapse"
	// ActionPartyName names someone to deal with the escalation (or takes
	// it); ActionPartyRemove removes them.
	ActionPartyName   = "escalation.party"
	ActionPartyRemove = "escalation.party.remove"
	// ActionMeetingChair appoints a board member from an agency not
	// involved to chair the stage's meeting (Hounslow stage 5).
	ActionMeetingChair = "escalation.meeting-chair"
)

// CurrentStage returns the policy stage the escalation is at, or nil when its
// stage index is outside p.
func (e *Escalation) CurrentStage(p *Policy) *Stage {
	if e.Stage < 0 || e.Stage >= len(p.Stages) {
		return nil
	}
	return &p.Stages[e.Stage]
}

// Clock returns the clock with the given ID, or nil.
func (e *Escalation) Clock(id int) *ClockState {
	for i := range e.Clocks {
		if e.Clocks[i].ID == id {
			return &e.Clocks[i]
		}
	}
	return nil
}

// Record returns the record with the given ID, or nil.
func (e *Escalation) Record(id int) *Record {
	for i := range e.Records {
		if e.Records[i].ID == id {
			return &e.Records[i]
		}
	}
	return nil
}

// NextDue returns the earliest due instant of the running clocks, and false
// when none runs. An immediate clock counts as due at its start.
func (e *Escalation) NextDue() (time.Time, bool) {
	var next time.Time
	found := false
	for _, c := range e.Clocks {
		if c.Status != ClockRunning {
			continue
		}
		due := c.Due
		if c.Immediate {
			due = c.Start
		}
		if !found || due.Before(next) {
			next, found = due, true
		}
	}
	return next, found
}

// Clone returns a deep copy of e, so a rule can work on a copy and only
// replace the original when every step succeeded.
func (e *Escalation) Clone() *Escalation {
	c := *e
	c.Categories = slices.Clone(e.Categories)
	if e.Immediate != nil {
		im := *e.Immediate
		c.Immediate = &im
	}
	if e.Outcome != nil {
		o := *e.Outcome
		c.Outcome = &o
	}
	c.Clocks = slices.Clone(e.Clocks)
	c.Records = slices.Clone(e.Records)
	for i := range c.Records {
		c.Records[i].Participants = slices.Clone(e.Records[i].Participants)
	}
	return &c
}
