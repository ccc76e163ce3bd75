package escalate

import "time"

// CaseFacts is one escalation as a board report sees it: de-identified,
// with agency and category names, stages, outcome and clock results, and no
// child reference, names or free text. The store reads them
// (sqlstore.DB.ReportCases) and the report package counts them, so the type
// lives here, where both may depend on it.
type CaseFacts struct {
	RaisingAgency   string
	ReceivingAgency string
	Categories      []string // category names from the pinned policy
	Raised          time.Time
	StageReached    int    // 1-based
	StageResolved   int    // 1-based; 0 while open
	Outcome         string // agreed, determination, recommendations, redirected, withdrawn or open
	// Decision is DecisionChanged, DecisionUpheld or empty: what the outcome
	// did to the decision disagreed about, where recorded.
	Decision   string
	ResolvedAt time.Time
	// WorkingDays is how many working days the case took, from the day it
	// was raised to the day it was resolved, on the partnership's calendar:
	// 0 for a case resolved the day it was raised (or over a weekend).
	WorkingDays int
	Immediate   bool
	// ChildKey is an opaque value, equal for escalations about the same
	// child within one report, so repeats can be counted without the child
	// reference. It is empty when the reference is unknown.
	ChildKey string
	Clocks   []ClockFact
}

// ClockFact says whether the agency that had to act on a response clock at
// a stage did so within the policy's timescale. A clock whose result is not
// yet known (still running, not yet due) is left out of CaseFacts.
type ClockFact struct {
	Stage  int // 1-based
	Agency string
	Met    bool
}
