package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
	"github.com/escalate-project/escalate/policy"
)

// GoodPracticeStore records and lists recognitions of another agency's
// good practice: *sqlstore.DB. A PartnershipStore that is not one has no
// good practice pages.
type GoodPracticeStore interface {
	RecordGoodPractice(ctx context.Context, in escalate.GoodPracticeInput) (*escalate.GoodPractice, error)
	GoodPractice(ctx context.Context) ([]escalate.GoodPracticeEntry, error)
}

// GoodPracticeCounter counts recognitions of good practice for the board
// report: *sqlstore.DB.
type GoodPracticeCounter interface {
	GoodPracticeCounts(ctx context.Context, partnershipID int64, from, to time.Time) (map[string]int, error)
}

// goodPracticeRoutes adds the pages for recognising another agency's good
// practice, where the policy has the route (good_practice).
func (s *Server) goodPracticeRoutes(mux *http.ServeMux) {
	gs, ok := s.org.(GoodPracticeStore)
	if s.org == nil || !ok {
		return
	}
	page := func(pattern string, h func(http.ResponseWriter, *http.Request, GoodPracticeStore) error) {
		mux.Handle(pattern, s.handle(s.signedIn(func(w http.ResponseWriter, r *http.Request) error { return h(w, r, gs) })))
	}
	page("GET /good-practice", s.goodPracticePage)
	page("GET /good-practice/new", s.goodPracticeForm)
	page("POST /good-practice/new", s.goodPracticeRecord)
}

type goodPracticeView struct {
	Nav      []orgNavLink
	Rows     []goodPracticeRow
	Recorded bool
	Help     string
	Tell     string // who at the agency is told, in words
	TellIs   string // "is" or "are"
}

type goodPracticeRow struct {
	When, By, FromAgency, Agency, What, Difference string
}

type goodPracticeFormView struct {
	Nav        []orgNavLink
	Agencies   []*escalate.Agency
	AgencyID   int64
	What       string
	Difference string
	Help       string
	Tell       string
	TellIs     string
}

// goodPracticeRoute returns the policy in force when it has the route, and
// ENOTFOUND otherwise: a partnership whose policy has no such route has no
// such pages.
func (s *Server) goodPracticeRoute(r *http.Request) (*escalate.Policy, error) {
	_, p := orgActor(r)
	pol, err := s.org.CurrentPolicy(r.Context(), p.ID)
	if err != nil {
		return nil, err
	}
	if pol.GoodPractice == nil {
		return nil, escalate.Errorf(escalate.ENOTFOUND, "Your partnership's policy has no route for recognising good practice.")
	}
	return pol, nil
}

// tellText says who at the recognised agency is told: "line manager".
func tellText(pol *escalate.Policy) string {
	var names []string
	for _, r := range escalate.GoodPracticeTell(pol) {
		names = append(names, policy.RoleName(pol, r))
	}
	return strings.Join(names, " and ")
}

func tellIs(pol *escalate.Policy) string {
	if len(escalate.GoodPracticeTell(pol)) > 1 {
		return "are"
	}
	return "is"
}

func (s *Server) goodPracticePage(w http.ResponseWriter, r *http.Request, gs GoodPracticeStore) error {
	u, _ := orgActor(r)
	pol, err := s.goodPracticeRoute(r)
	if err != nil {
		return err
	}
	vs, err := gs.GoodPractice(r.Context())
	if err != nil {
		return err
	}
	v := &goodPracticeView{Nav: orgNav(u, "/policy"), Recorded: r.URL.Query().Get("done") == "recorded",
		Help: pol.GoodPractice.Help, Tell: tellText(pol), TellIs: tellIs(pol)}
	for _, g := range vs {
		at := g.At.In(calendar.London)
		v.Rows = append(v.Rows, goodPracticeRow{When: at.Format("Mon 2 Jan 2006"), By: g.ByName, FromAgency: g.FromAgency,
			Agency: g.Agency, What: g.What, Difference: g.Difference})
	}
	s.render(w, r, http.StatusOK, "good-practice-page", &page{Title: "Good practice", Data: v})
	return nil
}

func (s *Server) goodPracticeForm(w http.ResponseWriter, r *http.Request, gs GoodPracticeStore) error {
	pol, err := s.goodPracticeRoute(r)
	if err != nil {
		return err
	}
	v, err := s.goodPracticeFormView(r, pol)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "good-practice-new", &page{Title: "Recognise good practice", Data: v})
	return nil
}

// goodPracticeFormView is the form with the agencies one may recognise:
// every agency of the partnership but one's own.
func (s *Server) goodPracticeFormView(r *http.Request, pol *escalate.Policy) (*goodPracticeFormView, error) {
	u, p := orgActor(r)
	as, err := s.org.Agencies(r.Context(), p.ID)
	if err != nil {
		return nil, err
	}
	v := &goodPracticeFormView{Nav: orgNav(u, "/policy"), Help: pol.GoodPractice.Help, Tell: tellText(pol), TellIs: tellIs(pol)}
	for _, a := range as {
		if a.ID != u.AgencyID {
			v.Agencies = append(v.Agencies, a)
		}
	}
	return v, nil
}

// goodPracticeRecord records the form; a wrong form comes back with every
// problem and nothing is stored.
func (s *Server) goodPracticeRecord(w http.ResponseWriter, r *http.Request, gs GoodPracticeStore) error {
	pol, err := s.goodPracticeRoute(r)
	if err != nil {
		return err
	}
	if err := orgParseForm(w, r); err != nil {
		return err
	}
	v, err := s.goodPracticeFormView(r, pol)
	if err != nil {
		return err
	}
	f := r.PostForm
	v.AgencyID, _ = strconv.ParseInt(f.Get("agency"), 10, 64)
	v.What, v.Difference = strings.TrimSpace(f.Get("what")), strings.TrimSpace(f.Get("difference"))
	pg := &page{Title: "Recognise good practice", Data: v}
	if v.AgencyID == 0 {
		pg.Errors = append(pg.Errors, fieldError{"agency", "Choose the agency whose practice you are recognising"})
	}
	if v.What == "" {
		pg.Errors = append(pg.Errors, fieldError{"what", "Say what the agency did well"})
	}
	if len(pg.Errors) == 0 {
		_, err = gs.RecordGoodPractice(r.Context(), escalate.GoodPracticeInput{AgencyID: v.AgencyID, What: v.What, Difference: v.Difference})
		switch {
		case escalate.ErrorCode(err) == escalate.EINVALID && escalate.ErrorField(err) != "":
			pg.Errors = append(pg.Errors, fieldError{escalate.ErrorField(err), escalate.ErrorMessage(err)})
		case err != nil:
			return err
		default:
			http.Redirect(w, r, "/good-practice?done=recorded", http.StatusSeeOther)
			return nil
		}
	}
	s.render(w, r, http.StatusBadRequest, "good-practice-new", pg)
	return nil
}
