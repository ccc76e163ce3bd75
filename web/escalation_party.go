package web

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/escalate-project/escalate"
)

// Who deals with an escalation: "Take this escalation" (name yourself),
// "Name who is dealing with this" and "Remove" beside each person named.
// One rule decides who may be named and who may name
// (escalate.MayBeNamed, escalate.Can with ActionPartyName); these pages
// offer only what it allows and the service checks it again.

// partyPath is the action's URL segment under /escalations/{ref}/.
const partyPath = "party"

// partyLink is the action's link on the escalation page.
const partyLink = "Name who is dealing with this"

// partyData is the party form page.
type partyData struct {
	Ref     string
	Stage   string
	Named   []namedView // who is named now, with a remove button each
	Options []option
	Value   string // the posted choice
	Error   string
	Version int
}

// namedView is one person named to deal with the case.
type namedView struct {
	ID   int64
	Name string
	Team string
}

// PartyAdder names and removes who deals with an escalation and appoints a
// meeting's chair: sqlstore.EscalationService implements it. It is apart
// from Escalations because the domain's EscalationService interface does
// not have it.
type PartyAdder interface {
	AddParty(ctx context.Context, ref string, userID int64) (*escalate.Escalation, error)
	RemoveParty(ctx context.Context, ref string, userID int64) (*escalate.Escalation, error)
	AppointMeetingChair(ctx context.Context, ref string, userID int64) (*escalate.Escalation, error)
}

// parties is the escalation service's PartyAdder, or nil.
func (s *Server) parties() PartyAdder {
	pa, _ := s.esc.(PartyAdder)
	return pa
}

// partyRoutes adds the party pages.
func (s *Server) partyRoutes(mux *http.ServeMux) {
	if s.parties() == nil {
		return
	}
	mux.Handle("GET /escalations/{ref}/"+partyPath, s.handle(s.signedIn(s.partyForm)))
	mux.Handle("POST /escalations/{ref}/"+partyPath, s.handle(s.signedIn(s.partyPost)))
	mux.Handle("POST /escalations/{ref}/"+partyPath+"/take", s.handle(s.signedIn(s.partyTake)))
	mux.Handle("POST /escalations/{ref}/"+partyPath+"/remove", s.handle(s.signedIn(s.partyRemove)))
	mux.Handle("GET /escalations/{ref}/meeting-chair", s.handle(s.signedIn(s.meetingChairForm)))
	mux.Handle("POST /escalations/{ref}/meeting-chair", s.handle(s.signedIn(s.meetingChairPost)))
}

// partyOffered reports whether the escalation page offers naming.
func (s *Server) partyOffered(ctx context.Context, v *caseView) bool {
	return s.parties() != nil && v.can(ctx, escalate.ActionPartyName)
}

// takeOffered reports whether the signed-in user may take the case
// themselves: someone at the receiving agency (its escalation contact,
// typically) who may name, may be named, and is not named yet. The
// raising side acts already, by being the raiser or in their line.
func (s *Server) takeOffered(ctx context.Context, v *caseView) bool {
	me := escalate.UserFromContext(ctx)
	if !s.partyOffered(ctx, v) || me == nil || me.AgencyID != v.E.ReceivingAgencyID ||
		v.Parties.Ties(me.ID)&escalate.TieNamed != 0 || v.Parties.WithinAgency {
		return false
	}
	return escalate.MayBeNamed(v.Policy, v.E, v.Parties.Directory().Person(me.ID)) == nil
}

// partyPage adds the actions to the escalation page d, after "Record a
// discussion", and the banner after naming someone (?done=party&party=ID).
func (s *Server) partyPage(r *http.Request, v *caseView, d *escalationData) {
	q := r.URL.Query()
	switch q.Get("done") {
	case partyPath:
		if id, err := strconv.ParseInt(q.Get("party"), 10, 64); err == nil && v.People[id] != "" {
			d.Banner = v.People[id] + " is now dealing with this escalation"
		}
	case "taken":
		d.Banner = "You are now dealing with this escalation"
	case "removed":
		d.Banner = "They are no longer named as dealing with this escalation"
	case "meeting-chair":
		d.Banner = "The meeting's chair has been appointed"
	}
	d.Take = s.takeOffered(r.Context(), v)
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
	if st := v.E.CurrentStage(v.Policy); st != nil && st.Meeting != nil && st.Meeting.UninvolvedChair && v.can(r.Context(), escalate.ActionMeetingChair) {
		d.Actions = append(d.Actions, actionLink{Href: "/escalations/" + v.E.Ref + "/meeting-chair", Text: "Appoint the meeting's chair"})
	}
}

// openParty loads the case and checks the user may name: not a party at
// all is ENOTFOUND (from Get), a party who may not is EFORBIDDEN.
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

// personOptions are people to choose from, each by name and team only: no
// email addresses.
func personOptions(ps []*escalate.Person) []option {
	var opts []option
	for _, p := range ps {
		opts = append(opts, option{Value: strconv.FormatInt(p.ID, 10), Text: p.Name + " (" + p.Team + ")"})
	}
	return opts
}

// partyView fills the form's lists from the case.
func partyView(v *caseView) *partyData {
	d := &partyData{Options: personOptions(escalate.NameChoices(v.Policy, v.E, v.Parties)), Version: v.E.Version}
	for _, id := range v.Parties.With(escalate.TieNamed) {
		if p := v.Parties.Directory().Person(id); p != nil {
			d.Named = append(d.Named, namedView{ID: id, Name: p.Name, Team: p.Team})
		}
	}
	return d
}

func (s *Server) partyForm(w http.ResponseWriter, r *http.Request) error {
	v, err := s.openParty(r)
	if err != nil {
		return err
	}
	s.renderParty(w, r, http.StatusOK, v, partyView(v), nil)
	return nil
}

// partyPost names the chosen person. A missing or unknown choice shows the
// form again with the error summary, and nothing is stored.
func (s *Server) partyPost(w http.ResponseWriter, r *http.Request) error {
	v, err := s.partyFormCase(w, r)
	if err != nil {
		return err
	}
	d := partyView(v)
	d.Value = formValues(r.PostForm).get("user")
	known := slices.ContainsFunc(d.Options, func(o option) bool { return o.Value == d.Value })
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

// partyFormCase reads a posted party form and opens its case.
func (s *Server) partyFormCase(w http.ResponseWriter, r *http.Request) (*caseView, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return nil, escalate.Errorf(escalate.EINVALID, "The form could not be read. Go back and try again.")
	}
	return s.openParty(r)
}

// partyTake names the signed-in user: "Take this escalation".
func (s *Server) partyTake(w http.ResponseWriter, r *http.Request) error {
	v, err := s.partyFormCase(w, r)
	if err != nil {
		return err
	}
	me := escalate.UserFromContext(r.Context())
	if _, err := s.parties().AddParty(r.Context(), v.E.Ref, me.ID); err != nil {
		return err
	}
	http.Redirect(w, r, "/escalations/"+v.E.Ref+"?done=taken", http.StatusSeeOther)
	return nil
}

// partyRemove removes a named person.
func (s *Server) partyRemove(w http.ResponseWriter, r *http.Request) error {
	v, err := s.partyFormCase(w, r)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(formValues(r.PostForm).get("user"), 10, 64)
	if err != nil {
		return escalate.Errorf(escalate.EINVALID, "Choose who to remove from the list on the page.")
	}
	if _, err := s.parties().RemoveParty(r.Context(), v.E.Ref, id); err != nil {
		return err
	}
	http.Redirect(w, r, "/escalations/"+v.E.Ref+"?done=removed", http.StatusSeeOther)
	return nil
}

func (s *Server) renderParty(w http.ResponseWriter, r *http.Request, status int, v *caseView, d *partyData, errs []fieldError) {
	d.Ref, d.Stage = v.E.Ref, stageTitle(v.Policy, v.E.Stage)
	s.render(w, r, status, "escalation-party", &page{Title: partyLink + " – " + v.E.Ref, Errors: errs, Data: d})
}

// meetingChairForm offers the board members from agencies not involved.
func (s *Server) meetingChairForm(w http.ResponseWriter, r *http.Request) error {
	v, err := s.openMeetingChair(r)
	if err != nil {
		return err
	}
	s.renderMeetingChair(w, r, http.StatusOK, v, &partyData{Options: personOptions(escalate.MeetingChairChoices(v.Policy, v.E, v.Parties))}, nil)
	return nil
}

func (s *Server) meetingChairPost(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return escalate.Errorf(escalate.EINVALID, "The form could not be read. Go back and try again.")
	}
	v, err := s.openMeetingChair(r)
	if err != nil {
		return err
	}
	d := &partyData{Options: personOptions(escalate.MeetingChairChoices(v.Policy, v.E, v.Parties)), Value: formValues(r.PostForm).get("user")}
	if !slices.ContainsFunc(d.Options, func(o option) bool { return o.Value == d.Value }) {
		d.Error = "Choose the board member who will chair the meeting."
	} else {
		id, _ := strconv.ParseInt(d.Value, 10, 64)
		_, err := s.parties().AppointMeetingChair(r.Context(), v.E.Ref, id)
		if err == nil {
			http.Redirect(w, r, "/escalations/"+v.E.Ref+"?done=meeting-chair", http.StatusSeeOther)
			return nil
		} else if escalate.ErrorCode(err) != escalate.EINVALID {
			return err
		}
		d.Error = escalate.ErrorMessage(err)
	}
	s.renderMeetingChair(w, r, http.StatusBadRequest, v, d, []fieldError{{"user", d.Error}})
	return nil
}

func (s *Server) openMeetingChair(r *http.Request) (*caseView, error) {
	v, err := s.loadCase(r.Context(), r.PathValue("ref"))
	if err != nil {
		return nil, err
	}
	st := v.E.CurrentStage(v.Policy)
	if st == nil || st.Meeting == nil || !st.Meeting.UninvolvedChair || !v.can(r.Context(), escalate.ActionMeetingChair) {
		return nil, escalate.Errorf(escalate.EFORBIDDEN, "You cannot appoint a chair for a meeting on escalation %s.", v.E.Ref)
	}
	return v, nil
}

func (s *Server) renderMeetingChair(w http.ResponseWriter, r *http.Request, status int, v *caseView, d *partyData, errs []fieldError) {
	d.Ref, d.Stage = v.E.Ref, stageTitle(v.Policy, v.E.Stage)
	s.render(w, r, status, "escalation-meeting-chair", &page{Title: "Appoint the meeting's chair – " + v.E.Ref, Errors: errs, Data: d})
}
