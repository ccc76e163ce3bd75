package policy

import (
	"fmt"
	"io"
	"strings"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
)

// Summary writes a plain-English account of p that a practitioner can read:
// the immediate-risk route first, then each stage with who acts and by when,
// what is recorded, where matters outside the process go, and what the
// partnership learns. It judges the review date against today's date.
func Summary(w io.Writer, p *escalate.Policy) error {
	return SummaryAt(w, p, Today())
}

// SummaryAt is Summary as of the given date.
func SummaryAt(w io.Writer, p *escalate.Policy, today calendar.Date) error {
	s := &summary{w: w, p: p}
	s.heading(today)
	s.immediate()
	s.categories()
	s.stages()
	s.redirects()
	s.routing()
	s.goodPractice()
	s.learning()
	s.workflows()
	s.assumptions()
	return s.err
}

// width is where Summary wraps its lines, so it reads well in a terminal.
const width = 78

type summary struct {
	w   io.Writer
	p   *escalate.Policy
	err error
}

func (s *summary) line(format string, args ...any) {
	if s.err == nil {
		_, s.err = fmt.Fprintf(s.w, format+"\n", args...)
	}
}

// para writes text wrapped at width, its first line after first and the
// rest indented to match indent.
func (s *summary) para(first, indent, text string) {
	words := strings.Fields(text)
	cur := first
	empty := true
	for _, word := range words {
		if !empty && len(cur)+1+len(word) > width {
			s.line("%s", cur)
			cur, empty = indent, true
		}
		if empty {
			cur += word
		} else {
			cur += " " + word
		}
		empty = false
	}
	if !empty || first != "" {
		s.line("%s", strings.TrimRight(cur, " "))
	}
}

// item writes a wrapped bullet.
func (s *summary) item(indent, text string) { s.para(indent+"- ", indent+"  ", text) }

func (s *summary) section(title string) {
	s.line("")
	s.line("%s", strings.ToUpper(title))
}

func cited(text, cite string) string {
	if cite == "" {
		return text
	}
	return text + " (" + cite + ")"
}

func (s *summary) heading(today calendar.Date) {
	p := s.p
	s.line("%s", p.Name)
	s.line("%s", strings.Repeat("=", min(len(p.Name), width)))
	if p.Template {
		s.para("", "", "THIS IS A TEMPLATE TO COPY, not a partnership's policy: change every value to what your own policy says, then delete \"template: true\" (escalate policy template > my.yaml).")
	}
	if p.Source.Title != "" {
		s.para("", "", "Policy: "+p.Source.Title+dateSuffix(p.Source.Date)+".")
	}
	v := "Version " + p.Version
	if d, err := calendar.ParseDate(p.Approved); err == nil {
		v += ", approved " + longDate(d)
	}
	review, err := calendar.ParseDate(p.ReviewDate)
	switch {
	case p.ReviewDate == "":
		v += "; no review date is given"
	case err != nil:
	case review.Before(today):
		v += "."
		s.para("", "", v)
		v = "This policy was due for review on " + longDate(review) +
			". Check with the Partnership Business Manager that it is still current"
	default:
		v += "; due for review on " + longDate(review)
	}
	s.para("", "", v+".")
	if p.Source.Ref != "" {
		s.para("", "", "Source: "+p.Source.Ref)
	}
	s.line("")
	s.para("", "", fmt.Sprintf("For everyone who works with children in %s, when you believe another "+
		"agency's decision, action or inaction does not keep a child safe. Resolve it at the "+
		"lowest stage you can; escalate when you cannot.", p.Name))
	end := p.Calendar.WorkingDayEnds
	if end == "" {
		end = "17:00"
	}
	s.para("", "", fmt.Sprintf("Working days exclude weekends and %s bank holidays; a working day ends at %s.",
		divisionWords(p.Calendar.Division), end))
}

func dateSuffix(d string) string {
	if d == "" {
		return ""
	}
	return " (" + d + ")"
}

func (s *summary) immediate() {
	im := s.p.Immediate
	s.section("If a child is at immediate risk")
	s.para("  ", "  ", im.Instruction)
	switch len(im.Contacts) {
	case 0:
	case 1:
		s.para("  ", "  ", "Contact: "+RoleName(s.p, im.Contacts[0])+".")
	default:
		s.para("  ", "  ", "Contact, in this order: "+roleList(s.p, im.Contacts, "then")+".")
	}
	if im.Within != "" {
		s.para("  ", "  ", "When: "+TimescaleWords(im.Within)+".")
	}
	if im.Record != "" {
		s.para("  ", "  ", "Record: "+im.Record)
	}
	s.para("  ", "  ", cited("Protecting the child comes first and never waits for this process: "+
		"follow this route and record it, then carry on with the disagreement.", im.Cite))
}

func (s *summary) categories() {
	if len(s.p.Categories) == 0 {
		return
	}
	s.section("What disagreements are about")
	for _, c := range s.p.Categories {
		text := c.Name
		if c.Help != "" {
			text += ": " + c.Help
		}
		s.item("  ", cited(text, c.Cite))
	}
}

func (s *summary) stages() {
	p := s.p
	s.section("The stages")
	for i := range p.Stages {
		st := &p.Stages[i]
		s.line("")
		s.para("", "", fmt.Sprintf("Stage %d of %d: %s", i+1, len(p.Stages), st.Name))
		scope := "Between the agencies."
		if st.Scope == "within-agency" {
			scope = "Within your own agency, before going to the other agency."
		}
		s.para("  ", "  ", scope)
		s.para("  ", "  ", fmt.Sprintf("Raised by: %s. Dealt with by: %s.",
			roleList(p, st.Raising, "or"), roleList(p, st.Receive, "or")))
		if len(st.Clocks) > 0 {
			s.line("  Timescales:")
			for _, k := range st.Clocks {
				side := "raising side"
				if k.By == "receiving" {
					side = "receiving side"
				}
				text := fmt.Sprintf("%s (%s): %s.", strings.TrimSuffix(k.Action, "."), side, clockWords(p, st, k))
				if k.MetBy != "" {
					text += " Done when there is " + MetByWords(k) + "."
				}
				if k.Route != "" {
					text = "Route " + k.Route + ": " + text
				}
				s.item("    ", cited(text, k.Cite))
			}
		}
		if st.Facilitated {
			s.para("  ", "  ", "A facilitated conversation: someone independent of both agencies helps them talk it through before formal escalation; each record names the facilitator.")
		}
		s.stageRecord(st)
		s.stageNext(i)
		if st.Help != "" {
			s.para("  ", "  ", st.Help)
		}
		if st.Cite != "" {
			s.para("  ", "  ", "("+st.Cite+")")
		}
	}
}

func (s *summary) stageRecord(st *escalate.Stage) {
	p := s.p
	if len(st.Record) > 0 {
		var ws []string
		for _, f := range st.Record {
			w, ok := recordWords[f]
			if !ok {
				w = f
			}
			ws = append(ws, w)
		}
		// Semicolons, because some items hold commas of their own.
		s.para("  ", "  ", "Record: "+strings.Join(ws, "; ")+".")
	}
	if st.Approval {
		s.para("  ", "  ", "A manager approves and dates each record.")
	}
	if len(st.Copy) > 0 {
		s.para("  ", "  ", "Copied in: "+roleList(p, st.Copy, "and")+".")
	}
	if m := st.Meeting; m != nil {
		text := "This stage is a meeting chaired by the " + RoleName(p, m.Chair)
		if m.UninvolvedChair {
			text += " from an agency not involved in the case"
		}
		if len(m.Attendees) > 0 {
			text += ", attended by the " + roleList(p, m.Attendees, "and")
		}
		text += "."
		if m.ReportsTo != "" {
			text += " The chair reports to " + lowerArticle(m.ReportsTo) + "."
		}
		s.para("  ", "  ", text)
	}
}

// stageNext says what the stage produces and where the case goes next.
func (s *summary) stageNext(i int) {
	p := s.p
	st := &p.Stages[i]
	last := i == len(p.Stages)-1
	if st.Produces != "" || last {
		s.para("  ", "  ", "This stage produces "+producesWords[st.Produces]+".")
	}
	if st.Proforma && p.Learning.ProformaTo != "" {
		s.para("  ", "  ", "If resolved at this stage, a proforma goes to the "+RoleName(p, p.Learning.ProformaTo)+".")
	}
	switch {
	case last:
		s.para("  ", "  ", "This is the final stage.")
	case st.OnLapse == "escalate":
		s.para("  ", "  ", fmt.Sprintf("If it is not resolved in time, it moves to stage %d automatically.", i+2))
	default:
		s.para("  ", "  ", fmt.Sprintf("If it is not resolved in time, you are prompted to escalate to stage %d.", i+2))
	}
	if len(st.SkipTo) > 0 {
		var ts []string
		for _, k := range st.SkipTo {
			ts = append(ts, stageTitle(p, k))
		}
		s.para("  ", "  ", "It may go straight to "+joinWords(ts, "or")+".")
	}
}

func (s *summary) redirects() {
	if len(s.p.Redirects) == 0 {
		return
	}
	s.section("What this process does not handle")
	for _, r := range s.p.Redirects {
		text := r.Matter + ": goes to " + lowerArticle(r.To) + "."
		if r.Contact != "" {
			text += " Contact the " + RoleName(s.p, r.Contact) + "."
		}
		if r.Alongside {
			text += " It is referred alongside: the disagreement about the child carries on, unless there is none."
		}
		if r.Question != "" {
			text += " Ask: " + r.Question
		}
		s.item("  ", cited(text, r.Cite))
	}
}

func (s *summary) routing() {
	if len(s.p.Routing) == 0 {
		return
	}
	s.section("Who else is told")
	for _, r := range s.p.Routing {
		text := fmt.Sprintf("When a %s agency is involved, alert the %s.", r.When.AgencyKind, roleList(s.p, r.Alert, "and"))
		s.item("  ", cited(text, r.Cite))
	}
}

func (s *summary) goodPractice() {
	g := s.p.GoodPractice
	if g == nil {
		return
	}
	s.section("Recognising good practice")
	s.para("  ", "  ", cited("When another agency's practice keeps a child safe, record it: that agency's "+tellWords(s.p, g.Tell)+
		" "+isAre(len(g.Tell))+" told, and the report to the board counts it.", g.Cite))
	if g.Help != "" {
		s.para("  ", "  ", g.Help)
	}
}

func (s *summary) learning() {
	p, l := s.p, s.p.Learning
	var items []string
	if l.Debrief {
		items = append(items, "Debrief after a disagreement is resolved, to keep working relationships good and spot training needs.")
	}
	if l.Subgroup != "" {
		items = append(items, "General issues go to "+lowerArticle(l.Subgroup)+".")
	}
	if l.PolicyGapsTo != "" {
		items = append(items, "Gaps in policies and procedures go to the "+RoleName(p, l.PolicyGapsTo)+".")
	}
	if l.ProformaTo != "" {
		items = append(items, "Proformas go to the "+RoleName(p, l.ProformaTo)+".")
	}
	if l.Report != "" {
		items = append(items, "Reporting: "+l.Report+".")
	}
	if l.PatternThreshold > 0 {
		items = append(items, fmt.Sprintf("A pattern is flagged when %d or more disagreements in a quarter involve the same two agencies and the same kind of issue.", l.PatternThreshold))
	}
	items = append(items, l.Notes...)
	if len(items) == 0 {
		return
	}
	s.section("Learning")
	for _, it := range items {
		s.item("  ", it)
	}
	if l.Cite != "" {
		s.para("  ", "  ", "("+l.Cite+")")
	}
}

func (s *summary) workflows() {
	d := s.p.Workflows.CPDissents
	if d == nil {
		return
	}
	s.section("Other workflows")
	text := "Child Protection Conference dissents are reviewed by " + lowerArticle(d.Group)
	if d.Meets != "" {
		text += ", which meets " + d.Meets
	}
	text += "."
	if d.ReviewWithin != "" {
		text += " Each dissent is reviewed " + TimescaleWords(d.ReviewWithin) + "."
	}
	if d.InvestigateWithin != "" {
		text += " Children's services report back on an upheld dissent " + TimescaleWords(d.InvestigateWithin) + "."
	}
	if d.ReportsTo != "" {
		text += " It reports to " + lowerArticle(d.ReportsTo) + "."
	}
	s.item("  ", cited(text, d.Cite))
}

func (s *summary) assumptions() {
	if len(s.p.Assumptions) == 0 {
		return
	}
	s.section("Where the source was silent: what this policy file assumes")
	for _, a := range s.p.Assumptions {
		s.item("  ", cited(a.Text, a.Cite))
	}
}
