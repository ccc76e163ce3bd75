package escalate

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/escalate-project/escalate/calendar"
)

// The pure rules of the dissent workflow: who may do what, what each step
// needs and what it changes. The store loads, asks and writes.

// DissentListers are the roles that may open the dissents list: those who
// may see some dissent. Each dissent in it is still checked by CanDissent.
var DissentListers = []Role{
	RoleConferenceChair, RoleBusinessManager, RoleChair, RoleViceChair,
	RoleSeniorManager, RoleManager, RoleSafeguardingLead,
}

// DissentsEnabled reports whether policy p switches the dissent workflow on.
func DissentsEnabled(p *Policy) bool { return p != nil && p.Workflows.CPDissents != nil }

// CanDissent reports whether u, whose agency is of kind agencyKind, may
// take action on dissent d (nil for recording a new one or listing). It
// does not check the partnership: the store answers a dissent of another
// partnership as not found.
//
//   - Record: the independent conference chair.
//   - Schedule, evaluate, decide: the Business Manager, who services the
//     Dissents Group and records its decisions.
//   - Report review and strategy meeting action: a senior manager of
//     children's social care, or the Business Manager.
//   - View: the chair who recorded it, the Business Manager, the chair and
//     vice chair, children's social care's senior managers, and the
//     dissenting agency's managers, safeguarding leads and senior managers.
func CanDissent(u *User, agencyKind string, d *Dissent, action string) bool {
	if u == nil || u.Disabled {
		return false
	}
	bm := u.HasRole(RoleBusinessManager)
	cscSenior := agencyKind == AgencyKindChildrensSocialCare && u.HasRole(RoleSeniorManager)
	switch action {
	case DissentActionRecord:
		return u.HasRole(RoleConferenceChair)
	case DissentActionView:
		if d == nil {
			return slices.ContainsFunc(DissentListers, u.HasRole)
		}
		dissenting := u.AgencyID == d.AgencyID &&
			(u.HasRole(RoleManager) || u.HasRole(RoleSafeguardingLead) || u.HasRole(RoleSeniorManager))
		return u.ID == d.RecordedBy || bm || u.HasRole(RoleChair) || u.HasRole(RoleViceChair) ||
			cscSenior || dissenting
	case DissentActionSchedule, DissentActionEvaluate, DissentActionDecide:
		return bm
	case DissentActionReport, DissentActionStrategy:
		return bm || cscSenior
	}
	return false
}

// DissentStepActions are the actions after recording, in workflow order.
var DissentStepActions = []string{
	DissentActionSchedule, DissentActionEvaluate, DissentActionDecide,
	DissentActionReport, DissentActionStrategy,
}

// Allows reports whether action may be taken at the dissent's step.
func (d *Dissent) Allows(action string) bool {
	switch action {
	case DissentActionSchedule:
		return d.Step == DissentAwaitingReview || d.Step == DissentScheduled
	case DissentActionEvaluate:
		return d.Step == DissentScheduled
	case DissentActionDecide:
		return d.Step == DissentEvaluated
	case DissentActionReport:
		return d.Step == DissentInvestigating
	case DissentActionStrategy:
		return d.Step == DissentReportReviewed
	}
	return false
}

// dissentStepWords says in words what a step waits for, for refusals.
var dissentStepWords = map[DissentStep]string{
	DissentAwaitingReview: "is awaiting review: schedule it for a meeting of the Dissents Group first",
	DissentScheduled:      "is scheduled for a meeting: record the group's evaluation of the chair's decision next",
	DissentEvaluated:      "has been evaluated: record the group's decision next",
	DissentInvestigating:  "was upheld and is with children's services: record the Head of Safeguarding's review of their report next",
	DissentReportReviewed: "has had its report reviewed: record the strategy meeting action next",
	DissentClosed:         "is closed: nothing more can be recorded",
}

// NewDissent is the chair recording a dissent under policy p at now: it is
// referred to the Dissents Group at once, and the group's review clock
// starts (when the policy gives a timescale). The partnership, policy
// version and reference are the store's to set.
func NewDissent(now time.Time, p *Policy, cal *calendar.Calendar, actor *User, in DissentInput) (*Dissent, []Event, error) {
	if !DissentsEnabled(p) {
		return nil, nil, Errorf(ENOTFOUND, "Page not found")
	}
	if !CanDissent(actor, "", nil, DissentActionRecord) {
		return nil, nil, Errorf(EFORBIDDEN, "Only an independent conference chair can record a dissent.")
	}
	in.ConferenceRef = strings.TrimSpace(in.ConferenceRef)
	if err := in.Validate(calendar.DateOf(now)); err != nil {
		return nil, nil, err
	}
	d := &Dissent{
		PartnershipID: actor.PartnershipID, RecordedBy: actor.ID,
		ConferenceDate: in.ConferenceDate, ConferenceKind: in.ConferenceKind, ConferenceRef: in.ConferenceRef,
		AgencyID: in.AgencyID, Professional: strings.TrimSpace(in.Professional),
		Nature: in.Nature, Grounds: in.Grounds, ChairDecision: in.ChairDecision,
		Step: DissentAwaitingReview, Version: 1, Created: now, Updated: now,
	}
	// The audit content holds what was minuted but not the conference's
	// reference, which stays on the dissent's row for those with access.
	evs := []Event{
		{At: now, Actor: actor.ID, Action: DissentActionRecord, Data: map[string]any{
			"conference_date": in.ConferenceDate, "conference_kind": in.ConferenceKind, "agency": in.AgencyID,
			"professional": d.Professional, "nature": in.Nature, "grounds": in.Grounds, "chair_decision": in.ChairDecision}},
		{At: now, Actor: actor.ID, Action: DissentActionRefer, Data: map[string]any{"to": p.Workflows.CPDissents.Group}},
	}
	d.Entries = append(d.Entries, DissentEntry{ID: 1, Action: DissentActionRecord, At: now, By: actor.ID,
		Date: in.ConferenceDate, Text: in.Nature})
	if ev, ok := d.startClock(now, cal, DissentClockReview, "Review by the Dissents Group",
		p.Workflows.CPDissents.ReviewWithin, actor.ID); ok {
		evs = append(evs, ev)
	}
	return d, evs, nil
}

// startClock starts a dissent clock from start, unless within is empty.
func (d *Dissent) startClock(start time.Time, cal *calendar.Calendar, key, action, within string, actor int64) (Event, bool) {
	if strings.TrimSpace(within) == "" {
		return Event{}, false
	}
	dl := due(cal, start, within)
	c := ClockState{ID: len(d.Clocks) + 1, Stage: "dissent", Key: key, Action: action, By: "",
		Within: within, Start: start, Due: dl.Due, Immediate: dl.Immediate,
		Explanation: dl.Explain(), Status: ClockRunning}
	d.Clocks = append(d.Clocks, c)
	return Event{At: start, Actor: actor, Action: ActionClockStart, Data: clockData(&c)}, true
}

// meetClock marks the running clock with key met at now.
func (d *Dissent) meetClock(now time.Time, key string, actor int64) []Event {
	var evs []Event
	for i := range d.Clocks {
		c := &d.Clocks[i]
		if c.Key == key && c.Status == ClockRunning {
			c.Status, c.MetAt = ClockMet, now
			evs = append(evs, Event{At: now, Actor: actor, Action: ActionClockMet, Data: map[string]any{"clock": c.ID, "key": c.Key}})
		}
	}
	return evs
}

// Apply takes step action on the dissent at now, as actor, under policy p
// and its calendar: it checks the version, the step and the input, then
// changes d and returns the entry to append and the audit events. On error
// d is unchanged. Access is the caller's (CanDissent).
func (d *Dissent) Apply(now time.Time, p *Policy, cal *calendar.Calendar, actor *User, action string, in DissentStepInput) (*DissentEntry, []Event, error) {
	if !slices.Contains(DissentStepActions, action) {
		return nil, nil, Errorf(EINVALID, "%q is not a step of the dissent workflow.", action)
	}
	if in.Version != d.Version {
		return nil, nil, Errorf(ECONFLICT, "This dissent was changed by someone else; reload and try again.")
	}
	if !d.Allows(action) {
		return nil, nil, Errorf(ECONFLICT, "This dissent %s.", dissentStepWords[d.Step])
	}
	today := calendar.DateOf(now)
	if err := in.validate(action, d, cal, today); err != nil {
		return nil, nil, err
	}
	e := DissentEntry{ID: len(d.Entries) + 1, Action: action, At: now, By: actor.ID, Date: in.Date,
		People: cleanPeople(in.People), Outcome: in.Outcome, Text: in.Text, Feedback: in.Feedback,
		Recommendations: in.Recommendations}
	data := map[string]any{"step": action}
	if e.Date != "" {
		data["date"] = e.Date
	}
	if len(e.People) > 0 {
		data["people"] = e.People
	}
	for k, v := range map[string]string{"outcome": e.Outcome, "text": e.Text, "feedback": e.Feedback, "recommendations": e.Recommendations} {
		if v != "" {
			data[k] = v
		}
	}
	evs := []Event{{At: now, Actor: actor.ID, Action: action, Data: data}}
	next := *d
	next.Clocks = slices.Clone(d.Clocks)
	switch action {
	case DissentActionSchedule:
		next.Step, next.MeetingDate = DissentScheduled, in.Date
	case DissentActionEvaluate:
		next.Step = DissentEvaluated
	case DissentActionDecide:
		next.Outcome = in.Outcome
		evs = append(evs, next.meetClock(now, DissentClockReview, actor.ID)...)
		if in.Outcome == DissentUpheld {
			next.Step = DissentInvestigating
			if ev, ok := next.startClock(now, cal, DissentClockInvestigate, "Children's services report back on their investigation",
				p.Workflows.CPDissents.InvestigateWithin, actor.ID); ok {
				evs = append(evs, ev)
			}
		} else {
			next.Step = DissentClosed
			evs = append(evs, Event{At: now, Actor: actor.ID, Action: DissentActionClose, Data: map[string]any{"outcome": in.Outcome}})
		}
	case DissentActionReport:
		next.Step = DissentReportReviewed
		evs = append(evs, next.meetClock(now, DissentClockInvestigate, actor.ID)...)
	case DissentActionStrategy:
		next.Step = DissentClosed
		evs = append(evs, Event{At: now, Actor: actor.ID, Action: DissentActionClose, Data: map[string]any{"outcome": next.Outcome}})
	}
	next.Entries = append(slices.Clone(d.Entries), e)
	next.Version++
	next.Updated = now
	*d = next
	return &e, evs, nil
}

// cleanPeople trims the names and drops empty ones.
func cleanPeople(ps []string) []string {
	var out []string
	for _, p := range ps {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// DissentStepFields says which fields each step asks for.
var DissentStepFields = map[string][]string{
	DissentActionSchedule: {"date", "text"},
	DissentActionEvaluate: {"people", "text"},
	DissentActionDecide:   {"outcome", "people", "text", "feedback", "recommendations"},
	DissentActionReport:   {"date", "people", "text"},
	DissentActionStrategy: {"date", "text"},
}

// validate returns the first of Problems.
func (in *DissentStepInput) validate(action string, d *Dissent, cal *calendar.Calendar, today calendar.Date) error {
	if ps := in.Problems(action, d, cal, today); len(ps) > 0 {
		return ps[0]
	}
	return nil
}

// Problems checks every field step action on d asks for, today being
// London's date now, in the form's order, so a form can list them all.
func (in *DissentStepInput) Problems(action string, d *Dissent, cal *calendar.Calendar, today calendar.Date) []error {
	var out []error
	add := func(err error) {
		if err != nil {
			out = append(out, err)
		}
	}
	date := func(what string) (calendar.Date, bool) {
		if in.Date == "" {
			add(FieldErrorf("date", "Enter the date of %s.", what))
			return calendar.Date{}, false
		}
		t, err := calendar.ParseDate(in.Date)
		if err != nil {
			add(FieldErrorf("date", "The date of %s must be a real date, for example 14 1 2027.", what))
			return calendar.Date{}, false
		}
		return t, true
	}
	people := func(what string) {
		ps := cleanPeople(in.People)
		switch {
		case len(ps) == 0:
			add(FieldErrorf("people", "Name %s.", what))
			return
		case len(ps) > MaxParticipants:
			add(FieldErrorf("people", "Name at most %d people.", MaxParticipants))
			return
		}
		for _, p := range ps {
			if err := checkText("people", "Each name", p, true, MaxShortText); err != nil {
				add(err)
				return
			}
		}
	}
	switch action {
	case DissentActionSchedule:
		if t, ok := date("the Dissents Group meeting"); ok {
			conf, err := calendar.ParseDate(d.ConferenceDate)
			if why, off := cal.NonWorking(t); off {
				add(FieldErrorf("date", "The Dissents Group meets on a working day: %s is not one (%s). Choose another date.", longDate(t), why))
			} else if err == nil && t.Before(conf) {
				add(FieldErrorf("date", "The meeting must be on or after the conference (%s).", longDate(conf)))
			}
		}
		add(checkText("text", "The note", in.Text, false, MaxText))
	case DissentActionEvaluate:
		if m, err := calendar.ParseDate(d.MeetingDate); err == nil && today.Before(m) {
			add(Errorf(EINVALID, "The meeting is on %s: record the group's evaluation on or after that day.", longDate(m)))
		}
		people("the members of the Dissents Group who attended")
		add(checkText("text", "The group's evaluation of the chair's decision", in.Text, true, MaxText))
	case DissentActionDecide:
		if in.Outcome != DissentUpheld && in.Outcome != DissentNotUpheld {
			add(FieldErrorf("outcome", "Choose whether the dissent is upheld or not upheld."))
		}
		people("the members of the Dissents Group who made the decision")
		add(checkText("text", "The feedback and recommendations to the chair", in.Text, true, MaxText))
		add(checkText("feedback", "The feedback to the dissenting professional", in.Feedback, true, MaxText))
		add(checkText("recommendations", "The recommendations", in.Recommendations, false, MaxText))
	case DissentActionReport:
		if t, ok := date("the review"); ok && today.Before(t) {
			add(FieldErrorf("date", "The date of the review must be today or in the past."))
		}
		people("the Head of Safeguarding who reviewed the report")
		add(checkText("text", "The review of the report and its recommendations", in.Text, true, MaxText))
	case DissentActionStrategy:
		date("the strategy meeting")
		add(checkText("text", "The strategy meeting action", in.Text, true, MaxText))
	}
	return out
}

// longDate says d as "Friday 25 December 2026".
func longDate(d calendar.Date) string {
	return fmt.Sprintf("%s %d %s %d", d.Weekday(), d.Day, d.Month, d.Year)
}
