package web

import (
	"bytes"
	"context"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
	"github.com/escalate-project/escalate/report"
)

// ReportStore is what the board report pages need: *sqlstore.DB.
type ReportStore interface {
	// ReportCases reads the partnership's escalations raised in [from, to),
	// de-identified.
	ReportCases(ctx context.Context, partnershipID int64, from, to time.Time) ([]escalate.CaseFacts, error)
	// AuditReport records a view ("report.view") or download
	// ("report.download") of a report by the actor of ctx.
	AuditReport(ctx context.Context, partnershipID int64, action string, data map[string]any) error
	// LearningThemes counts the learning items recorded in [from, to) by
	// theme (doc/learning.md).
	LearningThemes(ctx context.Context, partnershipID int64, from, to time.Time) (map[string]int, error)
	// DissentOutcomes counts the Child Protection Conference dissents
	// recorded in [from, to) by where they stand (doc/dissents.md).
	DissentOutcomes(ctx context.Context, partnershipID int64, from, to time.Time) (map[string]int, error)
}

// reportRoles may see the board reports: the Business Manager, who writes
// them, and the board's chair and vice chair, who receive them. The
// administrator manages accounts and does not read case figures.
var reportRoles = []escalate.Role{escalate.RoleBusinessManager, escalate.RoleChair, escalate.RoleViceChair,
	escalate.RoleLeadSafeguardingPartner, escalate.RoleDelegatedSafeguardingPartner, escalate.RoleIndependentScrutineer}

// Report audit actions, as sqlstore names them.
const (
	actionReportView     = "report.view"
	actionReportDownload = "report.download"
)

// reportRoutes adds the board report page, its print version and its
// downloads. They need the partnership store for the agencies.
func (s *Server) reportRoutes(mux *http.ServeMux) {
	if s.reports == nil || s.org == nil {
		return
	}
	mux.Handle("GET /reports", s.handle(s.signedIn(s.reportPage)))
	mux.Handle("GET /reports/print", s.handle(s.signedIn(s.reportPrint)))
	mux.Handle("GET /reports/report.pdf", s.handle(s.signedIn(s.reportPDF)))
	mux.Handle("GET /reports/report.csv", s.handle(s.signedIn(s.reportCSV)))
	mux.Handle("GET /reports/report.xlsx", s.handle(s.signedIn(s.reportXLSX)))
}

// dateFields is a GOV.UK date input's three boxes as typed.
type dateFields struct{ Day, Month, Year string }

// reportRun is one report asked for: its period, figures and cases.
type reportRun struct {
	partnership *escalate.Partnership
	period      report.Period
	name        string // "October to December 2026", or the dates of a custom range
	key         string // for file names: "2026-Q4" or "2026-06-01-to-2026-06-30"
	sharing     bool
	query       string // the query string that asks for this report again
	q           *report.Quarterly
	cases       []escalate.CaseFacts
}

// reportForm is the period form as asked, to show again.
type reportForm struct {
	Quarters []filterOption
	Custom   bool
	From, To dateFields
	Sharing  bool
}

// reportRequest reads and checks the period from the query string. Errors
// are for the error summary; nothing is read from the store before the
// request is valid.
func (s *Server) reportRequest(r *http.Request) (*reportForm, report.Period, string, string, []fieldError) {
	q := r.URL.Query()
	now := s.partnershipNow()
	cy, cq := report.QuarterOf(now)
	f := &reportForm{Custom: q.Get("period") == "custom", Sharing: q.Get("sharing") == "1",
		From: dateFields{q.Get("from-day"), q.Get("from-month"), q.Get("from-year")},
		To:   dateFields{q.Get("to-day"), q.Get("to-month"), q.Get("to-year")}}
	chosen := q.Get("quarter")
	if chosen == "" {
		chosen = report.QuarterKey(cy, cq)
	}
	// The last eight quarters, newest first, and the one asked for if older.
	y, n := cy, cq
	found := false
	for range 8 {
		k := report.QuarterKey(y, n)
		f.Quarters = append(f.Quarters, filterOption{k, report.QuarterName(y, n), k == chosen})
		found = found || k == chosen
		if n--; n == 0 {
			y, n = y-1, 4
		}
	}
	if f.Custom {
		from, ferr := parseDateFields(f.From)
		to, terr := parseDateFields(f.To)
		var errs []fieldError
		if ferr != "" {
			errs = append(errs, fieldError{"from-day", "Enter the start date as a real date, for example 1 6 2026" + ferr})
		}
		if terr != "" {
			errs = append(errs, fieldError{"to-day", "Enter the end date as a real date, for example 30 6 2026" + terr})
		}
		if errs == nil && to.Before(from) {
			errs = append(errs, fieldError{"to-day", "The end date must be the same as or after the start date"})
		}
		if errs == nil && to.Sub(from) > 5*366*24*time.Hour {
			errs = append(errs, fieldError{"to-day", "The period must be 5 years or shorter"})
		}
		if errs != nil {
			return f, report.Period{}, "", "", errs
		}
		const d = "2006-01-02"
		p := report.Days(from, to)
		return f, p, p.Text(), from.Format(d) + "-to-" + to.Format(d), nil
	}
	qy, qn, ok := report.ParseQuarterKey(chosen)
	if !ok {
		return f, report.Period{}, "", "", []fieldError{{"quarter", "Choose a quarter from the list"}}
	}
	if !found {
		f.Quarters = append(f.Quarters, filterOption{chosen, report.QuarterName(qy, qn), true})
	}
	return f, report.Quarter(qy, qn), report.QuarterName(qy, qn), chosen, nil
}

// parseDateFields reads a date typed into three boxes; the message suffix
// is "" when it is a real date.
func parseDateFields(d dateFields) (time.Time, string) {
	day, err1 := strconv.Atoi(strings.TrimSpace(d.Day))
	month, err2 := strconv.Atoi(strings.TrimSpace(d.Month))
	year, err3 := strconv.Atoi(strings.TrimSpace(d.Year))
	if err1 != nil || err2 != nil || err3 != nil {
		return time.Time{}, "."
	}
	if year < 2000 || year > 2100 {
		return time.Time{}, ", with a 4-digit year from 2000."
	}
	t := time.Date(year, time.Month(month), day, 12, 0, 0, 0, calendar.London)
	if t.Day() != day || int(t.Month()) != month {
		return time.Time{}, "."
	}
	return t, ""
}

// reportFor checks who asks, reads the period and builds the report. When
// the period is wrong it returns the form and its errors, and no report.
func (s *Server) reportFor(r *http.Request) (*reportRun, *reportForm, []fieldError, error) {
	u, p := orgActor(r)
	if err := orgRequire(u, reportRoles, "see the partnership's reports"); err != nil {
		return nil, nil, nil, err
	}
	form, period, name, key, errs := s.reportRequest(r)
	if errs != nil {
		return nil, form, errs, nil
	}
	ctx := r.Context()
	as, err := s.org.Agencies(ctx, p.ID)
	if err != nil {
		return nil, nil, nil, err
	}
	names := make([]string, len(as))
	for i, a := range as {
		names[i] = a.Name
	}
	cases, err := s.reports.ReportCases(ctx, p.ID, period.From, period.To)
	if err != nil {
		return nil, nil, nil, err
	}
	run := &reportRun{partnership: p, period: period, name: name, key: key, sharing: form.Sharing,
		q: report.Build(period, cases, names, form.Sharing), cases: cases}
	themes, err := s.reports.LearningThemes(ctx, p.ID, period.From, period.To)
	if err != nil {
		return nil, nil, nil, err
	}
	run.q.SetThemes(themes)
	pol, err := s.org.CurrentPolicy(ctx, p.ID)
	if err != nil {
		return nil, nil, nil, err
	}
	// Stages by the current policy's names: a case on an older version
	// with more stages shows "Stage N" for the ones it lacks.
	stages := make([]string, len(pol.Stages))
	for i, st := range pol.Stages {
		stages[i] = st.Name
	}
	run.q.NameStages(stages)
	// Only a partnership whose policy switches dissents on has a dissents
	// section: elsewhere a row of zeros would suggest a workflow it lacks.
	if escalate.DissentsEnabled(pol) {
		m, err := s.reports.DissentOutcomes(ctx, p.ID, period.From, period.To)
		if err != nil {
			return nil, nil, nil, err
		}
		run.q.SetDissents(m, escalate.DissentStandings)
	}
	// Likewise only a policy with a route for recognising good practice
	// counts it.
	if gp, ok := s.reports.(GoodPracticeCounter); ok && pol.GoodPractice != nil {
		m, err := gp.GoodPracticeCounts(ctx, p.ID, period.From, period.To)
		if err != nil {
			return nil, nil, nil, err
		}
		run.q.SetGoodPractice(m)
	}
	v := url.Values{}
	if form.Custom {
		v.Set("period", "custom")
		for _, f := range []struct {
			name string
			d    dateFields
		}{{"from", form.From}, {"to", form.To}} {
			v.Set(f.name+"-day", strings.TrimSpace(f.d.Day))
			v.Set(f.name+"-month", strings.TrimSpace(f.d.Month))
			v.Set(f.name+"-year", strings.TrimSpace(f.d.Year))
		}
	} else {
		v.Set("quarter", key)
	}
	if form.Sharing {
		v.Set("sharing", "1")
	}
	run.query = v.Encode()
	return run, form, nil, nil
}

// audit records who looked at or took which report.
func (s *Server) auditReport(r *http.Request, run *reportRun, action, format string) error {
	const d = "2006-01-02"
	return s.reports.AuditReport(r.Context(), run.partnership.ID, action, map[string]any{
		"format": format, "period": run.key, "from": run.period.From.In(calendar.London).Format(d),
		"to": run.period.To.Add(-time.Nanosecond).In(calendar.London).Format(d), "sharing": run.sharing,
	})
}

// reportSection is one table of the report with its chart, if any.
type reportSection struct {
	Caption string
	Table   template.HTML
	Chart   template.HTML
	Wide    bool // the agency-pair matrix, too wide to sit beside its table
}

type reportView struct {
	Nav         []orgNavLink
	Form        *reportForm
	Title       string
	Partnership string // the partnership's name
	Period      string
	Sharing     bool
	Query       template.URL // the query string that asks for this report again
	Sections    []reportSection
}

// reportPage is the board report page: the period form, then every table
// with its chart, and the downloads.
func (s *Server) reportPage(w http.ResponseWriter, r *http.Request) error {
	run, form, errs, err := s.reportFor(r)
	if err != nil {
		return err
	}
	u, _ := orgActor(r)
	v := &reportView{Nav: orgNav(u, "/reports"), Form: form}
	if errs != nil {
		s.render(w, r, http.StatusBadRequest, "reports-page", &page{Title: reportsTitle, Errors: errs, Data: v})
		return nil
	}
	if err := s.fillReportView(v, run); err != nil {
		return err
	}
	if err := s.auditReport(r, run, actionReportView, "html"); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "reports-page", &page{Title: reportsTitle, Data: v})
	return nil
}

// reportsTitle is the page's title, which the layout also uses to mark
// the Partnership menu item as current.
const reportsTitle = "Reports for the board"

func (s *Server) fillReportView(v *reportView, run *reportRun) error {
	v.Title = "Escalations report: " + run.name
	v.Partnership = run.partnership.Name
	v.Period = run.period.Text()
	v.Sharing = run.sharing
	v.Query = template.URL(run.query) // url.Values.Encode escaped it
	charts := map[string]template.HTML{}
	if !run.sharing {
		var err error
		if charts, err = reportCharts(run.q); err != nil {
			return err
		}
	}
	for _, t := range run.q.Tables() {
		var b bytes.Buffer
		if err := report.HTMLTable(&b, t); err != nil {
			return err
		}
		v.Sections = append(v.Sections, reportSection{Caption: t.Caption, Table: template.HTML(b.String()), Chart: charts[t.Caption],
			Wide: len(t.Header) > 4})
	}
	return nil
}

// reportPrint is the same report as a print-ready page: no menus or forms,
// print styles, every section in order.
func (s *Server) reportPrint(w http.ResponseWriter, r *http.Request) error {
	run, _, errs, err := s.reportFor(r)
	if err != nil {
		return err
	}
	if errs != nil {
		return escalate.Errorf(escalate.EINVALID, "%s", errs[0].Message)
	}
	v := &reportView{}
	if err := s.fillReportView(v, run); err != nil {
		return err
	}
	if err := s.auditReport(r, run, actionReportDownload, "print"); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "reports-print", &page{Title: v.Title + " – " + run.partnership.Name, Data: v})
	return nil
}

// reportDateInput is one of the period's date inputs for the template.
type reportDateInput struct {
	Name, Label, Error string
	Value              dateFields
}

func reportDate(p *page, name, label string, v dateFields) reportDateInput {
	return reportDateInput{Name: name, Label: label, Error: p.ErrorFor(name + "-day"), Value: v}
}
