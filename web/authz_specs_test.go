package web_test

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/internal/testfiles"
)

// authzFile is a file the matrix uploads, as a multipart form.
type authzFile struct {
	Name string
	Data []byte
}

// authzSpecs is every route's kind in the matrix. The test fails when the
// server registers a route this table lacks, so a new route must be placed
// in the policy before it can ship.
func authzSpecs() map[string]authzSpec {
	pub := authzSpec{kind: kindPublic}
	in := authzSpec{kind: kindSignedIn}
	// Raising is for anyone with a role that deals with cases: not an
	// account that only administers or looks after data protection
	// (escalate.Can, ActionRaise).
	raise := authzSpec{kind: kindRaise}
	cs := func(action string) authzSpec { return authzSpec{kind: kindCase, action: action} }
	api := func(sp authzSpec) authzSpec { sp.api = true; return sp }
	m := map[string]authzSpec{
		"GET /healthz": pub, "GET /readyz": pub, "GET /static/": pub, "GET /assets/": pub,
		"GET /sign-in": pub, "POST /sign-in": pub, "POST /sign-out": pub,
		"GET /sign-in/oidc": pub, "GET /sign-in/oidc/callback": pub,
		"GET /accessibility":      pub,
		"/":                       {kind: kindNowhere},
		"GET /{$}":                {kind: kindList},
		"GET /escalations/{ref}":  cs(escalate.ActionView),
		"GET /raise/raised/{ref}": cs(escalate.ActionView),
		"GET /raise/elsewhere":    raise,
		"GET /raise/check":        raise,
		"POST /raise/check":       raise,
		"POST /raise/cancel":      in,
		"GET /raise/cancel":       raise,
		// Drafts (drafts.go): one's own, whatever the form; and the
		// timeout warning's "Stay signed in".
		"POST /drafts":           in,
		"GET /session/keepalive": in,
		"GET /contacts":          in,
		"GET /policy":            in,
		// Changing the policy (policy_change.go): the Business Manager and
		// administrator, as for the contacts directory.
		"GET /policy/change":   {kind: kindContactsEdit},
		"POST /policy/change":  {kind: kindContactsEdit},
		"POST /policy/publish": {kind: kindContactsEdit},
		"GET /policy/history":  {kind: kindContactsEdit},
		// Good practice (goodpractice.go): the matrix's Wirral policy has no
		// route for it, so the pages are not found for everyone
		// (goodpractice_test.go tests a policy that has one).
		"GET /good-practice":         {kind: kindNowhere},
		"GET /good-practice/new":     {kind: kindNowhere},
		"POST /good-practice/new":    {kind: kindNowhere},
		"GET /contacts/new":          {kind: kindContactsEdit},
		"POST /contacts/new":         {kind: kindContactsEdit},
		"GET /contacts/{id}/edit":    {kind: kindContactsEdit},
		"POST /contacts/{id}/edit":   {kind: kindContactsEdit},
		"POST /contacts/{id}/verify": {kind: kindContactsEdit},
		"POST /contacts/{id}/delete": {kind: kindContactsEdit},
		"GET /contacts/import":       {kind: kindContactsEdit},
		"POST /contacts/import":      {kind: kindContactsEdit},
		"GET /overview":              {kind: kindOverview},
		"GET /reports":               {kind: kindReports},
		"GET /reports/print":         {kind: kindReports},
		"GET /reports/report.pdf":    {kind: kindReports},
		"GET /reports/report.csv":    {kind: kindReports},
		"GET /reports/report.xlsx":   {kind: kindReports},
		"GET /admin":                 {kind: kindAdminRead},
		// An agency's page and its escalation contacts (admin_agency.go).
		"GET /admin/agencies/{id}":                  {kind: kindAdminRead},
		"POST /admin/agencies/{id}/contacts":        {kind: kindAdminWrite},
		"POST /admin/agencies/{id}/contacts/remove": {kind: kindAdminWrite},
		// Taking a case, removing who is named, and appointing a meeting's
		// chair, which Wirral's stages do not have: refused for everyone.
		"POST /escalations/{ref}/party/take":    cs(escalate.ActionPartyName),
		"POST /escalations/{ref}/party/remove":  cs(escalate.ActionPartyRemove),
		"GET /escalations/{ref}/meeting-chair":  cs("no-such-meeting"),
		"POST /escalations/{ref}/meeting-chair": cs("no-such-meeting"),
		"GET /admin/agencies/new":               {kind: kindAdminWrite},
		"POST /admin/agencies/new":              {kind: kindAdminWrite},
		"GET /admin/people/new":                 {kind: kindAdminWrite},
		"POST /admin/people/new":                {kind: kindAdminWrite},
		"GET /admin/people/{id}":                {kind: kindAdminWrite},
		"POST /admin/people/{id}/roles":         {kind: kindAdminWrite},
		"POST /admin/people/{id}/manager":       {kind: kindAdminWrite},
		"POST /admin/people/{id}/status":        {kind: kindAdminWrite},
		"POST /admin/api-access":                {kind: kindAdminWrite},
		"GET /account/tokens":                   in,
		"POST /account/tokens":                  in,
		"POST /account/tokens/{id}/revoke":      {kind: kindOwnToken},
		"GET /account/calendar":                 in,
		"POST /account/calendar/link":           in,
		"POST /account/calendar/revoke":         in,
		"POST /account/calendar/digest":         in,
		// A partnership provider's start, sent for a provider that does
		// not exist (oidc_providers_test.go walks real ones on loopback).
		"GET /sign-in/oidc/{id}":          {kind: kindNowhere},
		"GET /admin/sign-in":              {kind: kindAdminRead},
		"POST /admin/sign-in":             {kind: kindAdminWrite},
		"POST /admin/sign-in/{id}/remove": {kind: kindAdminWrite},
		"GET /admin/role-changes":         {kind: kindOversightRead},
		"POST /admin/people/{id}/invite":  {kind: kindAdminWrite},
		"GET /account":                    in,
		"GET /account/password":           in,
		"POST /account/password":          in,
		// Second factors: a signed-in person is sent home from the pages
		// of a sign-in that waits for one, and may set one up; the waiting
		// stages themselves are covered by second_factor_test.go and
		// passkey_browser_test.go.
		"GET /sign-in/second-factor":                   in,
		"POST /sign-in/second-factor":                  in,
		"GET /sign-in/set-up":                          in,
		"POST /sign-in/set-up":                         in,
		"POST /sign-in/set-up/app":                     in,
		"GET /sign-in/set-up/qr.png":                   {kind: kindNowhere}, // no app being set up
		"POST /sign-in/set-up/codes":                   in,
		"POST /sign-in/passkey/register/options":       in,
		"POST /sign-in/passkey/register":               in,
		"POST /sign-in/passkey/options":                in,
		"POST /sign-in/passkey":                        in,
		"POST /account/recovery-codes":                 in,
		"POST /admin/people/{id}/second-factors/reset": {kind: kindAdminWrite},
		// Forgotten password and the emailed links: for people who cannot
		// sign in; without a live link's secret they say it does not work.
		"GET /sign-in/forgotten": pub, "POST /sign-in/forgotten": pub,
		"GET /account/reset": pub, "POST /account/reset": pub,
		"GET /account/invitation": pub, "POST /account/invitation": pub,
		// The feed's secret in its path is its only credential; the matrix
		// holds none, so the feed is not found for everyone (feed_test.go
		// checks a real secret).
		"GET /feeds/{file}": {kind: kindNowhere},
		// The notification pages: one's own notifications (a list: it must
		// show no case one may not see), and the undelivered ones.
		"GET /notifications":                 {kind: kindList},
		"POST /notifications/read":           in,
		"GET /admin/undelivered":             {kind: kindAdminRead},
		"POST /admin/undelivered/{id}/retry": {kind: kindAdminWrite},
		// The learning log and proformas (learning.go, proforma.go), and
		// the learning step on a closed escalation: C, not A.
		"GET /learning":                     {kind: kindLearnRead},
		"POST /learning/threshold":          {kind: kindLearnWrite},
		"POST /learning/themes":             {kind: kindLearnWrite},
		"POST /learning/themes/{id}/remove": {kind: kindLearnWrite},
		"GET /learning/items/{id}":          {kind: kindLearnRead},
		"POST /learning/items/{id}":         {kind: kindLearnWrite},
		"GET /proformas":                    {kind: kindLearnRead},
		"GET /proformas/{id}":               {kind: kindLearnRead},
		"GET /proformas/{id}/pdf":           {kind: kindLearnRead},
		"GET /proformas/{id}/csv":           {kind: kindLearnRead},
		"POST /proformas/{id}/status":       {kind: kindLearnWrite},
		"GET /escalations/{ref}/learning":   cs(escalate.ActionLearningRecord),
		"POST /escalations/{ref}/learning":  cs(escalate.ActionLearningRecord),
		// The child's file (escalation_file.go): whoever may see the case
		// may take its PDF, and see and add its letters and emails.
		"GET /escalations/{ref}/file.pdf":         cs(escalate.ActionView),
		"GET /escalations/{ref}/attach":           cs(escalate.ActionView),
		"POST /escalations/{ref}/attach":          cs(escalate.ActionView),
		"GET /escalations/{ref}/attachments/{id}": cs(escalate.ActionView),
		// Data protection (privacy.go): who has seen what for the Business
		// Manager and the data protection officer; the rest for the data
		// protection officer only.
		"GET /privacy":                  {kind: kindPrivacyRead},
		"GET /privacy/case":             {kind: kindPrivacyRead},
		"GET /privacy/cases/{ref}":      {kind: kindPrivacyRead},
		"POST /privacy/person":          {kind: kindPrivacyRead},
		"GET /privacy/retention":        {kind: kindPrivacyDPO},
		"POST /privacy/retention":       {kind: kindPrivacyDPO},
		"POST /privacy/holds":           {kind: kindPrivacyDPO},
		"POST /privacy/holds/{id}/lift": {kind: kindPrivacyDPO},
		"POST /privacy/subject-access":  {kind: kindPrivacyDPO},

		"GET /api/v1/openapi.json":                            api(pub),
		"/api/v1/":                                            api(authzSpec{kind: kindNowhere}),
		"GET /api/v1/escalations":                             api(authzSpec{kind: kindList}),
		"POST /api/v1/escalations":                            api(raise),
		"GET /api/v1/escalations/{ref}":                       api(cs(escalate.ActionView)),
		"GET /api/v1/escalations/{ref}/records":               api(cs(escalate.ActionView)),
		"POST /api/v1/escalations/{ref}/records":              api(cs(escalate.ActionRecordAdd)),
		"POST /api/v1/escalations/{ref}/records/{id}/approve": api(cs(escalate.ActionRecordApprove)),
		"POST /api/v1/escalations/{ref}/parties":              api(cs(escalate.ActionPartyName)),
		"POST /api/v1/escalations/{ref}/parties/remove":       api(cs(escalate.ActionPartyRemove)),
		"POST /api/v1/escalations/{ref}/agree":                api(cs(escalate.ActionOutcomeAgree)),
		"POST /api/v1/escalations/{ref}/confirm":              api(cs(escalate.ActionOutcomeConfirm)),
		"POST /api/v1/escalations/{ref}/escalate":             api(cs(escalate.ActionEscalate)),
		"POST /api/v1/escalations/{ref}/determine":            api(cs(escalate.ActionDetermine)),
		"POST /api/v1/escalations/{ref}/redirect":             api(cs(escalate.ActionRedirect)),
		"POST /api/v1/escalations/{ref}/withdraw":             api(cs(escalate.ActionWithdraw)),
		"POST /api/v1/escalations/{ref}/risk":                 api(cs(escalate.ActionRiskRaise)),
		"POST /api/v1/escalations/{ref}/clocks/{id}/shorten":  api(cs(escalate.ActionClockShorten)),
		"POST /api/v1/escalations/{ref}/immediate-action":     api(cs(escalate.ActionRiskImmediate)),
		"POST /api/v1/immediate-actions":                      api(in),
		"GET /api/v1/contacts":                                api(in),
		"GET /api/v1/policy":                                  api(in),
	}
	// The Child Protection Conference dissent pages (authz_dissent_test.go
	// checks them where the policy switches them on).
	for _, p := range authzDissentRoutes {
		m[p] = authzSpec{kind: kindDissent, action: authzDissentActions[p]}
	}
	// The escalation pages: one form (GET) and its post per action.
	for path, action := range authzPageActions {
		m["GET /escalations/{ref}/"+path] = cs(action)
		m["POST /escalations/{ref}/"+path] = cs(action)
	}
	// The raise steps: any signed-in user with a role but administrator.
	for _, step := range authzRaiseSteps {
		m["GET "+step] = raise
		m["POST "+step] = raise
	}
	return m
}

// authzNeedsConfig are routes the matrix's server does not serve, because
// they need something it cannot run on loopback; they are listed so the
// guard still knows them.
var authzNeedsConfig = map[string]string{
	"GET /sign-in/oidc":          "an OpenID Connect provider",
	"GET /sign-in/oidc/callback": "an OpenID Connect provider",
}

// authzPageActions are the escalation page's action paths and the action
// each takes.
var authzPageActions = map[string]string{
	"record": escalate.ActionRecordAdd, "approve": escalate.ActionRecordApprove,
	"agree": escalate.ActionOutcomeAgree, "confirm": escalate.ActionOutcomeConfirm,
	"escalate": escalate.ActionEscalate, "determine": escalate.ActionDetermine,
	"redirect": escalate.ActionRedirect, "withdraw": escalate.ActionWithdraw,
	"risk": escalate.ActionRiskRaise, "shorten": escalate.ActionClockShorten,
	"immediate": escalate.ActionRiskImmediate, "party": escalate.ActionPartyName,
}

// authzRaiseSteps are the raise journey's steps.
var authzRaiseSteps = []string{"/raise", "/raise/protect", "/raise/scope", "/raise/alongside", "/raise/decision",
	"/raise/who", "/raise/child", "/raise/category", "/raise/details", "/raise/risk", "/raise/protect-by"}

// request builds the request for pattern as role on the target of rel:
// the method, the path with its {ref} and {id} filled in, and a valid
// body (url.Values for a page, a JSON object for the API) so that an
// allowed request really acts and a denied one is a real denial.
func (w *authzWorld) request(pattern string, role escalate.Role, rel authzRel) (method, path string, body any) {
	method, path, ok := strings.Cut(pattern, " ")
	if !ok {
		method, path = "GET", pattern
	}
	e, person, contact, dead := w.escA, authzKey(escalate.RolePractitioner, "X"), w.contactA, w.deadA
	provider := w.providerA
	item, proforma, theme, attach, hold := w.itemA, w.proformaA, w.themeA, w.attachA, w.holdA
	if strings.HasSuffix(path, "/learning") {
		e = w.escC
	}
	token := authzActor(role, rel)
	switch {
	case rel == relOtherPartnership:
		e, person, contact, token, dead = w.escB, authzKey(escalate.RolePractitioner, "W"), w.contactB, person, w.deadB
		token = authzKey(escalate.RolePractitioner, "W")
		provider = w.providerB
		item, proforma, theme, attach, hold = w.itemB, w.proformaB, w.themeB, w.attachB, w.holdB
		if strings.HasSuffix(path, "/learning") {
			e = w.escD
		}
	case rel == relOtherAgency || role == "":
		token = authzKey(escalate.RolePractitioner, "X")
	}
	clock := 0
	for _, c := range e.Clocks {
		if c.Status == escalate.ClockRunning && !c.Immediate {
			clock = c.ID
			break
		}
	}
	id := ""
	switch {
	case strings.HasPrefix(path, "/contacts/"):
		id = strconv.FormatInt(contact, 10)
	case strings.HasPrefix(path, "/admin/sign-in/"):
		id = strconv.FormatInt(provider, 10)
	case path == "/sign-in/oidc/{id}":
		id = "0" // no such provider: starting a real one needs it on loopback
	case strings.HasPrefix(path, "/admin/people/"):
		id = strconv.FormatInt(w.users[person].ID, 10)
	case strings.HasPrefix(path, "/admin/agencies/{id}"):
		// Agency Z, uninvolved in A, whose manager is its escalation
		// contact; in partnership B, agency V.
		id = strconv.FormatInt(w.ag["Z"].ID, 10)
		if rel == relOtherPartnership {
			id = strconv.FormatInt(w.ag["V"].ID, 10)
		}
	case strings.HasPrefix(path, "/admin/undelivered/"):
		id = strconv.FormatInt(dead, 10)
	case strings.HasPrefix(path, "/learning/items/"):
		id = strconv.FormatInt(item, 10)
	case strings.HasPrefix(path, "/learning/themes/"):
		id = strconv.FormatInt(theme, 10)
	case strings.Contains(path, "/attachments/"):
		id = strconv.FormatInt(attach, 10)
	case strings.HasPrefix(path, "/proformas/"):
		id = strconv.FormatInt(proforma, 10)
	case strings.HasPrefix(path, "/privacy/holds/"):
		id = strconv.FormatInt(hold, 10)
	case strings.HasPrefix(path, "/account/tokens/"):
		id = strconv.FormatInt(w.tokenIDs[token], 10)
	case strings.Contains(path, "/records/"):
		id = "1"
	case strings.Contains(path, "/clocks/"):
		id = strconv.Itoa(clock)
	}
	switch path {
	case "/":
		path = "/no-such-page"
	case "/api/v1/":
		path = "/api/v1/no-such-endpoint"
	case "/static/":
		path = "/static/app.css"
	case "/assets/":
		path = "/assets/images/favicon.svg"
	}
	path = strings.NewReplacer("{ref}", e.Ref, "{id}", id, "{$}", "").Replace(path)
	if method == "GET" {
		return method, path, nil
	}
	version := strconv.Itoa(e.Version)
	v := func(kv ...string) url.Values {
		out := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			out.Add(kv[i], kv[i+1])
		}
		return out
	}
	nextStage, redirect := w.pol.Stages[1].Key, w.pol.Redirects[0].Key
	due := w.now.Add(time.Hour)
	switch {
	case pattern == "POST /sign-in":
		u := w.users[authzActor(escalate.RolePractitioner, relOwn)]
		if role != "" {
			u = w.users[authzActor(role, rel)]
		}
		return method, path, v("email", u.Email, "password", authzPassword)
	case pattern == "POST /escalations/{ref}/learning":
		return method, path, v("general", "yes", "general_text", "Share the threshold guidance.", "policy_gap", "no",
			"training", "no", "debriefed", "yes")
	case pattern == "POST /learning/items/{id}":
		return method, path, v("version", "1", "assignee", string(escalate.RoleChair), "status", escalate.LearningInProgress,
			"action_taken", "Raised at the board.", "theme", "Thresholds")
	case pattern == "POST /privacy/person":
		return method, path, v("email", w.users[person].Email)
	case pattern == "POST /privacy/retention":
		f := url.Values{}
		for _, c := range escalate.RetentionClasses {
			f.Set("days-"+string(c), strconv.Itoa(escalate.DefaultRetentionDays[c]+1))
		}
		return method, path, f
	case pattern == "POST /privacy/holds":
		return method, path, v("ref", e.Ref, "reason", "Preserved for an inquiry.")
	case pattern == "POST /privacy/holds/{id}/lift":
		return method, path, v("lift_reason", "The inquiry closed.")
	case pattern == "POST /privacy/subject-access":
		return method, path, v("kind", "child", "child_ref", e.ChildRef, "format", "json")
	case pattern == "POST /learning/threshold":
		return method, path, v("threshold", "2")
	case pattern == "POST /escalations/{ref}/attach":
		return method, path, authzFile{Name: "Confirmation.eml", Data: testfiles.EML()}
	case pattern == "POST /admin/api-access":
		return method, path, v("access", "everyone")
	case pattern == "POST /drafts":
		return method, path, v("draft-form", "/raise/details", "issue", "Typed, not yet sent.")
	case pattern == "POST /learning/themes":
		return method, path, v("theme", "Information sharing")
	case pattern == "POST /proformas/{id}/status":
		return method, path, v("version", "1", "status", escalate.ProformaReviewed)
	case strings.HasPrefix(pattern, "POST /escalations/{ref}/"):
		var f url.Values
		switch strings.TrimPrefix(pattern, "POST /escalations/{ref}/") {
		case "record":
			f = v("at-day", "2", "at-month", "12", "at-year", "2026", "at-time", "09:30", "form", "phone",
				"participants", "Duty social worker, Agency Y", "discussion", "Talked it through.", "outcome", "Will meet.", "result", "ongoing")
		case "approve":
			f = v("record", "1")
		case "agree":
			f = v("outcome", "An assessment will start.", "outstanding_issues", "None.")
		case "confirm":
			f = v("text", "Email sent today.")
		case "escalate":
			f = v("to", nextStage, "reason", "We could not agree.")
		case "determine":
			f = v("kind", "determination", "text", "The assessment goes ahead.", "chair_agency", strconv.FormatInt(w.ag["Z"].ID, 10))
		case "redirect":
			f = v("to", redirect, "reason", "Referred on by phone.")
		case "withdraw":
			f = v("reason", "Resolved informally.")
		case "risk":
			f = v("level", string(escalate.RiskIncreased), "reason", "New concerns.")
		case "shorten":
			f = v("clock", strconv.Itoa(clock), "due-day", "2", "due-month", "12", "due-year", "2026", "due-time",
				due.Format("15:04"), "reason", "The child needs an answer sooner.")
		case "immediate":
			f = v("immediate_action", "Called the police on 999.")
		case "party": // Y's manager, not yet named
			f = v("user", strconv.FormatInt(w.users[authzKey(escalate.RoleManager, "Y")].ID, 10))
		case "party/remove", "meeting-chair": // Y's practitioner, who is named
			f = v("user", strconv.FormatInt(w.users[authzKey(escalate.RolePractitioner, "Y")].ID, 10))
		default: // taking it needs nothing but the request
			f = v()
		}
		f.Set("version", version)
		return method, path, f
	case strings.HasPrefix(pattern, "POST /api/v1/escalations/{ref}/"):
		ver := e.Version
		var b map[string]any
		switch rest := strings.TrimPrefix(pattern, "POST /api/v1/escalations/{ref}/"); rest {
		case "records":
			b = map[string]any{"at": w.now.Add(-30 * time.Minute).Format(time.RFC3339), "form": "phone",
				"participants": []string{"Duty social worker, Agency Y"}, "discussion": "Talked it through.", "outcome": "Will meet."}
		case "records/{id}/approve":
			b = map[string]any{}
		case "agree":
			b = map[string]any{"outcome": "An assessment will start.", "outstanding_issues": "None."}
		case "confirm":
			b = map[string]any{"text": "Email sent today."}
		case "escalate":
			b = map[string]any{"to": nextStage, "reason": "We could not agree."}
		case "determine":
			b = map[string]any{"kind": "determination", "text": "The assessment goes ahead.", "chair_agency": w.ag["Z"].ID}
		case "redirect":
			b = map[string]any{"to": redirect, "reason": "Referred on by phone."}
		case "withdraw":
			b = map[string]any{"reason": "Resolved informally."}
		case "risk":
			b = map[string]any{"level": string(escalate.RiskIncreased), "reason": "New concerns."}
		case "clocks/{id}/shorten":
			b = map[string]any{"due": due.Format(time.RFC3339), "reason": "The child needs an answer sooner."}
		case "immediate-action":
			return method, path, map[string]any{"action": "Called the police on 999."}
		case "parties": // needs no version
			return method, path, map[string]any{"user_id": w.users[authzKey(escalate.RoleManager, "Y")].ID}
		case "parties/remove":
			return method, path, map[string]any{"user_id": w.users[authzKey(escalate.RolePractitioner, "Y")].ID}
		}
		b["version"] = ver
		return method, path, b
	case pattern == "POST /api/v1/immediate-actions":
		return method, path, map[string]any{"action": "Called the police on 999."}
	case pattern == "POST /api/v1/escalations":
		return method, path, map[string]any{
			"raised_role": "practitioner", "receiving_agency": w.ag["Y"].ID, "receiving_contact": "duty social worker",
			"decision": "No further action after the referral.", "decision_date": "2026-11-30",
			"child_ref": "SCH-0043", "child_initials": "AB", "categories": []string{w.pol.Categories[0].Key},
			"issue": "The referral was closed.", "risk": "Neglect.", "disagreement": "Threshold.",
			"outcome_sought": "An assessment.", "risk_level": "standard"}
	case pattern == "POST /contacts/new" || pattern == "POST /contacts/{id}/edit":
		return method, path, v("agency", strconv.FormatInt(w.ag["Y"].ID, 10), "role", string(escalate.RoleManager),
			"name", "New Contact", "job-title", "Team manager", "phone", "01632 960001", "email", "new.contact@example.org",
			"last-verified-day", "1", "last-verified-month", "12", "last-verified-year", "2026")
	case pattern == "POST /contacts/import":
		return method, path, v("csv", "")
	case pattern == "POST /policy/change" || pattern == "POST /policy/publish":
		return method, path, v("text", "")
	case pattern == "POST /good-practice/new":
		return method, path, v("agency", strconv.FormatInt(w.ag["Y"].ID, 10), "what", "They visited the same day.")
	case pattern == "POST /admin/agencies/new":
		return method, path, v("name", "Agency Q", "kind", "health-provider")
	case pattern == "POST /admin/agencies/{id}/contacts": // Z's practitioner, not yet a contact
		return method, path, v("user", strconv.FormatInt(w.users[authzKey(escalate.RolePractitioner, "Z")].ID, 10))
	case pattern == "POST /admin/agencies/{id}/contacts/remove": // Z's manager, its contact
		return method, path, v("user", strconv.FormatInt(w.users[authzKey(escalate.RoleManager, "Z")].ID, 10))
	case pattern == "POST /admin/people/new":
		return method, path, v("name", "New Person", "email", "new.person@example.org",
			"agency", strconv.FormatInt(w.ag["X"].ID, 10), "roles", string(escalate.RolePractitioner))
	case pattern == "POST /admin/people/{id}/roles":
		return method, path, v("roles", string(escalate.RolePractitioner), "roles", string(escalate.RoleSafeguardingLead))
	case pattern == "POST /admin/people/{id}/manager":
		return method, path, v("manager", strconv.FormatInt(w.users[authzKey(escalate.RoleSeniorManager, "X")].ID, 10))
	case pattern == "POST /admin/people/{id}/status":
		return method, path, v("status", "disable")
	case pattern == "POST /account/tokens":
		return method, path, v("name", "matrix token", "scope", "read", "days", "90", "password", authzPassword)
	}
	return method, path, v("x", "1") // the raise steps and the rest: the form as a person would first send it
}
