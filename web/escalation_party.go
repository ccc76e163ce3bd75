package web

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/policy"
)

// The "Name who is dealing with this" action. Where a stage's receiving
// side is practitioners (Redbridge, Surrey, Hammersmith & Fulham stage 1),
// the policy brings in no receiving role, so nobody at the receiving agency
// can see the case until someone names them a party. The service decides
// who may name one (whoever may add a record: the parties and the Business
// Manager); this page offers only the people who can sensibly be dealing
// with it: the receiving agency's, and at a stage within the raising
// agency the raising agency's too.

// partyPath is the action's URL segment under /escalations/{ref}/.
const partyPath = "party"

// partyLink is the action's link on the escalation page.
const partyLink = "Name who is dealing with this"

// partyData is the party form page.
type partyData struct {
	Ref      string
	Stage    string
	Agencies string // where the people offered work, in words
	Options  []option
	Value    string // the posted choice
	Error    string
}

// PartyAdder names a party to an escalation: sqlstore.EscalationService
// implements it. It is apart from Escalations because the domain's
// EscalationService interface does not have it.
type PartyAdder interface {
	AddParty(ctx context.Context, ref string, userID int64) (*escalate.Escalation, error)
}

// parties is the escalation service's PartyAdder, or nil.
func (s *Server) parties() PartyAdder {
	pa, _ := s.esc.(PartyAdder)
	return pa
}

// partyRoutes adds the party form. It needs the partnership's people, so
// a server without a PartnershipStore has no such page.
func (s *Server) partyRoutes(mux *http.ServeMux) {
	if s.org == nil || s.parties() == nil {
		return
	}
	mux.Handle("GET /escalations/{ref}/"+partyPath, s.handle(s.signedIn(s.partyForm)))
	mux.Handle("POST /escalations/{ref}/"+partyPath, s.handle(s.signedIn(s.partyPost)))
}

// partyOffered reports whether the escalation page offers the action.
func (s *Server) partyOffered(ctx context.Context, v *caseView) bool {
	return s.org != nil && s.parties() != nil && v.can(ctx, escalate.ActionRecordAdd)
}

// partyPage adds the action to the escalation page d, after "Record a
// discussion", and the banner after naming someone (?done=party&party=ID).
func (s *Server) partyPage(r *http.Request, v *caseView, d *escalationData) {
	q := r.URL.Query()
	if q.Get("done") == partyPath {
		if id, err := strconv.ParseInt(q.Get("party"), 10, 64); err == nil && v.People[id] != "" {
			d.Banner = v.People[id] + " is now dealing with this escalation"
		}
	}
	if !s.partyOffered(r.Context(), v) {
		return
	}
	link := actionLink{Href: "/escalations/" + v.E.Ref + "/" + partyPath, Text: partyLink}
	at := 0
	for i, a := range d.Actions {
		if strings.HasSuffix(a.Href, "/record") {
			at = i + 1
		}
	}
	d.Actions = slices.Insert(d.Actions, at, link)
}

// openParty loads the case and checks the user may name a party: not a
// party at all is ENOTFOUND (from Get), a party who may not is EFORBIDDEN.
func (s *Server) openParty(r *http.Request) (*caseView, error) {
	v, err := s.loadCase(r.Context(), r.PathValue("ref"))
	if err != nil {
		return nil, err
	}
	if !s.partyOffered(r.Context(), v) {
		if v.E.Status.Closed() {
			return nil, escalate.Errorf(escalate.ECONFLICT, "This escalation is closed (%s): it can no longer change.", v.E.Status)
		}
		return nil, escalate.Errorf(escalate.EFORBIDDEN, "You cannot name who is dealing with escalation %s.", v.E.Ref)
	}
	return v, nil
}

// partyChoices are the people who may be named: enabled, at the receiving
// agency (or, at a stage within the raising agency, the raising one), with
// a role that reads cases, and not already involved or the raiser. Each
// shows a name and job roles only: no email addresses.
func (s *Server) partyChoices(ctx context.Context, v *caseView) (opts []option, where string, err error) {
	users, err := s.org.Users(ctx, v.E.PartnershipID)
	if err != nil {
		return nil, "", err
	}
	agencies := []int64{v.E.ReceivingAgencyID}
	where = v.Agencies[v.E.ReceivingAgencyID]
	if v.Parties.WithinAgency && v.E.RaisingAgencyID != v.E.ReceivingAgencyID {
		agencies = append(agencies, v.E.RaisingAgencyID)
		where += " or " + v.Agencies[v.E.RaisingAgencyID]
	}
	for _, u := range users {
		if u.Disabled || !slices.Contains(agencies, u.AgencyID) || u.ID == v.E.RaisedBy || slices.Contains(v.Parties.Involved, u.ID) {
			continue
		}
		var roles []string
		for _, r := range u.Roles {
			if r != escalate.RoleAdmin {
				roles = append(roles, policy.RoleName(v.Policy, r))
			}
		}
		if len(roles) == 0 {
			continue // an administrator manages accounts and does not read cases
		}
		text := u.Name + " (" + strings.Join(roles, ", ")
		if len(agencies) > 1 {
			text += ", " + v.Agencies[u.AgencyID]
		}
		opts = append(opts, option{Value: strconv.FormatInt(u.ID, 10), Text: text + ")"})
	}
	return opts, where, nil
}

func (s *Server) partyForm(w http.ResponseWriter, r *http.Request) error {
	v, err := s.openParty(r)
	if err != nil {
		return err
	}
	opts, where, err := s.partyChoices(r.Context(), v)
	if err != nil {
		return err
	}
	s.renderParty(w, r, http.StatusOK, v, &partyData{Options: opts, Agencies: where}, nil)
	return nil
}

// partyPost names the chosen person. A missing or unknown choice shows the
// form again with the error summary, and nothing is stored.
func (s *Server) partyPost(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return escalate.Errorf(escalate.EINVALID, "The form could not be read. Go back and try again.")
	}
	v, err := s.openParty(r)
	if err != nil {
		return err
	}
	opts, where, err := s.partyChoices(r.Context(), v)
	if err != nil {
		return err
	}
	d := &partyData{Options: opts, Agencies: where, Value: formValues(r.PostForm).get("user")}
	known := slices.ContainsFunc(opts, func(o option) bool { return o.Value == d.Value })
	switch {
	case d.Value == "":
		d.Error = "Choose who is dealing with this escalation."
	case !known:
		d.Error = "Choose someone from the list."
	default:
		id, _ := strconv.ParseInt(d.Value, 10, 64)
		_, err := s.parties().AddParty(r.Context(), v.E.Ref, id)
		if code := escalate.ErrorCode(err); err == nil {
			http.Redirect(w, r, "/escalations/"+v.E.Ref+"?done="+partyPath+"&party="+d.Value, http.StatusSeeOther)
			return nil
		} else if code != escalate.EINVALID {
			return err
		}
		d.Error = escalate.ErrorMessage(err)
	}
	s.renderParty(w, r, http.StatusBadRequest, v, d, []fieldError{{"user", d.Error}})
	return nil
}

func (s *Server) renderParty(w http.ResponseWriter, r *http.Request, status int, v *caseView, d *partyData, errs []fieldError) {
	d.Ref, d.Stage = v.E.Ref, stageTitle(v.Policy, v.E.Stage)
	s.render(w, r, status, "escalation-party", &page{Title: partyLink + " – " + v.E.Ref, Errors: errs, Data: d})
}
