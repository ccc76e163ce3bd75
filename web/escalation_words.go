package web

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
	"github.com/escalate-project/escalate/policy"
)

// calendars caches a built-in calendar per division and working-day end:
// counting "working days left" needs the bank holidays, not the exact
// imported list the deadline itself was computed on.
var calendars sync.Map // "division/HH:MM" → *calendar.Calendar

// calendarOf returns the calendar the policy counts working days on, or nil
// when its division is unknown.
func calendarOf(p *escalate.Policy) *calendar.Calendar {
	div, ends := p.Calendar.Division, p.Calendar.WorkingDayEnds
	if div == "" {
		div = "england-and-wales"
	}
	key := div + "/" + ends
	if c, ok := calendars.Load(key); ok {
		return c.(*calendar.Calendar)
	}
	c, err := calendar.New(div)
	if err != nil {
		return nil
	}
	var h, m int
	if _, err := fmt.Sscanf(ends, "%d:%d", &h, &m); err == nil {
		c.SetWorkingDayEnd(h, m)
	}
	got, _ := calendars.LoadOrStore(key, c)
	return got.(*calendar.Calendar)
}

// London formats, as the pages show them.
const (
	dayFormat     = "Mon 2 Jan 2006"
	dayTimeFormat = "15:04 Mon 2 Jan 2006"
)

// londonDay is t's date on the London wall clock, e.g. "Wed 30 Dec 2026".
func londonDay(t time.Time) string { return t.In(calendar.London).Format(dayFormat) }

// londonTime is t on the London wall clock, e.g. "14:30 Wed 30 Dec 2026".
func londonTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(calendar.London).Format(dayTimeFormat)
}

// endOfDay reports whether t is the end of a working day on cal, so the
// words can say "by end of Wed 30 Dec" rather than "by 17:00".
func endOfDay(cal *calendar.Calendar, t time.Time) bool {
	h, m := 17, 0
	if cal != nil {
		h, m = cal.WorkingDayEnd()
	}
	l := t.In(calendar.London)
	return l.Hour() == h && l.Minute() == m
}

// dueWords says in plain words when a clock is due, judged at now:
// "due by end of Wed 30 Dec 2026 — 2 working days left", "overdue: was due
// by end of Tue 29 Dec 2026", "act now: immediately".
func dueWords(c escalate.ClockState, now time.Time, cal *calendar.Calendar) string {
	switch {
	case c.Status == escalate.ClockMet:
		return "done " + londonTime(c.MetAt)
	case c.Status == escalate.ClockStopped:
		return "stopped: the stage ended or the case closed"
	case c.Immediate:
		return "act now: this needs action immediately"
	}
	by := "by " + londonTime(c.Due)
	if endOfDay(cal, c.Due) {
		by = "by end of " + londonDay(c.Due)
	}
	if c.Overdue(now) {
		return "overdue: was due " + by
	}
	today, dueDay := calendar.DateOf(now), calendar.DateOf(c.Due)
	if !today.Before(dueDay) {
		return "due " + by + " — today"
	}
	if cal == nil {
		return "due " + by
	}
	n := 0
	for d := today.AddDays(1); !dueDay.Before(d); d = d.AddDays(1) {
		if cal.IsWorkingDay(d) {
			n++
		}
	}
	return fmt.Sprintf("due %s — %s left", by, plural(n, "working day"))
}

// plural is "1 working day", "2 working days".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// stageName is the name of stage key under p, or the key itself.
func stageName(p *escalate.Policy, key string) string {
	if p != nil {
		if st, _ := p.Stage(key); st != nil {
			return st.Name
		}
	}
	return key
}

// stageTitle is "Stage 2 of 4: Team managers and safeguarding leads".
func stageTitle(p *escalate.Policy, i int) string {
	if p == nil || i < 0 || i >= len(p.Stages) {
		return fmt.Sprintf("Stage %d", i+1)
	}
	return fmt.Sprintf("Stage %d of %d: %s", i+1, len(p.Stages), p.Stages[i].Name)
}

// roleWords names roles in plain words under p: "line manager or named or
// designated safeguarding lead".
func roleWords(p *escalate.Policy, rs []escalate.Role) string {
	names := make([]string, len(rs))
	for i, r := range rs {
		names[i] = policy.RoleName(p, r)
	}
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// statusTags are each status's tag colour; its words are Status.Words.
var statusTags = map[escalate.Status]string{
	escalate.StatusOpen: "govuk-tag--blue", escalate.StatusResolved: "govuk-tag--green",
	escalate.StatusRedirected: "govuk-tag--purple", escalate.StatusWithdrawn: "govuk-tag--grey",
}

// categoryNames are the names of e's categories under p.
func categoryNames(p *escalate.Policy, keys []string) []string {
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		name := k
		for _, c := range p.Categories {
			if c.Key == k {
				name = c.Name
			}
		}
		out = append(out, name)
	}
	return out
}

// timelineItem is one event as the timeline shows it.
type timelineItem struct {
	When   string
	Title  string
	Who    string
	Detail string
	Told   string // who was told, by name; "" when nobody was or the event tells no one
	Record int    // the record it concerns, for a link; 0 for none
}

// timeline turns v's events into the case's chronology in plain words. It
// leaves out views (who opened the case is in the audit log, not news for
// the people working on it) and the deadlines' own bookkeeping, which the
// page's deadlines show: a deadline starting, stopping because the stage
// ended, or being met in time. A deadline met late stays in.
func (v *caseView) timeline() []timelineItem {
	var out []timelineItem
	for _, ev := range v.Events {
		switch ev.Action {
		case escalate.ActionView, escalate.ActionAttachmentDownload, escalate.ActionCaseFileDownload,
			escalate.ActionClockStart, escalate.ActionClockStop:
			continue
		case escalate.ActionClockMet:
			if late, _ := ev.Data["late"].(bool); !late {
				continue
			}
		}
		it := timelineItem{When: londonTime(ev.At), Title: ev.Title(), Who: v.People[ev.Actor]}
		if it.Who == "" {
			it.Who = "Escalate"
		}
		it.Detail, it.Record = v.eventDetail(ev)
		it.Told = v.toldWords(ev)
		out = append(out, it)
	}
	return out
}

// eventDetail says briefly what an event changed. Records are shown in
// full in their own section, so the timeline only points to them.
func (v *caseView) eventDetail(ev escalate.Event) (string, int) {
	d := ev.Data
	str := func(k string) string { s, _ := d[k].(string); return s }
	num := func(k string) int { f, _ := d[k].(float64); return int(f) }
	when := func(k string) string {
		t, err := time.Parse(time.RFC3339Nano, str(k))
		if err != nil {
			return ""
		}
		return londonTime(t)
	}
	if d == nil {
		return "", 0
	}
	switch ev.Action {
	case escalate.ActionRaise:
		if i := v.stageIndex(str("stage")); i >= 0 {
			return "At " + stageTitle(v.Policy, i) + ".", 0
		}
		return "At " + stageName(v.Policy, str("stage")) + ".", 0
	case escalate.ActionEscalate:
		return fmt.Sprintf("From %s to %s. Reason: %s", stageName(v.Policy, str("from")), stageName(v.Policy, str("to")), str("reason")), 0
	case escalate.ActionRecordAdd:
		switch str("result") {
		case escalate.ResultAgreed:
			return fmt.Sprintf("Record %d: %s. They agreed.", num("record"), strings.ToLower(escalate.FormWords(str("form")))), num("record")
		case escalate.ResultNotAgreed:
			return fmt.Sprintf("Record %d: %s. They could not agree.", num("record"), strings.ToLower(escalate.FormWords(str("form")))), num("record")
		}
		return fmt.Sprintf("Record %d: %s.", num("record"), strings.ToLower(escalate.FormWords(str("form")))), num("record")
	case escalate.ActionRecordApprove:
		return fmt.Sprintf("Record %d approved and dated.", num("record")), num("record")
	case escalate.ActionOutcomeAgree:
		return str("outcome"), 0
	case escalate.ActionOutcomeConfirm:
		return str("text"), 0
	case escalate.ActionDetermine:
		if id := int64(num("chair_agency")); id != 0 {
			return fmt.Sprintf("%s The meeting was chaired from %s, an agency not involved.", str("text"), v.Agencies[id]), 0
		}
		return str("text"), 0
	case escalate.ActionRedirect:
		return fmt.Sprintf("To %s. %s", str("to"), str("reason")), 0
	case escalate.ActionWithdraw:
		return "Reason: " + str("reason"), 0
	case escalate.ActionResolve:
		return upperFirst(str("why")) + ".", 0
	case escalate.ActionRiskRaise, escalate.ActionRiskLower:
		return fmt.Sprintf("To %s. Reason: %s", str("to"), str("reason")), 0
	case escalate.ActionRiskImmediate:
		return str("action"), 0
	case escalate.ActionClockMet:
		return v.clockAction(num("clock")) + ": done after its deadline.", 0
	case escalate.ActionClockShorten:
		return v.clockAction(num("clock")) + ": " + str("reason"), 0
	case escalate.ActionClockRecompute:
		if due := when("due"); due != "" {
			return fmt.Sprintf("%s: now due by %s.", v.clockAction(num("clock")), due), 0
		}
		return v.clockAction(num("clock")) + ".", 0
	case escalate.ActionClockLapse:
		return v.clockAction(num("clock")) + ": not done by its deadline; the next deadline runs from it.", 0
	case escalate.ActionPartyName:
		if took, _ := d["took"].(bool); took {
			return v.People[int64(num("user"))] + " took this escalation.", 0
		}
		return v.People[int64(num("user"))] + " is now dealing with this escalation.", 0
	case escalate.ActionAttachmentAdd:
		return fmt.Sprintf("%s (%s).", str("name"), escalate.SizeWords(int64(num("size")))), 0
	case escalate.ActionPartyRemove:
		return v.People[int64(num("user"))] + " is no longer named as dealing with it.", 0
	case escalate.ActionMeetingChair:
		return v.People[int64(num("user"))] + " of " + v.Agencies[int64(num("agency"))] + " will chair the meeting.", 0
	}
	return "", 0
}

// upperFirst capitalises the first letter of s.
func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// toldWords names who an event says was told, with their team; "" for
// nobody.
func (v *caseView) toldWords(ev escalate.Event) string {
	told, _ := ev.Data["told"].([]any)
	var ids []int64
	for _, t := range told {
		if f, ok := t.(float64); ok {
			ids = append(ids, int64(f))
		}
	}
	return v.peopleWords(ids)
}

// clockAction is what a deadline asks for, by its number on the case, in
// place of the number.
func (v *caseView) clockAction(id int) string {
	for _, c := range v.E.Clocks {
		if c.ID == id {
			return c.Action
		}
	}
	return "A deadline"
}

// stageIndex is the position of stage key in the pinned policy, or -1.
func (v *caseView) stageIndex(key string) int {
	if v.Policy == nil {
		return -1
	}
	if st, i := v.Policy.Stage(key); st != nil {
		return i
	}
	return -1
}
