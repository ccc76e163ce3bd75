package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
)

// dissentClock is one clock as the dissent page shows it.
type dissentClock struct {
	Action, Within, Due, Explanation string
	Overdue, Running                 bool
}

// dissentEntryRow is one step of the timeline.
type dissentEntryRow struct {
	What, When, By, Date string
	People               string
	Outcome              string
	Lines                []labelled
}

// labelled is a label and its text.
type labelled struct{ Label, Text string }

type dissentView struct {
	D        *escalate.Dissent
	Notice   string
	Agency   string
	Kind     string
	Standing string
	Outcome  string
	Group    string
	Erased   string // the London day the retention schedule erased it; "" while kept
	Clocks   []dissentClock
	Entries  []dissentEntryRow
	Actions  []dissentStepPage
}

var dissentDone = map[string]string{
	"recorded": "Dissent recorded and referred to the Dissents Group.",
	"schedule": "Dissent scheduled for the meeting.",
	"evaluate": "Evaluation recorded.",
	"decide":   "Decision recorded; the chair and the dissenting agency have been told.",
	"report":   "Review of the report recorded.",
	"strategy": "Strategy meeting action recorded; the dissent is closed.",
}

var dissentEntryWhat = map[string]string{
	escalate.DissentActionRecord:   "Dissent recorded by the conference chair and referred to the Dissents Group",
	escalate.DissentActionSchedule: "Scheduled for a Dissents Group meeting",
	escalate.DissentActionEvaluate: "The group's evaluation of the chair's decision",
	escalate.DissentActionDecide:   "The group's decision",
	escalate.DissentActionReport:   "The Head of Safeguarding's review of the investigation's report",
	escalate.DissentActionStrategy: "Strategy meeting action; dissent closed",
}

func outcomeWords(o string) string {
	switch o {
	case escalate.DissentUpheld:
		return "Upheld"
	case escalate.DissentNotUpheld:
		return "Not upheld"
	}
	return ""
}

func (s *Server) dissentPage(w http.ResponseWriter, r *http.Request) error {
	if err := s.dissentsOn(r); err != nil {
		return err
	}
	d, may, err := s.dis.Dissent(r.Context(), r.PathValue("ref"))
	if err != nil {
		return err
	}
	_, p := orgActor(r)
	pol, err := s.dis.CurrentPolicy(r.Context(), p.ID)
	if err != nil {
		return err
	}
	agencies, err := s.agencyNames(r.Context(), p.ID)
	if err != nil {
		return err
	}
	users, err := s.dis.Users(r.Context(), p.ID)
	if err != nil {
		return err
	}
	names := map[int64]string{}
	for _, u := range users {
		names[u.ID] = u.Name
	}
	now, cal := s.partnershipNow(), calendarOf(pol)
	v := &dissentView{D: d, Notice: dissentDone[r.URL.Query().Get("done")], Agency: agencies[d.AgencyID],
		Kind: conferenceWords(d), Standing: d.Standing(), Outcome: outcomeWords(d.Outcome)}
	if pol.Workflows.CPDissents != nil {
		v.Group = pol.Workflows.CPDissents.Group
	}
	if !d.Erased.IsZero() {
		v.Erased = londonDay(d.Erased)
	}
	for _, c := range d.Clocks {
		v.Clocks = append(v.Clocks, dissentClock{Action: c.Action, Within: c.Within, Due: dueWords(c, now, cal),
			Explanation: c.Explanation, Overdue: c.Overdue(now), Running: c.Status == escalate.ClockRunning})
	}
	for _, e := range d.Entries {
		row := dissentEntryRow{What: dissentEntryWhat[e.Action], When: londonTime(e.At), By: names[e.By],
			People: strings.Join(e.People, ", "), Outcome: outcomeWords(e.Outcome)}
		if e.Date != "" && e.Action != escalate.DissentActionRecord {
			row.Date = dateWords(e.Date)
		}
		add := func(label, text string) {
			if text != "" {
				row.Lines = append(row.Lines, labelled{label, text})
			}
		}
		switch e.Action {
		case escalate.DissentActionSchedule:
			add("Note", e.Text)
		case escalate.DissentActionEvaluate:
			add("Evaluation of the chair's decision", e.Text)
		case escalate.DissentActionDecide:
			add("Feedback and recommendations to the chair", e.Text)
			add("Feedback to the dissenting professional", e.Feedback)
			add("Recommendations", e.Recommendations)
		case escalate.DissentActionReport:
			add("Review of the report and its recommendations", e.Text)
		case escalate.DissentActionStrategy:
			add("Action", e.Text)
		}
		v.Entries = append(v.Entries, row)
	}
	for _, a := range may {
		if d.Allows(a) {
			v.Actions = append(v.Actions, dissentStepByAction(a))
		}
	}
	s.render(w, r, http.StatusOK, "dissent-page", &page{Title: "Dissent " + d.Ref, Data: v, DissentsNav: "current"})
	return nil
}

// dissentFieldOrder is where a field comes on the step forms, so the
// error summary lists problems in the form's order.
func dissentFieldOrder(f string) int {
	return slices.Index([]string{"main-content", "date-day", "outcome", "people", "text", "feedback", "recommendations"}, f)
}

// dissentStepView is a step's form.
type dissentStepView struct {
	Ref                                          string
	Step                                         dissentStepPage
	Version                                      int
	Fields                                       []string // which of date, people, outcome, text, feedback, recommendations it asks for
	Day, Month, Year                             string
	People, Outcome, Text, Feedback, Recommend   string
	DateLegend, PeopleLabel, TextLabel, TextHint string
}

// Has reports whether the form asks for field.
func (v *dissentStepView) Has(field string) bool { return slices.Contains(v.Fields, field) }

func newDissentStepView(ref string, st dissentStepPage, version int) *dissentStepView {
	v := &dissentStepView{Ref: ref, Step: st, Version: version, Fields: escalate.DissentStepFields[st.Action]}
	switch st.Action {
	case escalate.DissentActionSchedule:
		v.DateLegend, v.TextLabel = "Date of the Dissents Group meeting", "Note (optional)"
		v.TextHint = "Anything the group should know before the meeting"
	case escalate.DissentActionEvaluate:
		v.PeopleLabel, v.TextLabel = "Members of the Dissents Group who attended", "The group's evaluation of the chair's decision"
		v.TextHint = "Include the review of the conference reports and of each agency's contribution"
	case escalate.DissentActionDecide:
		v.PeopleLabel, v.TextLabel = "Members of the Dissents Group who made the decision", "Feedback and recommendations to the chair"
		v.TextHint = "Key issues, themes and any changes needed to policies and procedures"
	case escalate.DissentActionReport:
		v.DateLegend, v.PeopleLabel = "Date the report was reviewed", "Head of Safeguarding who reviewed the report"
		v.TextLabel = "Review of the investigation's report and recommendations"
	case escalate.DissentActionStrategy:
		v.DateLegend, v.TextLabel = "Date of the strategy meeting", "The strategy meeting action"
	}
	return v
}

// dissentStepForm shows step st's form to someone who may take it now:
// the page is a view of the dissent (the store records it).
func (s *Server) dissentStepForm(st dissentStepPage) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := s.dissentsOn(r); err != nil {
			return err
		}
		d, may, err := s.dis.Dissent(r.Context(), r.PathValue("ref"))
		if err != nil {
			return err
		}
		if !slices.Contains(may, st.Action) {
			return escalate.Errorf(escalate.EFORBIDDEN, "You may not do this on this dissent.")
		}
		if !d.Allows(st.Action) {
			return escalate.Errorf(escalate.ECONFLICT, "This step is not open on dissent %s as it stands: %s.", d.Ref, strings.ToLower(d.Standing()))
		}
		s.render(w, r, http.StatusOK, "dissent-step", &page{Title: st.Title, Data: newDissentStepView(d.Ref, st, d.Version), DissentsNav: "current"})
		return nil
	}
}

// dissentStepPost takes step st. On bad input the form is shown again with
// the error summary and nothing is stored.
func (s *Server) dissentStepPost(st dissentStepPage) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := s.dissentsOn(r); err != nil {
			return err
		}
		if err := orgParseForm(w, r); err != nil {
			return err
		}
		f := r.PostForm
		ref := r.PathValue("ref")
		version, _ := strconv.Atoi(f.Get("version"))
		v := newDissentStepView(ref, st, version)
		v.Day, v.Month, v.Year = strings.TrimSpace(f.Get("date-day")), strings.TrimSpace(f.Get("date-month")), strings.TrimSpace(f.Get("date-year"))
		v.People, v.Outcome, v.Text = f.Get("people"), f.Get("outcome"), f.Get("text")
		v.Feedback, v.Recommend = f.Get("feedback"), f.Get("recommendations")
		pg := &page{Title: st.Title, Data: v, DissentsNav: "current"}
		date, msg := "", ""
		if v.Has("date") {
			date, msg = formDate(v.Day, v.Month, v.Year, strings.ToLower(v.DateLegend[:1])+v.DateLegend[1:])
		}
		in := escalate.DissentStepInput{Version: version, Date: date, People: strings.Split(v.People, "\n"),
			Outcome: v.Outcome, Text: v.Text, Feedback: v.Feedback, Recommendations: v.Recommend}
		// The store is asked even when the date could not be read (it is
		// then empty, which every step refuses), so access, the version and
		// the step are checked before any message about the form.
		_, err := s.dis.DissentStep(r.Context(), ref, st.Action, in)
		if err == nil {
			http.Redirect(w, r, "/dissents/"+ref+"?done="+st.Path, http.StatusSeeOther)
			return nil
		}
		if escalate.ErrorCode(err) != escalate.EINVALID {
			return err
		}
		if msg != "" {
			pg.Errors = append(pg.Errors, fieldError{"date-day", msg})
		} else {
			pg.Errors = append(pg.Errors, fieldError{dissentField(escalate.ErrorField(err)), escalate.ErrorMessage(err)})
		}
		// The store reported the first problem; list the other fields'
		// too. Dates and the step's own rules are the store's alone (it
		// knows the dissent and the partnership's calendar), so only the
		// other fields are checked here.
		for _, p := range in.Problems(st.Action, &escalate.Dissent{}, calendarOf(&escalate.Policy{}), calendar.DateOf(s.partnershipNow())) {
			f := escalate.ErrorField(p)
			if f == "" || f == "date" || f == escalate.ErrorField(err) {
				continue
			}
			pg.Errors = append(pg.Errors, fieldError{dissentField(f), escalate.ErrorMessage(p)})
		}
		slices.SortStableFunc(pg.Errors, func(a, b fieldError) int { return dissentFieldOrder(a.Field) - dissentFieldOrder(b.Field) })
		s.render(w, r, http.StatusBadRequest, "dissent-step", pg)
		return nil
	}
}
