package policy

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
)

// Allowed values of a policy's enumerated fields.
var (
	Scopes     = []string{"within-agency", "between-agencies"}
	Produces   = []string{"resolution", "determination", "recommendations"}
	OnLapse    = []string{"prompt", "escalate"}
	ClockBy    = []string{"raising", "receiving"}
	StartEvent = []string{escalate.StartDecision, escalate.StartStageEntry, escalate.StartOutcomeAgreed, escalate.StartClockMet, escalate.StartClockLapsed, escalate.StartNotAgreed}
)

// keyPattern is the form of every key a policy defines: lower-case words
// joined by hyphens, safe in URLs, file names and flowcharts.
var keyPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// Check reports every problem with the content of a decoded policy: missing
// or unknown values, references to stages, clocks and roles that do not
// exist, timescales it cannot read or that contradict each other, and, as a
// warning, a review date before today. nodes gives the positions Parse
// recorded; with nil nodes problems carry no position.
func Check(p *escalate.Policy, nodes *Nodes, today calendar.Date) []Problem {
	c := &checker{p: p, nodes: nodes, file: p.ID}
	if nodes != nil {
		c.file = nodes.file
	}
	if p.Template {
		c.report(Warning, "template", "this file is a template to copy: change its values to your policy's, then delete \"template: true\"; no partnership can follow it as it is")
	}
	c.identity(today)
	c.calendar()
	c.roleDefs()
	c.categories()
	c.immediate()
	c.stages()
	c.redirects()
	c.routing()
	c.learning()
	c.goodPractice()
	c.workflows()
	for i, a := range p.Assumptions {
		c.required(fmt.Sprintf("assumptions[%d].text", i), a.Text)
	}
	sortProblems(c.probs)
	return c.probs
}

type checker struct {
	p     *escalate.Policy
	nodes *Nodes
	file  string
	cal   *calendar.Calendar
	probs []Problem
}

func (c *checker) report(sev Severity, path, format string, args ...any) {
	if c.nodes.reported(path) {
		return
	}
	line, col := c.nodes.at(path)
	c.probs = append(c.probs, Problem{File: c.file, Line: line, Col: col, Severity: sev, Message: fmt.Sprintf(format, args...)})
}

func (c *checker) errorf(path, format string, args ...any) { c.report(Error, path, format, args...) }

// required reports an empty value as missing.
func (c *checker) required(path, value string) bool {
	if strings.TrimSpace(value) == "" {
		c.errorf(path, "%s is missing", path)
		return false
	}
	return true
}

// key checks a key's form and that no earlier item used it.
func (c *checker) key(path, key, what string, seen map[string]bool) {
	if !c.required(path, key) {
		return
	}
	if !keyPattern.MatchString(key) {
		c.errorf(path, "%s key %q must be lower-case letters and digits joined by hyphens, e.g. \"stage-1\"", what, key)
	}
	if seen[key] {
		c.errorf(path, "duplicate %s key %q", what, key)
	}
	seen[key] = true
}

// oneOf checks an enumerated value; empty is allowed when the field has a
// default.
func (c *checker) oneOf(path, v string, allowed []string, emptyOK bool) {
	if v == "" && emptyOK {
		return
	}
	if v == "" {
		c.errorf(path, "%s is missing; use one of: %s", path, strings.Join(allowed, ", "))
		return
	}
	if !slices.Contains(allowed, v) {
		c.errorf(path, "%s: unknown value %q; use one of: %s", path, v, strings.Join(allowed, ", "))
	}
}

func (c *checker) role(path string, r escalate.Role) {
	if r == "" {
		c.errorf(path, "%s is missing", path)
		return
	}
	if c.p.KnownRole(r) {
		return
	}
	msg := fmt.Sprintf("unknown role %q in %s: it is not built in and not declared under roles", r, path)
	var names []string
	for _, b := range escalate.BuiltinRoles {
		names = append(names, string(b))
	}
	for _, d := range c.p.Roles {
		names = append(names, string(d.Key))
	}
	if s := suggest(string(r), names); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	}
	c.errorf(path, "%s", msg)
}

func (c *checker) roles(path string, rs []escalate.Role, required bool) {
	if required && len(rs) == 0 {
		c.errorf(path, "%s is missing: name at least one role", path)
	}
	for i, r := range rs {
		c.role(fmt.Sprintf("%s[%d]", path, i), r)
	}
}

// caseRole checks a role that acts on a case, is told of it or opens it
// (a stage's raising, receiving, copy and meeting roles; routing alerts;
// who hears of good practice): it must be one that deals with cases
// (escalate.DealsWithCases), never an administrator or a data protection
// officer, whom routing never names.
func (c *checker) caseRole(path string, r escalate.Role) {
	c.role(path, r)
	if r != "" && !escalate.DealsWithCases(r) {
		c.errorf(path, "role %q in %s never deals with cases: an administrator or data protection officer may not act on, be told of or open a case; name a role that does", r, path)
	}
}

// caseRoles is roles for roles that deal with cases (caseRole).
func (c *checker) caseRoles(path string, rs []escalate.Role, required bool) {
	if required && len(rs) == 0 {
		c.errorf(path, "%s is missing: name at least one role", path)
	}
	for i, r := range rs {
		c.caseRole(fmt.Sprintf("%s[%d]", path, i), r)
	}
}

// timescale reads a timescale; ok is false when it is empty or unreadable.
func (c *checker) timescale(path, s string) (calendar.Timescale, bool) {
	if s == "" {
		return calendar.Timescale{}, false
	}
	ts, err := calendar.ParseTimescale(s)
	if err != nil {
		c.errorf(path, "%s: %v (see doc/deadlines.md)", path, err)
		return ts, false
	}
	return ts, true
}

func (c *checker) date(path, s string) (calendar.Date, bool) {
	if s == "" {
		return calendar.Date{}, false
	}
	d, err := calendar.ParseDate(s)
	if err != nil || d.String() != s {
		c.errorf(path, "%s: %q is not a date; write YYYY-MM-DD", path, s)
		return d, false
	}
	return d, true
}

func (c *checker) identity(today calendar.Date) {
	p := c.p
	if c.required("id", p.ID) && !keyPattern.MatchString(p.ID) {
		c.errorf("id", "id %q must be lower-case letters and digits joined by hyphens, e.g. \"redbridge\"", p.ID)
	}
	c.required("name", p.Name)
	c.required("version", p.Version)
	approved, okA := c.date("approved", p.Approved)
	review, okR := c.date("review_date", p.ReviewDate)
	switch {
	case p.ReviewDate == "":
		c.report(Warning, "review_date", "review_date is missing: a business manager cannot tell when this policy needs review")
	case okR && review.Before(today):
		c.report(Warning, "review_date", "this policy was due for review on %s", longDate(review))
	}
	if okA && okR && review.Before(approved) {
		c.errorf("review_date", "review_date %s is before the approval date %s", p.ReviewDate, p.Approved)
	}
}

func (c *checker) calendar() {
	div := c.p.Calendar.Division
	if div == "" {
		div = calendar.EnglandAndWales
	}
	cal, err := calendar.New(div)
	if err != nil {
		c.errorf("calendar.division", "calendar.division: %v; use one of: %s", err, strings.Join(calendar.Divisions(), ", "))
		cal, _ = calendar.New(calendar.EnglandAndWales)
	}
	c.cal = cal
	if e := c.p.Calendar.WorkingDayEnds; e != "" {
		h, m, ok := clockTime(e)
		if !ok || cal.SetWorkingDayEnd(h, m) != nil {
			c.errorf("calendar.working_day_ends", "calendar.working_day_ends: %q is not a time of day; write HH:MM, e.g. \"17:00\"", e)
		}
	}
}

// clockTime reads HH:MM.
func clockTime(s string) (h, m int, ok bool) {
	hs, ms, found := strings.Cut(s, ":")
	if !found || len(hs) != 2 || len(ms) != 2 {
		return 0, 0, false
	}
	h, err1 := strconv.Atoi(hs)
	m, err2 := strconv.Atoi(ms)
	return h, m, err1 == nil && err2 == nil
}

func (c *checker) roleDefs() {
	seen := map[string]bool{}
	for i, d := range c.p.Roles {
		path := fmt.Sprintf("roles[%d]", i)
		c.key(path+".key", string(d.Key), "role", seen)
		if slices.Contains(escalate.BuiltinRoles, d.Key) {
			c.errorf(path+".key", "role %q is built in; do not declare it", d.Key)
		}
		c.required(path+".name", d.Name)
	}
}

func (c *checker) categories() {
	seen := map[string]bool{}
	for i, cat := range c.p.Categories {
		path := fmt.Sprintf("categories[%d]", i)
		c.key(path+".key", cat.Key, "category", seen)
		c.required(path+".name", cat.Name)
	}
}

func (c *checker) immediate() {
	im := c.p.Immediate
	if im.Instruction == "" && len(im.Contacts) == 0 {
		c.errorf("immediate_risk", "immediate_risk is empty: every policy must say what to do first when a child is at immediate risk")
		return
	}
	c.required("immediate_risk.instruction", im.Instruction)
	if len(im.Contacts) == 0 {
		c.errorf("immediate_risk.contacts", "immediate_risk.contacts is missing: name who to contact when a child is at immediate risk")
	}
	c.roles("immediate_risk.contacts", im.Contacts, false)
	if ts, ok := c.timescale("immediate_risk.within", im.Within); ok &&
		ts.Kind != calendar.Immediately && ts.Kind != calendar.SameWorkingDay {
		c.errorf("immediate_risk.within", "immediate_risk.within must be \"immediately\" or \"same working day\", not %q", im.Within)
	}
}

func (c *checker) stages() {
	if len(c.p.Stages) == 0 {
		c.errorf("stages", "stages is missing: a policy needs at least one stage")
		return
	}
	seen := map[string]bool{}
	for i, s := range c.p.Stages {
		path := fmt.Sprintf("stages[%d]", i)
		c.key(path+".key", s.Key, "stage", seen)
	}
	for i := range c.p.Stages {
		c.stage(i)
	}
}

func (c *checker) stage(i int) {
	s := &c.p.Stages[i]
	path := fmt.Sprintf("stages[%d]", i)
	c.required(path+".name", s.Name)
	c.oneOf(path+".scope", s.Scope, Scopes, false)
	c.caseRoles(path+".raising", s.Raising, true)
	c.caseRoles(path+".receiving", s.Receive, true)
	c.caseRoles(path+".copy", s.Copy, false)
	seen := map[string]bool{}
	for j, f := range s.Record {
		fp := fmt.Sprintf("%s.record[%d]", path, j)
		if !slices.Contains(escalate.RecordFields, f) {
			c.errorf(fp, "%s: unknown record field %q; use any of: %s", fp, f, strings.Join(escalate.RecordFields, ", "))
		} else if seen[f] {
			c.errorf(fp, "%s: record field %q is listed twice", fp, f)
		}
		seen[f] = true
	}
	if m := s.Meeting; m != nil {
		if m.Chair == "" {
			c.errorf(path+".meeting.chair", "%s.meeting has no chair: name the role that chairs it", path)
		} else {
			c.caseRole(path+".meeting.chair", m.Chair)
		}
		c.caseRoles(path+".meeting.attendees", m.Attendees, false)
	}
	c.oneOf(path+".produces", s.Produces, Produces, true)
	c.oneOf(path+".on_lapse", s.OnLapse, OnLapse, true)
	if s.Proforma && c.p.Learning.ProformaTo == "" {
		c.errorf(path+".proforma", "%s sends a proforma but learning.proforma_to does not say to whom", path)
	}
	for j, to := range s.SkipTo {
		sp := fmt.Sprintf("%s.may_skip_to[%d]", path, j)
		_, k := c.p.Stage(to)
		switch {
		case k < 0:
			c.errorf(sp, "%s: no stage has key %q", sp, to)
		case k <= i:
			c.errorf(sp, "%s: stage %q is not later than %q; a case may only skip forward", sp, to, s.Key)
		}
	}
	clockKeys := map[string]bool{}
	for j := range s.Clocks {
		c.clock(i, j, clockKeys)
	}
}

func (c *checker) clock(i, j int, seen map[string]bool) {
	s := &c.p.Stages[i]
	k := s.Clocks[j]
	path := fmt.Sprintf("stages[%d].clocks[%d]", i, j)
	c.key(path+".key", k.Key, "clock", seen)
	c.required(path+".action", k.Action)
	c.oneOf(path+".by", k.By, ClockBy, false)
	within, okW := c.timescale(path+".within", k.Within)
	if k.Within == "" {
		c.errorf(path+".within", "%s.within is missing: say how long, e.g. \"5 working days\"", path)
	}
	if inc, ok := c.timescale(path+".increased_risk", k.Increased); ok && okW && c.cal.Longer(inc, within) {
		c.errorf(path+".increased_risk", "%s.increased_risk %q can be longer than within %q; at increased risk a timescale may only be shorter", path, k.Increased, k.Within)
	}

	c.metBy(path, i, k)
	if k.Route != "" && !keyPattern.MatchString(k.Route) {
		c.errorf(path+".route", "%s.route %q must be lower-case letters and digits joined by hyphens, e.g. \"meet\"", path, k.Route)
	}

	st := k.Starts
	c.oneOf(path+".starts.event", st.Event, StartEvent, false)
	target := s
	if st.Stage != "" {
		t, _ := c.p.Stage(st.Stage)
		if t == nil {
			c.errorf(path+".starts.stage", "%s.starts.stage: no stage has key %q", path, st.Stage)
			return
		}
		target = t
	}
	byClock := st.Event == escalate.StartClockMet || st.Event == escalate.StartClockLapsed
	switch {
	case st.Event == escalate.StartClockMet && st.Clock == "":
		c.errorf(path+".starts", "%s.starts.clock is missing: event clock-met needs the clock whose deadline was met", path)
	case st.Event == escalate.StartClockLapsed && st.Clock == "":
		c.errorf(path+".starts", "%s.starts.clock is missing: event clock-lapsed needs the clock whose lapse starts this one", path)
	case !byClock && st.Clock != "" && slices.Contains(StartEvent, st.Event):
		c.errorf(path+".starts.clock", "%s.starts.clock is only used with events clock-met and clock-lapsed", path)
	case st.Clock != "":
		if !slices.ContainsFunc(target.Clocks, func(o escalate.Clock) bool { return o.Key == st.Clock }) {
			c.errorf(path+".starts.clock", "%s.starts.clock: stage %q has no clock %q", path, target.Key, st.Clock)
		} else if target == s && st.Clock == k.Key {
			c.errorf(path+".starts.clock", "%s.starts.clock: clock %q cannot start itself", path, k.Key)
		}
	}
}

// metBy checks what meets clock k of stage i: its met_by, or else (a clock
// a not-agreed record starts) escalating, or else a key (or first word of
// its action) Escalate knows; and that this can happen at stage i. A clock
// nothing can meet would run until its stage ends and prompt people who
// had done what it asks.
func (c *checker) metBy(path string, i int, k escalate.Clock) {
	if k.MetBy != "" {
		if !slices.Contains(escalate.MetByNames, k.MetBy) {
			c.oneOf(path+".met_by", k.MetBy, escalate.MetByNames, true)
			return
		}
	} else if k.Key == "" || k.Action == "" {
		return // reported as missing already
	}
	m, ok := k.Meets()
	if !ok {
		first := ""
		if f := strings.Fields(k.Action); len(f) > 0 {
			first = strings.Trim(strings.ToLower(f[0]), ".,;:!?")
		}
		c.errorf(path+".key", "%s: nothing can meet clock %q: Escalate knows neither its key nor the first word of its action (%q); say what meets it with met_by, one of: %s",
			path, k.Key, first, strings.Join(escalate.MetByNames, ", "))
		return
	}
	field := path + ".met_by"
	if k.MetBy == "" {
		field = path + ".key"
		// A clock the parties' not agreeing starts is met by escalating:
		// say so where its key names another step (a meeting, say).
		if byKey, _ := escalate.ClockMetBy(k.Key, k.Action); k.Starts.Event == escalate.StartNotAgreed && byKey != "" && byKey != escalate.MetByRecord && byKey != m {
			c.report(Warning, field, "%s: clock %q starts when the parties could not agree, so escalating meets it, not what its key says; if something else does (a meeting?), say so with met_by", path, k.Key)
		}
	}
	s := &c.p.Stages[i]
	last := i == len(c.p.Stages)-1
	switch {
	case m == escalate.MetByEscalation && last:
		why := "it is met by escalating"
		if k.MetBy == "" {
			why = "a clock a not-agreed record starts is met by escalating, unless its met_by says otherwise"
		}
		c.errorf(field, "%s: nothing can meet clock %q: %s, and %q is the final stage", path, k.Key, why, s.Key)
	case m == escalate.MetByRaise && i != 0:
		c.errorf(field, "%s: nothing can meet clock %q: it is met by raising the escalation, which happens at the first stage, not at %q", path, k.Key, s.Key)
	case m == escalate.MetByDetermine && !last && s.Produces != escalate.OutcomeDetermination && s.Produces != escalate.OutcomeRecommendations:
		c.errorf(field, "%s: nothing can meet clock %q: it is met by a determination or recommendations, which stage %q does not make (say produces: determination or recommendations, or use another met_by)", path, k.Key, s.Key)
	}
}

func (c *checker) redirects() {
	seen := map[string]bool{}
	for i, r := range c.p.Redirects {
		path := fmt.Sprintf("redirects[%d]", i)
		c.key(path+".key", r.Key, "redirect", seen)
		c.required(path+".matter", r.Matter)
		c.required(path+".to", r.To)
		if r.Contact != "" {
			c.role(path+".contact", r.Contact)
		}
	}
}

func (c *checker) routing() {
	for i, r := range c.p.Routing {
		path := fmt.Sprintf("routing[%d]", i)
		if c.required(path+".when.agency_kind", r.When.AgencyKind) && !escalate.KnownAgencyKind(r.When.AgencyKind) {
			c.errorf(path+".when.agency_kind", "%s.when.agency_kind %q is not an agency kind Escalate knows: use one of %s", path, r.When.AgencyKind, strings.Join(escalate.AgencyKindKeys(), ", "))
		}
		c.caseRoles(path+".alert", r.Alert, true)
	}
}

func (c *checker) learning() {
	l := c.p.Learning
	if l.PolicyGapsTo != "" {
		c.role("learning.policy_gaps_to", l.PolicyGapsTo)
	}
	if l.ProformaTo != "" {
		c.role("learning.proforma_to", l.ProformaTo)
	}
	if l.PatternThreshold < 0 {
		c.errorf("learning.pattern_threshold", "learning.pattern_threshold must be 0 (off) or more, not %d", l.PatternThreshold)
	}
}

func (c *checker) goodPractice() {
	if g := c.p.GoodPractice; g != nil {
		c.caseRoles("good_practice.tell", g.Tell, false)
	}
}

func (c *checker) workflows() {
	d := c.p.Workflows.CPDissents
	if d == nil {
		return
	}
	const path = "workflows.cp_conference_dissents"
	c.required(path+".group", d.Group)
	c.timescale(path+".review_within", d.ReviewWithin)
	c.timescale(path+".investigate_within", d.InvestigateWithin)
}

// longDate formats d as "1 May 2019".
func longDate(d calendar.Date) string {
	return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).Format("2 January 2006")
}
