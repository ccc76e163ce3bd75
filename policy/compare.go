package policy

import (
	"fmt"
	"slices"
	"strings"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
)

// Change is one difference between two versions of a policy, in plain
// English, under the heading of the part of the policy it is in.
type Change struct {
	Section string // "The policy", "Roles", "Categories", "Immediate risk", "Stages", "Redirects", "Who else is told", "Learning"
	Text    string // e.g. "Stage 2 (Practitioners): “Reply to the worker” is now within 4 working days (was within 3 working days)."
}

// Compare says in plain English what changes from the policy in force, old,
// to its new version, new: stages, their clocks, who acts and who is copied,
// meetings, roles, categories, redirects, routing, the immediate-risk route,
// learning, and the version, dates and calendar. It returns nothing when the
// two say the same. Stages, clocks, roles, categories and redirects are
// matched by key, so a renamed key reads as one removed and one added.
func Compare(old, new *escalate.Policy) []Change {
	c := &comparer{old: old, new: new}
	c.identity()
	c.roles()
	c.categories()
	c.immediate()
	c.stages()
	c.redirects()
	c.routing()
	c.learning()
	c.goodPractice()
	return c.out
}

type comparer struct {
	old, new *escalate.Policy
	out      []Change
}

func (c *comparer) add(section, format string, args ...any) {
	c.out = append(c.out, Change{Section: section, Text: fmt.Sprintf(format, args...)})
}

// was writes "now X (was Y)" for a value that changed; empty values read as
// none.
func was(now, before string) string {
	if now == "" {
		now = "none"
	}
	if before == "" {
		before = "none"
	}
	return fmt.Sprintf("%s (was %s)", now, before)
}

func (c *comparer) identity() {
	o, n := c.old, c.new
	const sec = "The policy"
	if o.Name != n.Name {
		c.add(sec, "The partnership's name is now %q (was %q).", n.Name, o.Name)
	}
	if o.Version != n.Version {
		c.add(sec, "Version %s replaces version %s.", n.Version, o.Version)
	}
	if o.Approved != n.Approved {
		c.add(sec, "Approved: %s.", was(dayWords(n.Approved), dayWords(o.Approved)))
	}
	if o.ReviewDate != n.ReviewDate {
		c.add(sec, "Due for review: %s.", was(dayWords(n.ReviewDate), dayWords(o.ReviewDate)))
	}
	if o.Source != n.Source {
		c.add(sec, "The source document is now %q (was %q).", sourceWords(n.Source), sourceWords(o.Source))
	}
	if divisionWords(o.Calendar.Division) != divisionWords(n.Calendar.Division) {
		c.add(sec, "Working days now exclude %s bank holidays (was %s).", divisionWords(n.Calendar.Division), divisionWords(o.Calendar.Division))
	}
	if dayEnd(o) != dayEnd(n) {
		c.add(sec, "A working day now ends at %s (was %s).", dayEnd(n), dayEnd(o))
	}
	if len(o.Assumptions) != len(n.Assumptions) || !slices.Equal(assumptionTexts(o), assumptionTexts(n)) {
		c.add(sec, "What the policy file assumes where its source is silent has changed (%d assumptions, was %d).", len(n.Assumptions), len(o.Assumptions))
	}
}

func dayWords(d string) string {
	if t, err := calendar.ParseDate(d); err == nil {
		return longDate(t)
	}
	return d
}

func dayEnd(p *escalate.Policy) string {
	if p.Calendar.WorkingDayEnds == "" {
		return "17:00"
	}
	return p.Calendar.WorkingDayEnds
}

func sourceWords(s escalate.Source) string {
	return strings.TrimSpace(strings.Join(slices.DeleteFunc([]string{s.Title, s.Date, s.Ref}, func(x string) bool { return x == "" }), ", "))
}

func assumptionTexts(p *escalate.Policy) []string {
	var out []string
	for _, a := range p.Assumptions {
		out = append(out, a.Text+"|"+a.Cite)
	}
	return out
}

func (c *comparer) roles() {
	const sec = "Roles"
	for _, n := range c.new.Roles {
		i := slices.IndexFunc(c.old.Roles, func(o escalate.RoleDef) bool { return o.Key == n.Key })
		switch {
		case i < 0:
			c.add(sec, "New role: %s (%s).", n.Name, n.Key)
		case c.old.Roles[i].Name != n.Name:
			c.add(sec, "The role %s is now called %q (was %q).", n.Key, n.Name, c.old.Roles[i].Name)
		case c.old.Roles[i].Help != n.Help:
			c.add(sec, "The description of the role %s has changed.", n.Name)
		}
	}
	for _, o := range c.old.Roles {
		if !slices.ContainsFunc(c.new.Roles, func(n escalate.RoleDef) bool { return n.Key == o.Key }) {
			c.add(sec, "Role removed: %s (%s).", o.Name, o.Key)
		}
	}
}

func (c *comparer) categories() {
	const sec = "Categories"
	for _, n := range c.new.Categories {
		i := slices.IndexFunc(c.old.Categories, func(o escalate.Category) bool { return o.Key == n.Key })
		switch {
		case i < 0:
			c.add(sec, "New category: %s.", n.Name)
		case c.old.Categories[i].Name != n.Name:
			c.add(sec, "The category %q is now called %q.", c.old.Categories[i].Name, n.Name)
		case c.old.Categories[i].Help != n.Help:
			c.add(sec, "The description of the category %q has changed.", n.Name)
		}
	}
	for _, o := range c.old.Categories {
		if !slices.ContainsFunc(c.new.Categories, func(n escalate.Category) bool { return n.Key == o.Key }) {
			c.add(sec, "Category removed: %s. Open escalations in it keep it.", o.Name)
		}
	}
}

func (c *comparer) immediate() {
	o, n := c.old.Immediate, c.new.Immediate
	const sec = "Immediate risk"
	if o.Instruction != n.Instruction {
		c.add(sec, "What to do first is now: %q.", n.Instruction)
	}
	if on, nn := roleList(c.old, o.Contacts, "then"), roleList(c.new, n.Contacts, "then"); on != nn {
		c.add(sec, "Contact, in this order: %s.", was(nn, on))
	}
	if o.Within != n.Within {
		c.add(sec, "When: %s.", was(TimescaleWords(n.Within), TimescaleWords(o.Within)))
	}
	if o.Record != n.Record {
		c.add(sec, "What to record is now: %q.", n.Record)
	}
}

func (c *comparer) stages() {
	const sec = "Stages"
	for i := range c.new.Stages {
		ns := &c.new.Stages[i]
		os, j := c.old.Stage(ns.Key)
		if os == nil {
			c.add(sec, "New stage %d of %d: %s.", i+1, len(c.new.Stages), ns.Name)
			continue
		}
		title := fmt.Sprintf("Stage %d (%s)", i+1, ns.Name)
		if i != j {
			c.add(sec, "%s was stage %d.", title, j+1)
		}
		c.stage(title, os, ns)
	}
	for j := range c.old.Stages {
		if s, _ := c.new.Stage(c.old.Stages[j].Key); s == nil {
			c.add(sec, "Stage removed: %s (was stage %d). Open escalations at it stay on the version in force.", c.old.Stages[j].Name, j+1)
		}
	}
}

// stage compares one stage kept under the same key.
func (c *comparer) stage(title string, o, n *escalate.Stage) {
	const sec = "Stages"
	say := func(format string, args ...any) { c.add(sec, title+": "+format, args...) }
	if o.Name != n.Name {
		say("now called %q (was %q).", n.Name, o.Name)
	}
	if o.Scope != n.Scope {
		say("now %s (was %s).", scopeWords(n.Scope), scopeWords(o.Scope))
	}
	if a, b := roleList(c.new, n.Raising, "or"), roleList(c.old, o.Raising, "or"); a != b {
		say("raised by %s.", was(a, b))
	}
	if a, b := roleList(c.new, n.Receive, "or"), roleList(c.old, o.Receive, "or"); a != b {
		say("dealt with by %s.", was(a, b))
	}
	if a, b := roleList(c.new, n.Copy, "and"), roleList(c.old, o.Copy, "and"); a != b {
		say("copied in: %s.", was(orNobody(a), orNobody(b)))
	}
	if a, b := meetingWords(c.new, n.Meeting), meetingWords(c.old, o.Meeting); a != b {
		say("%s.", was(a, b))
	}
	if producesWords[n.Produces] != producesWords[o.Produces] {
		say("produces %s.", was(producesWords[n.Produces], producesWords[o.Produces]))
	}
	if lapseWords(n.OnLapse) != lapseWords(o.OnLapse) {
		say("when a timescale lapses, %s.", was(lapseWords(n.OnLapse), lapseWords(o.OnLapse)))
	}
	if o.Approval != n.Approval {
		say("a manager approves and dates each record: %s.", was(yesNo(n.Approval), yesNo(o.Approval)))
	}
	if o.Proforma != n.Proforma {
		say("a proforma when resolved here: %s.", was(yesNo(n.Proforma), yesNo(o.Proforma)))
	}
	if added, gone := diffStrings(o.Record, n.Record); len(added)+len(gone) > 0 {
		var parts []string
		if len(added) > 0 {
			parts = append(parts, "now also records "+recordList(added))
		}
		if len(gone) > 0 {
			parts = append(parts, "no longer records "+recordList(gone))
		}
		say("%s.", strings.Join(parts, "; "))
	}
	if added, gone := diffStrings(o.SkipTo, n.SkipTo); len(added)+len(gone) > 0 {
		say("may skip to %s.", was(orNobody(stageList(c.new, n.SkipTo)), orNobody(stageList(c.old, o.SkipTo))))
	}
	if o.Facilitated != n.Facilitated {
		say("a facilitated conversation, with an independent facilitator: %s.", was(yesNo(n.Facilitated), yesNo(o.Facilitated)))
	}
	if o.Help != n.Help {
		say("the guidance for practitioners has changed.")
	}
	for _, nk := range n.Clocks {
		i := slices.IndexFunc(o.Clocks, func(k escalate.Clock) bool { return k.Key == nk.Key })
		if i < 0 {
			say("new timescale %q (%s): %s.", strings.TrimSuffix(nk.Action, "."), sideWords(nk.By), clockWords(c.new, n, nk))
			continue
		}
		c.clock(title, o, n, o.Clocks[i], nk)
	}
	for _, ok := range o.Clocks {
		if !slices.ContainsFunc(n.Clocks, func(k escalate.Clock) bool { return k.Key == ok.Key }) {
			say("timescale removed: %q.", strings.TrimSuffix(ok.Action, "."))
		}
	}
}

// clock compares one clock kept under the same key.
func (c *comparer) clock(title string, os, ns *escalate.Stage, o, n escalate.Clock) {
	name := fmt.Sprintf("%s: %q", title, strings.TrimSuffix(n.Action, "."))
	say := func(format string, args ...any) { c.add("Stages", name+" "+format, args...) }
	if o.Action != n.Action {
		say("(the %s clock) was %q.", n.Key, strings.TrimSuffix(o.Action, "."))
	}
	if o.By != n.By {
		say("is now for the %s (was the %s).", sideWords(n.By), sideWords(o.By))
	}
	if o.Within != n.Within {
		say("is now %s (was %s).", TimescaleWords(n.Within), TimescaleWords(o.Within))
	}
	if o.Increased != n.Increased {
		say("at increased risk: %s.", was(TimescaleWords(n.Increased), TimescaleWords(o.Increased)))
	}
	if a, b := startWords(c.new, ns, n.Starts), startWords(c.old, os, o.Starts); a != b {
		say("now starts from %s (was from %s).", a, b)
	}
	if a, b := MetByWords(n), MetByWords(o); a != b {
		say("is now met by %s (was by %s).", a, b)
	}
}

func orNobody(s string) string {
	if s == "" {
		return "nobody"
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func scopeWords(s string) string {
	if s == "within-agency" {
		return "within the raiser's own agency"
	}
	return "between the agencies"
}

func sideWords(by string) string {
	if by == escalate.SideReceiving {
		return "receiving side"
	}
	return "raising side"
}

func lapseWords(s string) string {
	if s == "escalate" {
		return "the case moves to the next stage automatically"
	}
	return "the people involved are prompted to escalate"
}

func meetingWords(p *escalate.Policy, m *escalate.Meeting) string {
	if m == nil {
		return "not a meeting"
	}
	text := "a meeting chaired by the " + RoleName(p, m.Chair)
	if m.UninvolvedChair {
		text += " from an agency not involved"
	}
	if len(m.Attendees) > 0 {
		text += ", attended by the " + roleList(p, m.Attendees, "and")
	}
	if m.ReportsTo != "" {
		text += ", reporting to " + lowerArticle(m.ReportsTo)
	}
	return text
}

func recordList(fs []string) string {
	ws := make([]string, len(fs))
	for i, f := range fs {
		ws[i] = f
		if w, ok := recordWords[f]; ok {
			ws[i] = w
		}
	}
	return joinWords(ws, "and")
}

func stageList(p *escalate.Policy, keys []string) string {
	ws := make([]string, len(keys))
	for i, k := range keys {
		ws[i] = stageTitle(p, k)
	}
	return joinWords(ws, "or")
}

// diffStrings returns what new has that old lacks, and what old has that
// new lacks, each in its own order.
func diffStrings(old, new []string) (added, gone []string) {
	for _, s := range new {
		if !slices.Contains(old, s) {
			added = append(added, s)
		}
	}
	for _, s := range old {
		if !slices.Contains(new, s) {
			gone = append(gone, s)
		}
	}
	return added, gone
}

func (c *comparer) redirects() {
	const sec = "Redirects"
	for _, n := range c.new.Redirects {
		i := slices.IndexFunc(c.old.Redirects, func(o escalate.Redirect) bool { return o.Key == n.Key })
		if i < 0 {
			c.add(sec, "New: %s goes to %s.", n.Matter, lowerArticle(n.To))
			continue
		}
		o := c.old.Redirects[i]
		if o.Matter != n.Matter {
			c.add(sec, "%q is now described as %q.", o.Matter, n.Matter)
		}
		if o.To != n.To {
			c.add(sec, "%s now goes to %s (was %s).", n.Matter, lowerArticle(n.To), lowerArticle(o.To))
		}
		if o.Contact != n.Contact {
			c.add(sec, "%s: the contact is %s.", n.Matter, was(roleOrEmpty(c.new, n.Contact), roleOrEmpty(c.old, o.Contact)))
		}
		if o.Question != n.Question {
			c.add(sec, "%s: the question asked when raising is now %q.", n.Matter, n.Question)
		}
	}
	for _, o := range c.old.Redirects {
		if !slices.ContainsFunc(c.new.Redirects, func(n escalate.Redirect) bool { return n.Key == o.Key }) {
			c.add(sec, "Removed: %s no longer goes to %s.", o.Matter, lowerArticle(o.To))
		}
	}
}

func roleOrEmpty(p *escalate.Policy, r escalate.Role) string {
	if r == "" {
		return ""
	}
	return "the " + RoleName(p, r)
}

func (c *comparer) routing() {
	words := func(p *escalate.Policy) map[string]string {
		m := map[string]string{}
		for _, r := range p.Routing {
			m[r.When.AgencyKind] = roleList(p, r.Alert, "and")
		}
		return m
	}
	o, n := words(c.old), words(c.new)
	for _, r := range c.new.Routing {
		k := r.When.AgencyKind
		if o[k] != n[k] {
			c.add("Who else is told", "When a %s agency is involved, alert %s.", k, was(orNobody(n[k]), orNobody(o[k])))
		}
	}
	for _, r := range c.old.Routing {
		if _, ok := n[r.When.AgencyKind]; !ok {
			c.add("Who else is told", "When a %s agency is involved, no one else is alerted (was the %s).", r.When.AgencyKind, o[r.When.AgencyKind])
		}
	}
}

func (c *comparer) learning() {
	o, n := c.old.Learning, c.new.Learning
	const sec = "Learning"
	if o.ProformaTo != n.ProformaTo {
		c.add(sec, "Proformas go to %s.", was(roleOrEmpty(c.new, n.ProformaTo), roleOrEmpty(c.old, o.ProformaTo)))
	}
	if o.PolicyGapsTo != n.PolicyGapsTo {
		c.add(sec, "Gaps in policies and procedures go to %s.", was(roleOrEmpty(c.new, n.PolicyGapsTo), roleOrEmpty(c.old, o.PolicyGapsTo)))
	}
	if o.Report != n.Report {
		c.add(sec, "Reporting: %s.", was(n.Report, o.Report))
	}
	if o.PatternThreshold != n.PatternThreshold {
		c.add(sec, "A pattern is flagged at %s.", was(thresholdWords(n.PatternThreshold), thresholdWords(o.PatternThreshold)))
	}
	if o.Debrief != n.Debrief {
		c.add(sec, "A debrief after resolution: %s.", was(yesNo(n.Debrief), yesNo(o.Debrief)))
	}
	if o.Subgroup != n.Subgroup {
		c.add(sec, "General issues go to %s.", was(n.Subgroup, o.Subgroup))
	}
}

func thresholdWords(n int) string {
	if n <= 0 {
		return "never (off)"
	}
	return fmt.Sprintf("%d disagreements a quarter", n)
}

func (c *comparer) goodPractice() {
	o, n := c.old.GoodPractice, c.new.GoodPractice
	const sec = "Recognising good practice"
	switch {
	case o == nil && n == nil:
	case o == nil:
		c.add(sec, "New: professionals can record another agency's good practice, and that agency's %s %s told.", tellWords(c.new, n.Tell), isAre(len(n.Tell)))
	case n == nil:
		c.add(sec, "Removed: professionals can no longer record another agency's good practice here.")
	default:
		if a, b := tellWords(c.new, n.Tell), tellWords(c.old, o.Tell); a != b {
			c.add(sec, "Told at the recognised agency: %s.", was(a, b))
		}
		if o.Help != n.Help {
			c.add(sec, "The guidance for recording good practice has changed.")
		}
	}
}

// tellWords names who is told of good practice: the roles, or the manager.
func tellWords(p *escalate.Policy, rs []escalate.Role) string {
	if len(rs) == 0 {
		return RoleName(p, escalate.RoleManager)
	}
	return roleList(p, rs, "and")
}

func isAre(n int) string {
	if n > 1 {
		return "are"
	}
	return "is"
}
