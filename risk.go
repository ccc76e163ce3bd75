package escalate

import (
	"fmt"
	"time"

	"github.com/escalate-project/escalate/calendar"
)

// RecordImmediateAction records what someone did because a child is at
// immediate risk, before any escalation exists or while the raise form is
// still incomplete. It checks nothing but the action itself, so nothing in
// the process can hold it up. The event has no Ref; once the escalation is
// raised, Raise records the action again on the case.
func RecordImmediateAction(now time.Time, actor *User, in ImmediateInput) (*ImmediateAction, Event, error) {
	if err := checkActor(actor, 0); err != nil {
		return nil, Event{}, err
	}
	if err := in.Validate(nil); err != nil {
		return nil, Event{}, err
	}
	a := &ImmediateAction{Action: in.Action, At: now, By: actor.ID}
	return a, Event{At: now, Actor: actor.ID, Action: ActionRiskImmediate, Data: map[string]any{"action": in.Action}}, nil
}

// RecordImmediateAction records an immediate-risk action on an escalation.
// Unlike every other change it needs no version and works on a closed case:
// it only appends, so it can neither lose an update nor be refused as stale.
// On an open case it also raises the risk to immediate, which shortens the
// running clocks (see ChangeRisk); a closed case records the event only.
func (e *Escalation) RecordImmediateAction(now time.Time, p *Policy, cal *calendar.Calendar, actor *User, in ImmediateInput) ([]Event, error) {
	if err := checkActor(actor, e.PartnershipID); err != nil {
		return nil, err
	}
	if err := in.Validate(p); err != nil {
		return nil, err
	}
	s := &step{now: now, p: p, cal: cal, actor: actor}
	s.emit(ActionRiskImmediate, map[string]any{"action": in.Action})
	if e.Status.Closed() || p == nil || cal == nil {
		s.events[0].Ref = e.Ref
		return s.events, nil
	}
	x := e.Clone()
	x.Immediate = &ImmediateAction{Action: in.Action, At: now, By: actor.ID}
	if x.RiskLevel != RiskImmediate {
		s.raiseRisk(x, RiskImmediate, "immediate action recorded")
	}
	x.Version++
	x.Updated = now
	for i := range s.events {
		s.events[i].Ref = x.Ref
	}
	*e = *x
	return s.events, nil
}

// ChangeRisk sets the risk level. Raising it shortens running clocks to the
// policy's increased-risk timescales counted from each clock's start, where
// that is earlier; lowering it never lengthens a clock. Raising it to
// immediate records the immediate action first.
func (e *Escalation) ChangeRisk(now time.Time, p *Policy, cal *calendar.Calendar, actor *User, in RiskInput) ([]Event, error) {
	return e.change(now, p, cal, actor, in.Version, func(s *step, x *Escalation) error {
		if err := in.Validate(p); err != nil {
			return err
		}
		if in.Level == x.RiskLevel {
			return FieldErrorf("level", "The risk is already %s.", in.Level)
		}
		if in.Level == RiskImmediate {
			x.Immediate = &ImmediateAction{Action: in.ImmediateAction, At: now, By: actor.ID}
			s.emit(ActionRiskImmediate, map[string]any{"action": in.ImmediateAction})
		}
		if in.Level.rank() < x.RiskLevel.rank() {
			s.emit(ActionRiskLower, map[string]any{"from": x.RiskLevel, "to": in.Level, "reason": in.Reason})
			x.RiskLevel = in.Level
			return nil
		}
		s.raiseRisk(x, in.Level, in.Reason)
		return nil
	})
}

// raiseRisk raises x's risk level and shortens its running clocks.
func (s *step) raiseRisk(x *Escalation, to RiskLevel, reason string) {
	s.emit(ActionRiskRaise, map[string]any{"from": x.RiskLevel, "to": to, "reason": reason})
	x.RiskLevel = to
	for i := range x.Clocks {
		c := &x.Clocks[i]
		if c.Status != ClockRunning {
			continue
		}
		pc := policyClock(s.p, c.Stage, c.Key)
		if pc == nil || pc.Increased == "" {
			continue
		}
		dl := due(s.cal, c.Start, pc.Increased)
		if !earlier(dl.Due, dl.Immediate, c.Due, c.Immediate) {
			continue
		}
		old := clockData(c)
		c.Due, c.Immediate, c.Within, c.Explanation = dl.Due, dl.Immediate, pc.Increased, dl.Explain()
		c.ShortenedReason = fmt.Sprintf("risk raised to %s: %s", to, reason)
		s.emitShorten(c, old)
	}
}

// protect brings every running clock due after by forward to by: the
// raiser's timescale that protects the child, where it is shorter.
func (s *step) protect(x *Escalation, by time.Time) {
	for i := range x.Clocks {
		c := &x.Clocks[i]
		if c.Status != ClockRunning || c.Immediate || !by.Before(c.Due) {
			continue
		}
		old := clockData(c)
		c.Explanation = fmt.Sprintf("brought forward when raised from %s to %s, the timescale the raiser set to protect the child (the policy's deadline was: %s)",
			londonTime(c.Due), londonTime(by), c.Explanation)
		c.Due, c.ShortenedReason = by, "the timescale the raiser set to protect the child"
		s.emitShorten(c, old)
	}
}

func (s *step) emitShorten(c *ClockState, old map[string]any) {
	d := clockData(c)
	d["reason"] = c.ShortenedReason
	d["old_due"], d["old_immediate"], d["old_within"] = old["due"], old["immediate"], old["within"]
	s.emit(ActionClockShorten, d)
}

// ShortenClock brings a running clock's due instant forward, for "a
// timescale that protects the child, whichever is shorter". A clock can be
// shortened, never lengthened, and not into the past.
func (e *Escalation) ShortenClock(now time.Time, p *Policy, cal *calendar.Calendar, actor *User, in ShortenInput) ([]Event, error) {
	return e.change(now, p, cal, actor, in.Version, func(s *step, x *Escalation) error {
		if err := in.Validate(p); err != nil {
			return err
		}
		c := x.Clock(in.Clock)
		switch {
		case c == nil:
			return FieldErrorf("clock", "There is no clock %d.", in.Clock)
		case c.Status != ClockRunning:
			return Errorf(ECONFLICT, "That clock is %s: only a running clock can be shortened.", c.Status)
		case c.Immediate:
			return FieldErrorf("due", "That clock already asks for action immediately: a clock can be shortened, never lengthened.")
		case !in.Due.Before(c.Due):
			return FieldErrorf("due", "A clock can be shortened, never lengthened: the new deadline must be before %s.", londonTime(c.Due))
		case in.Due.Before(now):
			return FieldErrorf("due", "The new deadline cannot be in the past.")
		}
		old := clockData(c)
		c.Explanation = fmt.Sprintf("shortened on %s from %s to %s: %s (the policy's deadline was: %s)",
			londonTime(now), londonTime(c.Due), londonTime(in.Due), in.Reason, c.Explanation)
		c.Due, c.ShortenedReason = in.Due, in.Reason
		s.emitShorten(c, old)
		return nil
	})
}

// londonTime formats t on the London wall clock for explanations.
func londonTime(t time.Time) string {
	return t.In(calendar.London).Format("Mon 2 Jan 2006 15:04")
}

// RecomputeClocks recomputes the running clocks after a calendar change,
// such as an imported bank holiday. Met and stopped clocks, and so every
// clock of a closed stage, are never touched. A shortened clock never moves
// later than it stands. Each clock that moves gets a clock.recompute event
// with its old and new deadline and explanation.
func (e *Escalation) RecomputeClocks(now time.Time, p *Policy, cal *calendar.Calendar, actor *User) []Event {
	var id int64
	if actor != nil {
		id = actor.ID
	}
	var events []Event
	x := e.Clone()
	for i := range x.Clocks {
		c := &x.Clocks[i]
		if c.Status != ClockRunning {
			continue
		}
		dl := due(cal, c.Start, c.Within)
		if dl.Immediate == c.Immediate && dl.Due.Equal(c.Due) {
			continue
		}
		if c.ShortenedReason != "" && !earlier(dl.Due, dl.Immediate, c.Due, c.Immediate) {
			continue
		}
		d := clockData(c)
		d["old_due"], d["old_immediate"], d["old_explanation"] = d["due"], c.Immediate, c.Explanation
		c.Due, c.Immediate, c.Explanation = dl.Due, dl.Immediate, dl.Explain()
		c.Recomputed++
		d["due"], d["immediate"], d["explanation"], d["recomputed"] = c.Due, c.Immediate, c.Explanation, c.Recomputed
		events = append(events, Event{At: now, Actor: id, Action: ActionClockRecompute, Ref: e.Ref, Data: d})
	}
	if len(events) > 0 {
		x.Version++
		x.Updated = now
		*e = *x
	}
	return events
}
