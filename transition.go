package escalate

import (
	"slices"
	"strings"
	"time"

	"github.com/escalate-project/escalate/calendar"
)

// MsgConflict is the message of a change made against a stale version.
const MsgConflict = "this escalation was changed by someone else; reload and try again"

// checkActor refuses a missing or disabled actor, or one from another
// partnership: nothing crosses partnerships.
func checkActor(actor *User, partnershipID int64) error {
	switch {
	case actor == nil:
		return Errorf(EUNAUTHORIZED, "Sign in to do this.")
	case actor.Disabled:
		return Errorf(EFORBIDDEN, "Your account is disabled.")
	case partnershipID != 0 && actor.PartnershipID != partnershipID:
		return Errorf(ENOTFOUND, "Escalation not found.")
	}
	return nil
}

// change runs rule fn on a copy of e and replaces e with the copy only when
// fn succeeds, so a failing rule changes nothing. It refuses a closed
// escalation, a stale version and a policy other than the pinned one.
func (e *Escalation) change(now time.Time, p *Policy, cal *calendar.Calendar, actor *User, version int, fn func(s *step, x *Escalation) error) ([]Event, error) {
	if err := checkActor(actor, e.PartnershipID); err != nil {
		return nil, err
	}
	if p == nil || cal == nil || p.ID != e.PolicyID || p.Version != e.PolicyVersion {
		return nil, Errorf(EINTERNAL, "escalation %s is pinned to policy %s version %s", e.Ref, e.PolicyID, e.PolicyVersion)
	}
	if e.Status.Closed() {
		return nil, Errorf(ECONFLICT, "This escalation is closed (%s): it can no longer change.", e.Status)
	}
	if version != e.Version {
		return nil, Errorf(ECONFLICT, MsgConflict)
	}
	if e.CurrentStage(p) == nil {
		return nil, Errorf(EINTERNAL, "escalation %s is at stage %d, which policy %s does not have", e.Ref, e.Stage, p.ID)
	}
	s := &step{now: now, p: p, cal: cal, actor: actor}
	x := e.Clone()
	if err := fn(s, x); err != nil {
		return nil, err
	}
	x.Version++
	x.Updated = now
	for i := range s.events {
		s.events[i].Ref = x.Ref
	}
	*e = *x
	return s.events, nil
}

// Raise raises an escalation at the policy's first stage and starts its
// clocks. The store assigns ID and Ref, and sets Ref on the events. When the
// risk is immediate, the immediate action is the first event.
func Raise(now time.Time, p *Policy, cal *calendar.Calendar, actor *User, in RaiseInput) (*Escalation, []Event, error) {
	if err := checkActor(actor, 0); err != nil {
		return nil, nil, err
	}
	if p == nil || cal == nil || len(p.Stages) == 0 {
		return nil, nil, Errorf(EINTERNAL, "raise needs a policy with stages and a calendar")
	}
	if err := in.Validate(p); err != nil {
		return nil, nil, err
	}
	if !slices.Contains(actor.Roles, in.RaisedRole) {
		return nil, nil, FieldErrorf("raised_role", "You do not hold the role %q.", in.RaisedRole)
	}
	if in.ReceivingAgencyID == actor.AgencyID {
		return nil, nil, FieldErrorf("receiving_agency", "Choose the other agency: an escalation is a disagreement with another agency.")
	}
	if d, _ := calendar.ParseDate(in.DecisionDate); calendar.DateOf(now).Before(d) {
		return nil, nil, FieldErrorf("decision_date", "The date of the decision cannot be in the future.")
	}
	if err := CheckExpectedAt(now, in.ChildExpected); err != nil {
		return nil, nil, err
	}
	if !in.ProtectBy.IsZero() && !in.ProtectBy.After(now) {
		return nil, nil, FieldErrorf("protect_by", "The deadline that protects the child must be later than now.")
	}
	for _, k := range in.Referred {
		if rd := findRedirect(p, k); rd == nil || !rd.Alongside {
			return nil, nil, FieldErrorf("referred", "%q is not a matter this policy refers alongside a disagreement.", k)
		}
	}
	x := &Escalation{
		PartnershipID: actor.PartnershipID, PolicyID: p.ID, PolicyVersion: p.Version,
		RaisedBy: actor.ID, RaisedRole: in.RaisedRole, RaisingAgencyID: actor.AgencyID,
		ReceivingAgencyID: in.ReceivingAgencyID, ReceivingContact: in.ReceivingContact,
		Decision: in.Decision, DecisionDate: in.DecisionDate,
		ChildRef: in.ChildRef, ChildInitials: in.ChildInitials, ChildExpected: in.ChildExpected,
		Categories: slices.Clone(in.Categories),
		Issue:      in.Issue, Risk: in.Risk, Disagreement: in.Disagreement, OutcomeSought: in.OutcomeSought,
		RiskLevel: in.RiskLevel, Status: StatusOpen, Version: 1, Created: now, Updated: now,
	}
	s := &step{now: now, p: p, cal: cal, actor: actor}
	if in.RiskLevel == RiskImmediate {
		x.Immediate = &ImmediateAction{Action: in.ImmediateAction, At: now, By: actor.ID}
		s.emit(ActionRiskImmediate, map[string]any{"action": in.ImmediateAction, "route": p.Immediate.Contacts})
	}
	s.emit(ActionRaise, map[string]any{
		"policy": p.ID, "policy_version": p.Version, "stage": p.Stages[0].Key,
		"raised_role": in.RaisedRole, "raising_agency": actor.AgencyID,
		"receiving_agency": in.ReceivingAgencyID, "receiving_contact": in.ReceivingContact,
		"decision": in.Decision, "decision_date": in.DecisionDate,
		"child_ref": in.ChildRef, "child_initials": in.ChildInitials, "child_expected": in.ChildExpected,
		"categories": x.Categories,
		"issue":      in.Issue, "risk": in.Risk, "disagreement": in.Disagreement,
		"outcome_sought": in.OutcomeSought, "risk_level": in.RiskLevel,
	})
	if len(in.Referred) > 0 {
		s.events[len(s.events)-1].Data["referred"] = slices.Clone(in.Referred)
	}
	if in.DealtWith != 0 {
		s.events[len(s.events)-1].Data["dealt_with"] = in.DealtWith
	}
	s.enterStage(x, 0)
	s.meet(x, p.Stages[0].Key, MetByRaise, "")
	if !in.ProtectBy.IsZero() {
		s.protect(x, in.ProtectBy)
	}
	return x, s.events, nil
}

// AgreeOutcome records the receiving side's written confirmation of the
// outcome agreed at the current stage and of how outstanding issues will be
// pursued. Where the stage has a clock started by the agreement (Redbridge:
// confirm in writing within 2 working days) the escalation stays open until
// ConfirmOutcome; otherwise it is resolved.
func (e *Escalation) AgreeOutcome(now time.Time, p *Policy, cal *calendar.Calendar, actor *User, in AgreeInput) ([]Event, error) {
	return e.change(now, p, cal, actor, in.Version, func(s *step, x *Escalation) error {
		if err := in.Validate(p); err != nil {
			return err
		}
		if x.awaitingConfirmation() {
			return Errorf(ECONFLICT, "An outcome is already agreed at this stage and awaits written confirmation.")
		}
		st := x.CurrentStage(p)
		if m := st.Meeting; m != nil && m.ReportsTo != "" && strings.TrimSpace(in.Report) == "" {
			return FieldErrorf("report", "Say what the meeting's chair reported to the %s.", m.ReportsTo)
		}
		x.Outcome = &Outcome{Kind: OutcomeAgreed, Text: in.Outcome, OutstandingIssues: in.OutstandingIssues, Decision: in.Decision, Report: in.Report, At: now, By: actor.ID}
		d := map[string]any{
			"stage": st.Key, "outcome": in.Outcome, "outstanding_issues": in.OutstandingIssues, "decision": in.Decision,
			"notify": []string{"raiser"}, // the raiser is told
		}
		if in.Report != "" {
			d["report"] = in.Report
		}
		s.emit(ActionOutcomeAgree, d)
		s.meet(x, st.Key, MetByAgree, "")
		n := len(x.Clocks)
		s.startClocks(x, StartOutcomeAgreed, st.Key, "")
		if len(x.Clocks) == n && !x.awaitsWrittenConfirmation(p, st.Key) {
			s.resolve(x, "outcome agreed")
		}
		return nil
	})
}

// awaitsWrittenConfirmation reports whether a clock that says met_by:
// written-confirmation runs at stage: the route a stage took (meet, then
// confirm by letter) keeps the case open for it after the agreement.
func (x *Escalation) awaitsWrittenConfirmation(p *Policy, stage string) bool {
	for _, c := range x.Clocks {
		if pc := policyClock(p, c.Stage, c.Key); c.Status == ClockRunning && c.Stage == stage && pc != nil && pc.MetBy == "written-confirmation" {
			return true
		}
	}
	return false
}

// awaitingConfirmation reports whether an agreed outcome waits to be
// confirmed in writing.
func (x *Escalation) awaitingConfirmation() bool {
	return x.Outcome != nil && x.Outcome.Kind == OutcomeAgreed && x.Outcome.ConfirmedAt.IsZero()
}

// ConfirmOutcome records the written confirmation of an agreed outcome,
// meets the confirmation clock and resolves the escalation.
func (e *Escalation) ConfirmOutcome(now time.Time, p *Policy, cal *calendar.Calendar, actor *User, in ConfirmInput) ([]Event, error) {
	return e.change(now, p, cal, actor, in.Version, func(s *step, x *Escalation) error {
		if err := in.Validate(p); err != nil {
			return err
		}
		if !x.awaitingConfirmation() {
			return Errorf(ECONFLICT, "There is no agreed outcome waiting to be confirmed.")
		}
		st := x.CurrentStage(p)
		x.Outcome.ConfirmedAt = now
		s.emit(ActionOutcomeConfirm, map[string]any{"stage": st.Key, "text": in.Text, "notify": []string{"raiser"}})
		s.meet(x, st.Key, MetByConfirm, "")
		s.resolve(x, "outcome confirmed")
		return nil
	})
}

// resolve closes x as resolved, stopping whatever still runs.
func (s *step) resolve(x *Escalation, why string) {
	s.stop(x, "", why)
	x.Status = StatusResolved
	s.emit(ActionResolve, map[string]any{"stage": s.p.Stages[x.Stage].Key, "why": why})
}

// Escalate moves the escalation to the next stage, or to a stage the current
// one may skip to, giving a reason. The running clocks of the stage it leaves
// stop; the new stage's clocks start.
func (e *Escalation) Escalate(now time.Time, p *Policy, cal *calendar.Calendar, actor *User, in EscalateInput) ([]Event, error) {
	return e.change(now, p, cal, actor, in.Version, func(s *step, x *Escalation) error {
		if err := in.Validate(p); err != nil {
			return err
		}
		from := x.CurrentStage(p)
		if x.Stage == len(p.Stages)-1 {
			return Errorf(EINVALID, "%s is the final stage: there is no stage to escalate to.", from.Name)
		}
		to := x.Stage + 1
		if in.To != "" {
			_, i := p.Stage(in.To)
			if i != to && !slices.Contains(from.SkipTo, in.To) {
				return FieldErrorf("to", "Stages cannot be skipped: from %s the next stage is %s.", from.Name, p.Stages[to].Name)
			}
			to = i
		}
		s.emit(ActionEscalate, map[string]any{"from": from.Key, "to": p.Stages[to].Key, "reason": in.Reason})
		if x.Outcome != nil {
			// An agreement that was never confirmed falls away; the event
			// above and the agreement's own event keep it.
			x.Outcome = nil
		}
		// A clock met by escalating (met_by: escalation, or started by a
		// not-agreed record) is met now; the stage's other clocks stop.
		s.meet(x, from.Key, MetByEscalation, "")
		s.stop(x, from.Key, "escalated to "+p.Stages[to].Key)
		s.enterStage(x, to)
		return nil
	})
}

// Determine records the determination or recommendations that end a final
// stage (Wirral, Redbridge stage 4; Hounslow's chaired meeting) and resolves
// the escalation. Where the stage's meeting must be chaired from an agency not
// involved, the chair's agency must differ from both parties'.
func (e *Escalation) Determine(now time.Time, p *Policy, cal *calendar.Calendar, actor *User, in DetermineInput) ([]Event, error) {
	return e.change(now, p, cal, actor, in.Version, func(s *step, x *Escalation) error {
		if err := in.Validate(p); err != nil {
			return err
		}
		st := x.CurrentStage(p)
		if st.Produces == "resolution" {
			return Errorf(EINVALID, "%s ends with the outcome its parties agree, not a determination: record the outcome agreed.", st.Name)
		}
		produces := st.Produces == OutcomeDetermination || st.Produces == OutcomeRecommendations
		if !produces && x.Stage != len(p.Stages)-1 {
			return Errorf(EINVALID, "%s does not make determinations or recommendations: escalate to the final stage first.", st.Name)
		}
		if produces && in.Kind != st.Produces {
			return FieldErrorf("kind", "%s makes %s, not %s.", st.Name, st.Produces, in.Kind)
		}
		if m := st.Meeting; m != nil && m.UninvolvedChair {
			switch in.ChairAgencyID {
			case 0:
				return FieldErrorf("chair_agency", "Choose the agency of the meeting's chair: the policy wants a chair from an agency not involved.")
			case x.RaisingAgencyID, x.ReceivingAgencyID:
				return FieldErrorf("chair_agency", "The chair must come from an agency not involved in the disagreement.")
			}
		}
		x.Outcome = &Outcome{Kind: in.Kind, Text: in.Text, OutstandingIssues: in.OutstandingIssues, Decision: in.Decision, At: now, By: actor.ID}
		d := map[string]any{"stage": st.Key, "kind": in.Kind, "text": in.Text, "outstanding_issues": in.OutstandingIssues, "decision": in.Decision, "notify": []string{"raiser", "receiving"}}
		if in.ChairAgencyID != 0 {
			d["chair_agency"] = in.ChairAgencyID
		}
		s.emit(ActionDetermine, d)
		s.meet(x, st.Key, MetByDetermine, "")
		s.meet(x, st.Key, MetByAgree, "")
		s.resolve(x, in.Kind)
		return nil
	})
}

// Redirect takes the matter out of this process to where the policy sends
// it (LADO, complaints, the Business Manager) and closes the escalation.
func (e *Escalation) Redirect(now time.Time, p *Policy, cal *calendar.Calendar, actor *User, in RedirectInput) ([]Event, error) {
	return e.change(now, p, cal, actor, in.Version, func(s *step, x *Escalation) error {
		if err := in.Validate(p); err != nil {
			return err
		}
		r := findRedirect(p, in.To)
		x.Outcome = &Outcome{Kind: OutcomeRedirected, RedirectTo: r.Key, Reason: in.Reason, At: now, By: actor.ID}
		s.emit(ActionRedirect, map[string]any{
			"stage": x.CurrentStage(p).Key, "redirect": r.Key, "to": r.To, "contact": r.Contact, "reason": in.Reason,
		})
		s.stop(x, "", "redirected")
		x.Status = StatusRedirected
		return nil
	})
}

// Withdraw closes the escalation at the raiser's side's request, with a reason.
func (e *Escalation) Withdraw(now time.Time, p *Policy, cal *calendar.Calendar, actor *User, in WithdrawInput) ([]Event, error) {
	return e.change(now, p, cal, actor, in.Version, func(s *step, x *Escalation) error {
		if err := in.Validate(p); err != nil {
			return err
		}
		x.Outcome = &Outcome{Kind: OutcomeWithdrawn, Reason: in.Reason, At: now, By: actor.ID}
		s.emit(ActionWithdraw, map[string]any{"stage": x.CurrentStage(p).Key, "reason": in.Reason})
		s.stop(x, "", "withdrawn")
		x.Status = StatusWithdrawn
		return nil
	})
}
