package web

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"github.com/escalate-project/escalate"
)

// Raising a disagreement is a GOV.UK "one thing per page" journey under
// /raise: is a child at immediate risk (and if so, what was done, recorded
// at once), is this the right process, then the decision, the child, the
// categories, the details and the risk, "Check your answers", and the
// confirmation.
//
// The answers between pages are kept on the server as the person's draft
// (RaiseStore.SaveDraft), never in the URL nor in hidden fields: no child
// data in URLs, and no re-posting every earlier answer on every page. A
// draft outlives the session, so a half-finished raise is still there
// after signing in again; it goes when raised, when the person deletes
// their answers, or a week after it was last saved.

// RaiseStore is what the raise pages need from the store besides the
// escalation service. *sqlstore.DB implements it.
type RaiseStore interface {
	// Agencies returns the partnership's agencies ordered by name.
	Agencies(ctx context.Context, partnershipID int64) ([]*escalate.Agency, error)
	// CurrentPolicy returns the policy new escalations follow.
	CurrentPolicy(ctx context.Context, partnershipID int64) (*escalate.Policy, error)
	// ContactsForRoles finds who to contact for a policy's roles.
	escalate.ContactDirectory
	// SaveDraft, Draft and DeleteDraft keep a person's draft of a form:
	// the raise journey's answers between its pages, and any form's
	// fields as typed (drafts.go). Draft also says when it was saved.
	SaveDraft(ctx context.Context, userID int64, form string, data []byte) error
	Draft(ctx context.Context, userID int64, form string) ([]byte, time.Time, error)
	DeleteDraft(ctx context.Context, userID int64, form string) error
}

// raiseForm names the raise journey's draft.
const raiseForm = "raise"

// raiseDraft is the answers so far. Done marks each step whose answers were
// accepted; a step's page is reached only when every step before it is done.
type raiseDraft struct {
	Done map[string]bool `json:"done"`

	Immediate       string    `json:"immediate"` // "yes" or "no"
	ImmediateAction string    `json:"immediate_action"`
	ImmediateAt     time.Time `json:"immediate_at"` // when it was recorded

	Scope map[string]string `json:"scope"` // redirect key → "yes" or "no"

	RaisedRole string `json:"raised_role"`
	AgencyID   int64  `json:"agency_id"`
	Contact    string `json:"contact"`
	Decision   string `json:"decision"`
	Day        string `json:"day"`
	Month      string `json:"month"`
	Year       string `json:"year"`

	ChildRef      string `json:"child_ref"`
	ChildInitials string `json:"child_initials"`
	// DueMonth and DueYear are an unborn baby's due month as typed.
	DueMonth string `json:"due_month"`
	DueYear  string `json:"due_year"`

	Categories []string `json:"categories"`

	Issue         string `json:"issue"`
	Risk          string `json:"risk"`
	Disagreement  string `json:"disagreement"`
	OutcomeSought string `json:"outcome_sought"`

	RiskLevel string `json:"risk_level"`

	// Alongside answers, for each redirect referred alongside, whether
	// there is also a disagreement about the child ("yes": it carries on).
	Alongside map[string]string `json:"alongside"`
	// DealtWith is who the raiser dealt with at the other agency, 0 for
	// its escalation contacts.
	DealtWith int64 `json:"dealt_with"`
	// ProtectBy is the deadline that protects the child, zero for none,
	// and the answers it was read from.
	ProtectBy                                          time.Time `json:"protect_by"`
	ProtectDay, ProtectMonth, ProtectYear, ProtectTime string
}

// raiseCtx is one raise request: who, under which policy, with which draft.
type raiseCtx struct {
	user     *escalate.User
	part     *escalate.Partnership
	policy   *escalate.Policy
	agencies []*escalate.Agency
	draft    *raiseDraft
	now      time.Time // the store's clock
	// lookup finds the directory's contacts for a role; nil without one.
	lookup func(escalate.Role) []*escalate.Contact
	// manager is the user's line manager as the service knows them, or nil.
	manager func() *escalate.User
	// people are the chosen receiving agency's people and escalation
	// contacts; nil before one is chosen.
	people *agencyPeople
}

func (s *Server) raiseRoutes(mux *http.ServeMux) {
	if s.raise == nil || s.esc == nil {
		return
	}
	for _, st := range raiseSteps {
		mux.Handle("GET "+st.path(), s.handle(s.signedIn(s.raiseGet(st))))
		mux.Handle("POST "+st.path(), s.handle(s.signedIn(s.raisePost(st))))
	}
	mux.Handle("GET /raise/elsewhere", s.handle(s.signedIn(s.raiseElsewhere)))
	mux.Handle("GET /raise/check", s.handle(s.signedIn(s.raiseCheck)))
	mux.Handle("POST /raise/check", s.handle(s.signedIn(s.raiseSubmit)))
	mux.Handle("GET /raise/cancel", s.handle(s.signedIn(s.raiseCancelForm)))
	mux.Handle("POST /raise/cancel", s.handle(s.signedIn(s.raiseCancel)))
	mux.Handle("GET /raise/raised/{ref}", s.handle(s.signedIn(s.raiseRaised)))
}

// raiseLoad loads the policy, the agencies and the session's draft.
func (s *Server) raiseLoad(r *http.Request) (*raiseCtx, error) {
	u, p := signedInUser(r)
	if u == nil || p == nil {
		return nil, escalate.Errorf(escalate.EUNAUTHORIZED, "Sign in to do this.")
	}
	if !escalate.Can(u, nil, escalate.Parties{}, escalate.ActionRaise) {
		return nil, escalate.Errorf(escalate.EFORBIDDEN, "Your account may not raise disagreements.")
	}
	rc := &raiseCtx{user: u, part: p, draft: &raiseDraft{}, now: s.esc.Now()}
	var err error
	if rc.policy, err = s.raise.CurrentPolicy(r.Context(), p.ID); err != nil {
		return nil, err
	}
	if rc.agencies, err = s.raise.Agencies(r.Context(), p.ID); err != nil {
		return nil, err
	}
	rc.lookup = func(role escalate.Role) []*escalate.Contact {
		cs, err := s.raise.ContactsForRoles(r.Context(), p.ID, []escalate.Role{role})
		if err != nil {
			s.log.ErrorContext(r.Context(), "raise: contacts directory", "err", err)
		}
		return cs
	}
	rc.manager = func() *escalate.User {
		if s.org == nil || u.ManagerID == 0 {
			return nil
		}
		m, err := s.org.FindUser(r.Context(), u.ManagerID)
		if err != nil || m.Disabled || m.PartnershipID != u.PartnershipID {
			return nil
		}
		return m
	}
	b, _, err := s.raise.Draft(r.Context(), u.ID, raiseForm)
	if err != nil {
		return nil, err
	}
	if b != nil {
		if err := json.Unmarshal(b, rc.draft); err != nil {
			// A draft written by an older version: start again rather
			// than fail.
			rc.draft = &raiseDraft{}
		}
	}
	if rc.draft.Done == nil {
		rc.draft.Done = map[string]bool{}
	}
	if rc.draft.AgencyID != 0 {
		if rc.people, err = s.peopleOf(r.Context(), p.ID, rc.draft.AgencyID); err != nil {
			return nil, err
		}
	}
	return rc, nil
}

// saveDraft stores the draft.
func (s *Server) saveDraft(ctx context.Context, rc *raiseCtx) error {
	b, err := json.Marshal(rc.draft)
	if err != nil {
		return err
	}
	return s.raise.SaveDraft(ctx, rc.user.ID, raiseForm, b)
}

// otherAgencies are the agencies a disagreement can be with: all but the
// raiser's own.
func (rc *raiseCtx) otherAgencies() []*escalate.Agency {
	var out []*escalate.Agency
	for _, a := range rc.agencies {
		if a.ID != rc.user.AgencyID {
			out = append(out, a)
		}
	}
	return out
}

// agencyName is the name of the partnership's agency id.
func (rc *raiseCtx) agencyName(id int64) string {
	for _, a := range rc.agencies {
		if a.ID == id {
			return a.Name
		}
	}
	return ""
}

// raiserRoles are the roles the user could raise in; asked only when
// there is more than one.
func (rc *raiseCtx) raiserRoles() []escalate.Role {
	return slices.DeleteFunc(slices.Clone(rc.user.Roles), func(r escalate.Role) bool { return !escalate.IsUserRole(r) })
}

// next is the first step not yet done, "elsewhere" when an answer took the
// matter out of this process, or "check" when every answer is in.
func (rc *raiseCtx) next() string {
	for _, st := range raiseSteps {
		if !st.applies(rc) {
			continue
		}
		if !rc.draft.Done[st.slug] {
			return st.slug
		}
		if leavesAfter(st.slug) && len(rc.redirectsChosen()) > 0 {
			return "elsewhere"
		}
	}
	return "check"
}

// leavesAfter reports whether an answer on step slug can take the matter
// out of this process.
func leavesAfter(slug string) bool { return slug == "scope" || slug == "alongside" }

// pathOf is the URL of a step slug.
func pathOf(slug string) string {
	if slug == "immediate" {
		return "/raise"
	}
	return "/raise/" + slug
}

// reachable reports whether slug may be shown now: it applies, every step
// before it is done, and no answer took the matter elsewhere. Otherwise the
// caller redirects to rc.next().
func (rc *raiseCtx) reachable(slug string) bool {
	if slug == "check" || slug == "elsewhere" {
		return rc.next() == slug
	}
	for _, st := range raiseSteps {
		if st.slug == slug {
			return st.applies(rc)
		}
		if !st.applies(rc) {
			continue
		}
		if !rc.draft.Done[st.slug] || leavesAfter(st.slug) && len(rc.redirectsChosen()) > 0 {
			return false
		}
	}
	return false
}

// back is the page before slug in the journey.
func (rc *raiseCtx) back(slug string) string {
	prev := "/"
	for _, st := range raiseSteps {
		if st.slug == slug {
			return prev
		}
		if st.applies(rc) {
			prev = pathOf(st.slug)
		}
	}
	if slug == "elsewhere" {
		return "/raise/scope"
	}
	return prev
}

// raiseCancelForm asks before deleting: "Delete my answers" cannot be
// undone, and sits near buttons that go on.
func (s *Server) raiseCancelForm(w http.ResponseWriter, r *http.Request) error {
	rc, err := s.raiseLoad(r)
	if err != nil {
		return err
	}
	back := pathOf(rc.next())
	if rc.next() == "check" {
		back = "/raise/check"
	}
	s.render(w, r, http.StatusOK, "raise-cancel", &page{Title: "Delete your answers?", Data: back})
	return nil
}

// raiseCancel deletes the draft, and the fields kept on any of its pages,
// and starts again.
func (s *Server) raiseCancel(w http.ResponseWriter, r *http.Request) error {
	u, _ := signedInUser(r)
	if err := s.raise.DeleteDraft(r.Context(), u.ID, raiseForm); err != nil {
		return err
	}
	for _, st := range raiseSteps {
		if err := s.raise.DeleteDraft(r.Context(), u.ID, st.path()); err != nil {
			return err
		}
	}
	http.Redirect(w, r, "/raise?done=deleted", http.StatusSeeOther)
	return nil
}
