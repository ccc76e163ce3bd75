package escalate

import (
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/escalate-project/escalate/calendar"
)

// What meets a clock. A policy clock's Key names what must happen by its
// deadline (its Action says it in words for people); the lifecycle step the
// key maps to meets the clock when it happens at the clock's stage. A key
// Escalate does not know falls back to the first word of the action; a clock
// matching neither is never met by itself: it stops when its stage ends.
const (
	MetByRaise     = "raise"     // raising the escalation
	MetByRecord    = "record"    // a record added at the stage by someone on the clock's side
	MetByMeeting   = "meeting"   // a record of a meeting added at the stage
	MetByAgree     = "agree"     // an outcome agreed, or determined, at the stage
	MetByConfirm   = "confirm"   // the agreed outcome confirmed in writing
	MetByDetermine = "determine" // a determination or recommendations made at the stage
	// MetByEscalation is what meets a clock that a not-agreed record
	// started, whatever its key: escalating from its stage.
	MetByEscalation = "escalation"
)

// clockKeys maps the clock keys (and action verbs) a policy may use to what
// meets the clock. "escalate" and "refer" are clocks for bringing the next
// level in once a stage is entered (Redbridge: line managers the same
// working day), so a record by that side meets them.
var clockKeys = map[string]string{
	"raise":           MetByRaise,
	"respond":         MetByRecord,
	"discuss":         MetByRecord,
	"consult":         MetByRecord,
	"contact":         MetByRecord,
	"contact-manager": MetByRecord,
	"record":          MetByRecord,
	"escalate":        MetByRecord,
	"refer":           MetByRecord,
	"speak":           MetByRecord,
	"meet":            MetByMeeting,
	"convene":         MetByMeeting,
	"resolve":         MetByAgree,
	"agree":           MetByAgree,
	"confirm":         MetByConfirm,
	"determine":       MetByDetermine,
	"recommend":       MetByDetermine,
}

// ClockKeys lists, sorted, the clock keys Escalate knows how to meet.
func ClockKeys() []string { return slices.Sorted(maps.Keys(clockKeys)) }

// ClockMetBy returns which lifecycle step meets a clock with the given key
// and action (one of the MetBy constants), and false when neither the key
// nor the action's first word is one Escalate knows.
func ClockMetBy(key, action string) (string, bool) {
	if m, ok := clockKeys[key]; ok {
		return m, true
	}
	if f := strings.Fields(strings.ToLower(action)); len(f) > 0 {
		m, ok := clockKeys[f[0]]
		return m, ok
	}
	return "", false
}

// Clock sides.
const (
	SideRaising   = "raising"
	SideReceiving = "receiving"
)

// side returns which side of the escalation u acts for: "raising",
// "receiving", or "" for neither (an oversight role from a third agency).
func (e *Escalation) side(u *User) string {
	switch u.AgencyID {
	case e.RaisingAgencyID:
		return SideRaising
	case e.ReceivingAgencyID:
		return SideReceiving
	}
	return ""
}

// sides returns the sides u acts for at stage st: their agency's, and any
// side whose roles at st name a partnership role u holds (Redbridge stage
// 4: the Business Manager refers to the Chair for the raising side).
func (e *Escalation) sides(st *Stage, u *User) []string {
	var out []string
	if s := e.side(u); s != "" {
		out = append(out, s)
	}
	for _, x := range []struct {
		side  string
		roles []Role
	}{{SideRaising, st.Raising}, {SideReceiving, st.Receive}} {
		if !slices.Contains(out, x.side) && slices.ContainsFunc(x.roles, func(r Role) bool { return IsPartnershipRole(r) && u.HasRole(r) }) {
			out = append(out, x.side)
		}
	}
	return out
}

// policyClock returns the policy clock key of stage stageKey, or nil.
func policyClock(p *Policy, stageKey, key string) *Clock {
	s, _ := p.Stage(stageKey)
	if s == nil {
		return nil
	}
	for i := range s.Clocks {
		if s.Clocks[i].Key == key {
			return &s.Clocks[i]
		}
	}
	return nil
}

// clockTimescale returns the timescale text a clock runs on at risk level r:
// the increased-risk one where the policy gives it and the risk is raised.
func clockTimescale(c *Clock, r RiskLevel) string {
	if r.Elevated() && c.Increased != "" {
		return c.Increased
	}
	return c.Within
}

// due computes a timescale from start. An unreadable timescale comes back as
// immediate from the calendar: a broken policy must never delay acting.
func due(cal *calendar.Calendar, start time.Time, within string) calendar.Deadline {
	ts, _ := calendar.ParseTimescale(within)
	return cal.Due(start, ts)
}

// earlier reports whether deadline a (due, immediate) comes strictly before b.
// An immediate deadline comes before any timed one.
func earlier(aDue time.Time, aImm bool, bDue time.Time, bImm bool) bool {
	switch {
	case aImm:
		return !bImm
	case bImm:
		return false
	}
	return aDue.Before(bDue)
}

// step accumulates the events of one rule, all stamped with the same instant
// and actor.
type step struct {
	now    time.Time
	p      *Policy
	cal    *calendar.Calendar
	actor  *User
	events []Event
}

func (s *step) emit(action string, data map[string]any) {
	s.events = append(s.events, Event{At: s.now, Actor: s.actor.ID, Action: action, Data: data})
}

func clockData(c *ClockState) map[string]any {
	d := map[string]any{
		"clock": c.ID, "stage": c.Stage, "key": c.Key, "action": c.Action, "by": c.By,
		"within": c.Within, "start": c.Start, "immediate": c.Immediate, "explanation": c.Explanation,
	}
	if !c.Immediate {
		d["due"] = c.Due
	}
	return d
}

// startClock starts policy clock c of stage stageKey from start.
func (s *step) startClock(x *Escalation, stageKey string, c *Clock, start time.Time) {
	within := clockTimescale(c, x.RiskLevel)
	dl := due(s.cal, start, within)
	cs := ClockState{
		ID: len(x.Clocks) + 1, Stage: stageKey, Key: c.Key, Action: c.Action, By: c.By,
		Within: within, Start: start, Due: dl.Due, Immediate: dl.Immediate,
		Explanation: dl.Explain(), Status: ClockRunning,
	}
	x.Clocks = append(x.Clocks, cs)
	s.emit(ActionClockStart, clockData(&cs))
}

// startClocks starts every clock that the start event at stage atStage
// starts. For StartClockMet, met names the clock that was met.
func (s *step) startClocks(x *Escalation, event, atStage, met string) {
	for _, st := range s.p.Stages {
		for i := range st.Clocks {
			c := &st.Clocks[i]
			on := c.Starts.Stage
			if on == "" {
				on = st.Key
			}
			if c.Starts.Event != event || on != atStage || (event == StartClockMet && c.Starts.Clock != met) {
				continue
			}
			if x.running(st.Key, c.Key) {
				continue
			}
			start := s.now
			if event == StartDecision {
				// The decision date has no time: count from the start of that
				// London day, so the day of the decision is day 0.
				d, err := calendar.ParseDate(x.DecisionDate)
				if err == nil {
					start = d.At(0, 0)
				}
			}
			s.startClock(x, st.Key, c, start)
		}
	}
}

// running reports whether a clock of the policy clock key at stage is running.
func (x *Escalation) running(stage, key string) bool {
	return slices.ContainsFunc(x.Clocks, func(c ClockState) bool {
		return c.Stage == stage && c.Key == key && c.Status == ClockRunning
	})
}

// enterStage moves x to stage index i and starts the clocks its entry starts.
func (s *step) enterStage(x *Escalation, i int) {
	x.Stage = i
	key := s.p.Stages[i].Key
	s.startClocks(x, StartDecision, key, "")
	s.startClocks(x, StartStageEntry, key, "")
}

// meet marks met every running clock of stageKey whose action is met by
// metBy and, when side is not empty, whose side is side. Clocks started by
// a met clock start in turn.
func (s *step) meet(x *Escalation, stageKey, metBy, side string) {
	var met []string
	for i := range x.Clocks {
		c := &x.Clocks[i]
		if c.Status != ClockRunning || c.Stage != stageKey {
			continue
		}
		m, _ := ClockMetBy(c.Key, c.Action)
		if pc := policyClock(s.p, c.Stage, c.Key); pc != nil && pc.Starts.Event == StartNotAgreed {
			m = MetByEscalation
		}
		if m != metBy || (side != "" && c.By != "" && c.By != side) {
			continue
		}
		// An immediate clock asks for action at once; meeting it is on time.
		late := !c.Immediate && s.now.After(c.Due)
		c.Status, c.MetAt = ClockMet, s.now
		s.emit(ActionClockMet, map[string]any{"clock": c.ID, "stage": c.Stage, "key": c.Key, "met_at": s.now, "late": late})
		met = append(met, c.Key)
	}
	for _, k := range met {
		s.startClocks(x, StartClockMet, stageKey, k)
	}
}

// stop stops every running clock of stageKey, or of every stage when stageKey
// is empty, because the stage ended or the case closed.
func (s *step) stop(x *Escalation, stageKey, why string) {
	for i := range x.Clocks {
		c := &x.Clocks[i]
		if c.Status != ClockRunning || (stageKey != "" && c.Stage != stageKey) {
			continue
		}
		c.Status = ClockStopped
		s.emit(ActionClockStop, map[string]any{"clock": c.ID, "stage": c.Stage, "key": c.Key, "why": why})
	}
}
