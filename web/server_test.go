package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/sqlstore"
)

func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t, true)
	token := e.signIn(t, "")
	for _, c := range []struct {
		name, method, path, token string
		noStore                   bool
	}{
		{"SignIn", "GET", "/sign-in", "", true},
		{"Home", "GET", "/", token, true},
		{"NotFound", "GET", "/no-such-page", token, true},
		{"Static", "GET", "/static/app.css", "", false},
		{"Healthz", "GET", "/healthz", "", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := e.do(t, c.method, c.path, c.token, nil)
			h := res.Header
			csp := h.Get("Content-Security-Policy")
			for _, want := range []string{"default-src 'self'", "frame-ancestors 'none'", "script-src 'self'", "object-src 'none'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("CSP %q lacks %q", csp, want)
				}
			}
			if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
				t.Errorf("CSP %q allows inline or eval", csp)
			}
			for k, want := range map[string]string{
				"X-Content-Type-Options":    "nosniff",
				"Referrer-Policy":           "no-referrer",
				"Strict-Transport-Security": "max-age=31536000; includeSubDomains",
			} {
				if got := h.Get(k); got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
			if got := h.Get("Cache-Control"); (got == "no-store") != c.noStore {
				t.Errorf("Cache-Control = %q; no-store wanted: %v", got, c.noStore)
			}
		})
	}
}

func TestPages(t *testing.T) {
	e := newEnv(t, true)
	t.Run("NotFound", func(t *testing.T) {
		res := e.do(t, "GET", "/no-such-page", "", nil)
		if res.StatusCode != http.StatusNotFound || !strings.Contains(res.body, `<h1 class="govuk-heading-l">Page not found</h1>`) {
			t.Errorf("status %d, body:\n%s", res.StatusCode, res.body)
		}
	})
	t.Run("NotFoundSignedIn", func(t *testing.T) {
		res := e.do(t, "GET", "/no-such-page", e.signIn(t, ""), nil)
		if res.StatusCode != http.StatusNotFound || !strings.Contains(res.body, "Sign out") {
			t.Errorf("status %d; a signed-in 404 should keep the signed-in header", res.StatusCode)
		}
	})
	t.Run("HomeNeedsSignIn", func(t *testing.T) {
		res := e.do(t, "GET", "/", "", nil)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/sign-in" {
			t.Errorf("GET / signed out: %d %q", res.StatusCode, res.Header.Get("Location"))
		}
	})
	t.Run("Layout", func(t *testing.T) {
		res := e.do(t, "GET", "/sign-in", "", nil)
		for _, want := range []string{`<html lang="en"`, `class="govuk-skip-link"`, `href="#main-content"`, `id="main-content"`,
			"govuk-generic-header", ">Escalate<", "This is a new service", "govuk-footer",
			`<script type="module" src="/static/app.js">`} {
			if !strings.Contains(res.body, want) {
				t.Errorf("the layout lacks %q", want)
			}
		}
		for _, banned := range []string{"<script>", " style=", "govuk-header__logotype", "crown", "GDS Transport"} {
			if strings.Contains(res.body, banned) {
				t.Errorf("the page has %q", banned)
			}
		}
	})
	t.Run("Static", func(t *testing.T) {
		res := e.do(t, "GET", "/static/app.css", "", nil)
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/css") ||
			!strings.Contains(res.body, "font-family: Arial, sans-serif") {
			t.Errorf("app.css: %d %q", res.StatusCode, res.Header.Get("Content-Type"))
		}
		for _, p := range []string{"/static/", "/static/vendor/", "/static/nope.css", "/static/%2e%2e/server.go"} {
			if res := e.do(t, "GET", p, "", nil); res.StatusCode != http.StatusNotFound {
				t.Errorf("GET %s = %d, want 404", p, res.StatusCode)
			}
		}
	})
	t.Run("Health", func(t *testing.T) {
		if res := e.do(t, "GET", "/readyz", "", nil); res.StatusCode != http.StatusOK || strings.TrimSpace(res.body) != "ok" {
			t.Errorf("GET /readyz = %d %q", res.StatusCode, res.body)
		}
		// /healthz says which build runs: "ok", the release, the commit.
		res := e.do(t, "GET", "/healthz", "", nil)
		lines := strings.Split(strings.TrimSpace(res.body), "\n")
		if res.StatusCode != http.StatusOK || len(lines) != 3 || lines[0] != "ok" ||
			lines[1] != "version "+escalate.Version || !strings.HasPrefix(lines[2], "commit ") {
			t.Errorf("GET /healthz = %d %q, want ok, version %s and the commit", res.StatusCode, res.body, escalate.Version)
		}
		e.db.Close()
		if res := e.do(t, "GET", "/readyz", "", nil); res.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("GET /readyz with the database closed = %d, want 503", res.StatusCode)
		}
		if res := e.do(t, "GET", "/healthz", "", nil); res.StatusCode != http.StatusOK {
			t.Errorf("GET /healthz with the database closed = %d, want 200", res.StatusCode)
		}
	})
}

// TestDrain: once the server drains before a shutdown, /readyz answers 503
// (so a load balancer stops sending) while every other request is still
// served.
func TestDrain(t *testing.T) {
	e := newEnv(t, true)
	e.srv.Drain()
	res := e.do(t, "GET", "/readyz", "", nil)
	if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(res.body, "draining") {
		t.Errorf("GET /readyz while draining = %d %q, want 503 draining", res.StatusCode, res.body)
	}
	if res := e.do(t, "GET", "/sign-in", "", nil); res.StatusCode != http.StatusOK {
		t.Errorf("GET /sign-in while draining = %d, want 200", res.StatusCode)
	}
	if res := e.do(t, "GET", "/healthz", "", nil); res.StatusCode != http.StatusOK {
		t.Errorf("GET /healthz while draining = %d, want 200", res.StatusCode)
	}
}

func TestCrossOrigin(t *testing.T) {
	e := newEnv(t, true)
	token := e.signIn(t, "")
	for _, c := range []struct {
		name    string
		headers []string
	}{
		{"SecFetchSite", []string{"Sec-Fetch-Site", "cross-site"}},
		{"Origin", []string{"Origin", "https://evil.example"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := e.do(t, "POST", "/sign-out", token, url.Values{}, c.headers...)
			if res.StatusCode != http.StatusForbidden {
				t.Errorf("cross-origin sign-out: %d, want 403", res.StatusCode)
			}
			if !e.signedIn(t, token) {
				t.Error("a cross-origin post ended the session")
			}
			res = e.do(t, "POST", "/sign-in", "", url.Values{"email": {testEmail}, "password": {testPassword}}, c.headers...)
			if res.StatusCode != http.StatusForbidden || e.sessionCookie(res) != nil {
				t.Errorf("cross-origin sign-in: %d, cookie %v; want 403 and none", res.StatusCode, e.sessionCookie(res))
			}
		})
	}
	t.Run("SameOriginOK", func(t *testing.T) {
		res := e.do(t, "POST", "/sign-in", "", url.Values{"email": {testEmail}, "password": {testPassword}},
			"Sec-Fetch-Site", "same-origin", "Origin", e.ts.URL)
		if res.StatusCode != http.StatusSeeOther {
			t.Errorf("same-origin sign-in: %d, want 303", res.StatusCode)
		}
	})
}

// TestGetChangesNothing requests every route with GET, signed in and out,
// with the sign-in form's fields in the query, and checks that no session,
// audit event or sign-in failure was written.
func TestGetChangesNothing(t *testing.T) {
	e := newEnv(t, true)
	token := e.signIn(t, "")
	ctx := context.Background()
	count := func() (n int) {
		for _, q := range []string{`SELECT COUNT(*) FROM sessions`, `SELECT COUNT(*) FROM audit_events`, `SELECT COUNT(*) FROM sign_in_failures`} {
			var c int
			err := e.db.WithTx(ctx, func(tx *sqlstore.Tx) error { return tx.QueryRowContext(ctx, q).Scan(&c) })
			if err != nil {
				t.Fatal(err)
			}
			n = n*1000 + c
		}
		return n
	}
	before := count()
	q := "?" + url.Values{"email": {testEmail}, "password": {testPassword}}.Encode()
	for _, p := range []string{"/", "/sign-in", "/sign-in" + q, "/sign-out", "/sign-out" + q, "/readyz", "/healthz", "/nope"} {
		for _, tok := range []string{"", token} {
			for _, m := range []string{"GET", "HEAD"} {
				e.do(t, m, p, tok, nil)
			}
		}
	}
	if after := count(); after != before {
		t.Errorf("GET and HEAD changed the database: sessions/audit/failures %d -> %d", before, after)
	}
	if !e.signedIn(t, token) {
		t.Error("GET /sign-out ended the session")
	}
}
