package escalate

import (
	"errors"
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
	// MetByEscalation: the case escalated from the clock's stage. It meets a
	// clock that says met_by: escalation, and a clock a not-agreed record
	// started (without met_by), whatever its key.
	MetByEscalation = "escalation"
)

// MetByValues maps what a policy clock's met_by may say to the lifecycle
// step that meets the clock.
var MetByValues = map[string]string{
	"agreed-outcome":       MetByAgree,
	"written-confirmation": MetByConfirm,
	"record":               MetByRecord,
	"meeting":              MetByMeeting,
	"escalation":           MetByEscalation,
	"determination":        MetByDetermine,
	"raise":                MetByRaise,
}

// MetByNames lists, in a fixed order, the values a clock's met_by may take.
var MetByNames = []string{"agreed-outcome", "written-confirmation", "record", "meeting", "escalation", "determination", "raise"}

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

// Meets returns which lifecycle step meets policy clock c: its met_by when
// it says; escalating, for a clock a not-agreed record starts; otherwise
// ClockMetBy's rule on its key and action; false when nothing does.
func (c *Clock) Meets() (string, bool) {
	if c.MetBy != "" {
		m, ok := MetByValues[c.MetBy]
		return m, ok
	}
	if c.Starts.Event == StartNotAgreed {
		return MetByEscalation, true
	}
	return ClockMetBy(c.Key, c.Action)
}

// metBy returns which lifecycle step meets running clock c of x under p:
// its policy clock's, or by its key and action when p no longer has it.
func metBy(p *Policy, c *ClockState) string {
	if pc := policyClock(p, c.Stage, c.Key); pc != nil {
		m, _ := pc.Meets()
		return m
	}
	m, _ := ClockMetBy(c.Key, c.Action)
	return m
}

// routeOf is the route of clock key at stage under p ("" for every route).
func routeOf(p *Policy, stage, key string) string {
	if pc := policyClock(p, stage, key); pc != nil {
		return pc.Route
	}
	return ""
}

// takenRoute is the route x took at stage: the route of a clock met there,
// or "" while none is.
func (x *Escalation) takenRoute(p *Policy, stage string) string {
	for _, c := range x.Clocks {
		if c.Stage == stage && c.Status == ClockMet {
			if r := routeOf(p, stage, c.Key); r != "" {
				return r
			}
		}
	}
	return ""
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
// starts, from now. For StartClockMet, met names the clock that was met.
func (s *step) startClocks(x *Escalation, event, atStage, met string) {
	s.startClocksFrom(x, event, atStage, met, s.now)
}

// startClocksFrom is startClocks from the instant from: a lapse starts its
// clocks from the lapsed clock's due instant. A clock of a route other than
// the one its stage has taken does not start.
func (s *step) startClocksFrom(x *Escalation, event, atStage, ref string, from time.Time) {
	for _, st := range s.p.Stages {
		for i := range st.Clocks {
			c := &st.Clocks[i]
			on := c.Starts.Stage
			if on == "" {
				on = st.Key
			}
			byClock := event == StartClockMet || event == StartClockLapsed
			if c.Starts.Event != event || on != atStage || (byClock && c.Starts.Clock != ref) {
				continue
			}
			if x.running(st.Key, c.Key) {
				continue
			}
			if taken := x.takenRoute(s.p, st.Key); c.Route != "" && taken != "" && taken != c.Route {
				continue
			}
			start := from
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

// meet marks met every running clock of stageKey that step by meets (see
// Clock.Meets) and, when side is not empty, whose side is side. Clocks
// started by a met clock start in turn. Meeting a clock of a route stops
// the running clocks of the stage's other routes.
func (s *step) meet(x *Escalation, stageKey, by, side string) {
	var met []string
	for i := range x.Clocks {
		c := &x.Clocks[i]
		if c.Status != ClockRunning || c.Stage != stageKey {
			continue
		}
		if metBy(s.p, c) != by || (side != "" && c.By != "" && c.By != side) {
			continue
		}
		// An immediate clock asks for action at once; meeting it is on time.
		late := !c.Immediate && s.now.After(c.Due)
		c.Status, c.MetAt = ClockMet, s.now
		s.emit(ActionClockMet, map[string]any{"clock": c.ID, "stage": c.Stage, "key": c.Key, "met_at": s.now, "late": late})
		met = append(met, c.Key)
	}
	if taken := x.takenRoute(s.p, stageKey); taken != "" {
		for i := range x.Clocks {
			c := &x.Clocks[i]
			if r := routeOf(s.p, c.Stage, c.Key); c.Status == ClockRunning && c.Stage == stageKey && r != "" && r != taken {
				c.Status = ClockStopped
				s.emit(ActionClockStop, map[string]any{"clock": c.ID, "stage": c.Stage, "key": c.Key, "why": "route " + taken + " taken"})
			}
		}
	}
	for _, k := range met {
		s.startClocks(x, StartClockMet, stageKey, k)
	}
}

// ClockLapsed starts the clocks that start when clock id lapses unmet
// (starts.event clock-lapsed), each from the lapsed clock's due instant (its
// start, for an immediate clock). The scheduler runs it once, when it writes
// the clock's overdue prompt. It does nothing, returning no events and
// leaving the version alone, when the case is closed, the clock no longer
// runs, or no clock starts from its lapse.
func (e *Escalation) ClockLapsed(now time.Time, p *Policy, cal *calendar.Calendar, actor *User, id int) ([]Event, error) {
	c := e.Clock(id)
	if c == nil || c.Status != ClockRunning || e.Status.Closed() || p == nil || !StartsOnLapse(p, c.Stage, c.Key) {
		return nil, nil
	}
	lapsed := *c
	evs, err := e.change(now, p, cal, actor, e.Version, func(s *step, x *Escalation) error {
		at := lapsed.Due
		if lapsed.Immediate {
			at = lapsed.Start
		}
		s.emit(ActionClockLapse, map[string]any{"clock": lapsed.ID, "stage": lapsed.Stage, "key": lapsed.Key, "lapsed_at": at})
		n := len(x.Clocks)
		s.startClocksFrom(x, StartClockLapsed, lapsed.Stage, lapsed.Key, at)
		if len(x.Clocks) == n {
			return errNothingStarts // already running, or its route was not taken
		}
		return nil
	})
	if errors.Is(err, errNothingStarts) {
		return nil, nil
	}
	return evs, err
}

// errNothingStarts abandons a lapse that would start no clock, so that it
// changes nothing.
var errNothingStarts = errors.New("no clock starts on this lapse")

// StartsOnLapse reports whether any clock of p starts when clock key of
// stage lapses.
func StartsOnLapse(p *Policy, stage, key string) bool {
	for _, st := range p.Stages {
		for _, c := range st.Clocks {
			on := c.Starts.Stage
			if on == "" {
				on = st.Key
			}
			if c.Starts.Event == StartClockLapsed && on == stage && c.Starts.Clock == key {
				return true
			}
		}
	}
	return false
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
