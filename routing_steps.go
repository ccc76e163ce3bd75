package escalate

import (
	"slices"
	"time"
)

// Step is one thing that must happen next on an open escalation: what, by
// whom (named people) and by when. Every open escalation has at least one.
type Step struct {
	Kind      string // one of the Step kinds below
	What      string // what must happen, in words
	Side      string // SideRaising, SideReceiving, SidePartnership, or "" for both agencies
	Clock     int    // for StepClock, the clock's ID
	Due       time.Time
	Immediate bool    // due at once
	People    []int64 // whose turn it is, by ID
	// Fallback says why People are not who the policy names (nobody holds
	// the role), or is "".
	Fallback string
}

// Step kinds.
const (
	StepTake     = "take"     // the receiving agency takes the escalation or names who deals with it
	StepRoute    = "route"    // nobody can receive it: the Business Manager finds who
	StepAppoint  = "appoint"  // the Chair appoints a chair for the meeting
	StepClock    = "clock"    // a running clock's action
	StepOutcome  = "outcome"  // record the outcome agreed, or the meeting's outcome
	StepSettle   = "settle"   // agree an outcome, or escalate if you cannot
	StepEscalate = "escalate" // the parties could not agree: escalate
	StepDecide   = "decide"   // the final stage's determination or recommendations
)

// Record results: what a discussion came to.
const (
	ResultAgreed    = "agreed"     // the parties agreed; the outcome is to be recorded
	ResultNotAgreed = "not-agreed" // they could not agree; the next stage is due
)

// steps works out what must happen next at stage st.
func (r *router) steps(st *Stage) []Step {
	var out []Step
	e := r.e
	raising, receiving := r.actors(st, sideRaising), r.actors(st, sideReceiving)
	if m := st.Meeting; m != nil {
		// The meeting's chair holds the meeting: the one appointed, or
		// else (Wirral stage 3) the holders of its chair role at either
		// agency alongside the receiving side.
		if r.inv.MeetingChair != 0 {
			receiving = []int64{r.inv.MeetingChair}
		} else if !m.UninvolvedChair {
			receiving = uniq(append(receiving, r.meetingChairs(st)...))
		}
	}
	// The receiving agency must first find who deals with it, where the
	// stage wants its front line and nobody has been named.
	if st.Scope != "within-agency" && slices.Contains(st.Receive, RolePractitioner) &&
		len(r.named(e.ReceivingAgencyID)) == 0 {
		takers := uniq(append(slices.Clone(r.dir.Contacts(e.ReceivingAgencyID)), receiving...))
		if len(takers) == 0 {
			r.ps.NoReceiver = true
			out = append(out, r.fallback(Step{Kind: StepRoute, Side: SidePartnership,
				What: "Find who at " + r.dir.AgencyName(e.ReceivingAgencyID) + " deals with this escalation: nobody there can receive it in Escalate"},
				""))
		} else {
			out = append(out, Step{Kind: StepTake, Side: SideReceiving, People: takers,
				What: "Take this escalation, or name who at " + r.dir.AgencyName(e.ReceivingAgencyID) + " deals with it"})
			r.add(TieActor, sideReceiving, takers...)
		}
		receiving = takers
	}
	r.acting = [2][]int64{raising, receiving}
	if m := st.Meeting; m != nil && m.UninvolvedChair && r.inv.MeetingChair == 0 {
		out = append(out, r.fallback(Step{Kind: StepAppoint, Side: SidePartnership,
			People: uniq(append(r.dir.Holders(RoleChair, 0), r.dir.Holders(RoleViceChair, 0)...)),
			What:   "Appoint " + r.p.aRole(m.Chair) + " from an agency not involved to chair the meeting"}, "the chair"))
	}
	for _, c := range e.Clocks {
		if c.Status != ClockRunning || c.Stage != st.Key {
			continue
		}
		s := Step{Kind: StepClock, What: c.Action, Clock: c.ID, Due: c.Due, Immediate: c.Immediate}
		switch c.By {
		case SideRaising:
			s.Side, s.People = SideRaising, raising
		case SideReceiving:
			s.Side, s.People = SideReceiving, receiving
		default:
			s.People = uniq(append(slices.Clone(raising), receiving...))
		}
		out = append(out, r.fallback(s, st.Name))
	}
	both := uniq(append(slices.Clone(raising), receiving...))
	next := "the next stage"
	if e.Stage+1 < len(r.p.Stages) {
		next = r.p.Stages[e.Stage+1].Name
	}
	// What the latest discussion came to asks for the next step at once:
	// agreed, record the outcome; not agreed, escalate (on the policy's
	// clock for that, when it has one).
	switch e.lastResult(st.Key) {
	case ResultAgreed:
		if e.Outcome == nil {
			return r.finish(append([]Step{r.fallback(Step{Kind: StepOutcome, Side: SideReceiving, People: receiving,
				What: "Record the outcome you agreed"}, st.Name)}, out...), st)
		}
	case ResultNotAgreed:
		if !slices.ContainsFunc(e.Clocks, func(c ClockState) bool {
			pc := policyClock(r.p, c.Stage, c.Key)
			return c.Stage == st.Key && c.Status == ClockRunning && pc != nil && pc.Starts.Event == StartNotAgreed
		}) && e.Stage+1 < len(r.p.Stages) {
			return r.finish(append([]Step{r.fallback(Step{Kind: StepEscalate, People: both,
				What: "You could not agree: escalate to " + next}, st.Name)}, out...), st)
		}
	}
	if slices.ContainsFunc(out, func(s Step) bool { return s.Kind == StepClock }) {
		return r.finish(out, st)
	}
	// No clock runs: the stage waits on its outcome.
	var s Step
	switch {
	case st.Produces == OutcomeDetermination || st.Produces == OutcomeRecommendations:
		s = Step{Kind: StepDecide, Side: SideReceiving, People: receiving, What: "Make the " + st.Produces}
		if st.Produces == OutcomeDetermination {
			s.What = "Make the determination"
		}
	case st.Meeting != nil:
		s = Step{Kind: StepOutcome, Side: SideReceiving, People: receiving, What: "Record the meeting's outcome"}
	default:
		s = Step{Kind: StepSettle, People: both, What: "Record the outcome you agreed, or escalate to " + next + " if you cannot agree"}
		if e.Stage == len(r.p.Stages)-1 {
			s.What = "Record the outcome you agreed"
		}
	}
	out = append(out, r.fallback(s, st.Name))
	return r.finish(out, st)
}

// finish completes the steps at stage st: a joint action of the stage
// (the two sides discuss, resolve or meet it together) also names the
// people acting for either side now whom no other step names, so that
// everyone the stage brings in has a turn, is shown as acting and is told
// (Told tells whose turn it is, not everyone the stage names: Redbridge's
// Chair hears of stage 4 when the Business Manager refers it, 4.9). Then
// each step gets its deadline.
func (r *router) finish(out []Step, st *Stage) []Step {
	have := map[int64]bool{}
	for _, s := range out {
		for _, id := range s.People {
			have[id] = true
		}
	}
	var idle []int64
	for _, id := range slices.Concat(r.acting[0], r.acting[1]) {
		if !have[id] {
			idle = append(idle, id)
		}
	}
	if len(idle) > 0 {
		for i := range out {
			if c := r.e.Clock(out[i].Clock); out[i].Kind == StepClock && c != nil && jointClock(r.p, c) {
				out[i].People = uniq(append(slices.Clone(out[i].People), idle...))
			}
		}
	}
	return r.dated(out, st)
}

// jointClock reports whether clock c is for something the two sides do
// together under p: what meets it (its met_by, or else its key) is an
// agreed outcome or a meeting, or its key is discuss or (within the raising
// agency) consult the line manager. Others (respond, refer, escalate,
// confirm, determine) are one side's.
func jointClock(p *Policy, c *ClockState) bool {
	switch m := metBy(p, c); {
	case m == MetByAgree, m == MetByMeeting:
		return true
	}
	return c.Key == "discuss" || c.Key == "consult"
}

// fallback gives a step with nobody to take it to the Business Manager, and
// says why.
func (r *router) fallback(s Step, who string) Step {
	if len(s.People) > 0 {
		return s
	}
	s.People = r.dir.Holders(RoleBusinessManager, 0)
	s.Fallback = "Nobody in Escalate holds the role this step needs"
	if who != "" {
		s.Fallback += " (" + who + ")"
	}
	s.Fallback += ", so it is with the Business Manager."
	r.add(TieActor, sidePartnership, s.People...)
	return s
}

// dated gives steps without a deadline of their own the stage's: the
// latest deadline of its clocks, so a stage waiting on its outcome is due
// when its timescale ends.
func (r *router) dated(out []Step, st *Stage) []Step {
	var due time.Time
	imm := false
	for _, c := range r.e.Clocks {
		if c.Stage == st.Key && c.Status == ClockRunning && c.Immediate {
			imm = true
		}
		if c.Stage == st.Key && c.Due.After(due) {
			due = c.Due
		}
	}
	for i := range out {
		if out[i].Kind != StepClock && out[i].Due.IsZero() && !out[i].Immediate {
			out[i].Due, out[i].Immediate = due, imm && due.IsZero()
		}
	}
	return out
}

// lastResult is the result of the latest record at stage that has one.
func (e *Escalation) lastResult(stage string) string {
	for i := len(e.Records) - 1; i >= 0; i-- {
		if rec := e.Records[i]; rec.Stage == stage && rec.Result != "" {
			return rec.Result
		}
	}
	return ""
}

// Turn is an open escalation waiting on one person: the first next step
// that names them, and when it is due. My work lists a person's turns.
type Turn struct {
	Escalation *Escalation
	What       string
	Due        time.Time // zero: no deadline
	Immediate  bool
}
