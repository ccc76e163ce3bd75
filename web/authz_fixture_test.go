package web_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/internal/testfiles"
	"github.com/escalate-project/escalate/policy"
	"github.com/escalate-project/escalate/sqlstore"
	"github.com/escalate-project/escalate/web"
)

// The authorisation matrix's world: partnership A ("wirral") with agencies
// X (a school: the raising agency), Y (children's social care: the agency
// the disagreement is with) and Z (the police: uninvolved), and partnership
// B ("elsewhere") with W and V. Every agency of A, and W, has one person in
// each user role, each practitioner managed by the manager, who is managed
// by the senior manager. Escalation A is raised by X's practitioner against
// Y, names Y's practitioner, and holds one unapproved record; escalation B
// is raised by W's practitioner against V. Everyone has a session and an
// API token. The world is built once into a SQLite file; each check that
// may write runs on a fresh copy of it.
type authzWorld struct {
	dir, base string
	now       time.Time
	pol       *escalate.Policy
	users     map[string]*escalate.User // "role@agency", e.g. "manager@X"
	cookies   map[string]string
	secrets   map[string]string // API tokens
	tokenIDs  map[string]int64
	ag        map[string]*escalate.Agency
	escA      *escalate.Escalation
	escB      *escalate.Escalation
	contactA  int64
	contactB  int64
	// providerA and providerB are a sign-in provider of each partnership.
	providerA, providerB int64
	deadA                int64 // an undelivered notification of each partnership
	deadB                int64
	// The learning pages' targets: a closed escalation of each partnership
	// (C withdrawn at stage 1 with A's parties; D), a learning item and a
	// proforma of each.
	escC, escD           *escalate.Escalation
	itemA, itemB         int64
	attachA, attachB     int64 // a file attached to escalation A, and to B
	themeA, themeB       int64
	proformaA, proformaB int64
	// holdA and holdB are a standing legal hold of each partnership, on
	// escalation A and B (privacy_more.go).
	holdA, holdB int64
	// disA and disB are a conference dissent of each partnership, when the
	// world follows a pack with dissents (authz_dissent_test.go).
	disA, disB string
}

const authzPassword = "correct horse battery staple"

// authzActorAgencies are the agencies whose people act in the matrix.
var authzActorAgencies = []string{"X", "Y", "Z", "W"}

func authzKey(role escalate.Role, agency string) string { return string(role) + "@" + agency }

// newAuthzWorld builds the world's database file, on Wirral's policy.
func newAuthzWorld(t *testing.T) *authzWorld { return newAuthzWorldPack(t, "wirral", nil) }

// newAuthzWorldPack builds the world on a pack's policy; more, if not nil,
// adds to it before everyone signs in.
func newAuthzWorldPack(t *testing.T, pack string, more func(w *authzWorld, db *sqlstore.DB)) *authzWorld {
	t.Helper()
	ctx := context.Background()
	w := &authzWorld{dir: t.TempDir(), now: time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC),
		users: map[string]*escalate.User{}, cookies: map[string]string{}, secrets: map[string]string{},
		tokenIDs: map[string]int64{}, ag: map[string]*escalate.Agency{}}
	w.base = filepath.Join(w.dir, "base.db")
	db, err := sqlstore.Open(ctx, w.base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	db.Now = func() time.Time { return w.now }
	if w.pol, err = policy.Pack(pack); err != nil {
		t.Fatal(err)
	}
	raw, _ := policy.PackSource(pack)
	parts := map[string]*escalate.Partnership{}
	for _, key := range []string{pack, "elsewhere"} {
		p := &escalate.Partnership{Key: key, Name: "Partnership " + key}
		if err := db.CreatePartnership(ctx, p, w.pol, raw); err != nil {
			t.Fatal(err)
		}
		relaxSecondFactor(t, db, p)
		parts[key] = p
	}
	for _, a := range []struct{ key, kind, part string }{
		{"X", "school", pack}, {"Y", "childrens-social-care", pack}, {"Z", "police", pack},
		{"W", "school", "elsewhere"}, {"V", "childrens-social-care", "elsewhere"},
	} {
		ag := &escalate.Agency{PartnershipID: parts[a.part].ID, Name: "Agency " + a.key, Kind: a.kind}
		if err := db.CreateAgency(ctx, ag); err != nil {
			t.Fatal(err)
		}
		w.ag[a.key] = ag
	}
	// Seniors first, so each line manager exists before their report.
	order := []escalate.Role{escalate.RoleSeniorManager, escalate.RoleManager, escalate.RolePractitioner,
		escalate.RoleSafeguardingLead, escalate.RoleBusinessManager, escalate.RoleChair, escalate.RoleViceChair,
		escalate.RoleDelegatedSafeguardingPartner, escalate.RoleIndependentScrutineer, escalate.RoleLeadSafeguardingPartner,
		escalate.RoleConferenceChair, escalate.RoleDataProtectionOfficer, escalate.RoleAdmin}
	tokens := sqlstore.NewTokenService(db)
	for _, a := range authzActorAgencies {
		part := pack
		if a == "W" {
			part = "elsewhere"
		}
		for _, r := range order {
			u := &escalate.User{PartnershipID: w.ag[a].PartnershipID, AgencyID: w.ag[a].ID,
				Name: fmt.Sprintf("Person %s %s", r, a), Email: fmt.Sprintf("%s.%s@example.org", r, a), Roles: []escalate.Role{r}}
			switch r {
			case escalate.RoleManager:
				u.ManagerID = w.users[authzKey(escalate.RoleSeniorManager, a)].ID
			case escalate.RolePractitioner:
				u.ManagerID = w.users[authzKey(escalate.RoleManager, a)].ID
			}
			if err := db.CreateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
			if _, err := db.SetPassword(ctx, part, u.Email, authzPassword); err != nil {
				t.Fatal(err)
			}
			k := authzKey(r, a)
			w.users[k] = u
			secret, tok, err := tokens.CreateToken(escalate.NewContextWithUser(ctx, u), escalate.TokenRequest{Name: "matrix " + k, Scope: escalate.ScopeReadWrite})
			if err != nil {
				t.Fatal(err)
			}
			w.secrets[k], w.tokenIDs[k] = secret, tok.ID
		}
	}
	// Agency Z's manager is its escalation contact, for the agency page's
	// checks; Z is not a party to A.
	if err := db.AddEscalationContact(ctx, w.ag["Z"].ID, w.users[authzKey(escalate.RoleManager, "Z")].ID); err != nil {
		t.Fatal(err)
	}
	svc := sqlstore.NewEscalationService(db)
	w.escA = w.raise(t, svc, "X", "Y")
	as := escalate.NewContextWithUser(ctx, w.users[authzKey(escalate.RolePractitioner, "X")])
	if _, err := svc.AddParty(as, w.escA.Ref, w.users[authzKey(escalate.RolePractitioner, "Y")].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddRecord(as, w.escA.Ref, escalate.RecordInput{Version: w.version(t, svc, w.escA.Ref),
		At: w.now.Add(-time.Hour), Form: "phone", Participants: []string{"Duty social worker, Agency Y"},
		Discussion: "Discussed the closure.", Outcome: "No agreement yet."}); err != nil {
		t.Fatal(err)
	}
	w.escB = w.raise(t, svc, "W", "V")
	if w.escA, err = svc.Get(as, w.escA.Ref); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		id   *int64
		ref  string
		from string
	}{{&w.attachA, w.escA.Ref, "X"}, {&w.attachB, w.escB.Ref, "W"}} {
		a, err := svc.AddAttachment(escalate.NewContextWithUser(ctx, w.users[authzKey(escalate.RolePractitioner, c.from)]),
			c.ref, escalate.AttachmentInput{Name: "Outcome letter.pdf", Data: testfiles.PDF()})
		if err != nil {
			t.Fatal(err)
		}
		*c.id = a.ID
	}
	if pack == "wirral" {
		// The learning targets need a proforma, which Wirral's stage 2
		// produces; the matrix runs on Wirral, the dissent checks on Surrey.
		w.learningWorld(t, db, svc)
	}
	if w.escA.Ref == w.escB.Ref {
		t.Fatalf("both partnerships gave the ref %s: the matrix could not tell them apart", w.escA.Ref)
	}
	for _, c := range []struct {
		id *int64
		ag string
	}{{&w.contactA, "Y"}, {&w.contactB, "V"}} {
		ct := &escalate.Contact{PartnershipID: w.ag[c.ag].PartnershipID, AgencyID: w.ag[c.ag].ID, Role: escalate.RoleManager,
			Name: "Contact " + c.ag, JobTitle: "Team manager", Phone: "01632 960000", Email: "contact." + c.ag + "@example.org", LastVerified: "2026-11-01"}
		if err := db.CreateContact(ctx, ct); err != nil {
			t.Fatal(err)
		}
		*c.id = ct.ID
	}
	for _, c := range []struct {
		id *int64
		ag string
	}{{&w.providerA, "Y"}, {&w.providerB, "V"}} {
		p := &escalate.OIDCProvider{PartnershipID: w.ag[c.ag].PartnershipID, Name: "Provider " + c.ag,
			Issuer: "https://login.example.org/" + c.ag, ClientID: "escalate", Domains: []string{strings.ToLower(c.ag) + ".example.org"}}
		if err := db.AddProvider(ctx, p); err != nil {
			t.Fatal(err)
		}
		*c.id = p.ID
	}
	for _, d := range []struct {
		id  *int64
		esc *escalate.Escalation
	}{{&w.deadA, w.escA}, {&w.deadB, w.escB}} {
		rows, err := db.Outbox(ctx, d.esc.ID)
		if err != nil || len(rows) == 0 {
			t.Fatalf("outbox of %s: %d rows, %v", d.esc.Ref, len(rows), err)
		}
		if err := db.MarkDead(ctx, rows[0].ID, "550 mailbox unavailable"); err != nil {
			t.Fatal(err)
		}
		*d.id = rows[0].ID
	}
	for _, h := range []struct {
		id    *int64
		esc   *escalate.Escalation
		agent string
	}{{&w.holdA, w.escA, "X"}, {&w.holdB, w.escB, "W"}} {
		dpo := escalate.NewContextWithUser(ctx, w.users[authzKey(escalate.RoleDataProtectionOfficer, h.agent)])
		held, err := db.PlaceHold(dpo, 0, h.esc.Ref, "Preserved for an inquiry.")
		if err != nil {
			t.Fatal(err)
		}
		*h.id = held.ID
	}
	if more != nil {
		more(w, db)
	}
	// Sign everyone in through the real sign-in form.
	_, ts := w.serve(t, db)
	for k, u := range w.users {
		res := authzSend(t, ts.URL, "POST", "/sign-in", "", "", "application/x-www-form-urlencoded",
			url.Values{"email": {u.Email}, "password": {authzPassword}}.Encode())
		for _, c := range res.Cookies() {
			if c.Name == "escalate_session" {
				w.cookies[k] = c.Value
			}
		}
		if w.cookies[k] == "" {
			t.Fatalf("sign in as %s: status %d", k, res.StatusCode)
		}
	}
	ts.Close()
	if err := db.Close(); err != nil { // folds the WAL into the file, so a copy is whole
		t.Fatal(err)
	}
	return w
}

func (w *authzWorld) raise(t *testing.T, svc *sqlstore.EscalationService, from, against string) *escalate.Escalation {
	t.Helper()
	e, err := svc.Raise(escalate.NewContextWithUser(context.Background(), w.users[authzKey(escalate.RolePractitioner, from)]), escalate.RaiseInput{
		RaisedRole: escalate.RolePractitioner, ReceivingAgencyID: w.ag[against].ID, ReceivingContact: "duty social worker",
		Decision: "No further action after the referral.", DecisionDate: "2026-11-30", ChildRef: "SCH-0042", ChildInitials: "JS",
		Categories: []string{w.pol.Categories[0].Key}, Issue: "The referral was closed without an assessment.",
		Risk: "Continued neglect at home.", Disagreement: "The threshold was applied wrongly.",
		OutcomeSought: "A child and family assessment.", RiskLevel: escalate.RiskStandard,
	})
	if err != nil {
		t.Fatalf("raise: %v", err)
	}
	return e
}

func (w *authzWorld) version(t *testing.T, svc *sqlstore.EscalationService, ref string) int {
	t.Helper()
	e, err := svc.Get(escalate.NewContextWithUser(context.Background(), w.users[authzKey(escalate.RoleBusinessManager, "X")]), ref)
	if err != nil {
		t.Fatal(err)
	}
	return e.Version
}

// serve runs the full server (every page and the API) over db.
func (w *authzWorld) serve(t *testing.T, db *sqlstore.DB) (*web.Server, *httptest.Server) {
	t.Helper()
	srv, err := web.New(web.Config{
		Auth:          &sqlstore.Sessions{DB: db},
		Logger:        slog.New(slog.NewTextHandler(io.Discard, nil)),
		Escalations:   sqlstore.NewEscalationService(db),
		Raise:         db,
		Partnership:   db,
		Notifications: db,
		Reports:       db,
		Learning:      db,
		Dissents:      db,
		Privacy:       db,
		Accounts:      db,
		Providers:     &web.ProviderConfig{Store: db},
		API:           web.APIConfig{Tokens: sqlstore.NewTokenService(db), Store: db},
	})
	if err != nil {
		t.Fatal(err)
	}
	return srv, httptest.NewServer(srv)
}

// authzInstance is the server over one copy of the world's file, with a
// second connection that reads what the requests wrote.
type authzInstance struct {
	srv  *web.Server
	ts   *httptest.Server
	db   *sqlstore.DB
	read *sql.DB
}

// open copies the world's file and serves the copy.
func (w *authzWorld) open(t *testing.T, name string) *authzInstance {
	t.Helper()
	path := filepath.Join(w.dir, name+".db")
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(path + suffix)
	}
	b, err := os.ReadFile(w.base)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := sqlstore.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	db.Now = func() time.Time { return w.now }
	in := &authzInstance{db: db}
	in.srv, in.ts = w.serve(t, db)
	if in.read, err = sql.Open("sqlite", path); err != nil {
		t.Fatal(err)
	}
	return in
}

func (in *authzInstance) close() {
	in.ts.Close()
	in.read.Close()
	in.db.Close()
}

// authzState is what the requests may have written: a digest of every row
// of the tables that hold cases, people, contacts and tokens, the count of
// audit events that are not views, and the count of views.
type authzState struct {
	digest  string
	changes int
	views   int
}

// authzTables are digested whole; api_tokens leaves out last_used, which
// every API call moves.
var authzTables = []string{
	"SELECT * FROM escalations ORDER BY rowid", "SELECT * FROM records ORDER BY rowid",
	"SELECT * FROM clocks ORDER BY rowid", "SELECT * FROM outbox ORDER BY rowid",
	"SELECT * FROM escalation_parties ORDER BY rowid", "SELECT * FROM contacts ORDER BY rowid",
	"SELECT * FROM users ORDER BY rowid", "SELECT * FROM agencies ORDER BY rowid",
	"SELECT id, user_id, name, revoked FROM api_tokens ORDER BY id",
	"SELECT * FROM policy_versions ORDER BY rowid", "SELECT * FROM passwords ORDER BY rowid",
	"SELECT * FROM proformas ORDER BY rowid", "SELECT * FROM learning_items ORDER BY rowid",
	"SELECT * FROM learning_links ORDER BY rowid", "SELECT * FROM learning_responses ORDER BY rowid",
	"SELECT * FROM learning_settings ORDER BY rowid", "SELECT * FROM pattern_flags ORDER BY rowid",
	"SELECT * FROM dissents ORDER BY rowid", "SELECT * FROM dissent_clocks ORDER BY rowid",
	"SELECT * FROM dissent_entries ORDER BY rowid", "SELECT * FROM role_changes ORDER BY rowid",
	"SELECT * FROM account_links ORDER BY rowid", "SELECT * FROM totp_secrets ORDER BY rowid",
	"SELECT * FROM recovery_codes ORDER BY rowid", "SELECT * FROM passkeys ORDER BY rowid",
	"SELECT * FROM oidc_providers ORDER BY rowid", "SELECT * FROM oidc_provider_domains ORDER BY rowid",
	"SELECT * FROM learning_themes ORDER BY rowid",
	"SELECT id, escalation_id, name, sha256 FROM attachments ORDER BY id",
}

// authzViews are the audit actions that record a reading, not a change.
var authzViews = []string{escalate.ActionView, escalate.ActionProformaView, escalate.ActionLearningView,
	escalate.ActionAttachmentDownload, escalate.ActionCaseFileDownload}

func (in *authzInstance) state(t *testing.T) authzState {
	t.Helper()
	h := sha256.New()
	for _, q := range authzTables {
		rows, err := in.read.Query(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(h, "%v\x00", vals)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		fmt.Fprintf(h, "%s\x01", q)
	}
	var st authzState
	st.digest = fmt.Sprintf("%x", h.Sum(nil))
	// Reading a board report writes a report.view or report.download event,
	// and reading who has seen what an audit.read: views, not changes, like
	// the other readings in authzViews.
	// Taking a case's file or an attached letter is a reading of the case
	// too: it counts as its view.
	if err := in.read.QueryRow(`SELECT count(*) FILTER (WHERE action NOT IN (?, ?, ?, ?, ?, ?, 'report.view', 'report.download', 'audit.read', 'subject-access.export')),
		count(*) FILTER (WHERE action IN (?, ?, ?, ?)) FROM audit_events`,
		authzViews[0], authzViews[1], authzViews[2], authzViews[3], authzViews[4], escalate.DissentActionView,
		escalate.ActionView, escalate.DissentActionView, escalate.ActionAttachmentDownload, escalate.ActionCaseFileDownload,
	).Scan(&st.changes, &st.views); err != nil {
		t.Fatal(err)
	}
	return st
}

// authzSend sends one request without following redirects, with a session
// cookie or an Authorization bearer token (or neither).
func authzSend(t *testing.T, base, method, path, cookie, bearer, ctype, body string) *response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: "escalate_session", Value: cookie})
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return &response{res, string(b)}
}
