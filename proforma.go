package escalate

import (
	"time"

	"github.com/escalate-project/escalate/calendar"
)

// A proforma is the de-identified summary of an escalation resolved at a
// stage whose policy asks for one (Wirral stages 2 and 3), for the Business
// Manager's thematic analysis. It holds no child reference, no initials and
// no one's name, and none of the case's free text (which may name people):
// only agencies, categories, the stage, the dates and timescales, and the
// outcome's kind. Learning identified is read live from the learning log.

// Proforma statuses: the Business Manager moves a new proforma on.
const (
	ProformaNew      = "new"
	ProformaReviewed = "reviewed"
)

// Proforma is one stored proforma with its learning.
type Proforma struct {
	ID            int64
	PartnershipID int64
	EscalationID  int64
	Ref           string // the escalation's reference, shown to the Business Manager only on the page
	StageKey      string
	Status        string
	Created       time.Time
	ReviewedBy    int64
	ReviewedAt    time.Time
	Version       int
	Body          ProformaBody
	Learning      []*LearningItem // the items linked to the escalation
}

// ProformaBody is what the proforma says, fixed when the case resolved.
type ProformaBody struct {
	Partnership     string          `json:"partnership"`
	Policy          string          `json:"policy"`
	StageNumber     int             `json:"stage_number"`
	StageName       string          `json:"stage_name"`
	RaisingAgency   string          `json:"raising_agency"`
	ReceivingAgency string          `json:"receiving_agency"`
	Categories      []string        `json:"categories"`
	RiskLevel       string          `json:"risk_level"`
	Raised          string          `json:"raised"`   // YYYY-MM-DD, London
	Resolved        string          `json:"resolved"` // YYYY-MM-DD, London
	WorkingDays     int             `json:"working_days"`
	Clocks          []ProformaClock `json:"clocks"`
	Outcome         string          `json:"outcome"` // the outcome's kind, e.g. "agreed"
	Outstanding     bool            `json:"outstanding_issues"`
	// Decision is what the outcome did to the decision disagreed about:
	// DecisionChanged, DecisionUpheld or empty where not recorded.
	Decision string `json:"decision,omitempty"`
}

// ProformaClock is one timescale of the case and how it went.
type ProformaClock struct {
	Stage       string `json:"stage"`
	Action      string `json:"action"`
	Timescale   string `json:"timescale"`
	Started     string `json:"started"` // London, 2006-01-02 15:04
	Due         string `json:"due"`     // "" for an immediate clock
	Result      string `json:"result"`  // see ClockResult
	MetAt       string `json:"met_at,omitempty"`
	WorkingDays int    `json:"working_days"` // from start to when it was met or stopped
}

// Clock results on a proforma.
const (
	ClockResultMet     = "met"
	ClockResultLate    = "met late"
	ClockResultMissed  = "missed"
	ClockResultStopped = "not needed"
)

const proformaTime = "2006-01-02 15:04"

// NeedsProforma reports whether e, before a change, and after, its state
// once the change is made, resolved the case at a stage whose policy asks
// for a proforma.
func NeedsProforma(p *Policy, before, after *Escalation) bool {
	if before.Status != StatusOpen || after.Status != StatusResolved {
		return false
	}
	st := after.CurrentStage(p)
	return st != nil && st.Proforma
}

// BuildProforma makes the proforma of e, resolved at now, under its pinned
// policy p and calendar cal. agencies and partnership give the names the
// proforma shows; nothing else about the case is copied.
func BuildProforma(p *Policy, cal *calendar.Calendar, e *Escalation, now time.Time, partnership string, agencies map[int64]string) ProformaBody {
	b := ProformaBody{
		Partnership: partnership, Policy: p.Name + ", version " + p.Version,
		StageNumber: e.Stage + 1, RaisingAgency: agencies[e.RaisingAgencyID], ReceivingAgency: agencies[e.ReceivingAgencyID],
		RiskLevel: string(e.RiskLevel),
		Raised:    calendar.DateOf(e.Created).String(), Resolved: calendar.DateOf(now).String(),
		WorkingDays: cal.WorkingDaysBetween(calendar.DateOf(e.Created), calendar.DateOf(now)),
		Categories:  []string{},
		Clocks:      []ProformaClock{},
	}
	if st := e.CurrentStage(p); st != nil {
		b.StageName = st.Name
	}
	for _, k := range e.Categories {
		name := k
		for _, c := range p.Categories {
			if c.Key == k {
				name = c.Name
			}
		}
		b.Categories = append(b.Categories, name)
	}
	if o := e.Outcome; o != nil {
		b.Outcome = o.Kind
		b.Outstanding = o.OutstandingIssues != ""
		b.Decision = o.Decision
	}
	for _, c := range e.Clocks {
		pc := ProformaClock{Stage: c.Stage, Action: c.Action, Timescale: c.Within,
			Started: c.Start.In(calendar.London).Format(proformaTime)}
		if st, _ := p.Stage(c.Stage); st != nil {
			pc.Stage = st.Name
		}
		if !c.Immediate {
			pc.Due = c.Due.In(calendar.London).Format(proformaTime)
		}
		end := stoppedAt(p, e, c, now)
		pc.Result = ClockResult(c, end)
		if c.Status == ClockMet {
			pc.MetAt = c.MetAt.In(calendar.London).Format(proformaTime)
			end = c.MetAt
		}
		pc.WorkingDays = cal.WorkingDaysBetween(calendar.DateOf(c.Start), calendar.DateOf(end))
		b.Clocks = append(b.Clocks, pc)
	}
	return b
}

// ClockResult says how clock c went, given end, when it stopped if it
// stopped unmet: met (on time), met late, missed (it stopped unmet after its
// deadline had passed), or not needed (it stopped unmet before its
// deadline, e.g. when the case moved on to the next stage in time).
func ClockResult(c ClockState, end time.Time) string {
	switch c.Status {
	case ClockMet:
		if c.Immediate || !c.MetAt.After(c.Due) {
			return ClockResultMet
		}
		return ClockResultLate
	default:
		if c.Immediate || end.After(c.Due) {
			return ClockResultMissed
		}
		return ClockResultStopped
	}
}

// stoppedAt is when a clock c of e that did not run to the close stopped:
// when the case entered a later stage, which is when that stage's first
// clock started (a stage's clocks start at its entry), or else at end, when
// the case closed. A clock does not keep when it stopped; the clocks of the
// stages after it do.
func stoppedAt(p *Policy, e *Escalation, c ClockState, end time.Time) time.Time {
	_, i := p.Stage(c.Stage)
	at := end
	for _, o := range e.Clocks {
		if _, j := p.Stage(o.Stage); j > i && o.Start.Before(at) {
			at = o.Start
		}
	}
	return at
}
