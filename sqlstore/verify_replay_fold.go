package sqlstore

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/escalate-project/escalate"
)

// The fold of an escalation's audit events into the state they describe,
// for VerifyRecords: each event's content is read as what the domain rule
// that emitted it wrote (transition.go, record.go, risk.go, clockstate.go).

// replayEvent is one stored audit event about an object, with its content.
type replayEvent struct {
	seq     int64
	at      time.Time
	actor   string
	action  string
	content []byte // nil when the event had none, or it was erased
	erased  bool   // the event had content (a non-zero commitment) and it is gone
}

// actorID is the user ID of "user:N", 0 for any other actor.
func (ev *replayEvent) actorID() int64 {
	n, _ := strconv.ParseInt(strings.TrimPrefix(ev.actor, "user:"), 10, 64)
	if !strings.HasPrefix(ev.actor, "user:") {
		return 0
	}
	return n
}

// replayData is the union of the fields escalation and dissent events
// carry. A key means what the event's action says it means: "action" is
// an immediate action's words on risk.immediate and a clock's action on
// clock.start; "decision" is the decision disagreed with on a raise and
// changed/upheld on an outcome.
type replayData struct {
	Time *time.Time `json:"time"` // the change's instant; events before it use the event's own

	Policy           string   `json:"policy"`
	PolicyVersion    string   `json:"policy_version"`
	Stage            string   `json:"stage"`
	RaisedRole       string   `json:"raised_role"`
	RaisingAgency    int64    `json:"raising_agency"`
	ReceivingAgency  int64    `json:"receiving_agency"`
	ReceivingContact string   `json:"receiving_contact"`
	Decision         string   `json:"decision"`
	DecisionDate     string   `json:"decision_date"`
	ChildRef         string   `json:"child_ref"`
	ChildInitials    string   `json:"child_initials"`
	Categories       []string `json:"categories"`
	Issue            string   `json:"issue"`
	Risk             string   `json:"risk"`
	Disagreement     string   `json:"disagreement"`
	OutcomeSought    string   `json:"outcome_sought"`
	RiskLevel        string   `json:"risk_level"`

	Action      string     `json:"action"`
	Clock       int        `json:"clock"`
	Key         string     `json:"key"`
	By          string     `json:"by"`
	Within      string     `json:"within"`
	Start       time.Time  `json:"start"`
	Due         *time.Time `json:"due"`
	Immediate   bool       `json:"immediate"`
	Explanation string     `json:"explanation"`
	MetAt       time.Time  `json:"met_at"`
	Reason      string     `json:"reason"`
	Recomputed  int        `json:"recomputed"`

	Record       int       `json:"record"`
	At           time.Time `json:"at"`
	Form         string    `json:"form"`
	Participants []string  `json:"participants"`
	Discussion   string    `json:"discussion"`
	Outcome      string    `json:"outcome"`
	Corrects     int       `json:"corrects"`
	Result       string    `json:"result"`
	Facilitator  string    `json:"facilitator"`
	ApprovedAt   time.Time `json:"approved_at"`

	From              string `json:"from"`
	To                string `json:"to"`
	Redirect          string `json:"redirect"`
	Kind              string `json:"kind"`
	Text              string `json:"text"`
	OutstandingIssues string `json:"outstanding_issues"`
	Report            string `json:"report"`
	DealtWith         int64  `json:"dealt_with"`

	User      int64   `json:"user"`
	Debriefed bool    `json:"debriefed"`
	Items     []int64 `json:"items"`

	Attachment  int64  `json:"attachment"`
	Name        string `json:"name"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
	Description string `json:"description"`
}

// replayParty is a user named to deal with a case, as the last event
// naming them says, and whether and by whom they were removed since.
type replayParty struct {
	AddedBy   int64
	Added     time.Time
	RemovedBy int64 // 0 while they stay named
	Removed   time.Time
}

// replayChair is the chair appointed for a stage's meeting.
type replayChair struct {
	User, By  int64
	Appointed time.Time
}

// replayResponse is a party's answer to the learning step.
type replayResponse struct {
	Debriefed bool
	Items     int
}

// replayCase is what an escalation's events say it is.
type replayCase struct {
	object    string
	esc       escalate.Escalation
	stageKey  string
	parties   map[int64]replayParty
	responses map[int64]replayResponse
	chairs    map[string]replayChair // by stage key
	raised    bool
	erased    bool  // retention erased it (a retention.erase event)
	loose     bool  // an event carried no "time": times are the events' own
	gone      int64 // the first event whose content was erased, 0 for none
	// set names, for each field, the event that last set it.
	set     map[string]int64
	pending *escalate.ImmediateAction // an immediate action logged before the raise
	// attachments are the case's, by ID (verify_replay_attachments.go).
	attachments map[int64]replayAttachment
}

func newReplayCase(object string) *replayCase {
	return &replayCase{object: object, parties: map[int64]replayParty{}, responses: map[int64]replayResponse{},
		chairs: map[string]replayChair{}, set: map[string]int64{}, attachments: map[int64]replayAttachment{}}
}

// fail is a ReplayFailure about c's field.
func (c *replayCase) fail(field, reason string) *ReplayFailure {
	return &ReplayFailure{Object: c.object, Field: field, Seq: c.set[field], Reason: reason}
}

// mark records that event seq set each field.
func (c *replayCase) mark(seq int64, fields ...string) {
	for _, f := range fields {
		c.set[f] = seq
	}
}

// when is the instant of the change ev records.
func (c *replayCase) when(ev *replayEvent, d *replayData) time.Time {
	if d.Time != nil {
		return d.Time.UTC().Truncate(time.Microsecond)
	}
	c.loose = true
	return ev.at
}

// apply folds one event into c. It returns a failure only for an event
// that cannot be read; differences from the stored state are found later.
func (c *replayCase) apply(ev *replayEvent) *ReplayFailure {
	switch ev.action {
	case escalate.ActionView:
		return nil // a view changes nothing
	case escalate.ActionRetentionErase:
		c.erased = true
		c.mark(ev.seq, "erased")
		return nil
	case "audit.erase":
		return nil
	}
	if ev.erased {
		// An erased raise still says the case was raised; what it held
		// is gone, and compareErased checks the row says so too.
		c.raised = c.raised || ev.action == escalate.ActionRaise
		if c.gone == 0 {
			c.gone = ev.seq
		}
		return nil
	}
	var d replayData
	if ev.content != nil {
		if err := json.Unmarshal(ev.content, &d); err != nil {
			return &ReplayFailure{Object: c.object, Field: ev.action, Seq: ev.seq, Reason: "the event's content is not readable: " + err.Error()}
		}
	}
	x := &c.esc
	by := ev.actorID()
	switch ev.action {
	case escalate.ActionRaise:
		c.raised = true
		c.stageKey = d.Stage
		*x = escalate.Escalation{
			PolicyID: d.Policy, PolicyVersion: d.PolicyVersion,
			RaisedBy: by, RaisedRole: escalate.Role(d.RaisedRole), RaisingAgencyID: d.RaisingAgency,
			ReceivingAgencyID: d.ReceivingAgency, ReceivingContact: d.ReceivingContact,
			Decision: d.Decision, DecisionDate: d.DecisionDate, ChildRef: d.ChildRef, ChildInitials: d.ChildInitials,
			Categories: d.Categories, Issue: d.Issue, Risk: d.Risk, Disagreement: d.Disagreement,
			OutcomeSought: d.OutcomeSought, RiskLevel: escalate.RiskLevel(d.RiskLevel),
			Status: escalate.StatusOpen, Created: c.when(ev, &d), Clocks: x.Clocks, Records: x.Records,
		}
		c.mark(ev.seq, "policy", "raised_by", "raised_role", "raising_agency", "receiving_agency", "receiving_contact",
			"decision", "decision_date", "child_ref", "child_initials", "categories", "issue", "risk",
			"disagreement", "outcome_sought", "risk_level", "stage", "status", "created")
		if d.DealtWith != 0 { // named at raise: whom the raiser dealt with
			c.parties[d.DealtWith] = replayParty{AddedBy: by, Added: x.Created}
			c.mark(ev.seq, fmt.Sprintf("party user %d", d.DealtWith))
		}
		if c.pending != nil && x.RiskLevel == escalate.RiskImmediate {
			im := *c.pending
			im.At = x.Created
			x.Immediate = &im
			c.mark(ev.seq, "immediate action")
		}
	case escalate.ActionRiskImmediate:
		im := &escalate.ImmediateAction{Action: d.Action, At: c.when(ev, &d), By: by}
		switch {
		case !c.raised:
			c.pending = im
		case x.Status == escalate.StatusOpen: // on a closed case it is logged only
			x.Immediate = im
			c.mark(ev.seq, "immediate action")
		}
	case escalate.ActionRiskRaise, escalate.ActionRiskLower:
		x.RiskLevel = escalate.RiskLevel(d.To)
		c.mark(ev.seq, "risk_level")
	case escalate.ActionEscalate:
		c.stageKey = d.To
		x.Outcome = nil // an unconfirmed agreement falls away
		c.mark(ev.seq, "stage", "outcome")
	case escalate.ActionOutcomeAgree:
		x.Outcome = &escalate.Outcome{Kind: escalate.OutcomeAgreed, Text: d.Outcome, OutstandingIssues: d.OutstandingIssues,
			Decision: d.Decision, Report: d.Report, At: c.when(ev, &d), By: by}
		c.mark(ev.seq, "outcome")
	case escalate.ActionOutcomeConfirm:
		if x.Outcome != nil {
			x.Outcome.ConfirmedAt = c.when(ev, &d)
		}
		c.mark(ev.seq, "outcome")
	case escalate.ActionDetermine:
		x.Outcome = &escalate.Outcome{Kind: d.Kind, Text: d.Text, OutstandingIssues: d.OutstandingIssues,
			Decision: d.Decision, At: c.when(ev, &d), By: by}
		c.mark(ev.seq, "outcome")
	case escalate.ActionResolve:
		x.Status = escalate.StatusResolved
		c.mark(ev.seq, "status")
	case escalate.ActionRedirect:
		x.Outcome = &escalate.Outcome{Kind: escalate.OutcomeRedirected, RedirectTo: d.Redirect, Reason: d.Reason,
			At: c.when(ev, &d), By: by}
		x.Status = escalate.StatusRedirected
		c.mark(ev.seq, "outcome", "status")
	case escalate.ActionWithdraw:
		x.Outcome = &escalate.Outcome{Kind: escalate.OutcomeWithdrawn, Reason: d.Reason, At: c.when(ev, &d), By: by}
		x.Status = escalate.StatusWithdrawn
		c.mark(ev.seq, "outcome", "status")
	case escalate.ActionRecordAdd:
		x.Records = append(x.Records, escalate.Record{ID: d.Record, Stage: d.Stage, At: d.At, Form: d.Form,
			Participants: d.Participants, Discussion: d.Discussion, Outcome: d.Outcome, Corrects: d.Corrects,
			Result: d.Result, Facilitator: d.Facilitator, By: by, Created: c.when(ev, &d)})
		c.mark(ev.seq, fmt.Sprintf("record %d", d.Record))
	case escalate.ActionRecordApprove:
		if r := x.Record(d.Record); r != nil {
			r.ApprovedBy, r.ApprovedAt = by, d.ApprovedAt
		}
		c.mark(ev.seq, fmt.Sprintf("record %d", d.Record))
	case escalate.ActionClockStart:
		cs := escalate.ClockState{ID: d.Clock, Stage: d.Stage, Key: d.Key, Action: d.Action, By: d.By,
			Within: d.Within, Start: d.Start, Immediate: d.Immediate, Explanation: d.Explanation,
			Status: escalate.ClockRunning}
		if d.Due != nil {
			cs.Due = *d.Due
		}
		x.Clocks = append(x.Clocks, cs)
		c.mark(ev.seq, fmt.Sprintf("clock %d", d.Clock))
	case escalate.ActionClockMet, escalate.ActionClockStop, escalate.ActionClockShorten, escalate.ActionClockRecompute:
		cs := x.Clock(d.Clock)
		if cs == nil {
			return &ReplayFailure{Object: c.object, Field: fmt.Sprintf("clock %d", d.Clock), Seq: ev.seq,
				Reason: "an event changes a clock that no event started"}
		}
		switch ev.action {
		case escalate.ActionClockMet:
			cs.Status, cs.MetAt = escalate.ClockMet, d.MetAt
		case escalate.ActionClockStop:
			cs.Status = escalate.ClockStopped
		default:
			cs.Due = time.Time{}
			if d.Due != nil {
				cs.Due = *d.Due
			}
			cs.Immediate, cs.Explanation = d.Immediate, d.Explanation
			if ev.action == escalate.ActionClockShorten {
				cs.Within, cs.ShortenedReason = d.Within, d.Reason
			} else {
				cs.Recomputed = d.Recomputed
			}
		}
		c.mark(ev.seq, fmt.Sprintf("clock %d", d.Clock))
	case escalate.ActionPartyName:
		// Naming someone again, after they were removed, names them anew.
		c.parties[d.User] = replayParty{AddedBy: by, Added: c.when(ev, &d)}
		c.mark(ev.seq, fmt.Sprintf("party user %d", d.User))
	case escalate.ActionPartyRemove:
		p := c.parties[d.User]
		p.RemovedBy, p.Removed = by, c.when(ev, &d)
		c.parties[d.User] = p
		c.mark(ev.seq, fmt.Sprintf("party user %d", d.User))
	case escalate.ActionMeetingChair:
		c.chairs[d.Stage] = replayChair{User: d.User, By: by, Appointed: c.when(ev, &d)}
		c.mark(ev.seq, "meeting chair of "+d.Stage)
	case escalate.ActionAttachmentAdd:
		c.addAttachment(ev, &d)
	case escalate.ActionLearningRecord:
		c.responses[by] = replayResponse{Debriefed: d.Debriefed, Items: len(d.Items)}
		c.mark(ev.seq, fmt.Sprintf("learning response of user %d", by))
	}
	return nil
}
