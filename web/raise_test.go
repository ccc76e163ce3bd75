package web_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/sqlstore"
	"github.com/escalate-project/escalate/web"
)

// Answers that must never reach a URL or a log line.
const (
	childRef      = "SC-4471"
	childInitials = "QZ"
	issueText     = "Unexplained bruising reported twice"
	actionText    = "Called 999 at 10:20 and referred to the front door"
)

// raiseEnv is the test server with the raise pages wired to the real
// escalation service, a second agency to disagree with, a front-door
// contact in the directory, and a signed-in practitioner.
type raiseEnv struct {
	*env
	esc   *sqlstore.EscalationService
	other *escalate.Agency
	token string
	seen  []string // every path requested and Location answered
}

func newRaiseEnv(t *testing.T) *raiseEnv {
	t.Helper()
	e := newEnv(t, false)
	ctx := context.Background()
	re := &raiseEnv{env: e, esc: sqlstore.NewEscalationService(e.db)}
	re.other = &escalate.Agency{PartnershipID: e.user.PartnershipID, Name: "Wirral Children's Services", Kind: "childrens-social-care"}
	if err := e.db.CreateAgency(ctx, re.other); err != nil {
		t.Fatal(err)
	}
	c := &escalate.Contact{PartnershipID: e.user.PartnershipID, AgencyID: re.other.ID, Role: escalate.RoleFrontDoor,
		Name: "Duty Desk", JobTitle: "Integrated Front Door", Phone: "0151 606 2008", Email: "frontdoor@example.org", LastVerified: "2026-11-01"}
	if err := e.db.CreateContact(ctx, c); err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(web.Config{
		Auth:        &sqlstore.Sessions{DB: e.db, Idle: 30 * time.Minute, Lifetime: 12 * time.Hour},
		Logger:      slog.New(slog.NewJSONHandler(e.logs, nil)),
		Escalations: re.esc,
		Raise:       e.db,
	})
	if err != nil {
		t.Fatal(err)
	}
	e.srv = srv
	e.ts = httptest.NewServer(srv)
	t.Cleanup(e.ts.Close)
	re.token = e.signIn(t, "")
	return re
}

// req sends a request as the signed-in user and notes its path and any
// redirect, for the privacy check.
func (re *raiseEnv) req(t *testing.T, method, path string, form url.Values) *response {
	t.Helper()
	res := re.do(t, method, path, re.token, form)
	re.seen = append(re.seen, path, res.Header.Get("Location"))
	return res
}

// post posts form to path and wants a redirect to want.
func (re *raiseEnv) post(t *testing.T, path string, form url.Values, want string) {
	t.Helper()
	res := re.req(t, "POST", path, form)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != want {
		t.Fatalf("POST %s: status %d, location %q, want 303 to %q\n%s", path, res.StatusCode, res.Header.Get("Location"), want, res.body)
	}
}

// The valid answer of each page, for a Wirral partnership.
func (re *raiseEnv) answers() map[string]url.Values {
	return map[string]url.Values{
		"/raise":         {"immediate": {"no"}},
		"/raise/protect": {"immediate_action": {actionText}},
		"/raise/scope":   {"redirect-lado-allegation": {"no"}, "redirect-complaints": {"no"}},
		"/raise/decision": {"raised_role": {"practitioner"}, "receiving_agency": {strconv.FormatInt(re.other.ID, 10)},
			"receiving_contact": {"duty social worker"}, "decision": {"Closed the referral without an assessment"},
			"decision_date-day": {"21"}, "decision_date-month": {"12"}, "decision_date-year": {"2026"}},
		"/raise/child":    {"child_ref": {childRef}, "child_initials": {childInitials}},
		"/raise/category": {"categories": {"assessment", "enquiry"}},
		"/raise/details": {"issue": {issueText + "\nat school"}, "risk": {"Further injury"},
			"disagreement": {"Whether the threshold for an assessment is met"}, "outcome_sought": {"A strategy discussion"}},
		"/raise/risk": {"risk_level": {"increased"}},
		"/raise/who":  {"dealt_with": {""}},
		"/raise/protect-by": {"protect_by-day": {""}, "protect_by-month": {""}, "protect_by-year": {""},
			"protect_time": {""}},
	}
}

// walk answers every page up to check your answers.
func (re *raiseEnv) walk(t *testing.T, immediate bool) {
	t.Helper()
	re.walkWith(t, immediate, nil)
}

// walkWith is walk with some pages' answers replaced.
func (re *raiseEnv) walkWith(t *testing.T, immediate bool, with map[string]url.Values) {
	t.Helper()
	a := re.answers()
	for k, v := range with {
		a[k] = v
	}
	if immediate {
		re.post(t, "/raise", url.Values{"immediate": {"yes"}}, "/raise/protect")
		re.post(t, "/raise/protect", a["/raise/protect"], "/raise/scope")
	} else {
		re.post(t, "/raise", a["/raise"], "/raise/scope")
	}
	re.post(t, "/raise/scope", a["/raise/scope"], "/raise/decision")
	re.post(t, "/raise/decision", a["/raise/decision"], "/raise/who")
	re.post(t, "/raise/who", a["/raise/who"], "/raise/child")
	re.post(t, "/raise/child", a["/raise/child"], "/raise/category")
	re.post(t, "/raise/category", a["/raise/category"], "/raise/details")
	if immediate {
		re.post(t, "/raise/details", a["/raise/details"], "/raise/protect-by")
	} else {
		re.post(t, "/raise/details", a["/raise/details"], "/raise/risk")
		re.post(t, "/raise/risk", a["/raise/risk"], "/raise/protect-by")
	}
	re.post(t, "/raise/protect-by", a["/raise/protect-by"], "/raise/check")
}

// escalations lists what the practitioner can see.
func (re *raiseEnv) escalations(t *testing.T) []*escalate.Escalation {
	t.Helper()
	es, _, err := re.esc.List(escalate.NewContextWithUser(context.Background(), re.user), escalate.EscalationFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// immediateEvents are the audit events recording an immediate action.
func (re *raiseEnv) immediateEvents(t *testing.T) []sqlstore.AuditEvent {
	t.Helper()
	evs, err := re.db.AuditEvents(context.Background(), 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []sqlstore.AuditEvent
	for _, ev := range evs {
		if ev.Action == escalate.ActionRiskImmediate {
			out = append(out, ev)
		}
	}
	return out
}

// checkPrivate fails if an answer about the child appears in any URL,
// Location header or log line.
func (re *raiseEnv) checkPrivate(t *testing.T) {
	t.Helper()
	logs := re.logs.String()
	for _, secret := range []string{childRef, childInitials, issueText, actionText, "bruising", "front door"} {
		for _, u := range re.seen {
			if strings.Contains(u, secret) || strings.Contains(u, url.QueryEscape(secret)) {
				t.Errorf("%q appears in the URL %q", secret, u)
			}
		}
		if strings.Contains(logs, secret) {
			t.Errorf("%q appears in the log:\n%s", secret, logs)
		}
	}
}

func TestRaiseImmediateRecordedFirst(t *testing.T) {
	re := newRaiseEnv(t)
	re.post(t, "/raise", url.Values{"immediate": {"yes"}}, "/raise/protect")
	// Nothing else can be reached before the protection step.
	for _, p := range []string{"/raise/scope", "/raise/decision", "/raise/check"} {
		if res := re.req(t, "GET", p, nil); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/raise/protect" {
			t.Errorf("GET %s: %d to %q, want the protect page", p, res.StatusCode, res.Header.Get("Location"))
		}
	}
	res := re.req(t, "GET", "/raise/protect", nil)
	for _, want := range []string{"Children&#39;s services front door", "Duty Desk", "tel:01516062008",
		"What have you done to protect the child?", "same working day"} {
		if !strings.Contains(res.body, want) {
			t.Errorf("the protect page lacks %q", want)
		}
	}
	t.Run("ErrEmpty", func(t *testing.T) {
		res := re.req(t, "POST", "/raise/protect", url.Values{"immediate_action": {"  "}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.body, `href="#immediate_action"`) {
			t.Fatalf("status %d, want 400 with an error summary link\n%s", res.StatusCode, res.body)
		}
		if n := len(re.immediateEvents(t)); n != 0 {
			t.Errorf("%d immediate actions recorded from an empty form", n)
		}
	})
	t.Run("OK", func(t *testing.T) {
		re.post(t, "/raise/protect", url.Values{"immediate_action": {actionText}}, "/raise/scope")
		evs := re.immediateEvents(t)
		if len(evs) != 1 || evs[0].Actor != "user:"+strconv.FormatInt(re.user.ID, 10) ||
			!strings.Contains(string(evs[0].Content), actionText) {
			t.Fatalf("immediate events %+v, want one by the user with the action", evs)
		}
		// The person goes no further: the action stays recorded, and no
		// escalation exists.
		if es := re.escalations(t); len(es) != 0 {
			t.Errorf("%d escalations, want none", len(es))
		}
		res := re.req(t, "GET", "/raise/scope", nil)
		if !strings.Contains(res.body, "What you did to protect the child was recorded") {
			t.Error("the next page does not confirm the action was recorded")
		}
	})
}

func TestRaiseRedirectRaisesNothing(t *testing.T) {
	re := newRaiseEnv(t)
	re.post(t, "/raise", url.Values{"immediate": {"no"}}, "/raise/scope")
	res := re.req(t, "GET", "/raise/scope", nil)
	if !strings.Contains(res.body, "Is this about a professional&#39;s conduct or behaviour towards a child?") ||
		!strings.Contains(res.body, "complaint about an agency") {
		t.Fatalf("the scope page lacks the conduct or complaints question\n%s", res.body)
	}
	re.post(t, "/raise/scope", url.Values{"redirect-lado-allegation": {"yes"}, "redirect-complaints": {"no"}}, "/raise/elsewhere")
	res = re.req(t, "GET", "/raise/elsewhere", nil)
	if res.StatusCode != 200 || !strings.Contains(res.body, "Local Authority Designated Officer (LADO)") ||
		!strings.Contains(res.body, "Nothing has been raised") {
		t.Errorf("elsewhere page: %d\n%s", res.StatusCode, res.body)
	}
	for _, p := range []string{"/raise/decision", "/raise/check"} {
		if res := re.req(t, "GET", p, nil); res.Header.Get("Location") != "/raise/elsewhere" {
			t.Errorf("GET %s went to %q, want /raise/elsewhere", p, res.Header.Get("Location"))
		}
	}
	if res := re.req(t, "POST", "/raise/check", url.Values{}); res.Header.Get("Location") != "/raise/elsewhere" {
		t.Errorf("POST /raise/check went to %q", res.Header.Get("Location"))
	}
	if es := re.escalations(t); len(es) != 0 {
		t.Errorf("%d escalations raised, want none", len(es))
	}
	// Changing the answer carries on with the disagreement.
	re.post(t, "/raise/scope", re.answers()["/raise/scope"], "/raise/decision")
	re.post(t, "/raise/cancel", url.Values{}, "/raise?done=deleted")
	if res := re.req(t, "GET", "/raise/decision", nil); res.Header.Get("Location") != "/raise" {
		t.Errorf("after cancel /raise/decision went to %q, want /raise", res.Header.Get("Location"))
	}
}

func TestRaiseValidation(t *testing.T) {
	re := newRaiseEnv(t)
	own := strconv.FormatInt(re.user.AgencyID, 10)
	with := func(page string, set map[string][]string) url.Values {
		v := url.Values{}
		for k, x := range re.answers()[page] {
			v[k] = x
		}
		for k, x := range set {
			if x == nil {
				delete(v, k)
			} else {
				v[k] = x
			}
		}
		return v
	}
	tests := []struct {
		name, page string
		set        map[string][]string
		field, msg string
	}{
		{"ErrNoImmediate", "/raise", map[string][]string{"immediate": nil}, "immediate", "Select yes if a child is at immediate risk"},
		{"ErrScopeUnanswered", "/raise/scope", map[string][]string{"redirect-complaints": nil}, "redirect-complaints", "Select yes or no"},
		{"ErrNoRole", "/raise/decision", map[string][]string{"raised_role": nil}, "raised_role", "Select the role you are raising this in"},
		{"ErrRoleNotHeld", "/raise/decision", map[string][]string{"raised_role": {"chair"}}, "raised_role", "Select the role"},
		{"ErrNoAgency", "/raise/decision", map[string][]string{"receiving_agency": {""}}, "receiving_agency", "Select the agency that made the decision"},
		{"ErrOwnAgency", "/raise/decision", map[string][]string{"receiving_agency": {own}}, "receiving_agency", "Select the agency"},
		{"ErrNoDecision", "/raise/decision", map[string][]string{"decision": {" "}}, "decision", "Enter the decision, action or inaction"},
		{"ErrNoDate", "/raise/decision", map[string][]string{"decision_date-day": {""}, "decision_date-month": {""}, "decision_date-year": {""}}, "decision_date", "Enter the date of the decision"},
		{"ErrDateNoMonth", "/raise/decision", map[string][]string{"decision_date-month": {""}}, "decision_date", "must include a month"},
		{"ErrDateNotReal", "/raise/decision", map[string][]string{"decision_date-day": {"31"}, "decision_date-month": {"2"}}, "decision_date", "must be a real date"},
		{"ErrDateShortYear", "/raise/decision", map[string][]string{"decision_date-year": {"26"}}, "decision_date", "4 numbers"},
		{"ErrDateFuture", "/raise/decision", map[string][]string{"decision_date-day": {"25"}}, "decision_date", "today or in the past"},
		{"ErrLongContact", "/raise/decision", map[string][]string{"receiving_contact": {strings.Repeat("x", escalate.MaxShortText+1)}}, "receiving_contact", "at most"},
		{"ErrNoChildRef", "/raise/child", map[string][]string{"child_ref": {""}}, "child_ref", "Enter your agency&#39;s case reference"},
		{"ErrChildRefName", "/raise/child", map[string][]string{"child_ref": {"Jane Smith"}}, "child_ref", "no name or address"},
		{"ErrNoInitials", "/raise/child", map[string][]string{"child_initials": {""}}, "child_initials", "Enter the child&#39;s initials, for example JS or J.S., or for an unborn baby the month the baby is due"},
		{"ErrInitialsAndDue", "/raise/child", map[string][]string{"due-month": {"3"}, "due-year": {"2027"}}, "child_expected", "An unborn baby has no initials"},
		{"ErrDueNotAMonth", "/raise/child", map[string][]string{"child_initials": {""}, "due-month": {"13"}, "due-year": {"2027"}}, "child_expected", "for example 3 2027"},
		{"ErrDueTooFar", "/raise/child", map[string][]string{"child_initials": {""}, "due-month": {"3"}, "due-year": {"2029"}}, "child_expected", "within the next 10 months"},
		{"ErrLongInitials", "/raise/child", map[string][]string{"child_initials": {"ABCDE"}}, "child_initials", "at most 4 letters"},
		{"ErrInitialsDigits", "/raise/child", map[string][]string{"child_initials": {"J5"}}, "child_initials", "as letters"},
		{"ErrNoCategory", "/raise/category", map[string][]string{"categories": nil}, "categories", "Select what the disagreement is about"},
		{"ErrUnknownCategory", "/raise/category", map[string][]string{"categories": {"assessment", "nonsense"}}, "categories", "Select what the disagreement is about"},
		{"ErrNoIssue", "/raise/details", map[string][]string{"issue": {""}}, "issue", "Enter the issue"},
		{"ErrNoRisk", "/raise/details", map[string][]string{"risk": {""}}, "risk", "Enter the risk to the child"},
		{"ErrNoDisagreement", "/raise/details", map[string][]string{"disagreement": {""}}, "disagreement", "Enter the nature of the disagreement"},
		{"ErrNoOutcome", "/raise/details", map[string][]string{"outcome_sought": {""}}, "outcome_sought", "Enter the outcome you want"},
		{"ErrLongIssue", "/raise/details", map[string][]string{"issue": {strings.Repeat("x", escalate.MaxText+1)}}, "issue", "at most 10000 characters"},
		{"ErrControlChar", "/raise/details", map[string][]string{"risk": {"a\x00b"}}, "risk", "control character"},
		{"ErrNoRiskLevel", "/raise/risk", map[string][]string{"risk_level": nil}, "risk_level", "Select how great the risk"},
		{"ErrImmediateLevel", "/raise/risk", map[string][]string{"risk_level": {"immediate"}}, "risk_level", "Select how great the risk"},
		{"ErrDealtWithUnknown", "/raise/who", map[string][]string{"dealt_with": {"99999"}}, "dealt_with", "Choose someone from the list"},
		{"ErrProtectByPast", "/raise/protect-by", map[string][]string{"protect_by-day": {"1"}, "protect_by-month": {"1"}, "protect_by-year": {"2020"}},
			"protect_by", "The deadline must be later than now"},
		{"ErrProtectByNotDate", "/raise/protect-by", map[string][]string{"protect_by-day": {"31"}, "protect_by-month": {"2"}, "protect_by-year": {"2030"}},
			"protect_by", "The deadline must be a real date"},
		{"ErrProtectTime", "/raise/protect-by", map[string][]string{"protect_by-day": {"1"}, "protect_by-month": {"1"}, "protect_by-year": {"2030"},
			"protect_time": {"5pm"}}, "protect_time", "hours and minutes"},
		{"ErrProtectTimeOnly", "/raise/protect-by", map[string][]string{"protect_time": {"14:30"}}, "protect_by", "Enter the date as well"},
	}
	// Reach check your answers, so every page can be posted to; then each
	// bad post must leave the stored draft as it was.
	re.walk(t, false)
	before, _, err := re.db.Draft(context.Background(), re.user.ID, "raise")
	if err != nil || before == nil {
		t.Fatalf("draft %q, %v", before, err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := re.req(t, "POST", tc.page, with(tc.page, tc.set))
			if res.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", res.StatusCode)
			}
			if !strings.Contains(res.body, `<a href="#`+tc.field+`">`) {
				t.Errorf("the error summary does not link to #%s", tc.field)
			}
			if !strings.Contains(res.body, `id="`+tc.field+`"`) {
				t.Errorf("no field with id %q for the link", tc.field)
			}
			if !strings.Contains(res.body, tc.msg) {
				t.Errorf("the page lacks %q", tc.msg)
			}
			if !strings.Contains(res.body, "<title>Error: ") {
				t.Error("the title does not start with Error:")
			}
			after, _, _ := re.db.Draft(context.Background(), re.user.ID, "raise")
			if string(after) != string(before) {
				t.Errorf("a bad answer changed the draft:\n%s\n%s", before, after)
			}
		})
	}
	if es := re.escalations(t); len(es) != 0 {
		t.Errorf("%d escalations, want none", len(es))
	}
	re.checkPrivate(t)
}

func TestRaiseCheckAndSubmit(t *testing.T) {
	re := newRaiseEnv(t)
	if res := re.req(t, "GET", "/raise/check", nil); res.Header.Get("Location") != "/raise" {
		t.Errorf("an empty draft's check page went to %q, want /raise", res.Header.Get("Location"))
	}
	re.walk(t, false)
	res := re.req(t, "GET", "/raise/check", nil)
	for _, want := range []string{"Wirral Children&#39;s Services", "21 December 2026", childRef, childInitials,
		"Assessment", "Enquiry", issueText, "Increased", `href="/raise/child"`, "Change<span class=\"govuk-visually-hidden\"> the case reference"} {
		if !strings.Contains(res.body, want) {
			t.Errorf("check your answers lacks %q", want)
		}
	}
	if strings.Contains(res.body, "<title>") && strings.Contains(res.body[:strings.Index(res.body, "</title>")], childRef) {
		t.Error("the child's reference is in the page title")
	}
	res = re.req(t, "POST", "/raise/check", url.Values{})
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/raise/raised/") {
		t.Fatalf("submit: %d to %q\n%s", res.StatusCode, loc, res.body)
	}
	// A second submit (a double click, or Back and submit) raises nothing.
	if res := re.req(t, "POST", "/raise/check", url.Values{}); res.Header.Get("Location") != "/raise" {
		t.Errorf("a second submit went to %q, want /raise", res.Header.Get("Location"))
	}
	es := re.escalations(t)
	if len(es) != 1 {
		t.Fatalf("%d escalations, want exactly 1", len(es))
	}
	e := es[0]
	type fields struct {
		by, from, to                        int64
		role                                escalate.Role
		contact, decision, date, ref, inits string
		issue, risk, disagreement, outcome  string
		level                               escalate.RiskLevel
	}
	want := fields{re.user.ID, re.user.AgencyID, re.other.ID, escalate.RolePractitioner,
		"duty social worker", "Closed the referral without an assessment", "2026-12-21", childRef, childInitials,
		issueText + "\nat school", "Further injury", "Whether the threshold for an assessment is met", "A strategy discussion",
		escalate.RiskIncreased}
	got := fields{e.RaisedBy, e.RaisingAgencyID, e.ReceivingAgencyID, e.RaisedRole,
		e.ReceivingContact, e.Decision, e.DecisionDate, e.ChildRef, e.ChildInitials,
		e.Issue, e.Risk, e.Disagreement, e.OutcomeSought, e.RiskLevel}
	if got != want {
		t.Errorf("escalation\n got %+v\nwant %+v", got, want)
	}
	if strings.Join(e.Categories, ",") != "assessment,enquiry" {
		t.Errorf("categories %v", e.Categories)
	}
	if loc != "/raise/raised/"+e.Ref {
		t.Errorf("confirmation at %q, want the reference %q", loc, e.Ref)
	}
	res = re.req(t, "GET", loc, nil)
	for _, want := range []string{"Disagreement raised", e.Ref, "What happens next", "Stage 1 of", "due by"} {
		if !strings.Contains(res.body, want) {
			t.Errorf("the confirmation lacks %q\n%s", want, res.body)
		}
	}
	if d, _, _ := re.db.Draft(context.Background(), re.user.ID, "raise"); d != nil {
		t.Errorf("the draft outlived the submit: %s", d)
	}
	re.checkPrivate(t)
}

func TestRaiseImmediateSubmit(t *testing.T) {
	re := newRaiseEnv(t)
	re.walk(t, true)
	res := re.req(t, "GET", "/raise/check", nil)
	if !strings.Contains(res.body, actionText) || strings.Contains(res.body, "Risk to the child</dt>") {
		t.Errorf("check your answers should show the action and no risk question\n%s", res.body)
	}
	res = re.req(t, "POST", "/raise/check", url.Values{})
	if !strings.HasPrefix(res.Header.Get("Location"), "/raise/raised/") {
		t.Fatalf("submit went to %q\n%s", res.Header.Get("Location"), res.body)
	}
	es := re.escalations(t)
	if len(es) != 1 || es[0].RiskLevel != escalate.RiskImmediate || es[0].Immediate == nil || es[0].Immediate.Action != actionText {
		t.Fatalf("escalations %+v, want one at immediate risk with the action", es)
	}
	// Recorded once before the case existed, and again on the case.
	if n := len(re.immediateEvents(t)); n != 2 {
		t.Errorf("%d immediate-action events, want 2", n)
	}
	re.checkPrivate(t)
}

// TestRaiseSubmitRefused shows a refusal by the service on check your
// answers, linked to the page to fix, and raises nothing.
func TestRaiseSubmitRefused(t *testing.T) {
	re := newRaiseEnv(t)
	re.walk(t, false)
	// The store's clock goes back: the decision is now in the future.
	re.clock.add(-96 * time.Hour)
	res := re.req(t, "POST", "/raise/check", url.Values{})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.body, `href="/raise/decision#decision_date"`) ||
		!strings.Contains(res.body, "cannot be in the future") {
		t.Fatalf("status %d\n%s", res.StatusCode, res.body)
	}
	if es := re.escalations(t); len(es) != 0 {
		t.Errorf("%d escalations, want none", len(es))
	}
}

func TestRaiseSignedOut(t *testing.T) {
	re := newRaiseEnv(t)
	// Sent to sign in, and then back to the page: the path only, which
	// holds no answer.
	for _, p := range []string{"/raise", "/raise/check", "/raise/raised/WIR-2026-0001"} {
		if res := re.do(t, "GET", p, "", nil); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/sign-in?next="+url.QueryEscape(p) {
			t.Errorf("GET %s signed out: %d to %q", p, res.StatusCode, res.Header.Get("Location"))
		}
	}
	if res := re.do(t, "POST", "/raise", "", url.Values{"immediate": {"yes"}}); res.Header.Get("Location") != "/sign-in?next=%2Fraise" {
		t.Errorf("POST /raise signed out went to %q", res.Header.Get("Location"))
	}
}

// TestRaiseChildAsTyped: the child page takes initials with dots and
// spaces, a reference with a space, and an unborn baby with no initials
// and the month it is due; check your answers shows them as stored.
func TestRaiseChildAsTyped(t *testing.T) {
	for _, c := range []struct {
		name string
		form url.Values
		want []string
	}{
		{"Dots", url.Values{"child_ref": {"CPOMS 4471"}, "child_initials": {"q.z."}}, []string{"CPOMS 4471", "<dd class=\"govuk-summary-list__value\">QZ</dd>"}},
		{"Unborn", url.Values{"child_ref": {"MAT 2211"}, "child_initials": {""}, "due-month": {"3"}, "due-year": {"2027"}},
			[]string{"MAT 2211", "Unborn baby", "Due March 2027"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			re := newRaiseEnv(t)
			re.walkWith(t, false, map[string]url.Values{"/raise/child": c.form})
			res := re.req(t, "GET", "/raise/check", nil)
			for _, w := range c.want {
				if !strings.Contains(res.body, w) {
					t.Errorf("check your answers lacks %q", w)
				}
			}
			res = re.req(t, "POST", "/raise/check", url.Values{})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("raise: %d\n%s", res.StatusCode, res.body)
			}
			es := re.escalations(t)
			if len(es) != 1 || es[0].ChildRef != c.form.Get("child_ref") ||
				(c.name == "Dots") != (es[0].ChildInitials == "QZ") || (c.name == "Unborn") != (es[0].ChildExpected == "2027-03") {
				t.Errorf("raised %+v", es)
			}
		})
	}
}

// TestRaiseAcrossSignIns: a half-finished raise is still there after
// signing out and in again, as is what was typed on a page and not yet
// sent; "Delete my answers" asks first, then deletes both.
func TestRaiseAcrossSignIns(t *testing.T) {
	re := newRaiseEnv(t)
	a := re.answers()
	re.post(t, "/raise", a["/raise"], "/raise/scope")
	re.post(t, "/raise/scope", a["/raise/scope"], "/raise/decision")
	re.post(t, "/raise/decision", a["/raise/decision"], "/raise/who")
	re.post(t, "/raise/who", a["/raise/who"], "/raise/child")
	// Typed on the child page, not sent: app.js keeps it.
	if res := re.req(t, "POST", "/drafts", url.Values{"draft-form": {"/raise/child"}, "child_ref": {"CPOMS 4471"}}); res.StatusCode != http.StatusNoContent {
		t.Fatalf("keeping the child page: %d", res.StatusCode)
	}
	re.req(t, "POST", "/sign-out", url.Values{})
	re.token = re.signIn(t, "")
	res := re.req(t, "GET", "/raise/child", nil)
	if res.StatusCode != http.StatusOK || !strings.Contains(res.body, `value="CPOMS 4471"`) || !strings.Contains(res.body, "We kept what you typed") {
		t.Fatalf("after signing in again the child page: %d", res.StatusCode)
	}
	// Asked first: the GET changes nothing.
	res = re.req(t, "GET", "/raise/cancel", nil)
	if res.StatusCode != http.StatusOK || !strings.Contains(res.body, "Are you sure you want to delete your answers?") ||
		!strings.Contains(res.body, `href="/raise/child"`) {
		t.Fatalf("Delete my answers does not ask first: %d", res.StatusCode)
	}
	if d, _, _ := re.db.Draft(context.Background(), re.user.ID, "raise"); d == nil {
		t.Fatal("asking deleted the answers")
	}
	re.post(t, "/raise/cancel", url.Values{}, "/raise?done=deleted")
	for _, form := range []string{"raise", "/raise/child"} {
		if d, _, _ := re.db.Draft(context.Background(), re.user.ID, form); d != nil {
			t.Errorf("the draft %s outlived Delete my answers", form)
		}
	}
	if res := re.req(t, "GET", "/raise?done=deleted", nil); !strings.Contains(res.body, "Your answers have been deleted.") {
		t.Error("no banner says the answers were deleted")
	}
}
