package escalate

// Policy is one partnership's escalation policy as data: versioned, loaded from a
// YAML policy file (see doc/policy-format.md), and pinned by every escalation at
// the version it started under. Timescales are text in the calendar package's
// grammar ("2 working days", "same working day", "24 hours", "immediately").
//
// Cite fields name the section of the source document a rule comes from.
type Policy struct {
	ID          string       `yaml:"id"`      // e.g. "redbridge"
	Name        string       `yaml:"name"`    // the partnership or board's name
	Version     string       `yaml:"version"` // the policy's own version, e.g. "3rd edition"
	Source      Source       `yaml:"source"`
	Approved    string       `yaml:"approved"`    // YYYY-MM-DD
	ReviewDate  string       `yaml:"review_date"` // YYYY-MM-DD; past review is a warning
	Calendar    PolicyClock  `yaml:"calendar"`
	Roles       []RoleDef    `yaml:"roles"` // roles beyond BuiltinRoles
	Categories  []Category   `yaml:"categories"`
	Immediate   Immediate    `yaml:"immediate_risk"`
	Stages      []Stage      `yaml:"stages"`
	Redirects   []Redirect   `yaml:"redirects"`
	Routing     []RouteRule  `yaml:"routing"`
	Learning    Learning     `yaml:"learning"`
	Workflows   Workflows    `yaml:"workflows"`
	Assumptions []Assumption `yaml:"assumptions"` // where the source is silent or ambiguous
	// GoodPractice is the policy's route for recognising another agency's
	// good practice (Hertfordshire); nil: the policy has none.
	GoodPractice *GoodPracticeRoute `yaml:"good_practice,omitempty"`
	// Template marks a file to copy, not a partnership's policy (the
	// Working Together 2023 template): it lints, with a warning, but no
	// partnership can be added on it or publish it.
	Template bool `yaml:"template,omitempty"`
}

// Source identifies the document a policy encodes.
type Source struct {
	Title string `yaml:"title"`
	Date  string `yaml:"date"` // as the document gives it, e.g. "May 2017"
	Ref   string `yaml:"ref"`  // a file name or URL
}

// PolicyClock sets the calendar a policy's working days are counted on.
type PolicyClock struct {
	Division       string `yaml:"division"`         // england-and-wales, scotland, northern-ireland
	WorkingDayEnds string `yaml:"working_day_ends"` // HH:MM, London time; default 17:00
}

// RoleDef declares a role a policy uses that is not built in.
type RoleDef struct {
	Key  Role   `yaml:"key"`
	Name string `yaml:"name"`
	Help string `yaml:"help"`
}

// Category is a kind of disagreement, e.g. "thresholds".
type Category struct {
	Key  string `yaml:"key"`
	Name string `yaml:"name"`
	Help string `yaml:"help"`
	Cite string `yaml:"cite"`
}

// Immediate is the route a policy requires first when a child is at immediate
// risk. The process never waits on it: the route is followed and recorded, then
// the disagreement continues.
type Immediate struct {
	Instruction string `yaml:"instruction"`
	Contacts    []Role `yaml:"contacts"` // who to call, in order
	Within      string `yaml:"within"`   // "immediately" or "same working day"
	Record      string `yaml:"record"`   // what the raiser must record, as a prompt
	Cite        string `yaml:"cite"`
}

// Stage is one rung of the ladder.
type Stage struct {
	Key      string   `yaml:"key"` // unique, e.g. "stage-1"
	Name     string   `yaml:"name"`
	Scope    string   `yaml:"scope"` // "within-agency" or "between-agencies"
	Raising  []Role   `yaml:"raising"`
	Receive  []Role   `yaml:"receiving"`
	Clocks   []Clock  `yaml:"clocks"`
	Record   []string `yaml:"record"`   // what must be recorded, see RecordFields
	Approval bool     `yaml:"approval"` // records are approved and dated by a manager
	Copy     []Role   `yaml:"copy"`     // who is copied in
	Meeting  *Meeting `yaml:"meeting"`
	Produces string   `yaml:"produces"` // resolution, determination or recommendations
	Proforma bool     `yaml:"proforma"` // resolving here sends a proforma to the Business Manager
	OnLapse  string   `yaml:"on_lapse"` // "prompt" (default) or "escalate"
	SkipTo   []string `yaml:"may_skip_to"`
	Help     string   `yaml:"help"`
	Cite     string   `yaml:"cite"`
	// Facilitated marks a facilitated conversation before formal
	// escalation (Portsmouth's "Re-think"): each record at the stage names
	// the independent facilitator and records the conversation.
	Facilitated bool `yaml:"facilitated,omitempty"`
}

// Meeting describes a stage that is a chaired meeting.
type Meeting struct {
	Chair           Role   `yaml:"chair"`
	UninvolvedChair bool   `yaml:"chair_from_uninvolved_agency"`
	Attendees       []Role `yaml:"attendees"`
	ReportsTo       string `yaml:"reports_to"`
}

// Clock is a timescale of the policy: what starts it, how long it runs, and
// what must be done by then.
type Clock struct {
	Key       string     `yaml:"key"`
	Action    string     `yaml:"action"` // what must happen by the deadline
	By        string     `yaml:"by"`     // "raising" or "receiving"
	Starts    ClockStart `yaml:"starts"`
	Within    string     `yaml:"within"`
	Increased string     `yaml:"increased_risk"` // optional, never longer than Within
	// MetBy says what meets the clock: one of the MetByValues keys
	// ("agreed-outcome", "written-confirmation", "record", "meeting",
	// "escalation", "determination", "raise"). Empty: the key's name, else
	// the first word of the action, as ClockMetBy says.
	MetBy string `yaml:"met_by,omitempty"`
	// Route names the way through the stage the clock belongs to, where a
	// stage offers two (agree, then confirm in writing; or meet, then confirm
	// by letter). When a clock of one route is met, the running clocks of the
	// stage's other routes stop and theirs no longer start. Empty: the clock
	// belongs to every route.
	Route string `yaml:"route,omitempty"`
	Cite  string `yaml:"cite"`
}

// ClockStart says which event starts a clock. Stage defaults to the clock's own.
type ClockStart struct {
	Event string `yaml:"event"` // "decision", "stage-entry", "outcome-agreed", "clock-met", "clock-lapsed" or "not-agreed"
	Stage string `yaml:"stage"`
	Clock string `yaml:"clock"` // for "clock-met" and "clock-lapsed"
}

// Clock start events.
const (
	StartDecision      = "decision"
	StartStageEntry    = "stage-entry"
	StartOutcomeAgreed = "outcome-agreed"
	StartClockMet      = "clock-met"
	// StartClockLapsed starts a clock when another lapses unmet, from the
	// lapsed clock's due instant: "if they cannot agree, a meeting within a
	// further 5 working days".
	StartClockLapsed = "clock-lapsed"
	// StartNotAgreed starts a clock when a record at the stage says the
	// parties could not agree (Redbridge 4.5: escalate the same working
	// day). Such a clock is met by escalating.
	StartNotAgreed = "not-agreed"
)

// RecordFields are the names a stage's Record list may use.
var RecordFields = []string{
	"date", "form", "participants", "discussion", "outcome", "next-steps", "approval",
	"agreed-outcome", "outstanding-issues", "reason", "determination", "recommendations",
}

// Redirect is a matter this process does not handle, and where it goes instead.
type Redirect struct {
	Key      string `yaml:"key"` // e.g. "conduct"
	Matter   string `yaml:"matter"`
	Question string `yaml:"question"` // asked when raising, e.g. "Is this about a professional's conduct?"
	To       string `yaml:"to"`       // e.g. "Local Authority Designated Officer (LADO)"
	Contact  Role   `yaml:"contact"`
	// Alongside means the matter is referred while the disagreement about
	// the child carries on (H&F: a strategic or policy issue goes to the
	// Business Manager as a policy item), unless the raiser says there is
	// no disagreement about the child.
	Alongside bool   `yaml:"alongside"`
	Cite      string `yaml:"cite"`
}

// RouteRule alerts extra people when a disagreement concerns a kind of agency.
type RouteRule struct {
	When  RouteWhen `yaml:"when"`
	Alert []Role    `yaml:"alert"`
	Cite  string    `yaml:"cite"`
}

// RouteWhen matches an escalation by the kind of agency on either side.
type RouteWhen struct {
	AgencyKind string `yaml:"agency_kind"` // e.g. "health-provider", "primary-care"
}

// Learning is what the partnership does with resolved disagreements.
type Learning struct {
	Debrief          bool     `yaml:"debrief"`
	Subgroup         string   `yaml:"subgroup"`          // where general issues go
	PolicyGapsTo     Role     `yaml:"policy_gaps_to"`    // e.g. chair
	ProformaTo       Role     `yaml:"proforma_to"`       // e.g. business-manager
	Report           string   `yaml:"report"`            // e.g. "quarterly thematic report to the Executive Group"
	PatternThreshold int      `yaml:"pattern_threshold"` // same agency pair and category, per quarter; 0 off
	Notes            []string `yaml:"notes"`
	Cite             string   `yaml:"cite"`
}

// Workflows switches on optional extra workflows.
type Workflows struct {
	CPDissents *CPDissents `yaml:"cp_conference_dissents"`
}

// CPDissents is Surrey's Child Protection Conference dissent review.
type CPDissents struct {
	Group string `yaml:"group"`
	Meets string `yaml:"meets"` // e.g. "monthly"
	// ReviewWithin is how long the group has to review a dissent from its
	// referral; empty: no review clock.
	ReviewWithin string `yaml:"review_within"`
	// InvestigateWithin is how long children's services have to report back
	// on an upheld dissent; empty: no clock.
	InvestigateWithin string `yaml:"investigate_within"`
	ReportsTo         string `yaml:"reports_to"`
	Cite              string `yaml:"cite"`
}

// GoodPracticeRoute is how a policy recognises another agency's good
// practice: a professional records what the other agency did well, and the
// roles named in Tell at that agency are told; the board report counts it.
type GoodPracticeRoute struct {
	Tell []Role `yaml:"tell"` // who at the recognised agency is told; default the manager
	Help string `yaml:"help"` // guidance for the professional, in the policy's words
	Cite string `yaml:"cite"`
}

// Assumption records where a pack had to decide what its source left unsaid.
type Assumption struct {
	Text string `yaml:"text"`
	Cite string `yaml:"cite"`
}

// Stage returns the stage with the given key and its index, or nil and -1.
func (p *Policy) Stage(key string) (*Stage, int) {
	for i := range p.Stages {
		if p.Stages[i].Key == key {
			return &p.Stages[i], i
		}
	}
	return nil, -1
}

// KnownRole reports whether r is built in or declared by the policy.
func (p *Policy) KnownRole(r Role) bool {
	for _, b := range BuiltinRoles {
		if b == r {
			return true
		}
	}
	for _, d := range p.Roles {
		if d.Key == r {
			return true
		}
	}
	return false
}
