package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
	"github.com/escalate-project/escalate/policy"
)

// PolicyStore is what changing a partnership's policy needs besides
// PartnershipStore: *sqlstore.DB. A PartnershipStore that is not one has no
// policy change pages.
type PolicyStore interface {
	// CurrentPolicyText returns the text of the policy in force and its
	// stored version's ID.
	CurrentPolicyText(ctx context.Context, partnershipID int64) ([]byte, int64, error)
	// PublishPolicy lints text and makes it the policy new escalations
	// follow, unless the version in force is no longer base (ECONFLICT). A
	// text with errors is refused with a *policy.ProblemsError.
	PublishPolicy(ctx context.Context, partnershipID int64, text []byte, base int64) (*escalate.PolicyPublication, error)
	// PolicyHistory is the version history, the policy in force first.
	PolicyHistory(ctx context.Context, partnershipID int64) ([]escalate.PolicyPublication, error)
}

// maxPolicyBytes bounds a policy file: the largest built-in pack is about
// 15 KB.
const maxPolicyBytes = 512 << 10

// policyChangeRoutes adds the pages on which the Business Manager or an
// administrator changes the partnership's policy: edit or upload, check
// (lint problems by line, or a comparison with the version in force),
// publish, and the version history.
func (s *Server) policyChangeRoutes(mux *http.ServeMux) {
	ps, ok := s.org.(PolicyStore)
	if s.org == nil || !ok {
		return
	}
	page := func(pattern string, h func(http.ResponseWriter, *http.Request, PolicyStore) error) {
		mux.Handle(pattern, s.handle(s.signedIn(func(w http.ResponseWriter, r *http.Request) error { return h(w, r, ps) })))
	}
	page("GET /policy/change", s.policyChangeForm)
	page("POST /policy/change", s.policyCheck)
	page("POST /policy/publish", s.policyPublish)
	page("GET /policy/history", s.policyHistoryPage)
}

// policyChangeView is the edit form, with the problems of a text that
// failed lint.
type policyChangeView struct {
	Nav      []orgNavLink
	Text     string
	Base     int64
	Version  string          // the version in force
	Problems []policyProblem // errors and warnings, by line
}

// policyProblem is one lint problem with the line it is on.
type policyProblem struct {
	Line, Col int
	Warning   bool
	Message   string
	Source    string // the text of the line, tabs shown as →
}

// policyReviewView is the comparison with the version in force, before
// publishing.
type policyReviewView struct {
	Nav       []orgNavLink
	Text      string
	Base      int64
	Old, New  *escalate.Policy
	Sections  []changeSection
	Warnings  []policyProblem
	OpenCases int
}

type changeSection struct {
	Title   string
	Changes []string
}

func (s *Server) policyChangeForm(w http.ResponseWriter, r *http.Request, ps PolicyStore) error {
	u, p := orgActor(r)
	if err := orgRequire(u, escalate.PolicyPublishers, "change the policy"); err != nil {
		return err
	}
	text, base, err := ps.CurrentPolicyText(r.Context(), p.ID)
	if err != nil {
		return err
	}
	cur, err := s.org.CurrentPolicy(r.Context(), p.ID)
	if err != nil {
		return err
	}
	v := &policyChangeView{Nav: orgNav(u, "/policy"), Text: string(text), Base: base, Version: cur.Version}
	s.render(w, r, http.StatusOK, "policy-change", &page{Title: "Change the policy", Data: v})
	return nil
}

// policyForm reads the posted policy text (an uploaded file wins over the
// text box) and the version it was based on.
func policyForm(w http.ResponseWriter, r *http.Request) (text string, base int64, errs []fieldError) {
	r.Body = http.MaxBytesReader(w, r.Body, 2*maxPolicyBytes+64<<10)
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		err = r.ParseMultipartForm(2 * maxPolicyBytes)
	} else {
		err = r.ParseForm()
	}
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return "", 0, []fieldError{{"policy-file", "The policy must be smaller than 512 KB"}}
	case err != nil:
		return "", 0, []fieldError{{"policy-text", "The form could not be read. Go back and try again."}}
	}
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	base, _ = strconv.ParseInt(r.PostFormValue("base"), 10, 64)
	text = r.PostFormValue("text")
	if f, hdr, err := r.FormFile("file"); err == nil {
		defer f.Close()
		if hdr.Size > 0 {
			b, err := io.ReadAll(io.LimitReader(f, maxPolicyBytes+1))
			if err != nil || len(b) > maxPolicyBytes {
				return text, base, []fieldError{{"policy-file", "The policy file must be smaller than 512 KB"}}
			}
			text = string(b)
		}
	}
	// Browsers send text boxes with CRLF line ends; policy files use LF.
	text = strings.ReplaceAll(text, "\r\n", "\n")
	if strings.TrimSpace(text) == "" {
		return text, base, []fieldError{{"policy-text", "Enter the policy, or upload a policy file"}}
	}
	if len(text) > maxPolicyBytes {
		return text, base, []fieldError{{"policy-text", "The policy must be smaller than 512 KB"}}
	}
	return text, base, nil
}

// policyCheck lints the posted policy. With errors it shows the form again
// with every problem, in the error summary and by line; without, the
// comparison with the version in force and the button to publish it.
func (s *Server) policyCheck(w http.ResponseWriter, r *http.Request, ps PolicyStore) error {
	u, p := orgActor(r)
	if err := orgRequire(u, escalate.PolicyPublishers, "change the policy"); err != nil {
		return err
	}
	text, base, errs := policyForm(w, r)
	if errs != nil || r.PostFormValue("edit") != "" {
		return s.renderPolicyForm(w, r, ps, text, base, nil, errs)
	}
	if cur, _, err := ps.CurrentPolicyText(r.Context(), p.ID); err != nil {
		return err
	} else if string(cur) == text {
		return s.renderPolicyForm(w, r, ps, text, base, nil, []fieldError{{"policy-text", "This is the policy already in force: change it, or upload a new file"}})
	}
	pol, probs, err := policy.Load("policy.yaml", []byte(text))
	if err != nil {
		return s.renderPolicyForm(w, r, ps, text, base, probs, nil)
	}
	return s.renderPolicyReview(w, r, ps, text, base, pol, probs, nil)
}

// policyPublish publishes the posted policy, which the store lints again:
// a policy with errors is never published.
func (s *Server) policyPublish(w http.ResponseWriter, r *http.Request, ps PolicyStore) error {
	u, p := orgActor(r)
	if err := orgRequire(u, escalate.PolicyPublishers, "change the policy"); err != nil {
		return err
	}
	text, base, errs := policyForm(w, r)
	if errs != nil {
		return s.renderPolicyForm(w, r, ps, text, base, nil, errs)
	}
	pub, err := ps.PublishPolicy(r.Context(), p.ID, []byte(text), base)
	var pe *policy.ProblemsError
	switch {
	case errors.As(err, &pe):
		return s.renderPolicyForm(w, r, ps, text, base, pe.Problems, nil)
	case escalate.ErrorCode(err) == escalate.ECONFLICT:
		// Someone else published meanwhile: compare against theirs.
		pol, probs, lerr := policy.Load("policy.yaml", []byte(text))
		if lerr != nil {
			return s.renderPolicyForm(w, r, ps, text, 0, probs, nil)
		}
		return s.renderPolicyReview(w, r, ps, text, 0, pol, probs, []fieldError{{"publish", escalate.ErrorMessage(err)}})
	case escalate.ErrorCode(err) == escalate.EINVALID:
		return s.renderPolicyForm(w, r, ps, text, base, nil, []fieldError{{"policy-text", escalate.ErrorMessage(err)}})
	case err != nil:
		return err
	}
	http.Redirect(w, r, "/policy/history?published="+strconv.FormatInt(pub.ID, 10), http.StatusSeeOther)
	return nil
}

// renderPolicyForm shows the edit form again with text, its lint problems
// (every error in the error summary, and each problem under the text by
// line) or other field errors. Nothing is stored.
func (s *Server) renderPolicyForm(w http.ResponseWriter, r *http.Request, ps PolicyStore, text string, base int64, probs []policy.Problem, errs []fieldError) error {
	u, _ := orgActor(r)
	base, pol, err := s.inForce(r, ps, base)
	if err != nil {
		return err
	}
	v := &policyChangeView{Nav: orgNav(u, "/policy"), Text: text, Base: base, Version: pol.Version, Problems: problemLines(text, probs)}
	for _, pr := range v.Problems {
		if !pr.Warning {
			errs = append(errs, fieldError{"policy-text", fmt.Sprintf("Line %d, column %d: %s", pr.Line, pr.Col, pr.Message)})
		}
	}
	status := http.StatusOK
	if len(errs) > 0 {
		status = http.StatusBadRequest
	}
	s.render(w, r, status, "policy-change", &page{Title: "Change the policy", Errors: errs, Data: v})
	return nil
}

// inForce returns the policy in force and, when base is 0, its stored
// version's ID as the base to publish against.
func (s *Server) inForce(r *http.Request, ps PolicyStore, base int64) (int64, *escalate.Policy, error) {
	_, p := orgActor(r)
	_, cur, err := ps.CurrentPolicyText(r.Context(), p.ID)
	if err != nil {
		return 0, nil, err
	}
	if base == 0 {
		base = cur
	}
	pol, err := s.org.CurrentPolicy(r.Context(), p.ID)
	return base, pol, err
}

// problemLines pairs each problem with its line of text.
func problemLines(text string, probs []policy.Problem) []policyProblem {
	lines := strings.Split(text, "\n")
	var out []policyProblem
	for _, pr := range probs {
		pp := policyProblem{Line: pr.Line, Col: pr.Col, Warning: pr.Severity == policy.Warning, Message: pr.Message}
		if pr.Line >= 1 && pr.Line <= len(lines) {
			pp.Source = strings.ReplaceAll(strings.TrimRight(lines[pr.Line-1], " "), "\t", "→")
		}
		out = append(out, pp)
	}
	return out
}

func (s *Server) renderPolicyReview(w http.ResponseWriter, r *http.Request, ps PolicyStore, text string, base int64, pol *escalate.Policy, probs []policy.Problem, errs []fieldError) error {
	u, p := orgActor(r)
	base, old, err := s.inForce(r, ps, base)
	if err != nil {
		return err
	}
	hist, err := ps.PolicyHistory(r.Context(), p.ID)
	if err != nil {
		return err
	}
	v := &policyReviewView{Nav: orgNav(u, "/policy"), Text: text, Base: base, Old: old, New: pol, Warnings: problemLines(text, probs)}
	if len(hist) > 0 {
		v.OpenCases = hist[0].OpenEscalations
	}
	for _, c := range policy.Compare(old, pol) {
		if n := len(v.Sections); n == 0 || v.Sections[n-1].Title != c.Section {
			v.Sections = append(v.Sections, changeSection{Title: c.Section})
		}
		last := &v.Sections[len(v.Sections)-1]
		last.Changes = append(last.Changes, c.Text)
	}
	status := http.StatusOK
	if len(errs) > 0 {
		status = http.StatusConflict
	}
	s.render(w, r, status, "policy-review", &page{Title: "Check the changes to the policy", Errors: errs, Data: v})
	return nil
}

// policyHistoryView is the version history page.
type policyHistoryView struct {
	Nav       []orgNavLink
	Rows      []policyHistoryRow
	Published *policyHistoryRow // the publication just made, for the banner
	// OpenOnOlder counts the open escalations on versions no longer in force.
	OpenOnOlder int
}

type policyHistoryRow struct {
	ID       int64
	PolicyID string
	Version  string
	When     string // "Sun 6 Dec 2026 at 19:04"
	By       string
	Open     int
	Current  bool
}

func (s *Server) policyHistoryPage(w http.ResponseWriter, r *http.Request, ps PolicyStore) error {
	u, p := orgActor(r)
	if err := orgRequire(u, escalate.PolicyPublishers, "see the policy's version history"); err != nil {
		return err
	}
	hist, err := ps.PolicyHistory(r.Context(), p.ID)
	if err != nil {
		return err
	}
	v := &policyHistoryView{Nav: orgNav(u, "/policy")}
	published, _ := strconv.ParseInt(r.URL.Query().Get("published"), 10, 64)
	for _, h := range hist {
		by := h.PublisherName
		switch {
		case by != "":
		case h.Actor == "" || h.Actor == "system":
			by = "Not recorded"
		case strings.HasPrefix(h.Actor, "cli"):
			by = "The command line (escalate partnership set-policy)"
		default:
			by = h.Actor
		}
		at := h.PublishedAt.In(calendar.London)
		row := policyHistoryRow{ID: h.ID, PolicyID: h.PolicyID, Version: h.Version, By: by, Open: h.OpenEscalations, Current: h.Current,
			When: at.Format("Mon 2 Jan 2006") + " at " + at.Format("15:04")}
		v.Rows = append(v.Rows, row)
		if !h.Current && !slices.ContainsFunc(hist[:len(v.Rows)-1], func(o escalate.PolicyPublication) bool { return o.VersionID == h.VersionID }) {
			v.OpenOnOlder += h.OpenEscalations
		}
	}
	if len(v.Rows) > 0 && published == v.Rows[0].ID {
		v.Published = &v.Rows[0]
	}
	s.render(w, r, http.StatusOK, "policy-history", &page{Title: "Policy version history", Data: v})
	return nil
}
