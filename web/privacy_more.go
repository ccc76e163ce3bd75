package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/report"
)

// The data protection officer's own sections of the data protection pages:
// retention periods, legal holds, the retention job's dry run and report,
// and subject access exports.

// DPOStore is what the data protection officer's pages need, besides
// PrivacyStore: *sqlstore.DB.
type DPOStore interface {
	RetentionPeriods(ctx context.Context, partnershipID int64) (map[escalate.RetentionClass]int, map[escalate.RetentionClass]bool, error)
	SetRetentionPeriod(ctx context.Context, partnershipID int64, class escalate.RetentionClass, days int) error
	PlaceHold(ctx context.Context, partnershipID int64, ref, reason string) (*escalate.LegalHold, error)
	LiftHold(ctx context.Context, partnershipID, id int64, reason string) error
	LegalHolds(ctx context.Context, partnershipID int64) ([]*escalate.LegalHold, error)
	RunRetention(ctx context.Context, opt escalate.RetentionOptions) (*escalate.RetentionRun, error)
	RetentionLog(ctx context.Context, partnershipID int64, limit int) ([]escalate.RetentionItem, error)
	SubjectAccess(ctx context.Context, q escalate.SubjectQuery) (*escalate.SubjectAccessExport, error)
}

// privacyMoreRoutes adds the data protection officer's routes, where the
// store keeps retention.
func (s *Server) privacyMoreRoutes(page func(pattern string, h handlerFunc)) {
	if _, ok := s.privacy.(DPOStore); !ok {
		return
	}
	page("GET /privacy/retention", s.retentionPage)
	page("POST /privacy/retention", s.retentionPeriods)
	page("POST /privacy/holds", s.holdPlace)
	page("POST /privacy/holds/{id}/lift", s.holdLift)
	page("POST /privacy/subject-access", s.subjectAccess)
}

// dpo is ENOTFOUND unless u is the data protection officer, and returns
// the store.
func (s *Server) dpo(u *escalate.User) (DPOStore, error) {
	st, ok := s.privacy.(DPOStore)
	if u == nil || u.Disabled || !u.HasRole(escalate.RoleDataProtectionOfficer) || !ok {
		return nil, escalate.Errorf(escalate.ENOTFOUND, "Page not found")
	}
	return st, nil
}

// privacyMoreView is the data protection officer's section of the data
// protection page: the subject access form.
type privacyMoreView struct {
	Kind, Email, ChildRef, Format string
}

// privacyMore builds the data protection officer's section.
func (s *Server) privacyMore(r *http.Request, u *escalate.User) (any, error) {
	return &privacyMoreView{Kind: escalate.SubjectChild, Format: "pdf"}, nil
}

// retentionView is the retention and legal holds page.
type retentionView struct {
	Nav      []orgNavLink
	Banner   string
	Periods  []retentionPeriodRow
	Holds    []holdRow
	Ref      string
	Reason   string
	DryRun   []retentionRow
	Dry      bool
	Log      []retentionRow
	LiftID   int64
	LiftText string
}

type retentionPeriodRow struct {
	Class, Name, Days, Default string
	Own                        bool
	Error                      string
}

type holdRow struct {
	ID                     int64
	Covers, Reason, Placed string
	Lifted, LiftReason     string
	Active                 bool
}

type retentionRow struct {
	When, Class, What, Ended, Due, Outcome string
	Held                                   bool
}

func (s *Server) retentionView(r *http.Request, st DPOStore, u *escalate.User, dry bool) (*retentionView, error) {
	ctx := r.Context()
	days, own, err := st.RetentionPeriods(ctx, 0)
	if err != nil {
		return nil, err
	}
	v := &retentionView{Nav: orgNav(u, "/privacy"), Dry: dry}
	for _, c := range escalate.RetentionClasses {
		v.Periods = append(v.Periods, retentionPeriodRow{Class: string(c), Name: escalate.RetentionClassNames[c],
			Days: strconv.Itoa(days[c]), Default: strconv.Itoa(escalate.DefaultRetentionDays[c]), Own: own[c]})
	}
	holds, err := st.LegalHolds(ctx, 0)
	if err != nil {
		return nil, err
	}
	for _, h := range holds {
		v.Holds = append(v.Holds, holdRow{ID: h.ID, Covers: h.Covers(), Reason: h.Reason, Placed: londonTime(h.Placed),
			Lifted: londonTime(h.Lifted), LiftReason: h.LiftReason, Active: h.Active()})
	}
	rows := func(items []escalate.RetentionItem, verb string) []retentionRow {
		var out []retentionRow
		for _, it := range items {
			row := retentionRow{When: londonTime(it.At), Class: escalate.RetentionClassNames[it.Class], What: it.String(),
				Ended: londonTime(it.Ended), Due: londonTime(it.Due), Outcome: verb, Held: it.Held}
			if it.Held {
				row.Outcome = fmt.Sprintf("Kept: legal hold %d", it.HoldID)
			}
			out = append(out, row)
		}
		return out
	}
	if dry {
		run, err := st.RunRetention(ctx, escalate.RetentionOptions{DryRun: true})
		if err != nil {
			return nil, err
		}
		v.DryRun = rows(run.Items, "Would be erased")
	}
	log, err := st.RetentionLog(ctx, 0, 200)
	if err != nil {
		return nil, err
	}
	v.Log = rows(log, "Erased")
	return v, nil
}

func (s *Server) retentionPage(w http.ResponseWriter, r *http.Request) error {
	u, _ := orgActor(r)
	st, err := s.dpo(u)
	if err != nil {
		return err
	}
	v, err := s.retentionView(r, st, u, r.URL.Query().Get("dry-run") == "1")
	if err != nil {
		return err
	}
	v.Banner = map[string]string{"periods": "Retention periods saved", "hold": "Legal hold placed",
		"lift": "Legal hold lifted"}[r.URL.Query().Get("done")]
	s.render(w, r, http.StatusOK, "privacy-retention", &page{Title: "Data protection", Data: v})
	return nil
}

// retentionPeriods saves every class's period; a bad one re-shows the form
// with its error and saves nothing.
func (s *Server) retentionPeriods(w http.ResponseWriter, r *http.Request) error {
	u, _ := orgActor(r)
	st, err := s.dpo(u)
	if err != nil {
		return err
	}
	if err := orgParseForm(w, r); err != nil {
		return err
	}
	want := map[escalate.RetentionClass]int{}
	var errs []fieldError
	for _, c := range escalate.RetentionClasses {
		raw := strings.TrimSpace(r.PostForm.Get("days-" + string(c)))
		n, perr := strconv.Atoi(raw)
		if err := escalate.ValidateRetentionDays(n); perr != nil || err != nil {
			errs = append(errs, fieldError{"days-" + string(c), fmt.Sprintf("Enter the days to keep %s as a whole number from %d to %d",
				strings.ToLower(escalate.RetentionClassNames[c]), escalate.MinRetentionDays, escalate.MaxRetentionDays)})
			continue
		}
		want[c] = n
	}
	if errs != nil {
		v, err := s.retentionView(r, st, u, false)
		if err != nil {
			return err
		}
		for i := range v.Periods {
			p := &v.Periods[i]
			p.Days = r.PostForm.Get("days-" + p.Class)
			for _, e := range errs {
				if e.Field == "days-"+p.Class {
					p.Error = e.Message
				}
			}
		}
		s.render(w, r, http.StatusBadRequest, "privacy-retention", &page{Title: "Error: Data protection", Data: v, Errors: errs})
		return nil
	}
	days, _, err := st.RetentionPeriods(r.Context(), 0)
	if err != nil {
		return err
	}
	for _, c := range escalate.RetentionClasses {
		if want[c] == days[c] {
			continue
		}
		if err := st.SetRetentionPeriod(r.Context(), 0, c, want[c]); err != nil {
			return err
		}
	}
	http.Redirect(w, r, "/privacy/retention?done=periods", http.StatusSeeOther)
	return nil
}

func (s *Server) holdPlace(w http.ResponseWriter, r *http.Request) error {
	u, _ := orgActor(r)
	st, err := s.dpo(u)
	if err != nil {
		return err
	}
	if err := orgParseForm(w, r); err != nil {
		return err
	}
	ref := strings.ToUpper(strings.TrimSpace(r.PostForm.Get("ref")))
	reason := r.PostForm.Get("reason")
	_, err = st.PlaceHold(r.Context(), 0, ref, reason)
	if escalate.ErrorCode(err) == escalate.EINVALID {
		v, verr := s.retentionView(r, st, u, false)
		if verr != nil {
			return verr
		}
		v.Ref, v.Reason = ref, reason
		s.render(w, r, http.StatusBadRequest, "privacy-retention", &page{Title: "Error: Data protection", Data: v,
			Errors: []fieldError{{Field: escalate.ErrorField(err), Message: escalate.ErrorMessage(err)}}})
		return nil
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/privacy/retention?done=hold#holds", http.StatusSeeOther)
	return nil
}

func (s *Server) holdLift(w http.ResponseWriter, r *http.Request) error {
	u, _ := orgActor(r)
	st, err := s.dpo(u)
	if err != nil {
		return err
	}
	id, err := pathID(r, "legal hold")
	if err != nil {
		return err
	}
	if err := orgParseForm(w, r); err != nil {
		return err
	}
	reason := r.PostForm.Get("lift_reason")
	err = st.LiftHold(r.Context(), 0, id, reason)
	if escalate.ErrorCode(err) == escalate.EINVALID {
		v, verr := s.retentionView(r, st, u, false)
		if verr != nil {
			return verr
		}
		v.LiftID, v.LiftText = id, reason
		s.render(w, r, http.StatusBadRequest, "privacy-retention", &page{Title: "Error: Data protection", Data: v,
			Errors: []fieldError{{Field: fmt.Sprintf("lift_reason-%d", id), Message: escalate.ErrorMessage(err)}}})
		return nil
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/privacy/retention?done=lift#holds", http.StatusSeeOther)
	return nil
}

// subjectAccess makes a subject access export and sends it as a PDF or a
// JSON file. It is a POST so that the email or child's reference stays out
// of the URL and the logs.
func (s *Server) subjectAccess(w http.ResponseWriter, r *http.Request) error {
	u, _ := orgActor(r)
	st, err := s.dpo(u)
	if err != nil {
		return err
	}
	if err := orgParseForm(w, r); err != nil {
		return err
	}
	f := r.PostForm
	more := &privacyMoreView{Kind: f.Get("kind"), Email: strings.TrimSpace(f.Get("email")),
		ChildRef: strings.TrimSpace(f.Get("child_ref")), Format: f.Get("format")}
	q := escalate.SubjectQuery{Kind: more.Kind, Email: more.Email, ChildRef: more.ChildRef}
	var x *escalate.SubjectAccessExport
	if more.Format != "pdf" && more.Format != "json" {
		err = escalate.FieldErrorf("format", "Choose the file: PDF or JSON.")
	} else {
		x, err = st.SubjectAccess(r.Context(), q)
	}
	if escalate.ErrorCode(err) == escalate.EINVALID {
		v, verr := s.privacyView(r, u)
		if verr != nil {
			return verr
		}
		v.More = more
		field := escalate.ErrorField(err)
		switch field {
		case "kind":
			field = "kind-child"
		case "email":
			field = "sar-email"
		}
		s.render(w, r, http.StatusBadRequest, "privacy-page", &page{Title: "Error: Data protection", Data: v,
			Errors: []fieldError{{Field: field, Message: escalate.ErrorMessage(err)}}})
		return nil
	}
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	name := "subject-access-" + x.Made.Format("2006-01-02-150405")
	switch more.Format {
	case "pdf":
		if err := report.WriteSubjectAccessPDF(&buf, x); err != nil {
			return err
		}
		w.Header().Set("Content-Type", "application/pdf")
		name += ".pdf"
	default:
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		if err := enc.Encode(x); err != nil {
			return err
		}
		w.Header().Set("Content-Type", "application/json")
		name += ".json"
	}
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(buf.Bytes())
	return err
}
