package web

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
)

// DissentStore serves the Child Protection Conference dissent pages
// (doc/dissents.md): *sqlstore.DB. Access is the store's: it answers a
// dissent someone may not see as not found, and a step they may not take
// as forbidden.
type DissentStore interface {
	// DissentsEnabled reports whether the partnership's policy has the
	// dissent workflow; without it every dissent page is not found.
	DissentsEnabled(ctx context.Context, partnershipID int64) (bool, error)
	RecordDissent(ctx context.Context, in escalate.DissentInput) (*escalate.Dissent, error)
	// Dissent records a view and returns the steps the viewer may take now.
	Dissent(ctx context.Context, ref string) (*escalate.Dissent, []string, error)
	Dissents(ctx context.Context) ([]*escalate.Dissent, error)
	DissentStep(ctx context.Context, ref, action string, in escalate.DissentStepInput) (*escalate.Dissent, error)
	CurrentPolicy(ctx context.Context, partnershipID int64) (*escalate.Policy, error)
	Agencies(ctx context.Context, partnershipID int64) ([]*escalate.Agency, error)
	Users(ctx context.Context, partnershipID int64) ([]*escalate.User, error)
}

// dissentStepPage is one step's form: its path under /dissents/{ref}/, the
// action it takes and its words.
type dissentStepPage struct {
	Path, Action, Title, Button string
}

var dissentSteps = []dissentStepPage{
	{"schedule", escalate.DissentActionSchedule, "Schedule for a Dissents Group meeting", "Schedule"},
	{"evaluate", escalate.DissentActionEvaluate, "Record the group's evaluation of the chair's decision", "Record evaluation"},
	{"decide", escalate.DissentActionDecide, "Record the group's decision", "Record decision"},
	{"report", escalate.DissentActionReport, "Record the Head of Safeguarding's review of the report", "Record review"},
	{"strategy", escalate.DissentActionStrategy, "Record the strategy meeting action", "Record action and close"},
}

func dissentStepByAction(action string) dissentStepPage {
	for _, st := range dissentSteps {
		if st.Action == action {
			return st
		}
	}
	return dissentStepPage{}
}

// dissentRoutes adds the dissent pages.
func (s *Server) dissentRoutes(mux *http.ServeMux) {
	if s.dis == nil {
		return
	}
	page := func(pattern string, h handlerFunc) { mux.Handle(pattern, s.handle(s.signedIn(h))) }
	page("GET /dissents", s.dissentsList)
	page("GET /dissents/new", s.dissentNewForm)
	page("POST /dissents/new", s.dissentCreate)
	page("GET /dissents/{ref}", s.dissentPage)
	for _, st := range dissentSteps {
		page("GET /dissents/{ref}/"+st.Path, s.dissentStepForm(st))
		page("POST /dissents/{ref}/"+st.Path, s.dissentStepPost(st))
	}
}

// dissentsNav reports whether the header links to the dissents: only for
// someone who may list them, where the policy switches them on.
func (s *Server) dissentsNav(r *http.Request, u *escalate.User) bool {
	if s.dis == nil || u == nil || !slices.ContainsFunc(escalate.DissentListers, u.HasRole) {
		return false
	}
	on, err := s.dis.DissentsEnabled(r.Context(), u.PartnershipID)
	return err == nil && on
}

// dissentsOn is not found unless the signed-in user's partnership has the
// dissent workflow.
func (s *Server) dissentsOn(r *http.Request) error {
	u, _ := signedInUser(r)
	on, err := s.dis.DissentsEnabled(r.Context(), u.PartnershipID)
	if err != nil {
		return err
	}
	if !on {
		return escalate.Errorf(escalate.ENOTFOUND, "Page not found")
	}
	return nil
}

// dissentRow is one dissent in the list.
type dissentRow struct {
	Ref, Conference, Agency, Standing, Due string
	Erased                                 string // the London day the retention schedule erased it; "" while kept
	Overdue                                bool
}

// standingCount is one line of the counts by where dissents stand.
type standingCount struct {
	Standing string
	Count    int
}

type dissentsView struct {
	CanRecord bool
	Counts    []standingCount
	Total     int
	Rows      []dissentRow
}

func (s *Server) dissentsList(w http.ResponseWriter, r *http.Request) error {
	if err := s.dissentsOn(r); err != nil {
		return err
	}
	u, p := orgActor(r)
	ds, err := s.dis.Dissents(r.Context())
	if err != nil {
		return err
	}
	pol, err := s.dis.CurrentPolicy(r.Context(), p.ID)
	if err != nil {
		return err
	}
	names, err := s.agencyNames(r.Context(), p.ID)
	if err != nil {
		return err
	}
	now, cal := s.partnershipNow(), calendarOf(pol)
	v := &dissentsView{CanRecord: u.HasRole(escalate.RoleConferenceChair), Total: len(ds)}
	counts := map[string]int{}
	for _, d := range ds {
		counts[d.Standing()]++
		row := dissentRow{Ref: d.Ref, Conference: conferenceWords(d), Agency: names[d.AgencyID], Standing: d.Standing()}
		if !d.Erased.IsZero() {
			row.Erased = londonDay(d.Erased)
		}
		for _, c := range d.Clocks {
			if c.Status == escalate.ClockRunning {
				row.Due = dueWords(c, now, cal)
				row.Overdue = row.Overdue || c.Overdue(now)
			}
		}
		v.Rows = append(v.Rows, row)
	}
	for _, st := range escalate.DissentStandings {
		v.Counts = append(v.Counts, standingCount{st, counts[st]})
	}
	s.render(w, r, http.StatusOK, "dissents-list", &page{Title: "Conference dissents", Data: v, DissentsNav: "current"})
	return nil
}

// conferenceWords says which conference, without its reference: "Initial
// conference, Mon 21 Dec 2026".
func conferenceWords(d *escalate.Dissent) string {
	kind := "Review conference"
	if d.ConferenceKind == escalate.ConferenceInitial {
		kind = "Initial conference"
	}
	return kind + ", " + dateWords(d.ConferenceDate)
}

func (s *Server) agencyNames(ctx context.Context, partnershipID int64) (map[int64]string, error) {
	as, err := s.dis.Agencies(ctx, partnershipID)
	if err != nil {
		return nil, err
	}
	out := map[int64]string{}
	for _, a := range as {
		out[a.ID] = a.Name
	}
	return out, nil
}

// dissentFormView is the "Record a dissent" form.
type dissentFormView struct {
	Agencies                                     []*escalate.Agency
	Day, Month, Year, Kind, ConferenceRef        string
	AgencyID                                     int64
	Professional, Nature, Grounds, ChairDecision string
}

// dissentRecorder is not found unless the user may record a dissent here.
func (s *Server) dissentRecorder(r *http.Request) error {
	if err := s.dissentsOn(r); err != nil {
		return err
	}
	if u, _ := signedInUser(r); !escalate.CanDissent(u, "", nil, escalate.DissentActionRecord) {
		return escalate.Errorf(escalate.ENOTFOUND, "Page not found")
	}
	return nil
}

func (s *Server) dissentNewForm(w http.ResponseWriter, r *http.Request) error {
	if err := s.dissentRecorder(r); err != nil {
		return err
	}
	_, p := orgActor(r)
	as, err := s.dis.Agencies(r.Context(), p.ID)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "dissent-new", &page{Title: "Record a dissent", Data: &dissentFormView{Agencies: as}, DissentsNav: "current"})
	return nil
}

func (s *Server) dissentCreate(w http.ResponseWriter, r *http.Request) error {
	if err := s.dissentRecorder(r); err != nil {
		return err
	}
	if err := orgParseForm(w, r); err != nil {
		return err
	}
	_, p := orgActor(r)
	as, err := s.dis.Agencies(r.Context(), p.ID)
	if err != nil {
		return err
	}
	f := r.PostForm
	v := &dissentFormView{Agencies: as, Day: strings.TrimSpace(f.Get("conference_date-day")),
		Month: strings.TrimSpace(f.Get("conference_date-month")), Year: strings.TrimSpace(f.Get("conference_date-year")),
		Kind: f.Get("conference_kind"), ConferenceRef: strings.TrimSpace(f.Get("conference_ref")),
		Professional: f.Get("professional"), Nature: f.Get("nature"), Grounds: f.Get("grounds"), ChairDecision: f.Get("chair_decision")}
	v.AgencyID, _ = strconv.ParseInt(f.Get("agency"), 10, 64)
	pg := &page{Title: "Record a dissent", Data: v, DissentsNav: "current"}
	date, msg := formDate(v.Day, v.Month, v.Year, "the date of the conference")
	if msg != "" {
		pg.Errors = append(pg.Errors, fieldError{"conference_date-day", msg})
	}
	in := escalate.DissentInput{ConferenceDate: date, ConferenceKind: v.Kind, ConferenceRef: v.ConferenceRef,
		AgencyID: v.AgencyID, Professional: v.Professional, Nature: v.Nature, Grounds: v.Grounds, ChairDecision: v.ChairDecision}
	// Every problem at once, in the form's order; the store checks again.
	for _, err := range in.Problems(calendar.DateOf(s.partnershipNow())) {
		if f := escalate.ErrorField(err); f != "conference_date" || msg == "" {
			pg.Errors = append(pg.Errors, fieldError{dissentField(f), escalate.ErrorMessage(err)})
		}
	}
	if len(pg.Errors) == 0 {
		d, err := s.dis.RecordDissent(r.Context(), in)
		if err == nil {
			http.Redirect(w, r, "/dissents/"+d.Ref+"?done=recorded", http.StatusSeeOther)
			return nil
		}
		if escalate.ErrorCode(err) != escalate.EINVALID {
			return err
		}
		pg.Errors = append(pg.Errors, fieldError{dissentField(escalate.ErrorField(err)), escalate.ErrorMessage(err)})
	}
	s.render(w, r, http.StatusBadRequest, "dissent-new", pg)
	return nil
}

// dissentField is the form id a domain error's field links to.
func dissentField(f string) string {
	switch f {
	case "conference_date", "date":
		return f + "-day"
	case "":
		return "main-content"
	}
	return f
}

// formDate reads a GOV.UK date input as YYYY-MM-DD, or says what is wrong
// with it ("" when nothing was entered: the domain says it is required).
func formDate(day, month, year, what string) (string, string) {
	if day == "" && month == "" && year == "" {
		return "", ""
	}
	d, errD := strconv.Atoi(day)
	m, errM := strconv.Atoi(month)
	y, errY := strconv.Atoi(year)
	if errD != nil || errM != nil || errY != nil || y < 1000 || y > 9999 {
		return "", upperFirst(what) + " must be a real date, for example 14 1 2027"
	}
	t := time.Date(y, time.Month(m), d, 12, 0, 0, 0, time.UTC)
	if t.Day() != d || int(t.Month()) != m {
		return "", upperFirst(what) + " must be a real date, for example 14 1 2027"
	}
	return calendar.NewDate(y, time.Month(m), d).String(), ""
}
