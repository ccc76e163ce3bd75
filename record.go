package escalate

import (
	"slices"
	"strings"
	"time"

	"github.com/escalate-project/escalate/calendar"
)

// Approvers are the roles that may approve and date a record (Redbridge 4.3).
var Approvers = []Role{RoleManager, RoleSafeguardingLead, RoleSeniorManager}

// AddRecord adds a record of a discussion or action at the current stage. A
// record by someone on a clock's side meets the stage's clocks whose action
// is a response or discussion; a record of a meeting meets its meeting
// clocks. Records are never edited: to correct one, add a record whose
// Corrects names it.
func (e *Escalation) AddRecord(now time.Time, p *Policy, cal *calendar.Calendar, actor *User, in RecordInput) ([]Event, error) {
	return e.change(now, p, cal, actor, in.Version, func(s *step, x *Escalation) error {
		if err := in.Validate(p); err != nil {
			return err
		}
		if in.At.After(now) {
			return FieldErrorf("at", "The date and time of the discussion cannot be in the future.")
		}
		st := x.CurrentStage(p)
		if slices.Contains(st.Record, "discussion") && strings.TrimSpace(in.Discussion) == "" {
			return FieldErrorf("discussion", "Say what was discussed.")
		}
		if slices.Contains(st.Record, "outcome") && strings.TrimSpace(in.Outcome) == "" {
			return FieldErrorf("outcome", "Say what the outcome was, including any further escalation.")
		}
		if strings.TrimSpace(in.Discussion) == "" && strings.TrimSpace(in.Outcome) == "" {
			return FieldErrorf("discussion", "Say what was discussed or what the outcome was.")
		}
		if in.Corrects != 0 && x.Record(in.Corrects) == nil {
			return FieldErrorf("corrects", "There is no record %d to correct.", in.Corrects)
		}
		// A facilitated conversation (Portsmouth's "Re-think") is recorded
		// with the independent facilitator who held it.
		if st.Facilitated && strings.TrimSpace(in.Facilitator) == "" {
			return FieldErrorf("facilitator", "Name the independent facilitator who held the conversation, with their role.")
		}
		r := Record{
			ID: len(x.Records) + 1, Stage: st.Key, At: in.At, Form: in.Form,
			Participants: slices.Clone(in.Participants), Discussion: in.Discussion, Outcome: in.Outcome,
			Corrects: in.Corrects, Result: in.Result, Facilitator: strings.TrimSpace(in.Facilitator), By: actor.ID, Created: now,
		}
		x.Records = append(x.Records, r)
		d := map[string]any{
			"record": r.ID, "stage": r.Stage, "at": r.At, "form": r.Form, "participants": r.Participants,
			"discussion": r.Discussion, "outcome": r.Outcome,
		}
		if r.Corrects != 0 {
			d["corrects"] = r.Corrects
		}
		if r.Result != "" {
			d["result"] = r.Result
		}
		if r.Facilitator != "" {
			d["facilitator"] = r.Facilitator
		}
		s.emit(ActionRecordAdd, d)
		// A correction only fixes what an earlier record said; the work it
		// records was already counted.
		if r.Corrects == 0 {
			for _, side := range x.sides(st, actor) {
				s.meet(x, st.Key, MetByRecord, side)
			}
			if r.Form == FormMeeting {
				s.meet(x, st.Key, MetByMeeting, "")
			}
			if r.Result == ResultNotAgreed {
				// Redbridge 4.5: escalate the same working day.
				s.startClocks(x, StartNotAgreed, st.Key, "")
			}
		}
		return nil
	})
}

// ApproveRecord approves and dates a record. Only a manager, safeguarding
// lead or senior manager may approve, whether or not the stage asks for
// approval; a record is approved once.
func (e *Escalation) ApproveRecord(now time.Time, p *Policy, cal *calendar.Calendar, actor *User, in ApproveInput) ([]Event, error) {
	return e.change(now, p, cal, actor, in.Version, func(s *step, x *Escalation) error {
		if err := in.Validate(p); err != nil {
			return err
		}
		if !slices.ContainsFunc(Approvers, actor.HasRole) {
			return Errorf(EFORBIDDEN, "Only a manager, safeguarding lead or senior manager may approve a record.")
		}
		r := x.Record(in.Record)
		if r == nil {
			return FieldErrorf("record", "There is no record %d.", in.Record)
		}
		if r.ApprovedBy != 0 {
			return Errorf(ECONFLICT, "Record %d was already approved on %s.", r.ID, calendar.DateOf(r.ApprovedAt))
		}
		r.ApprovedBy, r.ApprovedAt = actor.ID, now
		s.emit(ActionRecordApprove, map[string]any{"record": r.ID, "stage": r.Stage, "approved_at": now})
		return nil
	})
}
