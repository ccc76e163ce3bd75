package web

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/escalate-project/escalate"
)

// An agency's page in administration: its kind and its escalation contacts,
// the single point of contact a new escalation against it reaches at once.
// Administrators add and remove contacts; the Business Manager reads them.

// EscalationContactStore keeps agencies' escalation contacts:
// *sqlstore.DB implements it.
type EscalationContactStore interface {
	EscalationContacts(ctx context.Context, partnershipID int64) (map[int64][]*escalate.User, error)
	AddEscalationContact(ctx context.Context, agencyID, userID int64) error
	RemoveEscalationContact(ctx context.Context, agencyID, userID int64) error
}

// agencyRoutes adds the agency pages, where the store keeps contacts.
func (s *Server) agencyRoutes(mux *http.ServeMux) {
	if _, ok := s.org.(EscalationContactStore); !ok || s.org == nil {
		return
	}
	page := func(pattern string, h handlerFunc) { mux.Handle(pattern, s.handle(s.signedIn(h))) }
	page("GET /admin/agencies/{id}", s.agencyPage)
	page("POST /admin/agencies/{id}/contacts", s.agencyContactAdd)
	page("POST /admin/agencies/{id}/contacts/remove", s.agencyContactRemove)
}

// agencyView is an agency's page.
type agencyView struct {
	Nav      []orgNavLink
	Agency   *escalate.Agency
	KindName string
	CanEdit  bool
	Contacts []*escalate.User
	Options  []option // who may be made a contact
	Value    string
	Notice   string
}

// agencyOf loads the agency {id} of the actor's partnership for a reader.
func (s *Server) agencyOf(r *http.Request) (*escalate.Agency, error) {
	u, p := orgActor(r)
	if err := orgRequire(u, adminReaders, "see the partnership's agencies"); err != nil {
		return nil, err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return nil, escalate.Errorf(escalate.ENOTFOUND, "Page not found")
	}
	as, err := s.org.Agencies(r.Context(), p.ID)
	if err != nil {
		return nil, err
	}
	for _, a := range as {
		if a.ID == id {
			return a, nil
		}
	}
	return nil, escalate.Errorf(escalate.ENOTFOUND, "There is no such agency in this partnership.")
}

// agencyData builds the page: the contacts, and the agency's other people
// who could be one (enabled, doing more than administering, and not the
// administrator themselves, whom the store refuses).
func (s *Server) agencyData(r *http.Request, a *escalate.Agency) (*agencyView, error) {
	u, p := orgActor(r)
	cs, err := s.org.(EscalationContactStore).EscalationContacts(r.Context(), p.ID)
	if err != nil {
		return nil, err
	}
	users, err := s.org.Users(r.Context(), p.ID)
	if err != nil {
		return nil, err
	}
	v := &agencyView{Nav: orgNav(u, "/admin"), Agency: a, KindName: escalate.AgencyKindName(a.Kind),
		CanEdit: orgHasAny(u, adminWriters), Contacts: cs[a.ID]}
	for _, x := range users {
		if x.AgencyID != a.ID || x.Disabled || x.ID == u.ID || (&escalate.Person{Roles: x.Roles}).OnlyAdministers() ||
			slices.ContainsFunc(v.Contacts, func(c *escalate.User) bool { return c.ID == x.ID }) {
			continue
		}
		v.Options = append(v.Options, option{Value: strconv.FormatInt(x.ID, 10), Text: x.Name + " (" + roleNamesList(x.Roles) + ")"})
	}
	return v, nil
}

var agencyNotices = map[string]string{"added": "Escalation contact added.", "removed": "Escalation contact removed."}

func (s *Server) agencyPage(w http.ResponseWriter, r *http.Request) error {
	a, err := s.agencyOf(r)
	if err != nil {
		return err
	}
	v, err := s.agencyData(r, a)
	if err != nil {
		return err
	}
	v.Notice = agencyNotices[r.URL.Query().Get("done")]
	s.render(w, r, http.StatusOK, "admin-agency-page", &page{Title: a.Name, Data: v})
	return nil
}

// agencyContactAdd makes the chosen person an escalation contact; a
// missing or unknown choice shows the page again with the error summary.
func (s *Server) agencyContactAdd(w http.ResponseWriter, r *http.Request) error {
	u, _ := orgActor(r)
	if err := orgRequire(u, adminWriters, "change escalation contacts"); err != nil {
		return err
	}
	if err := orgParseForm(w, r); err != nil {
		return err
	}
	a, err := s.agencyOf(r)
	if err != nil {
		return err
	}
	v, err := s.agencyData(r, a)
	if err != nil {
		return err
	}
	v.Value = strings.TrimSpace(r.PostForm.Get("user"))
	pg := &page{Title: a.Name, Data: v}
	if !slices.ContainsFunc(v.Options, func(o option) bool { return o.Value == v.Value }) {
		pg.Errors = []fieldError{{"user", "Choose someone at " + a.Name + " to be an escalation contact"}}
	} else {
		id, _ := strconv.ParseInt(v.Value, 10, 64)
		err = s.org.(EscalationContactStore).AddEscalationContact(r.Context(), a.ID, id)
		if err == nil {
			http.Redirect(w, r, "/admin/agencies/"+strconv.FormatInt(a.ID, 10)+"?done=added", http.StatusSeeOther)
			return nil
		} else if c := escalate.ErrorCode(err); c != escalate.EINVALID && (c != escalate.EFORBIDDEN || escalate.ErrorField(err) == "") {
			return err
		}
		// Not the administrator themselves (the store's rule): a 403 with
		// the error summary.
		pg.Errors = []fieldError{{"user", escalate.ErrorMessage(err)}}
	}
	s.render(w, r, formStatus(err), "admin-agency-page", pg)
	return nil
}

func (s *Server) agencyContactRemove(w http.ResponseWriter, r *http.Request) error {
	u, _ := orgActor(r)
	if err := orgRequire(u, adminWriters, "change escalation contacts"); err != nil {
		return err
	}
	if err := orgParseForm(w, r); err != nil {
		return err
	}
	a, err := s.agencyOf(r)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PostForm.Get("user"), 10, 64)
	if err != nil {
		return escalate.Errorf(escalate.EINVALID, "Choose who to remove from the list on the page.")
	}
	if err := s.org.(EscalationContactStore).RemoveEscalationContact(r.Context(), a.ID, id); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/agencies/"+strconv.FormatInt(a.ID, 10)+"?done=removed", http.StatusSeeOther)
	return nil
}
