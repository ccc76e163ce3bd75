package web_test

import (
	"bytes"
	"context"
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

// testClock is the store's clock, moved by hand.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string { b.mu.Lock(); defer b.mu.Unlock(); return b.b.String() }

// env is a real server over a real, migrated SQLite database holding one
// partnership, one agency and one practitioner with a password.
type env struct {
	db     *sqlstore.DB
	clock  *testClock
	srv    *web.Server
	ts     *httptest.Server
	logs   *syncBuffer
	user   *escalate.User
	secure bool
}

const (
	testEmail    = "jo.bloggs@school.example"
	testPassword = "correct horse battery staple"
)

func newEnv(t *testing.T, secure bool) *env {
	t.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "web.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	e := &env{db: db, clock: &testClock{t: time.Date(2026, 12, 24, 15, 30, 0, 0, time.UTC)}, logs: &syncBuffer{}, secure: secure}
	db.Now = e.clock.now

	pol, err := policy.Pack("wirral")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := policy.PackSource("wirral")
	p := &escalate.Partnership{Key: "wirral", Name: "Wirral Safeguarding Children Partnership"}
	if err := db.CreatePartnership(ctx, p, pol, raw); err != nil {
		t.Fatal(err)
	}
	relaxSecondFactor(t, db, p)
	a := &escalate.Agency{PartnershipID: p.ID, Name: "Seaview Primary School", Kind: "school"}
	if err := db.CreateAgency(ctx, a); err != nil {
		t.Fatal(err)
	}
	e.user = &escalate.User{PartnershipID: p.ID, AgencyID: a.ID, Name: "Jo Bloggs", Email: testEmail,
		Roles: []escalate.Role{escalate.RolePractitioner, escalate.RoleSafeguardingLead}}
	if err := db.CreateUser(ctx, e.user); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SetPassword(ctx, "wirral", testEmail, testPassword); err != nil {
		t.Fatal(err)
	}
	e.srv, err = web.New(web.Config{
		Auth:          &sqlstore.Sessions{DB: db, Idle: 30 * time.Minute, Lifetime: 12 * time.Hour},
		Logger:        slog.New(slog.NewJSONHandler(e.logs, nil)),
		SecureCookies: secure,
	})
	if err != nil {
		t.Fatal(err)
	}
	e.ts = httptest.NewServer(e.srv)
	t.Cleanup(e.ts.Close)
	return e
}

func (e *env) cookieName() string {
	if e.secure {
		return "__Host-escalate_session"
	}
	return "escalate_session"
}

// response is a finished request, body read.
type response struct {
	*http.Response
	body string
}

// do sends a request without following redirects, with the session token
// (if any) as the cookie and the given extra headers.
func (e *env) do(t *testing.T, method, path, token string, form url.Values, headers ...string) *response {
	t.Helper()
	return send(t, e.ts.URL, method, path, e.cookieName(), token, form, headers...)
}

// send makes one request to base+path as a browser would: form (if any)
// urlencoded, cookie (if any) under cookieName, extra headers as name/value
// pairs, redirects not followed, the body read.
func send(t *testing.T, base, method, path, cookieName, cookie string, form url.Values, headers ...string) *response {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: cookieName, Value: cookie})
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

// sessionCookie returns the session cookie res sets, or nil.
func (e *env) sessionCookie(res *response) *http.Cookie {
	for _, c := range res.Cookies() {
		if c.Name == e.cookieName() {
			return c
		}
	}
	return nil
}

// signIn signs in with the password, sending old as the existing cookie,
// and returns the new token.
func (e *env) signIn(t *testing.T, old string) string {
	t.Helper()
	res := e.do(t, "POST", "/sign-in", old, url.Values{"email": {testEmail}, "password": {testPassword}})
	c := e.sessionCookie(res)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" || c == nil || c.Value == "" {
		t.Fatalf("sign in: status %d, location %q, cookie %v\n%s", res.StatusCode, res.Header.Get("Location"), c, res.body)
	}
	return c.Value
}

// signedIn reports whether token opens the home page.
func (e *env) signedIn(t *testing.T, token string) bool {
	t.Helper()
	res := e.do(t, "GET", "/", token, nil)
	switch {
	case res.StatusCode == http.StatusOK && strings.Contains(res.body, "Jo Bloggs"):
		return true
	case res.StatusCode == http.StatusSeeOther && strings.HasPrefix(res.Header.Get("Location"), "/sign-in"):
		return false
	}
	t.Fatalf("GET / gave %d %q", res.StatusCode, res.Header.Get("Location"))
	return false
}

// relaxSecondFactor lets password sign-in in p do without a second factor,
// as the demo does, for tests that are not about second factors
// (second_factor_test.go covers the required default).
func relaxSecondFactor(t testing.TB, db *sqlstore.DB, p *escalate.Partnership) {
	t.Helper()
	if err := db.SetSecondFactorOptional(context.Background(), p.ID, true); err != nil {
		t.Fatal(err)
	}
	p.SecondFactorOptional = true
}
