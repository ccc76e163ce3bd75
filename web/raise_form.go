package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/escalate-project/escalate"
)

// raiseStep is one question page of the journey.
type raiseStep struct {
	slug  string
	title string // the page title; never holds an answer
	// applies reports whether the step is asked at all for this draft.
	applies func(rc *raiseCtx) bool
	// form builds the page from the draft.
	form func(rc *raiseCtx) *raisePage
	// read copies the posted answers into the draft and checks them.
	read func(rc *raiseCtx, f url.Values) []fieldError
	// commit, if set, runs once the answers are accepted and before the
	// draft is saved: the immediate-risk step records its action there.
	commit func(s *Server, r *http.Request, rc *raiseCtx) error
}

func (st *raiseStep) path() string { return pathOf(st.slug) }

func always(*raiseCtx) bool { return true }

// raisePage is what the raise-form template shows.
type raisePage struct {
	Back     string
	Heading  string // the h1, unless a field is the heading
	Lead     []string
	Inset    string
	Recorded string // a success banner
	Warning  string // a GOV.UK warning text
	Route    *immediateRoute
	Fields   []*raiseField
	Button   string
	Kept     string // says what was kept from before, when a draft was
	Draft    string // the form's path, under which app.js keeps what is typed
	Deleted  bool   // the person has just deleted their answers
}

// raiseField is one GOV.UK form control. ID is the id the error summary
// links to: the input itself, or the first radio, checkbox or date part.
type raiseField struct {
	ID      string
	Name    string
	Kind    string // radios, checkboxes, text, textarea, select or date
	Label   string
	Heading bool   // the label or legend is the page's h1
	Size    string // the label's size when not the heading: s (default) or m
	Hint    string
	Options []*raiseOption
	Value   string
	Date    [3]string // day, month, year
	Width   string    // a govuk-input--width-N class
	Rows    int
	Auto    string // autocomplete
	Error   string
}

// raiseOption is a radio, checkbox or select option.
type raiseOption struct {
	ID, Value, Text, Hint string
	Checked               bool
}

// DescribedBy is the aria-describedby of the field: its hint and error.
func (f *raiseField) DescribedBy() string {
	var ids []string
	if f.Hint != "" {
		ids = append(ids, f.ID+"-hint")
	}
	if f.Error != "" {
		ids = append(ids, f.ID+"-error")
	}
	return strings.Join(ids, " ")
}

// options makes radio or checkbox options; the first takes the field's
// id, the rest id-2, id-3 and so on, as in the GOV.UK Design System.
func options(id string, checked func(v string) bool, vth ...[3]string) []*raiseOption {
	out := make([]*raiseOption, len(vth))
	for i, o := range vth {
		oid := id
		if i > 0 {
			oid = fmt.Sprintf("%s-%d", id, i+1)
		}
		out[i] = &raiseOption{ID: oid, Value: o[0], Text: o[1], Hint: o[2], Checked: checked(o[0])}
	}
	return out
}

func yesNo(id, current string) []*raiseOption {
	return options(id, func(v string) bool { return v == current }, [3]string{"yes", "Yes", ""}, [3]string{"no", "No", ""})
}

// raiseGet shows a step, or sends the person to the step they have reached.
func (s *Server) raiseGet(st *raiseStep) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		rc, err := s.raiseLoad(r)
		if err != nil {
			return err
		}
		if !rc.reachable(st.slug) {
			http.Redirect(w, r, pathOf(rc.next()), http.StatusSeeOther)
			return nil
		}
		// What was typed on this page and not yet sent, kept as a draft
		// (drafts.go): shown, not checked or saved, until sent.
		kept, err := s.formDraftFor(r, st.path())
		if err != nil {
			return err
		}
		if kept != nil {
			st.read(rc, kept.Values)
		}
		s.renderStepKept(w, r, http.StatusOK, st, rc, nil, draftBanner(kept))
		return nil
	}
}

// raisePost checks a step's answers. Any error shows the page again with
// the error summary and stores nothing; else the answers go into the draft
// and the person goes on to the next step not yet done.
func (s *Server) raisePost(st *raiseStep) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		if err := r.ParseForm(); err != nil {
			return escalate.Errorf(escalate.EINVALID, "The form could not be read. Go back and try again.")
		}
		rc, err := s.raiseLoad(r)
		if err != nil {
			return err
		}
		if !rc.reachable(st.slug) {
			http.Redirect(w, r, pathOf(rc.next()), http.StatusSeeOther)
			return nil
		}
		if errs := st.read(rc, r.PostForm); len(errs) > 0 {
			s.renderStep(w, r, http.StatusBadRequest, st, rc, errs)
			return nil
		}
		if st.commit != nil {
			if err := st.commit(s, r, rc); err != nil {
				if f := escalate.ErrorField(err); f != "" {
					s.renderStep(w, r, http.StatusBadRequest, st, rc, []fieldError{{f, escalate.ErrorMessage(err)}})
					return nil
				}
				return err
			}
		}
		rc.draft.Done[st.slug] = true
		if err := s.saveDraft(r.Context(), rc); err != nil {
			return err
		}
		if err := s.dropFormDraft(r, st.path()); err != nil {
			return err
		}
		http.Redirect(w, r, pathOf(rc.next()), http.StatusSeeOther)
		return nil
	}
}

// renderStep shows a step's page with errs against its fields.
func (s *Server) renderStep(w http.ResponseWriter, r *http.Request, status int, st *raiseStep, rc *raiseCtx, errs []fieldError) {
	s.renderStepKept(w, r, status, st, rc, errs, "")
}

// renderStepKept is renderStep with a banner saying what was kept.
func (s *Server) renderStepKept(w http.ResponseWriter, r *http.Request, status int, st *raiseStep, rc *raiseCtx, errs []fieldError, kept string) {
	pg := st.form(rc)
	pg.Kept = kept
	pg.Draft = st.path()
	pg.Deleted = r.Method == http.MethodGet && r.URL.Query().Get("done") == "deleted"
	pg.Back = rc.back(st.slug)
	for _, f := range pg.Fields {
		for _, e := range errs {
			if e.Field == f.ID && f.Error == "" {
				f.Error = e.Message
			}
		}
	}
	s.render(w, r, status, "raise-form", &page{Title: st.title, Errors: errs, Data: pg})
}
