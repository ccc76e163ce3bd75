package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
	"github.com/escalate-project/escalate/policy"
)

// raiseSteps are the question pages, in order.
var raiseSteps = []*raiseStep{
	{slug: "immediate", title: "Is a child at immediate risk of significant harm?", applies: always,
		form: immediateForm, read: readImmediate},
	{slug: "protect", title: "Protect the child first",
		applies: func(rc *raiseCtx) bool { return rc.draft.Immediate == "yes" },
		form:    protectForm, read: readProtect, commit: commitProtect},
	{slug: "scope", title: "Check this is the right process", applies: always,
		form: scopeForm, read: readScope},
	{slug: "alongside", title: "Is there also a disagreement about the child?",
		applies: func(rc *raiseCtx) bool { return len(rc.alongsideChosen()) > 0 },
		form:    alongsideForm, read: readAlongside},
	{slug: "decision", title: "The decision you disagree with", applies: always,
		form: decisionForm, read: readDecision},
	{slug: "who", title: "Who did you deal with?", applies: always, form: whoForm, read: readWho},
	{slug: "child", title: "The child", applies: always, form: childForm, read: readChild},
	{slug: "category", title: "What is the disagreement about?", applies: always,
		form: categoryForm, read: readCategory},
	{slug: "details", title: "Describe the disagreement", applies: always,
		form: detailsForm, read: readDetails},
	{slug: "risk", title: "How great is the risk to the child?",
		applies: func(rc *raiseCtx) bool { return rc.draft.Immediate != "yes" },
		form:    riskForm, read: readRisk},
	{slug: "protect-by", title: "A deadline that protects the child", applies: (*raiseCtx).elevated,
		form: protectByForm, read: readProtectBy},
}

func immediateForm(rc *raiseCtx) *raisePage {
	return &raisePage{Button: "Continue", Fields: []*raiseField{{
		ID: "immediate", Name: "immediate", Kind: "radios", Heading: true,
		Label: "Is a child at immediate risk of significant harm?",
		Hint: "For example, the child is in danger now, or will be today if nothing is done. " +
			"If so, you will first be shown who to contact and asked what you have done to protect the child.",
		Options: yesNo("immediate", rc.draft.Immediate),
	}}}
}

func readImmediate(rc *raiseCtx, f url.Values) []fieldError {
	rc.draft.Immediate = f.Get("immediate")
	if rc.draft.Immediate != "yes" && rc.draft.Immediate != "no" {
		return []fieldError{{"immediate", "Select yes if a child is at immediate risk of significant harm"}}
	}
	return nil
}

func protectForm(rc *raiseCtx) *raisePage {
	hint := "For example, \"called 999\" or \"referred to the front door at 10:20\"."
	if r := rc.policy.Immediate.Record; r != "" {
		hint = "Your partnership's policy asks you to record: " + lowerFirstWord(r) + " " + hint
	}
	return &raisePage{Heading: "Protect the child first", Route: rc.route(), Button: "Record what I have done",
		Fields: []*raiseField{{ID: "immediate_action", Name: "immediate_action", Kind: "textarea", Rows: 4, Size: "m",
			Label: "What have you done to protect the child?", Hint: hint, Value: rc.draft.ImmediateAction}}}
}

func readProtect(rc *raiseCtx, f url.Values) []fieldError {
	rc.draft.ImmediateAction = strings.TrimSpace(f.Get("immediate_action"))
	if rc.draft.ImmediateAction == "" {
		return []fieldError{{"immediate_action", "Enter what you have done to protect the child, for example \"called 999\""}}
	}
	in := escalate.ImmediateInput{Action: rc.draft.ImmediateAction}
	if err := in.Validate(rc.policy); err != nil {
		return []fieldError{{"immediate_action", escalate.ErrorMessage(err)}}
	}
	return nil
}

// commitProtect records the action at once, before the draft is saved and
// before any other question: the protection step is on record even if the
// person goes no further.
func commitProtect(s *Server, r *http.Request, rc *raiseCtx) error {
	im, err := s.esc.RecordImmediateAction(r.Context(), "", escalate.ImmediateInput{Action: rc.draft.ImmediateAction})
	if err != nil {
		return err
	}
	rc.draft.ImmediateAt = im.At
	return nil
}

func scopeForm(rc *raiseCtx) *raisePage {
	pg := &raisePage{Heading: "Check this is the right process", Button: "Continue",
		Lead: []string{"Some matters do not go through the escalation policy but somewhere else. Answer each question."}}
	if !rc.draft.ImmediateAt.IsZero() && rc.draft.Immediate == "yes" {
		pg.Recorded = "What you did to protect the child was recorded at " + londonTime(rc.draft.ImmediateAt) +
			". Now tell us about the disagreement."
	}
	for _, rd := range rc.redirects() {
		id := "redirect-" + rd.Key
		pg.Fields = append(pg.Fields, &raiseField{ID: id, Name: id, Kind: "radios", Label: rd.Question,
			Options: yesNo(id, rc.draft.Scope[rd.Key])})
	}
	return pg
}

func readScope(rc *raiseCtx, f url.Values) []fieldError {
	rc.draft.Scope = map[string]string{}
	var errs []fieldError
	for _, rd := range rc.redirects() {
		v := f.Get("redirect-" + rd.Key)
		if v != "yes" && v != "no" {
			errs = append(errs, fieldError{"redirect-" + rd.Key, "Select yes or no: " + strings.TrimSuffix(rd.Question, "?")})
			continue
		}
		rc.draft.Scope[rd.Key] = v
	}
	return errs
}

func decisionForm(rc *raiseCtx) *raisePage {
	d := rc.draft
	pg := &raisePage{Heading: "The decision you disagree with", Button: "Continue"}
	if roles := rc.raiserRoles(); len(roles) > 1 {
		var vth [][3]string
		for _, r := range roles {
			vth = append(vth, [3]string{string(r), upperFirst(policy.RoleName(rc.policy, r)), ""})
		}
		pg.Fields = append(pg.Fields, &raiseField{ID: "raised_role", Name: "raised_role", Kind: "radios",
			Label:   "In which of your roles are you raising this?",
			Options: options("raised_role", func(v string) bool { return v == d.RaisedRole }, vth...)})
	}
	agencies := []*raiseOption{{Value: "", Text: "Choose an agency"}}
	for _, a := range rc.otherAgencies() {
		v := strconv.FormatInt(a.ID, 10)
		agencies = append(agencies, &raiseOption{Value: v, Text: a.Name, Checked: a.ID == d.AgencyID})
	}
	pg.Fields = append(pg.Fields,
		&raiseField{ID: "receiving_agency", Name: "receiving_agency", Kind: "select", Options: agencies,
			Label: "Which agency made the decision?"},
		&raiseField{ID: "receiving_contact", Name: "receiving_contact", Kind: "text", Width: "govuk-input--width-30",
			Label: "Who did you deal with there? (optional)", Value: d.Contact,
			Hint: "Their role or post, for example \"duty social worker\", not their name."},
		&raiseField{ID: "decision", Name: "decision", Kind: "textarea", Rows: 4, Value: d.Decision,
			Label: "What decision, action or inaction do you disagree with?"},
		&raiseField{ID: "decision_date", Name: "decision_date", Kind: "date", Date: [3]string{d.Day, d.Month, d.Year},
			Label: "When was the decision made?", Hint: "For example, 27 3 2026. If it was a lack of action, when you first knew of it."},
	)
	return pg
}

func readDecision(rc *raiseCtx, f url.Values) []fieldError {
	d := rc.draft
	var errs []fieldError
	roles := rc.raiserRoles()
	d.RaisedRole = f.Get("raised_role")
	if len(roles) == 1 {
		d.RaisedRole = string(roles[0])
	} else if !slices.Contains(roles, escalate.Role(d.RaisedRole)) {
		errs = append(errs, fieldError{"raised_role", "Select the role you are raising this in"})
	}
	was := d.AgencyID
	d.AgencyID, _ = strconv.ParseInt(f.Get("receiving_agency"), 10, 64)
	if d.AgencyID != was {
		// Who they dealt with was at the agency chosen before.
		d.DealtWith, d.Done["who"] = 0, false
	}
	if !slices.ContainsFunc(rc.otherAgencies(), func(a *escalate.Agency) bool { return a.ID == d.AgencyID }) {
		d.AgencyID = 0
		errs = append(errs, fieldError{"receiving_agency", "Select the agency that made the decision"})
	}
	d.Contact = strings.TrimSpace(f.Get("receiving_contact"))
	if err := rc.check(func(in *escalate.RaiseInput) { in.ReceivingContact = d.Contact }); err != nil {
		errs = append(errs, fieldError{"receiving_contact", escalate.ErrorMessage(err)})
	}
	d.Decision = strings.TrimSpace(f.Get("decision"))
	if d.Decision == "" {
		errs = append(errs, fieldError{"decision", "Enter the decision, action or inaction you disagree with"})
	} else if err := rc.check(func(in *escalate.RaiseInput) { in.Decision = d.Decision }); err != nil {
		errs = append(errs, fieldError{"decision", escalate.ErrorMessage(err)})
	}
	d.Day, d.Month, d.Year = strings.TrimSpace(f.Get("decision_date-day")),
		strings.TrimSpace(f.Get("decision_date-month")), strings.TrimSpace(f.Get("decision_date-year"))
	if date, msg := decisionDate(d.Day, d.Month, d.Year); msg != "" {
		errs = append(errs, fieldError{"decision_date", msg})
	} else if d, _ := calendar.ParseDate(date); calendar.DateOf(rc.now).Before(d) {
		errs = append(errs, fieldError{"decision_date", "The date of the decision must be today or in the past"})
	}
	return errs
}

// decisionDate reads a GOV.UK date input as YYYY-MM-DD, or says what is
// wrong with it in the Design System's words.
func decisionDate(day, month, year string) (string, string) {
	if day == "" && month == "" && year == "" {
		return "", "Enter the date of the decision"
	}
	var missing []string
	for _, p := range []struct{ name, v string }{{"a day", day}, {"a month", month}, {"a year", year}} {
		if p.v == "" {
			missing = append(missing, p.name)
		}
	}
	if len(missing) > 0 {
		return "", "The date of the decision must include " + strings.Join(missing, " and ")
	}
	dd, err1 := strconv.Atoi(day)
	mm, err2 := strconv.Atoi(month)
	yy, err3 := strconv.Atoi(year)
	if err1 != nil || err2 != nil || err3 != nil {
		return "", "The date of the decision must be a real date"
	}
	if len(year) != 4 {
		return "", "The year must include 4 numbers"
	}
	s := strconv.Itoa(yy) + "-" + pad2(mm) + "-" + pad2(dd)
	d, err := calendar.ParseDate(s)
	if err != nil || d.String() != s {
		return "", "The date of the decision must be a real date"
	}
	return s, ""
}

func pad2(n int) string {
	if n >= 0 && n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

func childForm(rc *raiseCtx) *raisePage {
	return &raisePage{Heading: "The child", Button: "Continue",
		Inset: "Give only your agency's case reference and the child's initials. " +
			"Do not enter the child's name, address or date of birth: the agencies find the child from your reference.",
		Fields: []*raiseField{
			{ID: "child_ref", Name: "child_ref", Kind: "text", Width: "govuk-input--width-20", Value: rc.draft.ChildRef,
				Label: "Your agency's case reference for the child", Auto: "off",
				Hint: "For example, SC-12345 or CPOMS 4471. Letters, numbers, spaces and - / _ . #"},
			{ID: "child_initials", Name: "child_initials", Kind: "text", Width: "govuk-input--width-5", Value: rc.draft.ChildInitials,
				Label: "The child's initials", Hint: "For example, JS or J.S. Leave this blank for a baby not yet born.", Auto: "off"},
			{ID: "child_expected", Name: "due", Kind: "month", Date: [3]string{"", rc.draft.DueMonth, rc.draft.DueYear},
				Label: "If the baby is not born yet: the month the baby is due", Size: "s",
				Hint: "For example, 3 2027. Leave this blank for a child already born."},
		}}
}

func readChild(rc *raiseCtx, f url.Values) []fieldError {
	d := rc.draft
	d.ChildRef, d.ChildInitials = strings.TrimSpace(f.Get("child_ref")), strings.TrimSpace(f.Get("child_initials"))
	d.DueMonth, d.DueYear = strings.TrimSpace(f.Get("due-month")), strings.TrimSpace(f.Get("due-year"))
	var errs []fieldError
	if d.ChildRef == "" {
		errs = append(errs, fieldError{"child_ref", "Enter your agency's case reference for the child, for example SC-12345 or CPOMS 4471"})
	} else if err := rc.check(func(in *escalate.RaiseInput) { in.ChildRef = d.ChildRef }); err != nil {
		errs = append(errs, fieldError{"child_ref", escalate.ErrorMessage(err)})
	}
	due := dueMonth(d.DueMonth, d.DueYear)
	if (d.DueMonth != "" || d.DueYear != "") && due == "" {
		return append(errs, fieldError{"child_expected", "Enter the month the baby is due as a month and year, for example 3 2027"})
	}
	err := rc.check(func(in *escalate.RaiseInput) { in.ChildInitials, in.ChildExpected = d.ChildInitials, due })
	if err == nil && due != "" {
		err = escalate.CheckExpectedAt(rc.now, due) // as Raise will, on the store's clock
	}
	if err != nil {
		errs = append(errs, fieldError{escalate.ErrorField(err), escalate.ErrorMessage(err)})
	}
	return errs
}

func categoryForm(rc *raiseCtx) *raisePage {
	var vth [][3]string
	for _, c := range rc.policy.Categories {
		vth = append(vth, [3]string{c.Key, c.Name, c.Help})
	}
	return &raisePage{Button: "Continue", Fields: []*raiseField{{
		ID: "categories", Name: "categories", Kind: "checkboxes", Heading: true,
		Label: "What is the disagreement about?", Hint: "Select all that apply.",
		Options: options("categories", func(v string) bool { return slices.Contains(rc.draft.Categories, v) }, vth...),
	}}}
}

func readCategory(rc *raiseCtx, f url.Values) []fieldError {
	rc.draft.Categories = nil
	for _, c := range rc.policy.Categories { // the policy's order, each once
		if slices.Contains(f["categories"], c.Key) {
			rc.draft.Categories = append(rc.draft.Categories, c.Key)
		}
	}
	if len(rc.draft.Categories) == 0 || len(rc.draft.Categories) != len(f["categories"]) {
		return []fieldError{{"categories", "Select what the disagreement is about"}}
	}
	return nil
}

// detailFields are the four things every disagreement states (Redbridge 4.2).
var detailFields = []struct{ id, label, hint, empty string }{
	{"issue", "What is the issue?", "What happened, or did not happen, and why it matters for the child.", "Enter the issue"},
	{"risk", "What is the risk to the child?", "What could happen to the child if nothing changes.", "Enter the risk to the child"},
	{"disagreement", "What is the nature of the disagreement?", "What you and the other agency see differently.", "Enter the nature of the disagreement"},
	{"outcome_sought", "What outcome do you want?", "What you would like the other agency to do.", "Enter the outcome you want"},
}

func (d *raiseDraft) detail(id string) *string {
	switch id {
	case "issue":
		return &d.Issue
	case "risk":
		return &d.Risk
	case "disagreement":
		return &d.Disagreement
	}
	return &d.OutcomeSought
}

func detailsForm(rc *raiseCtx) *raisePage {
	pg := &raisePage{Heading: "Describe the disagreement", Button: "Continue"}
	if len(rc.policy.Stages) > 0 {
		st := rc.policy.Stages[0]
		if st.Help != "" {
			pg.Inset = "At stage 1 (" + st.Name + "): " + st.Help
		}
	}
	for _, f := range detailFields {
		pg.Fields = append(pg.Fields, &raiseField{ID: f.id, Name: f.id, Kind: "textarea", Rows: 4,
			Label: f.label, Hint: f.hint, Value: *rc.draft.detail(f.id)})
	}
	return pg
}

func readDetails(rc *raiseCtx, f url.Values) []fieldError {
	var errs []fieldError
	for _, x := range detailFields {
		v := strings.TrimSpace(f.Get(x.id))
		*rc.draft.detail(x.id) = v
		if v == "" {
			errs = append(errs, fieldError{x.id, x.empty})
		} else if err := rc.check(func(in *escalate.RaiseInput) { *inputDetail(in, x.id) = v }); err != nil {
			errs = append(errs, fieldError{x.id, escalate.ErrorMessage(err)})
		}
	}
	return errs
}

func inputDetail(in *escalate.RaiseInput, id string) *string {
	switch id {
	case "issue":
		return &in.Issue
	case "risk":
		return &in.Risk
	case "disagreement":
		return &in.Disagreement
	}
	return &in.OutcomeSought
}

func riskForm(rc *raiseCtx) *raisePage {
	inc := "The child is at greater risk than usual, so the policy's shorter timescales apply where it has them."
	if len(rc.policy.Stages) > 0 {
		var shorter []string
		for _, c := range rc.policy.Stages[0].Clocks {
			if c.Increased != "" {
				shorter = append(shorter, strings.TrimSuffix(c.Action, ".")+": "+c.Increased+" instead of "+c.Within)
			}
		}
		if len(shorter) > 0 {
			inc += " At stage 1: " + strings.Join(shorter, "; ") + "."
		}
	}
	return &raisePage{Button: "Continue", Fields: []*raiseField{{
		ID: "risk_level", Name: "risk_level", Kind: "radios", Heading: true,
		Label: "How great is the risk to the child?",
		Hint:  "You can change this later if things change.",
		Options: options("risk_level", func(v string) bool { return v == rc.draft.RiskLevel },
			[3]string{string(escalate.RiskStandard), "Standard", "The policy's usual timescales apply."},
			[3]string{string(escalate.RiskIncreased), "Increased", inc}),
	}}}
}

func readRisk(rc *raiseCtx, f url.Values) []fieldError {
	rc.draft.RiskLevel = f.Get("risk_level")
	if rc.draft.RiskLevel != string(escalate.RiskStandard) && rc.draft.RiskLevel != string(escalate.RiskIncreased) {
		rc.draft.RiskLevel = ""
		return []fieldError{{"risk_level", "Select how great the risk to the child is"}}
	}
	return nil
}

// check runs the domain's own validation of the raise form on one answer:
// every other field is given a valid stand-in, so the error, if any, is
// that answer's, in the domain's words.
func (rc *raiseCtx) check(set func(in *escalate.RaiseInput)) error {
	in := escalate.RaiseInput{RaisedRole: escalate.RolePractitioner, ReceivingAgencyID: 1, Decision: "x",
		DecisionDate: "2000-01-01", ChildRef: "X1", ChildInitials: "X", Issue: "x", Risk: "x",
		Disagreement: "x", OutcomeSought: "x", RiskLevel: escalate.RiskStandard}
	if len(rc.policy.Categories) > 0 {
		in.Categories = []string{rc.policy.Categories[0].Key}
	}
	set(&in)
	return in.Validate(rc.policy)
}

// lowerFirstWord lower-cases the first letter unless the word is an
// acronym, so a policy's sentence can follow "record:".
func lowerFirstWord(s string) string {
	if len(s) < 2 || s[1] >= 'A' && s[1] <= 'Z' {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// dueMonth reads an unborn baby's due month typed as a month and a year
// ("3", "2027") as YYYY-MM, or "" when it is blank or not a real month.
func dueMonth(month, year string) string {
	m, err1 := strconv.Atoi(strings.TrimSpace(month))
	y, err2 := strconv.Atoi(strings.TrimSpace(year))
	if err1 != nil || err2 != nil || m < 1 || m > 12 || y < 2000 || y > 2100 {
		return ""
	}
	return strconv.Itoa(y) + "-" + pad2(m)
}

// monthWords is "March 2027" for "2027-03".
func monthWords(ym string) string {
	t, err := time.Parse("2006-01", ym)
	if err != nil {
		return ym
	}
	return t.Format("January 2006")
}
