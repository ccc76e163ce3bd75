package web_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/policy"
	"github.com/escalate-project/escalate/sqlstore"
	"github.com/escalate-project/escalate/web"
)

// apiEnv is a real server with the JSON API over a real, migrated SQLite
// file: a partnership on the Wirral pack (or another) with a school (prac and their manager mgr), a
// social care team (rprac, rmgr) and the police (stranger, who is in no
// case) with the chair, and an outsider in another partnership. Each user has a token.
type apiEnv struct {
	db     *sqlstore.DB
	clock  *testClock
	ts     *httptest.Server
	logs   *syncBuffer
	tokens *sqlstore.TokenService
	esc    *sqlstore.EscalationService
	ag     map[string]*escalate.Agency
	users  map[string]*escalate.User
	tok    map[string]string // user key → API token
	// category is the first category of the pack.
	category string
	pack     string
	cookie   string // the session cookie's name
}

const apiPassword = "correct horse battery staple"

func newAPIEnv(t *testing.T) *apiEnv { t.Helper(); return newAPIEnvPack(t, "wirral", true) }

// newAPIEnvPack is newAPIEnv with both partnerships on the named pack and
// secure cookies on or off (off for a browser on plain http).
func newAPIEnvPack(t *testing.T, pack string, secure bool) *apiEnv {
	t.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "api.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	e := &apiEnv{db: db, clock: &testClock{t: time.Date(2026, 12, 24, 15, 30, 0, 0, time.UTC)}, logs: &syncBuffer{},
		tokens: sqlstore.NewTokenService(db), esc: sqlstore.NewEscalationService(db), ag: map[string]*escalate.Agency{}, users: map[string]*escalate.User{},
		tok: map[string]string{}, pack: pack, cookie: "escalate_session"}
	if secure {
		e.cookie = "__Host-escalate_session"
	}
	db.Now = e.clock.now
	partnership := func(key string) *escalate.Partnership {
		pol, err := policy.Pack(pack)
		if err != nil {
			t.Fatal(err)
		}
		e.category = pol.Categories[0].Key
		raw, _ := policy.PackSource(pack)
		p := &escalate.Partnership{Key: key, Name: "Partnership " + key}
		if err := db.CreatePartnership(ctx, p, pol, raw); err != nil {
			t.Fatal(err)
		}
		relaxSecondFactor(t, db, p)
		return p
	}
	home, away := partnership(pack), partnership("elsewhere")
	for _, a := range []struct {
		key, name, kind string
		p               *escalate.Partnership
	}{
		{"school", "Seaview Primary School", "school", home},
		{"care", "Children's Social Care", "childrens-social-care", home},
		{"police", "Police", "police", home},
		{"other", "Other School", "school", away},
	} {
		ag := &escalate.Agency{PartnershipID: a.p.ID, Name: a.name, Kind: a.kind}
		if err := db.CreateAgency(ctx, ag); err != nil {
			t.Fatal(err)
		}
		e.ag[a.key] = ag
	}
	for _, u := range []struct {
		key, agency, manager string
		roles                []escalate.Role
	}{
		{"mgr", "school", "", []escalate.Role{escalate.RoleManager}},
		{"prac", "school", "mgr", []escalate.Role{escalate.RolePractitioner}},
		{"rmgr", "care", "", []escalate.Role{escalate.RoleManager}},
		{"rprac", "care", "rmgr", []escalate.Role{escalate.RolePractitioner}},
		{"stranger", "police", "", []escalate.Role{escalate.RolePractitioner}},
		{"chair", "police", "", []escalate.Role{escalate.RoleChair}},
		{"outsider", "other", "", []escalate.Role{escalate.RoleBusinessManager, escalate.RoleManager}},
	} {
		user := &escalate.User{PartnershipID: e.ag[u.agency].PartnershipID, AgencyID: e.ag[u.agency].ID,
			Name: "Person " + u.key, Email: u.key + "@example.org", Roles: u.roles}
		if u.manager != "" {
			user.ManagerID = e.users[u.manager].ID
		}
		if err := db.CreateUser(ctx, user); err != nil {
			t.Fatal(err)
		}
		e.users[u.key] = user
		// The password first: setting one revokes the user's tokens.
		if err := db.SetPasswordHash(ctx, user.ID, apiHash()); err != nil {
			t.Fatal(err)
		}
		secret, _, err := e.tokens.CreateToken(escalate.NewContextWithUser(ctx, user), escalate.TokenRequest{Name: "test " + u.key, Scope: escalate.ScopeReadWrite})
		if err != nil {
			t.Fatal(err)
		}
		e.tok[u.key] = secret
	}
	srv, err := web.New(web.Config{
		Auth:          &sqlstore.Sessions{DB: db},
		Logger:        slog.New(slog.NewJSONHandler(e.logs, nil)),
		SecureCookies: secure,
		Escalations:   e.esc,
		Raise:         db,
		API:           web.APIConfig{Tokens: e.tokens, Store: db},
	})
	if err != nil {
		t.Fatal(err)
	}
	e.ts = httptest.NewServer(srv)
	t.Cleanup(e.ts.Close)
	return e
}

// page sends a request as a browser would, with the session cookie (if
// any) and a form (if any), without following redirects.
func (e *apiEnv) page(t *testing.T, method, path, cookie string, form url.Values, headers ...string) *response {
	t.Helper()
	return send(t, e.ts.URL, method, path, e.cookie, cookie, form, headers...)
}

// signIn signs in as user with the password every user of the fixture
// has, returning the session cookie's value.
func (e *apiEnv) signIn(t *testing.T, user string) string {
	t.Helper()
	email := user + "@example.org"
	res := e.page(t, "POST", "/sign-in", "", url.Values{"email": {email}, "password": {apiPassword}})
	for _, c := range res.Cookies() {
		if c.Name == e.cookie {
			return c.Value
		}
	}
	t.Fatalf("sign in as %s: status %d, no cookie", user, res.StatusCode)
	return ""
}

// apiRes is an API response with its body decoded.
type apiRes struct {
	status int
	header http.Header
	raw    string
	body   map[string]any
}

// errCode, errField and errMessage read the API error body.
func (r *apiRes) errCode() string  { return r.errPart("code") }
func (r *apiRes) errField() string { return r.errPart("field") }
func (r *apiRes) errPart(k string) string {
	e, _ := r.body["error"].(map[string]any)
	s, _ := e[k].(string)
	return s
}

// str and num read a top-level field.
func (r *apiRes) str(k string) string { s, _ := r.body[k].(string); return s }
func (r *apiRes) num(k string) int    { f, _ := r.body[k].(float64); return int(f) }

// call sends an API request as user (a key of e.tok, "" for no token, or
// "Bearer …" / any other text for a literal Authorization header). body is
// sent as is if it is a string, else as JSON.
func (e *apiEnv) call(t *testing.T, method, path, user string, body any, headers ...string) *apiRes {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = strings.NewReader(string(j))
	}
	req, err := http.NewRequest(method, e.ts.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if tok, ok := e.tok[user]; ok {
		req.Header.Set("Authorization", "Bearer "+tok)
	} else if user != "" {
		req.Header.Set("Authorization", user)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
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
	out := &apiRes{status: res.StatusCode, header: res.Header, raw: string(b)}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(b, &out.body); err != nil {
			t.Fatalf("%s %s: body is not a JSON object: %v\n%s", method, path, err, b)
		}
	}
	return out
}

// want fails t unless r has the status and, for an error, the code and
// field.
func (r *apiRes) want(t *testing.T, status int, codeField ...string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d\n%s", r.status, status, r.raw)
	}
	if len(codeField) > 0 && r.errCode() != codeField[0] {
		t.Errorf("error code %q, want %q\n%s", r.errCode(), codeField[0], r.raw)
	}
	if len(codeField) > 1 && r.errField() != codeField[1] {
		t.Errorf("error field %q, want %q\n%s", r.errField(), codeField[1], r.raw)
	}
	if status >= 400 && r.errPart("message") == "" {
		t.Errorf("an error without a message:\n%s", r.raw)
	}
}

// raiseBody is a valid raise by prac against social care.
func (e *apiEnv) raiseBody() map[string]any {
	return map[string]any{
		"raised_role": "practitioner", "receiving_agency": e.ag["care"].ID, "receiving_contact": "duty social worker",
		"decision": "No further action after the referral of 20 December.", "decision_date": "2026-12-22",
		"child_ref": "SCH-0042", "child_initials": "JS", "categories": []string{e.category},
		"issue": "The referral was closed without an assessment.", "risk": "Continued neglect at home.",
		"disagreement": "The threshold was applied wrongly.", "outcome_sought": "A child and family assessment.",
		"risk_level": "standard",
	}
}

// raise raises an escalation as prac and returns its ref.
func (e *apiEnv) raise(t *testing.T) string {
	t.Helper()
	res := e.call(t, "POST", "/api/v1/escalations", "prac", e.raiseBody())
	res.want(t, http.StatusCreated)
	return res.str("ref")
}

// version returns the escalation's current version, as prac sees it.
func (e *apiEnv) version(t *testing.T, ref string) int {
	t.Helper()
	res := e.call(t, "GET", "/api/v1/escalations/"+ref, "prac", nil)
	res.want(t, http.StatusOK)
	return res.num("version")
}

// apiHash is apiPassword's hash, made once: argon2id is slow on purpose.
var apiHash = sync.OnceValue(func() string {
	h, err := sqlstore.HashPassword(apiPassword)
	if err != nil {
		panic(err)
	}
	return h
})
