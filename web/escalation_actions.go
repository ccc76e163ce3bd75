package web

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/escalate-project/escalate"
)

// escalationActions are the actions on an escalation, in the order the
// escalation page lists them.
var escalationActions = []*escalationAction{
	{
		Path: "record", Link: "Record a discussion", Title: "Record a discussion or action", Button: "Save the record",
		Banner: "Discussion recorded", Can: escalate.ActionRecordAdd,
		fields: func(v *caseView) []formField {
			st := v.E.CurrentStage(v.Policy)
			f := []formField{
				{ID: "at", Kind: "datetime", Label: "When did it happen?", Hint: "For example, 27 3 2026 and 14:30 or 2.30pm", Required: "Enter when the discussion or action happened."},
				{ID: "form", Kind: "radios", Label: "Form of communication", Required: "Choose the form of communication.", Options: formOptions()},
				{ID: "participants", Kind: "textarea", Label: "Who took part", Hint: "One person a line, with their role and agency, for example \"Sam Carter, team manager, Hillside School\"", Required: "Say who took part."},
				{ID: "discussion", Kind: "textarea", Label: "What was discussed"},
				{ID: "outcome", Kind: "textarea", Label: "Outcome", Hint: "Including any further escalation and the next steps"},
				{ID: "result", Kind: "radios", Label: "Did this settle the disagreement?", Required: "Say whether this settled the disagreement.",
					Options: []option{
						{Value: escalate.ResultAgreed, Text: "Yes, we agreed an outcome", Hint: "Record the agreed outcome next."},
						{Value: escalate.ResultNotAgreed, Text: "No, we could not agree", Hint: "Escalate to the next stage next, on the policy's timescale for that."},
						{Value: "ongoing", Text: "Not yet: we are still discussing it"},
					}},
			}
			if st != nil && slices.Contains(st.Record, "discussion") {
				f[3].Required = "Say what was discussed."
			}
			if st != nil && slices.Contains(st.Record, "outcome") {
				f[4].Required = "Say what the outcome was, including any further escalation."
			}
			if st != nil && st.Facilitated {
				// A facilitated conversation: who held it, after who took part.
				f = slices.Insert(f, 3, formField{ID: "facilitator", Kind: "text", Label: "Who facilitated the conversation",
					Hint:     "The independent facilitator's name and role, for example \"Alex Doe, partnership facilitator\"",
					Required: "Name the independent facilitator who held the conversation, with their role."})
			}
			return f
		},
		submit: func(ctx context.Context, esc Escalations, v *caseView, version int, vals formValues) error {
			at, err := parseLondon("at", vals)
			if err != nil {
				return err
			}
			var people []string
			for _, l := range strings.Split(vals.get("participants"), "\n") {
				if l = strings.TrimSpace(l); l != "" {
					people = append(people, l)
				}
			}
			result := vals.get("result")
			if result == "ongoing" {
				result = ""
			}
			_, err = esc.AddRecord(ctx, v.E.Ref, escalate.RecordInput{Version: version, At: at, Form: vals.get("form"),
				Participants: people, Discussion: vals.get("discussion"), Outcome: vals.get("outcome"), Result: result,
				Facilitator: vals.get("facilitator")})
			return err
		},
	},
	{
		Path: "approve", Link: "Approve a record", Title: "Approve a record", Button: "Approve the record",
		Banner: "Record approved", Can: escalate.ActionRecordApprove,
		applies: func(v *caseView) bool { return len(unapproved(v)) > 0 },
		shows: func(v *caseView) []contextCard {
			var out []contextCard
			for _, rec := range v.E.Records {
				if rec.ApprovedBy == 0 {
					out = append(out, contextCard{Title: "Record " + strconv.Itoa(rec.ID), Rows: v.recordView(rec).Rows})
				}
			}
			return out
		},
		fields: func(v *caseView) []formField {
			return []formField{{ID: "record", Kind: "radios", Label: "Which record do you approve?",
				Hint: "Approving dates the record with today's date and your name.", Required: "Choose the record to approve.", Options: unapproved(v)}}
		},
		submit: func(ctx context.Context, esc Escalations, v *caseView, version int, vals formValues) error {
			n, err := strconv.Atoi(vals.get("record"))
			if err != nil {
				return escalate.FieldErrorf("record", "Choose the record to approve.")
			}
			_, err = esc.ApproveRecord(ctx, v.E.Ref, escalate.ApproveInput{Version: version, Record: n})
			return err
		},
	},
	{
		Path: "agree", Link: "Agree an outcome", Title: "Agree an outcome", Button: "Record the agreed outcome",
		Banner: "Outcome agreed", Can: escalate.ActionOutcomeAgree,
		applies: func(v *caseView) bool { return !awaitingConfirmation(v.E) },
		fields: func(v *caseView) []formField {
			f := []formField{
				{ID: "outcome", Kind: "textarea", Label: "The agreed outcome", Required: "Enter the agreed outcome."},
				{ID: "outstanding_issues", Kind: "textarea", Label: "How outstanding issues will be pursued", Required: "Say how outstanding issues will be pursued."},
				decisionField(),
			}
			if st := v.E.CurrentStage(v.Policy); st != nil && st.Meeting != nil && st.Meeting.ReportsTo != "" {
				f = append(f, formField{ID: "report", Kind: "textarea", Label: "What the meeting's chair reported to the " + st.Meeting.ReportsTo,
					Hint: "The issues arising, and when they were reported.", Required: "Say what was reported to the " + st.Meeting.ReportsTo + "."})
			}
			return f
		},
		submit: func(ctx context.Context, esc Escalations, v *caseView, version int, vals formValues) error {
			_, err := esc.AgreeOutcome(ctx, v.E.Ref, escalate.AgreeInput{Version: version, Outcome: vals.get("outcome"),
				OutstandingIssues: vals.get("outstanding_issues"), Decision: vals.get("decision"), Report: vals.get("report")})
			return err
		},
	},
	{
		Path: "confirm", Link: "Confirm the outcome in writing", Title: "Confirm the agreed outcome in writing", Button: "Confirm the outcome",
		Banner: "Outcome confirmed in writing", Can: escalate.ActionOutcomeConfirm,
		applies: func(v *caseView) bool { return awaitingConfirmation(v.E) },
		shows: func(v *caseView) []contextCard {
			return []contextCard{{Title: "The outcome you are confirming", Rows: v.outcomeRows(v.E.Outcome)}}
		},
		fields: func(v *caseView) []formField {
			return []formField{{ID: "text", Kind: "textarea", Label: "The written confirmation",
				Hint: "Paste the confirmation, or say where it is filed and when it was sent.", Required: "Enter the written confirmation."}}
		},
		submit: func(ctx context.Context, esc Escalations, v *caseView, version int, vals formValues) error {
			_, err := esc.ConfirmOutcome(ctx, v.E.Ref, escalate.ConfirmInput{Version: version, Text: vals.get("text")})
			return err
		},
	},
	{
		Path: "escalate", Link: "Escalate to the next stage", Title: "Escalate to the next stage", Button: "Escalate",
		Banner: "Escalated to the next stage", Can: escalate.ActionEscalate,
		applies: func(v *caseView) bool { return v.E.Stage < len(v.Policy.Stages)-1 },
		fields: func(v *caseView) []formField {
			p, i := v.Policy, v.E.Stage
			to := []option{{Value: p.Stages[i+1].Key, Text: stageTitle(p, i+1)}}
			for _, k := range p.Stages[i].SkipTo {
				if st, j := p.Stage(k); st != nil && j != i+1 {
					to = append(to, option{Value: k, Text: stageTitle(p, j), Hint: "The policy lets this stage go straight there."})
				}
			}
			f := []formField{{ID: "to", Kind: "hidden", Value: to[0].Value}}
			if len(to) > 1 {
				f[0] = formField{ID: "to", Kind: "radios", Label: "Escalate to", Required: "Choose the stage to escalate to.", Options: to}
			}
			return append(f, formField{ID: "reason", Kind: "textarea", Label: "Why are you escalating?",
				Hint: "Next: " + to[0].Text + ".", Required: "Say why you are escalating."})
		},
		submit: func(ctx context.Context, esc Escalations, v *caseView, version int, vals formValues) error {
			_, err := esc.Escalate(ctx, v.E.Ref, escalate.EscalateInput{Version: version, To: vals.get("to"), Reason: vals.get("reason")})
			return err
		},
	},
	{
		Path: "determine", Link: "Record the determination", Title: "Record the final stage's determination or recommendations", Button: "Record it",
		Banner: "Determination or recommendations recorded", Can: escalate.ActionDetermine,
		applies: func(v *caseView) bool {
			st := v.E.CurrentStage(v.Policy)
			if st != nil && st.Produces == "resolution" {
				return false // the meeting records its outcome: "Agree an outcome"
			}
			return v.E.Stage == len(v.Policy.Stages)-1 || st != nil && (st.Produces == escalate.OutcomeDetermination || st.Produces == escalate.OutcomeRecommendations)
		},
		fields: determineFields,
		submit: func(ctx context.Context, esc Escalations, v *caseView, version int, vals formValues) error {
			var chair int64
			if s := vals.get("chair_agency"); s != "" {
				chair, _ = strconv.ParseInt(s, 10, 64)
			}
			_, err := esc.Determine(ctx, v.E.Ref, escalate.DetermineInput{Version: version, Kind: vals.get("kind"), Text: vals.get("text"),
				OutstandingIssues: vals.get("outstanding_issues"), Decision: vals.get("decision"), ChairAgencyID: chair})
			return err
		},
	},
	{
		Path: "redirect", Link: "Redirect out of this process", Title: "Redirect this matter out of the escalation process", Button: "Redirect",
		Banner: "Redirected out of this process", Can: escalate.ActionRedirect,
		applies: func(v *caseView) bool { return len(v.Policy.Redirects) > 0 },
		fields: func(v *caseView) []formField {
			var to []option
			for _, r := range v.Policy.Redirects {
				to = append(to, option{Value: r.Key, Text: r.Matter, Hint: "Goes to: " + r.To})
			}
			return []formField{
				{ID: "to", Kind: "radios", Label: "What kind of matter is it?", Required: "Choose where this matter goes instead.", Options: to},
				{ID: "reason", Kind: "textarea", Label: "Where did it go, and why?", Hint: "For example, \"Referred to the LADO on 3 May by phone\"", Required: "Say where the matter went and why."},
			}
		},
		submit: func(ctx context.Context, esc Escalations, v *caseView, version int, vals formValues) error {
			_, err := esc.Redirect(ctx, v.E.Ref, escalate.RedirectInput{Version: version, To: vals.get("to"), Reason: vals.get("reason")})
			return err
		},
	},
	{
		Path: "withdraw", Link: "Withdraw the escalation", Title: "Withdraw the escalation", Button: "Withdraw",
		Banner: "Escalation withdrawn", Can: escalate.ActionWithdraw,
		fields: func(v *caseView) []formField {
			return []formField{{ID: "reason", Kind: "textarea", Label: "Why are you withdrawing it?", Required: "Say why you are withdrawing the escalation."}}
		},
		submit: func(ctx context.Context, esc Escalations, v *caseView, version int, vals formValues) error {
			_, err := esc.Withdraw(ctx, v.E.Ref, escalate.WithdrawInput{Version: version, Reason: vals.get("reason")})
			return err
		},
	},
	{
		Path: "risk", Link: "Raise the risk level", Title: "Raise the risk level", Button: "Raise the risk level",
		Banner: "Risk level raised", Can: escalate.ActionRiskRaise,
		applies: func(v *caseView) bool { return v.E.RiskLevel != escalate.RiskImmediate },
		fields: func(v *caseView) []formField {
			var levels []option
			for _, l := range escalate.RiskLevels[slices.Index(escalate.RiskLevels, v.E.RiskLevel)+1:] {
				levels = append(levels, option{Value: string(l), Text: l.Words()})
			}
			return []formField{
				{ID: "level", Kind: "radios", Label: "What is the risk to the child now?", Hint: "Raising the risk can shorten the running deadlines to the policy's increased-risk timescales.", Required: "Choose the new risk level.", Options: levels},
				{ID: "reason", Kind: "textarea", Label: "Why has the risk changed?", Required: "Say why the risk has changed."},
				{ID: "immediate_action", Kind: "textarea", Label: "If the risk is immediate: what have you done to protect the child?", Hint: "For example, \"called 999\". Do this first: the process never waits."},
			}
		},
		submit: func(ctx context.Context, esc Escalations, v *caseView, version int, vals formValues) error {
			_, err := esc.ChangeRisk(ctx, v.E.Ref, escalate.RiskInput{Version: version, Level: escalate.RiskLevel(vals.get("level")),
				Reason: vals.get("reason"), ImmediateAction: vals.get("immediate_action")})
			return err
		},
	},
	{
		Path: "shorten", Link: "Bring a deadline forward", Title: "Bring a deadline forward", Button: "Bring the deadline forward",
		Banner: "Deadline brought forward", Can: escalate.ActionClockShorten,
		applies: func(v *caseView) bool { return len(shortenable(v)) > 0 },
		fields: func(v *caseView) []formField {
			return []formField{
				{ID: "clock", Kind: "radios", Label: "Which deadline?", Hint: "A deadline can be brought forward to protect the child, never put back.", Required: "Choose the deadline to bring forward.", Options: shortenable(v)},
				{ID: "due", Kind: "datetime", Label: "New deadline", Hint: "For example, 27 3 2026 and 12:00", Required: "Enter the new, earlier deadline."},
				{ID: "reason", Kind: "textarea", Label: "Why must it be sooner?", Required: "Say why the deadline must be sooner."},
			}
		},
		submit: func(ctx context.Context, esc Escalations, v *caseView, version int, vals formValues) error {
			due, err := parseLondon("due", vals)
			if err != nil {
				return err
			}
			n, err := strconv.Atoi(vals.get("clock"))
			if err != nil {
				return escalate.FieldErrorf("clock", "Choose the deadline to bring forward.")
			}
			_, err = esc.ShortenClock(ctx, v.E.Ref, escalate.ShortenInput{Version: version, Clock: n, Due: due, Reason: vals.get("reason")})
			return err
		},
	},
	{
		Path: "immediate", Link: "Record an immediate-risk action", Title: "Record what you did for a child at immediate risk", Button: "Record the action",
		Banner: "Immediate-risk action recorded", Can: escalate.ActionRiskImmediate,
		fields: func(v *caseView) []formField {
			hint := "For example, \"called 999 at 10:20\" or \"referred to the front door\"."
			if v.Policy.Immediate.Record != "" {
				hint = v.Policy.Immediate.Record
			}
			return []formField{{ID: "immediate_action", Kind: "textarea", Label: "What did you do to protect the child?", Hint: hint,
				Required: "Say what you did to protect the child."}}
		},
		submit: func(ctx context.Context, esc Escalations, v *caseView, version int, vals formValues) error {
			// Never held up by a version: protecting the child comes first.
			_, err := esc.RecordImmediateAction(ctx, v.E.Ref, escalate.ImmediateInput{Action: vals.get("immediate_action")})
			return err
		},
	},
}

// determineFields is the final stage's form: the kind is fixed when the
// stage says what it produces, and a chair's agency is asked for when the
// policy wants a chair from an uninvolved agency (Hounslow).
// decisionField asks what an agreed outcome, determination or
// recommendations did to the decision disagreed about, for the board
// report's outcomes. The forms require it; the domain and the API leave it
// optional, so outcomes recorded before the question was asked stay valid.
func decisionField() formField {
	return formField{ID: "decision", Kind: "radios", Label: "Does this outcome change the decision you disagreed about?",
		Required: "Say whether this outcome changes the decision you disagreed about.",
		Options: []option{
			{Value: escalate.DecisionChanged, Text: "Yes, the decision changes"},
			{Value: escalate.DecisionUpheld, Text: "No, the decision stands (upheld)"},
		}}
}

func determineFields(v *caseView) []formField {
	st := v.E.CurrentStage(v.Policy)
	kind := formField{ID: "kind", Kind: "radios", Label: "What is it?", Required: "Choose determination or recommendations.",
		Options: []option{{Value: escalate.OutcomeDetermination, Text: "A determination"}, {Value: escalate.OutcomeRecommendations, Text: "Recommendations"}}}
	label := "The determination or recommendations"
	if st != nil && (st.Produces == escalate.OutcomeDetermination || st.Produces == escalate.OutcomeRecommendations) {
		kind = formField{ID: "kind", Kind: "hidden", Value: st.Produces}
		label = "The " + st.Produces
	}
	f := []formField{kind,
		{ID: "text", Kind: "textarea", Label: upperFirst(label[4:]), Required: "Enter the " + label[4:] + "."},
		{ID: "outstanding_issues", Kind: "textarea", Label: "How outstanding issues will be pursued"},
		decisionField(),
	}
	if st != nil && st.Meeting != nil && st.Meeting.UninvolvedChair {
		var opts []option
		for id, name := range v.Agencies {
			if id != v.E.RaisingAgencyID && id != v.E.ReceivingAgencyID {
				opts = append(opts, option{Value: strconv.FormatInt(id, 10), Text: name})
			}
		}
		slices.SortFunc(opts, func(a, b option) int { return strings.Compare(a.Text, b.Text) })
		f = append(f, formField{ID: "chair_agency", Kind: "select", Label: "The agency of the meeting's chair",
			Hint: "The policy wants a chair from an agency not involved in the disagreement.", Required: "Choose the agency of the meeting's chair.",
			Options: append([]option{{Value: "", Text: "Choose an agency"}}, opts...)})
	}
	return f
}

func formOptions() []option {
	var o []option
	for _, f := range escalate.RecordForms {
		o = append(o, option{Value: f, Text: escalate.FormWords(f)})
	}
	return o
}

// unapproved are the records not yet approved, as choices.
func unapproved(v *caseView) []option {
	var o []option
	for _, r := range v.E.Records {
		if r.ApprovedBy == 0 {
			o = append(o, option{Value: strconv.Itoa(r.ID), Text: fmt.Sprintf("Record %d: %s, %s", r.ID, strings.ToLower(escalate.FormWords(r.Form)), londonTime(r.At)),
				Hint: "Recorded by " + v.People[r.By]})
		}
	}
	return o
}

// shortenable are the running clocks with a deadline, as choices.
func shortenable(v *caseView) []option {
	var o []option
	cal := calendarOf(v.Policy)
	for _, c := range v.E.Clocks {
		if c.Status == escalate.ClockRunning && !c.Immediate {
			o = append(o, option{Value: strconv.Itoa(c.ID), Text: c.Action, Hint: upperFirst(dueWords(c, v.Now, cal))})
		}
	}
	return o
}

// awaitingConfirmation reports whether an agreed outcome waits to be
// confirmed in writing.
func awaitingConfirmation(e *escalate.Escalation) bool {
	return e.Outcome != nil && e.Outcome.Kind == escalate.OutcomeAgreed && e.Outcome.ConfirmedAt.IsZero()
}
