package escalate

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/escalate-project/escalate/calendar"
)

// A Child Protection Conference dissent (Surrey, "Child Protection
// Conference Dissents"): a professional at a conference disagrees with the
// conference's decision; the independent conference chair records it and
// refers it to the multi-agency Dissents Group, which reviews it at its
// monthly meeting, evaluates the chair's decision and upholds it or not.
// An upheld dissent goes back to children's services to investigate; the
// Head of Safeguarding reviews the report and a strategy meeting action is
// recorded. The workflow exists only where the policy has
// workflows.cp_conference_dissents. doc/dissents.md describes it.

// DissentStep is where a dissent stands in the workflow.
type DissentStep string

// The steps, in workflow order.
const (
	// DissentAwaitingReview: recorded by the chair and referred to the
	// Dissents Group, not yet on a meeting's agenda.
	DissentAwaitingReview DissentStep = "awaiting-review"
	// DissentScheduled: on the agenda of a meeting of the group.
	DissentScheduled DissentStep = "scheduled"
	// DissentEvaluated: the group has recorded its evaluation of the
	// chair's decision, not yet its decision.
	DissentEvaluated DissentStep = "evaluated"
	// DissentInvestigating: upheld, and referred back to children's
	// services to investigate.
	DissentInvestigating DissentStep = "investigating"
	// DissentReportReviewed: the Head of Safeguarding has reviewed the
	// investigation's report; a strategy meeting action is awaited.
	DissentReportReviewed DissentStep = "report-reviewed"
	// DissentClosed: not upheld, or upheld and the strategy meeting action
	// recorded.
	DissentClosed DissentStep = "closed"
)

// Dissent outcomes, as the Dissents Group decides.
const (
	DissentUpheld    = "upheld"
	DissentNotUpheld = "not-upheld"
)

// Conference kinds.
const (
	ConferenceInitial = "initial"
	ConferenceReview  = "review"
)

// Dissent actions: the audit events' actions, and what CanDissent is asked.
const (
	DissentActionRecord   = "dissent.record"
	DissentActionRefer    = "dissent.refer"
	DissentActionView     = "dissent.view"
	DissentActionSchedule = "dissent.schedule"
	DissentActionEvaluate = "dissent.evaluate"
	DissentActionDecide   = "dissent.decide"
	DissentActionReport   = "dissent.report"
	DissentActionStrategy = "dissent.strategy"
	DissentActionClose    = "dissent.close"
)

// Dissent clock keys.
const (
	DissentClockReview      = "review"
	DissentClockInvestigate = "investigate"
)

// AgencyKindChildrensSocialCare is the agency kind of a partnership's
// children's social care, whose senior managers take an upheld dissent's
// investigation forward.
const AgencyKindChildrensSocialCare = "childrens-social-care"

// Dissent is one recorded Child Protection Conference dissent.
type Dissent struct {
	ID              int64
	Ref             string // e.g. SURREY-CPD-2026-0001: never the conference's reference
	PartnershipID   int64
	PolicyVersionID int64
	RecordedBy      int64 // the conference chair who recorded it
	// The conference: its date, kind and its own reference (a minimal
	// reference, shown only to those with access).
	ConferenceDate string // YYYY-MM-DD
	ConferenceKind string // ConferenceInitial or ConferenceReview
	ConferenceRef  string
	AgencyID       int64  // the dissenting agency
	Professional   string // the dissenting professional's role or post, never a name
	Nature         string // the nature of the dissent, as minuted
	Grounds        string
	ChairDecision  string
	Step           DissentStep
	Outcome        string // DissentUpheld, DissentNotUpheld or "" until decided
	MeetingDate    string // YYYY-MM-DD of the group meeting it is scheduled for
	Clocks         []ClockState
	Entries        []DissentEntry
	Version        int
	Created        time.Time
	Updated        time.Time
	// Erased is when the retention schedule erased the closed dissent's
	// personal data (class conference-dissents): its conference reference,
	// the professional's post, the nature, grounds, chair's decision and
	// every step recorded. Zero until then.
	Erased time.Time
}

// DissentEntry is one step recorded on a dissent. Entries are never edited.
type DissentEntry struct {
	ID              int
	Action          string // a DissentAction
	At              time.Time
	By              int64
	Date            string   // the meeting date, the report review date or the strategy meeting date
	People          []string // who took part: the group's attendees, the Head of Safeguarding
	Outcome         string   // for a decision
	Text            string   // the note, evaluation, feedback to the chair, report review or action
	Feedback        string   // feedback to the dissenting professional
	Recommendations string
}

// DissentInput is what the conference chair records.
type DissentInput struct {
	ConferenceDate string // YYYY-MM-DD
	ConferenceKind string
	ConferenceRef  string
	AgencyID       int64
	Professional   string
	Nature         string
	Grounds        string
	ChairDecision  string
}

// DissentStepInput is what a later step records; which fields a step needs
// is in DissentStepFields.
type DissentStepInput struct {
	Version         int
	Date            string // YYYY-MM-DD
	People          []string
	Outcome         string
	Text            string
	Feedback        string
	Recommendations string
}

// MaxConferenceRef bounds the conference's reference: a minimal reference,
// not a name.
const MaxConferenceRef = 40

// Validate checks a recorded dissent's fields, today being the London date
// now (a conference cannot be in the future), and returns the first
// problem; Problems returns them all.
func (in *DissentInput) Validate(today calendar.Date) error {
	if ps := in.Problems(today); len(ps) > 0 {
		return ps[0]
	}
	return nil
}

// Problems checks every field of a recorded dissent, in the form's order,
// so a form can list every problem at once.
func (in *DissentInput) Problems(today calendar.Date) []error {
	var out []error
	add := func(err error) {
		if err != nil {
			out = append(out, err)
		}
	}
	d, err := calendar.ParseDate(in.ConferenceDate)
	switch {
	case in.ConferenceDate == "":
		add(FieldErrorf("conference_date", "Enter the date of the conference."))
	case err != nil:
		add(FieldErrorf("conference_date", "The date of the conference must be a real date, for example 27 11 2026."))
	case today.Before(d):
		add(FieldErrorf("conference_date", "The date of the conference must be today or in the past."))
	}
	if in.ConferenceKind != ConferenceInitial && in.ConferenceKind != ConferenceReview {
		add(FieldErrorf("conference_kind", "Choose whether it was an initial or a review conference."))
	}
	add(checkMinimalRef("conference_ref", "the conference's reference", in.ConferenceRef))
	if in.AgencyID <= 0 {
		add(FieldErrorf("agency", "Choose the dissenting agency."))
	}
	add(checkText("professional", "The dissenting professional's role", in.Professional, true, MaxShortText))
	for _, f := range []struct{ field, name, value string }{
		{"nature", "The nature of the dissent", in.Nature},
		{"grounds", "The grounds for the dissent", in.Grounds},
		{"chair_decision", "The chair's decision", in.ChairDecision},
	} {
		add(checkText(f.field, f.name, f.value, true, MaxText))
	}
	return out
}

// checkMinimalRef enforces a minimal reference: letters, digits and
// - / _ . only, so no name or address can be typed into it.
func checkMinimalRef(field, name, ref string) error {
	switch {
	case strings.TrimSpace(ref) == "":
		return FieldErrorf(field, "Enter %s.", name)
	case utf8.RuneCountInString(ref) > MaxConferenceRef:
		return FieldErrorf(field, "Enter only %s, at most %d characters: not a name or address.", name, MaxConferenceRef)
	}
	for _, r := range ref {
		if !(r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("-/_.", r))) {
			return FieldErrorf(field, "Enter only %s: letters, digits and - / _ . (no spaces), not a name or address.", name)
		}
	}
	return nil
}

// DissentStanding names where a dissent stands, for lists and the
// quality-assurance report (DissentOutcomes): one of DissentStandings.
func (d *Dissent) Standing() string {
	switch d.Step {
	case DissentAwaitingReview:
		return StandingAwaitingReview
	case DissentScheduled:
		return StandingScheduled
	case DissentEvaluated:
		return StandingEvaluated
	case DissentInvestigating:
		return StandingInvestigating
	case DissentReportReviewed:
		return StandingReportReviewed
	case DissentClosed:
		if d.Outcome == DissentUpheld {
			return StandingClosedUpheld
		}
		return StandingNotUpheld
	}
	return string(d.Step)
}

// Where a dissent stands, in words: the keys of DissentOutcomes.
const (
	StandingAwaitingReview = "Awaiting review"
	StandingScheduled      = "Scheduled for a meeting"
	StandingEvaluated      = "Evaluated, awaiting decision"
	StandingInvestigating  = "Upheld: with children's services"
	StandingReportReviewed = "Upheld: report reviewed"
	StandingClosedUpheld   = "Upheld: closed after strategy meeting"
	StandingNotUpheld      = "Not upheld: closed"
)

// DissentStandings lists every standing in workflow order.
var DissentStandings = []string{
	StandingAwaitingReview, StandingScheduled, StandingEvaluated, StandingInvestigating,
	StandingReportReviewed, StandingClosedUpheld, StandingNotUpheld,
}

// Open reports whether the dissent still has a step to come.
func (d *Dissent) Open() bool { return d.Step != DissentClosed }

// NextDue returns the soonest due instant of the dissent's running clocks.
func (d *Dissent) NextDue() (time.Time, bool) {
	var out time.Time
	ok := false
	for _, c := range d.Clocks {
		if c.Status == ClockRunning && (!ok || c.Due.Before(out)) {
			out, ok = c.Due, true
		}
	}
	return out, ok
}
