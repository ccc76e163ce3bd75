package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
	"github.com/escalate-project/escalate/policy"
)

// builtinLADO is asked when the policy names no route to the LADO itself:
// national guidance (Working Together to Safeguard Children) sends
// allegations about people who work with children to the LADO, never
// through a disagreement between agencies.
var builtinLADO = escalate.Redirect{
	Key:      "lado-allegation",
	Question: "Is this about a professional's conduct or behaviour towards a child?",
	Matter: "An allegation that someone who works with children has harmed a child, " +
		"or behaved in a way that suggests they may harm children",
	To:      "the Local Authority Designated Officer (LADO)",
	Contact: escalate.RoleLADO,
	Cite:    "Escalate's default, from Working Together to Safeguard Children: your partnership's policy does not name this route",
}

// redirects are the questions of the scope page: a route to the LADO first
// (the policy's, else builtinLADO), then the policy's other redirects.
func (rc *raiseCtx) redirects() []escalate.Redirect {
	var lado, rest []escalate.Redirect
	for _, rd := range rc.policy.Redirects {
		switch {
		case rd.Question == "":
		case rd.Contact == escalate.RoleLADO:
			lado = append(lado, rd)
		default:
			rest = append(rest, rd)
		}
	}
	if len(lado) == 0 {
		lado = []escalate.Redirect{builtinLADO}
	}
	return append(lado, rest...)
}

// redirectsChosen are the redirects answered "yes" that take the matter
// out of this process: one referred alongside does only when the raiser
// says there is no disagreement about the child.
func (rc *raiseCtx) redirectsChosen() []escalate.Redirect {
	return slices.DeleteFunc(rc.redirects(), func(rd escalate.Redirect) bool {
		return rc.draft.Scope[rd.Key] != "yes" || rd.Alongside && rc.draft.Alongside[rd.Key] != "no"
	})
}

// immediateRoute is the policy's immediate-risk route as the protect page
// shows it.
type immediateRoute struct {
	Instruction string
	When        string
	Cite        string
	Steps       []routeStep
}

// routeStep is one role to contact and who holds it in the directory.
type routeStep struct {
	Role     string
	Contacts []contactView
}

// contactView is a directory entry as the raise pages show it.
type contactView struct {
	*escalate.Contact
	Tel   string // the phone number for a tel: link
	Stale bool
}

// contactsFor returns the directory's contacts for role, the user's own
// agency first. The directory only helps: if it cannot be read, the page
// still shows the roles.
func (rc *raiseCtx) contactsFor(role escalate.Role) []contactView {
	if rc.lookup == nil {
		return nil
	}
	cs := rc.lookup(role)
	slices.SortStableFunc(cs, func(a, b *escalate.Contact) int {
		return boolRank(a.AgencyID != rc.user.AgencyID) - boolRank(b.AgencyID != rc.user.AgencyID)
	})
	today := calendar.DateOf(rc.now).String()
	out := make([]contactView, len(cs))
	for i, c := range cs {
		out[i] = contactView{Contact: c, Tel: strings.ReplaceAll(c.Phone, " ", ""), Stale: c.Stale(today)}
	}
	return out
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// route is the policy's immediate-risk route with its contacts.
func (rc *raiseCtx) route() *immediateRoute {
	im := rc.policy.Immediate
	rt := &immediateRoute{Instruction: im.Instruction, Cite: im.Cite}
	switch w := strings.TrimSpace(im.Within); w {
	case "", "immediately":
		rt.When = "Do this now, before anything else."
	case "same working day":
		rt.When = "Do this on the same working day at the latest."
	default:
		rt.When = "Do this within " + w + " at the latest."
	}
	for _, r := range im.Contacts {
		step := routeStep{Role: upperFirst(policy.RoleName(rc.policy, r)), Contacts: rc.contactsFor(r)}
		// The service knows the person's own line manager, who is told of
		// what they raise: name them first, whatever the directory holds.
		if r == escalate.RoleManager && rc.manager != nil {
			if m := rc.manager(); m != nil {
				own := &escalate.Contact{Name: m.Name, JobTitle: "your line manager", Email: m.Email, AgencyName: rc.agencyName(m.AgencyID)}
				step.Contacts = append([]contactView{{Contact: own}}, step.Contacts...)
			}
		}
		rt.Steps = append(rt.Steps, step)
	}
	return rt
}

// elsewhereData is the page for a matter this process does not handle.
type elsewhereData struct {
	Back      string
	Recorded  bool
	Redirects []redirectView
}

type redirectView struct {
	escalate.Redirect
	ContactRole string
	Contacts    []contactView
}

// raiseElsewhere says where an out-of-scope matter goes instead. Nothing
// is raised.
func (s *Server) raiseElsewhere(w http.ResponseWriter, r *http.Request) error {
	rc, err := s.raiseLoad(r)
	if err != nil {
		return err
	}
	if !rc.reachable("elsewhere") {
		http.Redirect(w, r, pathOf(rc.next()), http.StatusSeeOther)
		return nil
	}
	data := &elsewhereData{Back: rc.back("elsewhere"), Recorded: rc.draft.Immediate == "yes" && !rc.draft.ImmediateAt.IsZero()}
	for _, rd := range rc.redirectsChosen() {
		v := redirectView{Redirect: rd}
		if rd.Contact != "" {
			v.ContactRole = upperFirst(policy.RoleName(rc.policy, rd.Contact))
			v.Contacts = rc.contactsFor(rd.Contact)
		}
		data.Redirects = append(data.Redirects, v)
	}
	s.render(w, r, http.StatusOK, "raise-elsewhere", &page{Title: "This goes somewhere else", Data: data})
	return nil
}

// checkRow is one row of the "Check your answers" summary list.
type checkRow struct {
	Key    string
	Value  string
	Lines  []string // a list instead of Value
	Paras  []string // Value's paragraphs, when it has line breaks
	Change string   // the page to change it on
	What   string   // visually hidden after "Change"
}

// checkData is the "Check your answers" page.
type checkData struct {
	Back   string
	Rows   []checkRow
	Stage  string
	Errors []checkError
}

// checkError is an error summary entry that links to the page and field.
type checkError struct{ Href, Message string }

// raiseCheck shows every answer with a link to change it.
func (s *Server) raiseCheck(w http.ResponseWriter, r *http.Request) error {
	rc, err := s.raiseLoad(r)
	if err != nil {
		return err
	}
	if !rc.reachable("check") {
		http.Redirect(w, r, pathOf(rc.next()), http.StatusSeeOther)
		return nil
	}
	s.renderCheck(w, r, http.StatusOK, rc, nil)
	return nil
}

func (s *Server) renderCheck(w http.ResponseWriter, r *http.Request, status int, rc *raiseCtx, errs []fieldError) {
	d := rc.draft
	yn := map[string]string{"yes": "Yes", "no": "No"}
	rows := []checkRow{{Key: "Is a child at immediate risk of significant harm?", Value: yn[d.Immediate], Change: "/raise", What: "whether a child is at immediate risk"}}
	if d.Immediate == "yes" {
		rows = append(rows, checkRow{Key: "What you did to protect the child", Value: d.ImmediateAction, Change: "/raise/protect", What: "what you did to protect the child"})
	}
	for _, rd := range rc.redirects() {
		rows = append(rows, checkRow{Key: rd.Question, Value: yn[d.Scope[rd.Key]], Change: "/raise/scope", What: "your answer"})
	}
	if len(rc.raiserRoles()) > 1 {
		rows = append(rows, checkRow{Key: "Your role", Value: upperFirst(policy.RoleName(rc.policy, escalate.Role(d.RaisedRole))), Change: "/raise/decision", What: "your role"})
	}
	date, _ := decisionDate(d.Day, d.Month, d.Year)
	contact := d.Contact
	if contact == "" {
		contact = "Not given"
	}
	dealt := "Left to " + rc.agencyName(d.AgencyID) + "'s escalation contact"
	if rc.people != nil {
		for _, u := range rc.people.people {
			if u.ID == d.DealtWith {
				dealt = u.Name
			}
		}
	}
	for _, rd := range rc.alongsideChosen() {
		rows = append(rows, checkRow{Key: "Is there also a disagreement about the child?", Value: yn[d.Alongside[rd.Key]], Change: "/raise/alongside", What: "whether there is also a disagreement about the child"})
	}
	rows = append(rows,
		checkRow{Key: "Agency", Value: rc.agencyName(d.AgencyID), Change: "/raise/decision", What: "the agency"},
		checkRow{Key: "Who you dealt with there", Value: dealt, Change: "/raise/who", What: "who you dealt with"},
		checkRow{Key: "Their role or post", Value: contact, Change: "/raise/decision", What: "their role or post"},
		checkRow{Key: "Decision, action or inaction", Value: d.Decision, Change: "/raise/decision", What: "the decision"},
		checkRow{Key: "Date of the decision", Value: calendar.LongDate(date), Change: "/raise/decision", What: "the date of the decision"},
		checkRow{Key: "Your agency's case reference", Value: d.ChildRef, Change: "/raise/child", What: "the case reference"},
		childRow(d),
		checkRow{Key: "What it is about", Lines: categoryNames(rc.policy, d.Categories), Change: "/raise/category", What: "what it is about"},
	)
	for _, f := range detailFields {
		rows = append(rows, checkRow{Key: strings.TrimSuffix(f.label, "?"), Value: *d.detail(f.id), Change: "/raise/details", What: strings.ToLower(strings.TrimSuffix(f.label, "?"))})
	}
	if d.Immediate != "yes" {
		rows = append(rows, checkRow{Key: "Risk to the child", Value: upperFirst(d.RiskLevel), Change: "/raise/risk", What: "the risk to the child"})
	}
	if rc.elevated() {
		by := "None set: the policy's timescales apply"
		if !d.ProtectBy.IsZero() {
			by = londonTime(d.ProtectBy)
		}
		rows = append(rows, checkRow{Key: "Deadline that protects the child", Value: by, Change: "/raise/protect-by", What: "the deadline that protects the child"})
	}
	for i := range rows {
		if strings.Contains(rows[i].Value, "\n") {
			rows[i].Paras = strings.Split(strings.ReplaceAll(rows[i].Value, "\r\n", "\n"), "\n")
		}
	}
	data := &checkData{Rows: rows, Back: rc.back("check")}
	if len(rc.policy.Stages) > 0 {
		data.Stage = stageTitle(rc.policy, 0)
	}
	for _, e := range errs {
		data.Errors = append(data.Errors, checkError{Href: pathOf(stepOfField(e.Field)) + "#" + e.Field, Message: e.Message})
	}
	s.render(w, r, status, "raise-check", &page{Title: "Check your answers", Errors: errs, Data: data})
}

// stepOfField is the step that asks for a field of escalate.RaiseInput.
func stepOfField(field string) string {
	switch field {
	case "immediate_action":
		return "protect"
	case "raised_role", "receiving_agency", "receiving_contact", "decision", "decision_date":
		return "decision"
	case "dealt_with":
		return "who"
	case "protect_by":
		return "protect-by"
	case "referred":
		return "alongside"
	case "child_ref", "child_initials":
		return "child"
	case "categories":
		return "category"
	case "issue", "risk", "disagreement", "outcome_sought":
		return "details"
	case "risk_level":
		return "risk"
	}
	return "immediate"
}

// input is the draft as the service's raise input.
func (rc *raiseCtx) input() escalate.RaiseInput {
	d := rc.draft
	date, _ := decisionDate(d.Day, d.Month, d.Year)
	in := escalate.RaiseInput{
		RaisedRole: escalate.Role(d.RaisedRole), ReceivingAgencyID: d.AgencyID, ReceivingContact: d.Contact,
		Decision: d.Decision, DecisionDate: date, ChildRef: d.ChildRef, ChildInitials: d.ChildInitials,
		ChildExpected: dueMonth(d.DueMonth, d.DueYear),
		Categories:    slices.Clone(d.Categories), Issue: d.Issue, Risk: d.Risk, Disagreement: d.Disagreement,
		OutcomeSought: d.OutcomeSought, RiskLevel: escalate.RiskLevel(d.RiskLevel),
	}
	if d.Immediate == "yes" {
		in.RiskLevel, in.ImmediateAction = escalate.RiskImmediate, d.ImmediateAction
	}
	in.DealtWith, in.ProtectBy, in.Referred = d.DealtWith, d.ProtectBy, rc.referred()
	return in
}

// raiseSubmit raises the escalation from the draft, deletes the draft and
// shows the confirmation. An answer the service refuses shows "Check your
// answers" again with a link to the page to fix it; nothing is stored.
func (s *Server) raiseSubmit(w http.ResponseWriter, r *http.Request) error {
	rc, err := s.raiseLoad(r)
	if err != nil {
		return err
	}
	if !rc.reachable("check") {
		// Already submitted (the draft is gone) or not finished.
		http.Redirect(w, r, pathOf(rc.next()), http.StatusSeeOther)
		return nil
	}
	e, err := s.esc.Raise(r.Context(), rc.input())
	if escalate.ErrorCode(err) == escalate.EINVALID {
		field := escalate.ErrorField(err)
		if field == "" {
			field = "immediate"
		}
		s.renderCheck(w, r, http.StatusBadRequest, rc, []fieldError{{field, escalate.ErrorMessage(err)}})
		return nil
	} else if err != nil {
		return err
	}
	if err := s.raise.DeleteDraft(r.Context(), rc.user.ID, raiseForm); err != nil {
		// Raised: the draft is only a leftover, deleted within a week.
		s.log.ErrorContext(r.Context(), "raise: delete draft", "err", err)
	}
	http.Redirect(w, r, "/raise/raised/"+e.Ref, http.StatusSeeOther)
	return nil
}

// raisedData is the confirmation page.
type raisedData struct {
	Ref   string
	Stage string
	Help  string
	Steps []stepView // who acts now, what and by when
	Told  string     // who was told, by name and team
	// NoReceiver says nobody at the other agency could receive it, so the
	// Business Manager routes it.
	NoReceiver string
}

// raiseRaised confirms the escalation and says what happens next at its
// first stage.
func (s *Server) raiseRaised(w http.ResponseWriter, r *http.Request) error {
	v, err := s.loadCase(r.Context(), r.PathValue("ref"))
	if err != nil {
		return err
	}
	e, p := v.E, v.Policy
	data := &raisedData{Ref: e.Ref, Stage: stageTitle(p, e.Stage), Steps: v.steps()}
	if st := e.CurrentStage(p); st != nil {
		data.Help = st.Help
	}
	for _, ev := range v.Events {
		if ev.Action == escalate.ActionRaise {
			data.Told = v.toldWords(ev)
		}
	}
	if v.Parties.NoReceiver {
		data.NoReceiver = "Nobody at " + v.Agencies[e.ReceivingAgencyID] + " can receive disagreements in Escalate yet, so the partnership's Business Manager has been told and will find who deals with it."
	}
	s.render(w, r, http.StatusOK, "raise-raised", &page{Title: "Disagreement raised", Data: data})
	return nil
}

// childRow is the check page's row for the child's initials, or for an
// unborn baby the month it is due.
func childRow(d *raiseDraft) checkRow {
	if m := dueMonth(d.DueMonth, d.DueYear); m != "" && strings.TrimSpace(d.ChildInitials) == "" {
		return checkRow{Key: "Unborn baby", Value: "Due " + monthWords(m), Change: "/raise/child", What: "when the baby is due"}
	}
	return checkRow{Key: "The child's initials", Value: escalate.NormaliseInitials(d.ChildInitials), Change: "/raise/child", What: "the child's initials"}
}
