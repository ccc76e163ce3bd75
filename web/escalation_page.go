package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
)

// summaryRow is one row of a GOV.UK summary list; Lines show one per line.
type summaryRow struct {
	Key   string
	Value string
	Lines []string
}

// clockView is one clock as the escalation page shows it.
type clockView struct {
	Action, Who, Within, Due, Explanation, Shortened, Stage string
	Running, Overdue                                        bool
	Result                                                  string // of an ended clock: "Done in time", "Done late", "No longer needed"
	due                                                     time.Time
}

// recordView is one record as the escalation page shows it.
type recordView struct {
	ID    int
	Title string // "Record 1: phone call, 13:30 Tue 17 Nov 2026, Sam Carter"
	Rows  []summaryRow
}

// actionLink is one action open to the user.
type actionLink struct{ Href, Text string }

// nextView is "What happens next" from the policy.
type nextView struct {
	Final      bool
	Name       string
	Raising    string
	Receiving  string
	Timescales []string
	Help       string
	Contacts   string
	Copy       string
	Immediate  string
}

// escalationData is the escalation page.
type escalationData struct {
	Ref       string
	Banner    string
	Stage     string
	Status    string
	StatusTag string
	Closed    bool
	Summary   []summaryRow
	Outcome   []summaryRow
	Clocks    []clockView
	Records   []recordView
	Timeline  []timelineItem
	Actions   []actionLink
	Next      nextView
	Learning  *caseLearning // closed cases: the learning recorded (learning_step.go)
	// Risk is the risk banner's words for an increased or immediate risk,
	// "" for standard; RiskTag the tag's.
	Risk, RiskTag string
	// Steps are who acts now, what and by when (routing).
	Steps []stepView
	// Take offers the signed-in user "Take this escalation".
	Take bool
	// The top of the page (escalation_summary.go): the child, the
	// agencies, the stages, the next step's button; deadlines running and
	// done; the disagreement in full.
	Child, Between string
	Raised         string
	Decision       string
	Chronology     []timelineItem // the timeline, latest first
	Stages         []stageItem
	Running, Ended []clockView
	Disagreement   []summaryRow
	NextButton     *actionLink
	// The child's file (escalation_file.go): the attachments, and whether
	// the PDF and attaching are on offer.
	Files       bool
	Attachments []attachmentView
}

// stepView is one next step as the page shows it: what, who and by when.
type stepView struct {
	What     string
	Who      string
	Due      string
	Overdue  bool
	Fallback string
}

func (s *Server) escalationPage(w http.ResponseWriter, r *http.Request) error {
	v, err := s.loadCase(r.Context(), r.PathValue("ref"))
	if err != nil {
		return err
	}
	d := v.pageData(r)
	s.partyPage(r, v, d)
	if err := s.learningSection(r, v, d); err != nil {
		return err
	}
	if err := s.filesSection(r, v, d); err != nil {
		return err
	}
	d.NextButton = v.nextButton(r.Context(), d)
	s.render(w, r, http.StatusOK, "escalation-page", &page{Title: "Escalation " + v.E.Ref, Data: d})
	return nil
}

// pageData builds the escalation page from the case.
func (v *caseView) pageData(r *http.Request) *escalationData {
	e, p := v.E, v.Policy
	d := &escalationData{
		Ref: e.Ref, Banner: bannerFor(r.URL.Query().Get("done")), Stage: stageTitle(p, e.Stage),
		Status: e.Status.Words(), StatusTag: statusTags[e.Status], Closed: e.Status.Closed(),
		Timeline: v.timeline(),
	}
	d.Child, d.Between, d.Raised = childShort(e), v.between(), londonTime(e.Created)
	d.Stages = v.stageItems()
	d.Decision = e.Decision
	d.Chronology = slices.Clone(d.Timeline)
	slices.Reverse(d.Chronology)
	d.Disagreement = []summaryRow{
		{Key: "Decision disagreed with", Value: e.Decision},
		{Key: "Date of the decision", Value: dateWords(e.DecisionDate)},
		{Key: "Who they dealt with", Value: orNone(e.ReceivingContact)},
		{Key: "Categories", Lines: categoryNames(p, e.Categories)},
		{Key: "The issue", Value: e.Issue},
		{Key: "The risk to the child", Value: e.Risk},
		{Key: "The nature of the disagreement", Value: e.Disagreement},
		{Key: "The outcome sought", Value: e.OutcomeSought},
		{Key: "Risk level", Value: e.RiskLevel.Words()},
		{Key: "Policy", Value: p.Name + ", version " + e.PolicyVersion},
	}
	if im := e.Immediate; im != nil {
		d.Disagreement = append([]summaryRow{{Key: "Immediate-risk action", Value: im.Action + " (recorded " + londonTime(im.At) + " by " + v.People[im.By] + ")"}}, d.Disagreement...)
	}
	// The full list, for the child's file and whatever else reads it.
	d.Summary = append([]summaryRow{{Key: "Child", Value: childWords(e)}, {Key: "Between", Value: d.Between},
		{Key: "Raised on", Value: d.Raised}, {Key: "Status", Value: e.Status.Words()}}, d.Disagreement...)
	if o := e.Outcome; o != nil {
		d.Outcome = v.outcomeRows(o)
	}
	cal := calendarOf(p)
	for _, c := range e.Clocks {
		cv := clockView{
			Action: c.Action, Within: c.Within, Due: dueWords(c, v.Now, cal), Explanation: c.Explanation,
			Shortened: c.ShortenedReason, Stage: stageName(p, c.Stage),
			Running: c.Status == escalate.ClockRunning, Overdue: c.Overdue(v.Now), due: c.Due,
		}
		switch {
		case c.Immediate && c.Status == escalate.ClockRunning:
			cv.due = time.Time{} // act now: first
		case c.Status == escalate.ClockMet && !c.Immediate && c.MetAt.After(c.Due):
			cv.Result = "Done late, " + londonTime(c.MetAt)
		case c.Status == escalate.ClockMet:
			cv.Result = "Done in time, " + londonTime(c.MetAt)
		case c.Status == escalate.ClockStopped:
			cv.Result = "No longer needed: the stage ended or the case closed"
		}
		for _, s := range v.Parties.Steps {
			if s.Kind == escalate.StepClock && s.Clock == c.ID {
				cv.Who = v.peopleWords(s.People)
			}
		}
		if cv.Who == "" && cv.Running {
			switch c.By {
			case escalate.SideRaising:
				cv.Who = v.Agencies[e.RaisingAgencyID] + " (the raising agency)"
			case escalate.SideReceiving:
				cv.Who = v.Agencies[e.ReceivingAgencyID] + " (the receiving agency)"
			}
		}
		d.Clocks = append(d.Clocks, cv)
		if cv.Running {
			d.Running = append(d.Running, cv)
		} else {
			d.Ended = append(d.Ended, cv)
		}
	}
	// Running deadlines first, the soonest (and the immediate) at the top.
	slices.SortStableFunc(d.Running, func(a, b clockView) int { return a.due.Compare(b.due) })
	for _, rec := range e.Records {
		d.Records = append(d.Records, v.recordView(rec))
	}
	for _, a := range escalationActions {
		if a.offered(r.Context(), v) {
			d.Actions = append(d.Actions, actionLink{Href: "/escalations/" + e.Ref + "/" + a.Path, Text: a.Link})
		}
	}
	d.Next = v.next()
	d.Steps = v.steps()
	d.Risk, d.RiskTag = riskBanner(e.RiskLevel)
	splitLines(d.Summary)
	splitLines(d.Disagreement)
	splitLines(d.Outcome)
	for _, rv := range d.Records {
		splitLines(rv.Rows)
	}
	return d
}

// splitLines shows a value typed over several lines on several lines.
func splitLines(rows []summaryRow) {
	for i := range rows {
		if rows[i].Lines == nil && strings.Contains(rows[i].Value, "\n") {
			rows[i].Lines = strings.Split(strings.ReplaceAll(rows[i].Value, "\r\n", "\n"), "\n")
		}
	}
}

func contactSuffix(c string) string {
	if c == "" {
		return ""
	}
	return " (contact: " + c + ")"
}

// dateWords shows a YYYY-MM-DD date as "Thu 24 Dec 2026".
func dateWords(s string) string {
	d, err := calendar.ParseDate(s)
	if err != nil {
		return s
	}
	return londonDay(d.At(12, 0))
}

func (v *caseView) outcomeRows(o *escalate.Outcome) []summaryRow {
	kinds := map[string]string{
		escalate.OutcomeAgreed: "Agreed outcome", escalate.OutcomeDetermination: "Determination",
		escalate.OutcomeRecommendations: "Recommendations", escalate.OutcomeRedirected: "Redirected",
		escalate.OutcomeWithdrawn: "Withdrawn",
	}
	rows := []summaryRow{{Key: "Outcome", Value: kinds[o.Kind]}}
	if o.Text != "" {
		rows = append(rows, summaryRow{Key: "What was decided", Value: o.Text})
	}
	if o.OutstandingIssues != "" {
		rows = append(rows, summaryRow{Key: "How outstanding issues will be pursued", Value: o.OutstandingIssues})
	}
	if o.Report != "" {
		rows = append(rows, summaryRow{Key: "The meeting's report", Value: o.Report})
	}
	switch o.Decision {
	case escalate.DecisionChanged:
		rows = append(rows, summaryRow{Key: "The decision disagreed about", Value: "Changes"})
	case escalate.DecisionUpheld:
		rows = append(rows, summaryRow{Key: "The decision disagreed about", Value: "Stands (upheld)"})
	}
	if o.RedirectTo != "" {
		to := o.RedirectTo
		for _, rd := range v.Policy.Redirects {
			if rd.Key == o.RedirectTo {
				to = rd.Matter + ": " + rd.To
			}
		}
		rows = append(rows, summaryRow{Key: "Sent to", Value: to})
	}
	if o.Reason != "" {
		rows = append(rows, summaryRow{Key: "Reason", Value: o.Reason})
	}
	rows = append(rows, summaryRow{Key: "Recorded", Value: londonTime(o.At) + " by " + v.People[o.By]})
	if o.Kind == escalate.OutcomeAgreed {
		conf := "Not yet confirmed in writing"
		if !o.ConfirmedAt.IsZero() {
			conf = "Confirmed in writing " + londonTime(o.ConfirmedAt)
		}
		rows = append(rows, summaryRow{Key: "Written confirmation", Value: conf})
	}
	return rows
}

func (v *caseView) recordView(rec escalate.Record) recordView {
	approval := "Not approved"
	if rec.ApprovedBy != 0 {
		approval = "Approved by " + v.People[rec.ApprovedBy] + " on " + londonTime(rec.ApprovedAt)
	}
	rows := []summaryRow{
		{Key: "When", Value: londonTime(rec.At)},
		{Key: "Form of communication", Value: escalate.FormWords(rec.Form)},
		{Key: "Who took part", Lines: rec.Participants},
	}
	if rec.Facilitator != "" {
		rows = append(rows, summaryRow{Key: "Facilitated by", Value: rec.Facilitator})
	}
	rows = append(rows, []summaryRow{
		{Key: "What was discussed", Value: orNone(rec.Discussion)},
		{Key: "Outcome", Value: orNone(rec.Outcome)},
		{Key: "Stage", Value: stageName(v.Policy, rec.Stage)},
		{Key: "Recorded by", Value: v.People[rec.By] + ", " + londonTime(rec.Created)},
		{Key: "Approval", Value: approval},
	}...)
	if rec.Corrects != 0 {
		rows = append(rows, summaryRow{Key: "Corrects", Value: "Record " + strconv.Itoa(rec.Corrects)})
	}
	title := "Record " + strconv.Itoa(rec.ID) + ": " + strings.ToLower(escalate.FormWords(rec.Form)) + ", " + londonTime(rec.At) + ", " + v.People[rec.By]
	return recordView{ID: rec.ID, Title: title, Rows: rows}
}

func orNone(s string) string {
	if strings.TrimSpace(s) == "" {
		return "Not recorded"
	}
	return s
}

// next is what the policy says happens next, and who to contact.
func (v *caseView) next() nextView {
	p, e := v.Policy, v.E
	st := e.CurrentStage(p)
	n := nextView{}
	if st == nil {
		return n
	}
	n.Help = st.Help
	n.Contacts = v.contactWords()
	n.Copy = roleWords(p, st.Copy)
	if len(p.Immediate.Contacts) > 0 {
		n.Immediate = "If a child is at immediate risk of significant harm, contact the " + roleWords(p, p.Immediate.Contacts) + " first. " + p.Immediate.Instruction
	}
	if e.Stage == len(p.Stages)-1 {
		n.Final = true
		return n
	}
	nx := &p.Stages[e.Stage+1]
	n.Name = stageTitle(p, e.Stage+1)
	n.Raising, n.Receiving = roleWords(p, nx.Raising), roleWords(p, nx.Receive)
	for _, c := range nx.Clocks {
		n.Timescales = append(n.Timescales, c.Action+": within "+c.Within)
	}
	return n
}

// steps are routing's next steps in words: who (named people and their
// team), what and by when.
func (v *caseView) steps() []stepView {
	cal := calendarOf(v.Policy)
	var out []stepView
	for _, s := range v.Parties.Steps {
		c := escalate.ClockState{Status: escalate.ClockRunning, Due: s.Due, Immediate: s.Immediate}
		sv := stepView{What: s.What, Who: v.peopleWords(s.People), Fallback: s.Fallback}
		if !s.Due.IsZero() || s.Immediate {
			sv.Due, sv.Overdue = dueWords(c, v.Now, cal), c.Overdue(v.Now)
			sv.Due = strings.TrimPrefix(sv.Due, "overdue: ") // the Overdue tag says it
		}
		out = append(out, sv)
	}
	return out
}

// peopleWords names people with their team: "Sam Demo-Practitioner (Demo
// Children's Social Care) and Vic Demo-Safeguarding-Lead (…)".
func (v *caseView) peopleWords(ids []int64) string {
	var names []string
	for _, id := range ids {
		if p := v.Parties.Directory().Person(id); p != nil {
			names = append(names, p.Name+" ("+p.Team+")")
		}
	}
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// contactWords are who to contact at this stage: the people whose turn it
// is, by name and team.
func (v *caseView) contactWords() string {
	var ids []int64
	for _, s := range v.Parties.Steps {
		for _, id := range s.People {
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	return v.peopleWords(ids)
}

// riskBanner is the banner and tag for an increased or immediate risk.
func riskBanner(r escalate.RiskLevel) (string, string) {
	switch r {
	case escalate.RiskImmediate:
		return "The child is at immediate risk of significant harm. Protect the child first: this process never waits.", "Immediate risk"
	case escalate.RiskIncreased:
		return "The child is at increased risk: act on the shortest timescale that protects them.", "Increased risk"
	}
	return "", ""
}

// childWords is how the case names the child: by the raising agency's
// reference and the initials, or for an unborn baby the month it is due.
func childWords(e *escalate.Escalation) string {
	if e.ChildExpected != "" && e.ChildInitials == "" {
		return "Case reference " + e.ChildRef + ", unborn baby due " + monthWords(e.ChildExpected)
	}
	return "Case reference " + e.ChildRef + ", initials " + e.ChildInitials
}
