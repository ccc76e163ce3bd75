package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/escalate-project/escalate"
)

// Data protection (doc/privacy.md): who has seen what, for the Business
// Manager and the data protection officer; retention, legal holds and
// subject access, for the data protection officer. Everyone else is told
// there is no such page; the store checks the same, and audits every
// reading.

// PrivacyStore is what the data protection pages need: *escalate.DB.
type PrivacyStore interface {
	AuditLog(ctx context.Context, q escalate.AuditQuery) (*escalate.AuditLog, error)
}

// privacyRoutes adds the data protection pages.
func (s *Server) privacyRoutes(mux *http.ServeMux) {
	if s.privacy == nil {
		return
	}
	page := func(pattern string, h handlerFunc) { mux.Handle(pattern, s.handle(s.signedIn(h))) }
	page("GET /privacy", s.privacyPage)
	page("GET /privacy/case", s.privacyCaseSearch)
	page("GET /privacy/cases/{ref}", s.privacyCase)
	page("POST /privacy/person", s.privacyPerson)
	s.privacyMoreRoutes(page)
}

// privacyReader is ENOTFOUND unless u may read who has seen what.
func privacyReader(u *escalate.User) error {
	if u == nil || u.Disabled || !orgHasAny(u, escalate.PrivacyRoles) {
		return escalate.Errorf(escalate.ENOTFOUND, "Page not found")
	}
	return nil
}

// privacyView is the data protection page: the two questions, and an
// answer when one was asked.
type privacyView struct {
	Nav         []orgNavLink
	Ref, Email  string
	From, To    dateFields
	DPO         bool // the data protection officer's own sections show
	Answer      *privacyAnswer
	More        any // the data protection officer's sections (privacy_more.go)
	CaseErrors  bool
	PersonError bool
}

// privacyAnswer is one reading of the log, as the page shows it.
type privacyAnswer struct {
	Subject   string
	Person    bool
	Period    string
	Rows      []privacyRow
	Counts    []overviewCount
	Truncated bool
}

// privacyRow is one event in the answer.
type privacyRow struct {
	When, Who, Kind, What, Object string
}

// auditKindWords name what an event was.
var auditKindWords = map[string]string{
	escalate.AuditView: "Viewed", escalate.AuditDownload: "Downloaded", escalate.AuditChange: "Changed",
	escalate.AuditSignIn: "Signed in or out",
}

func (s *Server) privacyView(r *http.Request, u *escalate.User) (*privacyView, error) {
	v := &privacyView{Nav: orgNav(u, "/privacy"), DPO: u.HasRole(escalate.RoleDataProtectionOfficer)}
	if v.DPO {
		more, err := s.privacyMore(r, u)
		if err != nil {
			return nil, err
		}
		v.More = more
	}
	return v, nil
}

func (s *Server) privacyPage(w http.ResponseWriter, r *http.Request) error {
	u, _ := orgActor(r)
	if err := privacyReader(u); err != nil {
		return err
	}
	v, err := s.privacyView(r, u)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "privacy-page", &page{Title: "Data protection", Data: v})
	return nil
}

// privacyCaseSearch sends the case form's reference to the case's page.
func (s *Server) privacyCaseSearch(w http.ResponseWriter, r *http.Request) error {
	u, _ := orgActor(r)
	if err := privacyReader(u); err != nil {
		return err
	}
	ref := strings.ToUpper(strings.TrimSpace(r.URL.Query().Get("ref")))
	if ref == "" {
		v, err := s.privacyView(r, u)
		if err != nil {
			return err
		}
		v.CaseErrors = true
		s.render(w, r, http.StatusBadRequest, "privacy-page", &page{Title: "Error: Data protection", Data: v,
			Errors: []fieldError{{Field: "ref", Message: "Enter the case's reference, for example WIRRAL-2026-0001"}}})
		return nil
	}
	http.Redirect(w, r, "/privacy/cases/"+url.PathEscape(ref)+"#answer", http.StatusSeeOther)
	return nil
}

// privacyCase shows every view, download and change of one case.
func (s *Server) privacyCase(w http.ResponseWriter, r *http.Request) error {
	u, _ := orgActor(r)
	if err := privacyReader(u); err != nil {
		return err
	}
	ref := r.PathValue("ref")
	log, err := s.privacy.AuditLog(r.Context(), escalate.AuditQuery{Ref: ref})
	if escalate.ErrorField(err) == "ref" {
		return escalate.Errorf(escalate.ENOTFOUND, "There is no case %s in this partnership.", ref)
	}
	if err != nil {
		return err
	}
	v, err := s.privacyView(r, u)
	if err != nil {
		return err
	}
	v.Ref = ref
	v.Answer = privacyAnswerOf(log, false, "")
	s.render(w, r, http.StatusOK, "privacy-page", &page{Title: "Data protection", Data: v})
	return nil
}

// privacyPerson shows one person's activity over a period. It is a POST so
// that the email address stays out of the URL, and out of logs.
func (s *Server) privacyPerson(w http.ResponseWriter, r *http.Request) error {
	u, _ := orgActor(r)
	if err := privacyReader(u); err != nil {
		return err
	}
	if err := orgParseForm(w, r); err != nil {
		return err
	}
	f := r.PostForm
	email := strings.TrimSpace(f.Get("email"))
	from := dateFields{f.Get("from-day"), f.Get("from-month"), f.Get("from-year")}
	to := dateFields{f.Get("to-day"), f.Get("to-month"), f.Get("to-year")}
	var errs []fieldError
	if email == "" {
		errs = append(errs, fieldError{"email", "Enter the person's email address"})
	}
	q := escalate.AuditQuery{Email: email}
	period := "at any time"
	if from != (dateFields{}) || to != (dateFields{}) {
		start, ferr := parseDateFields(from)
		end, terr := parseDateFields(to)
		switch {
		case ferr != "":
			errs = append(errs, fieldError{"from-day", "Enter the first day as a real date, for example 1 12 2026" + ferr})
		case terr != "":
			errs = append(errs, fieldError{"to-day", "Enter the last day as a real date, for example 31 12 2026" + terr})
		case end.Before(start):
			errs = append(errs, fieldError{"to-day", "The last day must be the same as or after the first day"})
		default:
			// The boxes hold London days: from the first's midnight to the
			// midnight after the last.
			q.From = midnight(start)
			q.To = midnight(end).AddDate(0, 0, 1)
			period = "from " + start.Format("2 January 2006") + " to " + end.Format("2 January 2006")
		}
	}
	var log *escalate.AuditLog
	if errs == nil {
		var err error
		log, err = s.privacy.AuditLog(r.Context(), q)
		if escalate.ErrorCode(err) == escalate.EINVALID {
			errs = append(errs, fieldError{"email", escalate.ErrorMessage(err)})
		} else if err != nil {
			return err
		}
	}
	v, err := s.privacyView(r, u)
	if err != nil {
		return err
	}
	v.Email, v.From, v.To = email, from, to
	if errs != nil {
		v.PersonError = true
		s.render(w, r, http.StatusBadRequest, "privacy-page", &page{Title: "Error: Data protection", Data: v, Errors: errs})
		return nil
	}
	v.Answer = privacyAnswerOf(log, true, period)
	s.render(w, r, http.StatusOK, "privacy-page", &page{Title: "Data protection", Data: v})
	return nil
}

// midnight is the start of t's London day.
func midnight(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}

// privacyAnswerOf turns a reading of the log into rows, newest first, and
// counts by kind.
func privacyAnswerOf(log *escalate.AuditLog, person bool, period string) *privacyAnswer {
	subject := strings.Replace(strings.Replace(log.Subject, "escalation:", "escalation ", 1), "dissent:", "dissent ", 1)
	a := &privacyAnswer{Subject: subject, Person: person, Period: period, Truncated: log.Truncated}
	counts := map[string]int{}
	for _, e := range slices.Backward(log.Entries) {
		who := e.Actor
		switch {
		case e.ActorEmail != "":
			who = e.ActorName + " (" + e.ActorEmail + ")"
		case strings.HasPrefix(e.Actor, "cli"):
			who = "Administrator at the console (" + strings.TrimPrefix(strings.TrimPrefix(e.Actor, "cli"), ":") + ")"
		case e.Actor == "system":
			who = "The service"
		}
		// "escalation SURREY-2026-0015", as the subject access PDF says it.
		row := privacyRow{When: londonTime(e.At), Who: who, Kind: auditKindWords[e.Kind], What: escalate.EventTitle(e.Action),
			Object: strings.Replace(e.Object, ":", " ", 1)}
		a.Rows = append(a.Rows, row)
		counts[e.Kind]++
	}
	for _, k := range []string{escalate.AuditView, escalate.AuditDownload, escalate.AuditChange, escalate.AuditSignIn} {
		if counts[k] > 0 {
			a.Counts = append(a.Counts, overviewCount{Label: auditKindWords[k], N: counts[k]})
		}
	}
	return a
}
