package web

import (
	"time"

	"github.com/escalate-project/escalate"
)

// The API's JSON bodies. Field names are those the domain's error messages
// use (escalate.FieldErrorf), so an error's field names the JSON field at
// fault. Tags besides json feed the OpenAPI document: doc describes a
// field, enum lists its values, format gives its string format.

// apiEscalation is an escalation as the API shows it.
type apiEscalation struct {
	Ref              string             `json:"ref" doc:"the escalation's reference, e.g. WR-2026-0001"`
	Version          int                `json:"version" doc:"send it back with every change; a stale one is 409 conflict"`
	Status           escalate.Status    `json:"status" enum:"open,resolved,redirected,withdrawn"`
	Stage            string             `json:"stage" doc:"the current stage's key in the pinned policy"`
	StageName        string             `json:"stage_name"`
	Policy           string             `json:"policy" doc:"the policy's id"`
	PolicyVersion    string             `json:"policy_version" doc:"the policy version the escalation is pinned to"`
	RaisedBy         int64              `json:"raised_by" doc:"user ID"`
	RaisedRole       escalate.Role      `json:"raised_role"`
	RaisingAgency    int64              `json:"raising_agency" doc:"agency ID"`
	ReceivingAgency  int64              `json:"receiving_agency" doc:"agency ID"`
	ReceivingContact string             `json:"receiving_contact,omitempty"`
	Decision         string             `json:"decision"`
	DecisionDate     string             `json:"decision_date" format:"date"`
	ChildRef         string             `json:"child_ref" doc:"the raising agency's own case reference"`
	ChildInitials    string             `json:"child_initials"`
	ChildExpected    string             `json:"child_expected,omitempty" doc:"an unborn baby's due month, YYYY-MM; then child_initials is empty"`
	Categories       []string           `json:"categories"`
	Issue            string             `json:"issue"`
	Risk             string             `json:"risk"`
	Disagreement     string             `json:"disagreement"`
	OutcomeSought    string             `json:"outcome_sought"`
	RiskLevel        escalate.RiskLevel `json:"risk_level" enum:"standard,increased,immediate"`
	ImmediateAction  *apiImmediate      `json:"immediate_action,omitempty" doc:"the latest immediate-risk action"`
	Outcome          *apiOutcome        `json:"outcome,omitempty"`
	NextDue          *time.Time         `json:"next_due,omitempty" doc:"the earliest deadline of a running clock"`
	Clocks           []apiClock         `json:"clocks"`
	Records          []apiRecord        `json:"records,omitempty" doc:"left out of lists"`
	Created          time.Time          `json:"created"`
	Updated          time.Time          `json:"updated"`
}

// apiImmediate is an action taken for a child at immediate risk.
type apiImmediate struct {
	Action string    `json:"action"`
	At     time.Time `json:"at"`
	By     int64     `json:"by" doc:"user ID"`
}

// apiOutcome is how an escalation ended, or the outcome agreed.
type apiOutcome struct {
	Kind              string    `json:"kind" enum:"agreed,determination,recommendations,redirected,withdrawn"`
	Text              string    `json:"text,omitempty"`
	OutstandingIssues string    `json:"outstanding_issues,omitempty"`
	RedirectTo        string    `json:"redirect_to,omitempty"`
	Reason            string    `json:"reason,omitempty"`
	At                time.Time `json:"at"`
	By                int64     `json:"by"`
	ConfirmedAt       time.Time `json:"confirmed_at,omitzero"`
	Decision          string    `json:"decision,omitempty" enum:"changed,upheld" doc:"what the outcome did to the decision disagreed about; absent where not recorded"`
}

// apiClock is a policy timescale running, met or stopped on an escalation.
type apiClock struct {
	ID          int       `json:"id"`
	Stage       string    `json:"stage"`
	Key         string    `json:"key"`
	Action      string    `json:"action" doc:"what must happen by the deadline"`
	By          string    `json:"by" enum:"raising,receiving"`
	Within      string    `json:"within" doc:"the timescale, e.g. 5 working days"`
	Start       time.Time `json:"start"`
	Due         time.Time `json:"due,omitzero" doc:"left out when immediate"`
	Immediate   bool      `json:"immediate"`
	Explanation string    `json:"explanation" doc:"how the deadline was computed"`
	Status      string    `json:"status" enum:"running,met,stopped"`
	MetAt       time.Time `json:"met_at,omitzero"`
	Shortened   string    `json:"shortened_reason,omitempty"`
	Overdue     bool      `json:"overdue"`
}

// apiRecord is a record of a discussion or action.
type apiRecord struct {
	ID           int       `json:"id"`
	Stage        string    `json:"stage"`
	At           time.Time `json:"at"`
	Form         string    `json:"form" enum:"phone,meeting,email,letter,video"`
	Participants []string  `json:"participants"`
	Discussion   string    `json:"discussion,omitempty"`
	Outcome      string    `json:"outcome,omitempty"`
	Corrects     int       `json:"corrects,omitempty" doc:"the record this one corrects"`
	By           int64     `json:"by"`
	Created      time.Time `json:"created"`
	ApprovedBy   int64     `json:"approved_by,omitempty"`
	ApprovedAt   time.Time `json:"approved_at,omitzero"`
	Facilitator  string    `json:"facilitator,omitempty" doc:"the independent facilitator, at a stage that is a facilitated conversation"`
}

// apiEscalationList is a page of escalations.
type apiEscalationList struct {
	Escalations []apiEscalation `json:"escalations"`
	Total       int             `json:"total" doc:"how many match in all"`
	Offset      int             `json:"offset"`
	Limit       int             `json:"limit"`
}

// apiRecordList is an escalation's records.
type apiRecordList struct {
	Ref     string      `json:"ref"`
	Version int         `json:"version"`
	Records []apiRecord `json:"records"`
}

// apiImmediateReply is an immediate-risk action as recorded.
type apiImmediateReply struct {
	ImmediateAction apiImmediate `json:"immediate_action"`
}

// apiContact is an entry of the contacts directory.
type apiContact struct {
	ID           int64         `json:"id"`
	Agency       int64         `json:"agency" doc:"agency ID"`
	AgencyName   string        `json:"agency_name"`
	Role         escalate.Role `json:"role"`
	Name         string        `json:"name"`
	JobTitle     string        `json:"job_title,omitempty"`
	Phone        string        `json:"phone,omitempty"`
	Email        string        `json:"email,omitempty"`
	LastVerified string        `json:"last_verified" format:"date"`
	Stale        bool          `json:"stale" doc:"unverified for more than 6 months"`
}

// apiContactList is the partnership's contacts directory.
type apiContactList struct {
	Contacts []apiContact `json:"contacts"`
}

// apiPolicy is the partnership's current policy: the policy file's fields
// (doc/policy-format.md) as JSON.
type apiPolicy map[string]any

// openAPIDoc is the OpenAPI document itself.
type openAPIDoc map[string]any

// Requests. Times are strings, parsed by the handler, so that a bad one is
// reported against its field.

type raiseRequest struct {
	RaisedRole       string   `json:"raised_role" doc:"the role you raise it in, e.g. practitioner"`
	ReceivingAgency  int64    `json:"receiving_agency" doc:"the ID of the agency you disagree with"`
	ReceivingContact string   `json:"receiving_contact,omitempty"`
	Decision         string   `json:"decision"`
	DecisionDate     string   `json:"decision_date" format:"date"`
	ChildRef         string   `json:"child_ref"`
	ChildInitials    string   `json:"child_initials" doc:"letters; dots and spaces are dropped (J.S. is JS); empty for an unborn baby"`
	ChildExpected    string   `json:"child_expected,omitempty" doc:"an unborn baby's due month, YYYY-MM, instead of initials"`
	Categories       []string `json:"categories" doc:"keys of the policy's categories"`
	Issue            string   `json:"issue"`
	Risk             string   `json:"risk"`
	Disagreement     string   `json:"disagreement"`
	OutcomeSought    string   `json:"outcome_sought"`
	RiskLevel        string   `json:"risk_level" enum:"standard,increased,immediate"`
	ImmediateAction  string   `json:"immediate_action,omitempty" doc:"required when risk_level is immediate"`
	DealtWith        int64    `json:"dealt_with,omitempty" doc:"the user ID of the person you dealt with at the receiving agency; omit to leave it to its escalation contacts"`
	ProtectBy        string   `json:"protect_by,omitempty" format:"date-time" doc:"a deadline that protects the child: every clock due later is brought forward to it"`
	Referred         []string `json:"referred,omitempty" doc:"keys of the policy's redirects referred alongside the disagreement, which carries on"`
}

type recordRequest struct {
	Version      int      `json:"version"`
	At           string   `json:"at" format:"date-time"`
	Form         string   `json:"form" enum:"phone,meeting,email,letter,video"`
	Participants []string `json:"participants"`
	Discussion   string   `json:"discussion,omitempty"`
	Outcome      string   `json:"outcome,omitempty"`
	Corrects     int      `json:"corrects,omitempty" doc:"the ID of a record this corrects"`
	Result       string   `json:"result,omitempty" enum:"agreed,not-agreed" doc:"what the discussion came to; omit while still discussing"`
	Facilitator  string   `json:"facilitator,omitempty" doc:"the independent facilitator, required at a stage that is a facilitated conversation"`
}

type versionRequest struct {
	Version int `json:"version"`
}

type agreeRequest struct {
	Version           int    `json:"version"`
	Outcome           string `json:"outcome"`
	OutstandingIssues string `json:"outstanding_issues"`
	Decision          string `json:"decision,omitempty" enum:"changed,upheld" doc:"whether the outcome changes the decision disagreed about or upholds it; optional"`
	Report            string `json:"report,omitempty" doc:"what the meeting's chair reported to the body the meeting reports to; required where the stage's meeting has one"`
}

type confirmRequest struct {
	Version int    `json:"version"`
	Text    string `json:"text" doc:"the written confirmation, or where it is filed"`
}

type escalateRequest struct {
	Version int    `json:"version"`
	To      string `json:"to,omitempty" doc:"a stage key; empty for the next stage"`
	Reason  string `json:"reason"`
}

type determineRequest struct {
	Version           int    `json:"version"`
	Kind              string `json:"kind" enum:"determination,recommendations"`
	Text              string `json:"text"`
	OutstandingIssues string `json:"outstanding_issues,omitempty"`
	Decision          string `json:"decision,omitempty" enum:"changed,upheld" doc:"whether the determination changes the decision disagreed about or upholds it; optional"`
	ChairAgency       int64  `json:"chair_agency,omitempty" doc:"the agency of whoever chaired the final meeting"`
}

type redirectRequest struct {
	Version int    `json:"version"`
	To      string `json:"to" doc:"a key of the policy's redirects"`
	Reason  string `json:"reason"`
}

type withdrawRequest struct {
	Version int    `json:"version"`
	Reason  string `json:"reason"`
}

type riskRequest struct {
	Version         int    `json:"version"`
	Level           string `json:"level" enum:"standard,increased,immediate"`
	Reason          string `json:"reason"`
	ImmediateAction string `json:"immediate_action,omitempty" doc:"required when level is immediate"`
}

type shortenRequest struct {
	Version int    `json:"version"`
	Due     string `json:"due" format:"date-time" doc:"the new, earlier deadline"`
	Reason  string `json:"reason"`
}

type immediateRequest struct {
	Action string `json:"action" doc:"what you did to protect the child, e.g. called 999"`
}

func (r *recordRequest) version() int    { return r.Version }
func (r *versionRequest) version() int   { return r.Version }
func (r *agreeRequest) version() int     { return r.Version }
func (r *confirmRequest) version() int   { return r.Version }
func (r *escalateRequest) version() int  { return r.Version }
func (r *determineRequest) version() int { return r.Version }
func (r *redirectRequest) version() int  { return r.Version }
func (r *withdrawRequest) version() int  { return r.Version }
func (r *riskRequest) version() int      { return r.Version }
func (r *shortenRequest) version() int   { return r.Version }

// toAPIEscalation converts e; p is its pinned policy, for the stage's key
// and name, and may be nil.
func toAPIEscalation(e *escalate.Escalation, p *escalate.Policy, now time.Time) apiEscalation {
	a := apiEscalation{
		Ref: e.Ref, Version: e.Version, Status: e.Status, Policy: e.PolicyID, PolicyVersion: e.PolicyVersion,
		RaisedBy: e.RaisedBy, RaisedRole: e.RaisedRole, RaisingAgency: e.RaisingAgencyID,
		ReceivingAgency: e.ReceivingAgencyID, ReceivingContact: e.ReceivingContact,
		Decision: e.Decision, DecisionDate: e.DecisionDate, ChildRef: e.ChildRef, ChildInitials: e.ChildInitials, ChildExpected: e.ChildExpected,
		Categories: e.Categories, Issue: e.Issue, Risk: e.Risk, Disagreement: e.Disagreement,
		OutcomeSought: e.OutcomeSought, RiskLevel: e.RiskLevel, Clocks: []apiClock{},
		Created: e.Created, Updated: e.Updated,
	}
	if a.Categories == nil {
		a.Categories = []string{}
	}
	if p != nil {
		if st := e.CurrentStage(p); st != nil {
			a.Stage, a.StageName = st.Key, st.Name
		}
	}
	if im := e.Immediate; im != nil {
		a.ImmediateAction = &apiImmediate{Action: im.Action, At: im.At, By: im.By}
	}
	if o := e.Outcome; o != nil {
		a.Outcome = &apiOutcome{Kind: o.Kind, Text: o.Text, OutstandingIssues: o.OutstandingIssues,
			RedirectTo: o.RedirectTo, Reason: o.Reason, At: o.At, By: o.By, ConfirmedAt: o.ConfirmedAt,
			Decision: o.Decision}
	}
	if due, ok := e.NextDue(); ok {
		a.NextDue = &due
	}
	for _, c := range e.Clocks {
		a.Clocks = append(a.Clocks, apiClock{ID: c.ID, Stage: c.Stage, Key: c.Key, Action: c.Action, By: c.By,
			Within: c.Within, Start: c.Start, Due: c.Due, Immediate: c.Immediate, Explanation: c.Explanation,
			Status: c.Status, MetAt: c.MetAt, Shortened: c.ShortenedReason, Overdue: c.Overdue(now)})
	}
	a.Records = toAPIRecords(e.Records)
	if len(a.Records) == 0 {
		a.Records = nil
	}
	return a
}

func toAPIRecords(rs []escalate.Record) []apiRecord {
	out := []apiRecord{}
	for _, r := range rs {
		out = append(out, apiRecord{ID: r.ID, Stage: r.Stage, At: r.At, Form: r.Form, Participants: r.Participants,
			Discussion: r.Discussion, Outcome: r.Outcome, Corrects: r.Corrects, By: r.By, Created: r.Created,
			ApprovedBy: r.ApprovedBy, ApprovedAt: r.ApprovedAt, Facilitator: r.Facilitator})
	}
	return out
}
