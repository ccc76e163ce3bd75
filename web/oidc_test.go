package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate/sqlstore"
	"github.com/escalate-project/escalate/web"
)

const (
	ssoClientID = "escalate-test-client"
	ssoSecret   = "test client secret"
	ssoSub      = "00000000-0000-0000-0000-00000000abcd"
)

// ssoEnv is env's database and user behind a server with single sign-on at
// a testProvider.
type ssoEnv struct {
	*env
	idp *testProvider
}

// newSSOEnv serves e's database with single sign-on; linkByEmail is the
// linking policy, secure turns on Secure cookies. The provider signs in Jo Bloggs with a verified email.
func newSSOEnv(t *testing.T, linkByEmail, secure bool) *ssoEnv {
	t.Helper()
	e := newEnv(t, secure)
	idp := newTestProvider(t, ssoClientID, ssoSecret)
	idp.set(ssoSub, testEmail, true, nil)
	// The redirect URL names the server, so its address comes first.
	var h http.Handler
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(ts.Close)
	sessions := &sqlstore.Sessions{DB: e.db, Idle: 30 * time.Minute, Lifetime: 12 * time.Hour}
	srv, err := web.New(web.Config{
		Auth:          sessions,
		Logger:        slog.New(slog.NewJSONHandler(e.logs, nil)),
		SecureCookies: secure,
		OIDC: &web.OIDCConfig{
			Issuer: idp.ts.URL, ClientID: ssoClientID, ClientSecret: ssoSecret,
			RedirectURL: ts.URL + web.OIDCCallbackPath,
			Store:       &sqlstore.Identities{Sessions: sessions, Partnership: "wirral", LinkByEmail: linkByEmail},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	h = srv
	e.srv, e.ts = srv, ts
	return &ssoEnv{env: e, idp: idp}
}

// get fetches rawURL without following redirects, sending cookies.
func get(t *testing.T, rawURL string, cookies ...*http.Cookie) *response {
	t.Helper()
	req, err := http.NewRequest("GET", rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cookies {
		if c != nil {
			req.AddCookie(c)
		}
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

func cookieNamed(res *response, name string) *http.Cookie {
	for _, c := range res.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

const preAuthCookie = "__Host-escalate_oidc"

// start follows the sign-in link to the provider and back, stopping short
// of the callback: it returns the callback URL and the pre-auth cookie.
func (e *ssoEnv) start(t *testing.T) (*url.URL, *http.Cookie) {
	t.Helper()
	res := get(t, e.ts.URL+"/sign-in/oidc")
	pre := cookieNamed(res, preAuthCookie)
	if res.StatusCode != http.StatusSeeOther || pre == nil || !strings.HasPrefix(res.Header.Get("Location"), e.idp.ts.URL+"/authorize?") {
		t.Fatalf("start: %d, location %q, cookie %v\n%s", res.StatusCode, res.Header.Get("Location"), pre, res.body)
	}
	back := get(t, res.Header.Get("Location"))
	cb, err := url.Parse(back.Header.Get("Location"))
	if back.StatusCode != http.StatusFound || err != nil || !strings.HasPrefix(cb.String(), e.ts.URL+web.OIDCCallbackPath+"?") {
		t.Fatalf("authorize: %d, location %q\n%s", back.StatusCode, back.Header.Get("Location"), back.body)
	}
	return cb, pre
}

// finish comes back to the callback with the pre-auth cookie and session
// token (or "").
func (e *ssoEnv) finish(t *testing.T, cb *url.URL, pre *http.Cookie, session string) *response {
	t.Helper()
	var sc *http.Cookie
	if session != "" {
		sc = &http.Cookie{Name: e.cookieName(), Value: session}
	}
	return get(t, cb.String(), pre, sc)
}

// signInSSO signs in all the way and returns the session token.
func (e *ssoEnv) signInSSO(t *testing.T, old string) string {
	t.Helper()
	cb, pre := e.start(t)
	res := e.finish(t, cb, pre, old)
	c := e.sessionCookie(res)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" || c == nil || c.Value == "" {
		t.Fatalf("callback: %d, location %q, cookie %v\n%s", res.StatusCode, res.Header.Get("Location"), c, res.body)
	}
	return c.Value
}

// refused checks that res is the refusal page with want, and that no
// session was started.
func (e *ssoEnv) refused(t *testing.T, res *response, status int, want string) {
	t.Helper()
	if res.StatusCode != status {
		t.Errorf("status %d, want %d", res.StatusCode, status)
	}
	if !strings.Contains(res.body, "You could not be signed in") || !strings.Contains(res.body, want) {
		t.Errorf("page lacks %q:\n%s", want, res.body)
	}
	if c := e.sessionCookie(res); c != nil && c.MaxAge >= 0 {
		t.Errorf("a refused sign-in set a session cookie: %v", c)
	}
}

func TestOIDCSignIn(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		e := newSSOEnv(t, true, true)
		page := e.do(t, "GET", "/sign-in", "", nil)
		if !strings.Contains(page.body, `href="/sign-in/oidc"`) || !strings.Contains(page.body, "Sign in with your organisation's account") {
			t.Errorf("the sign-in page has no single sign-on button:\n%s", page.body)
		}
		cb, pre := e.start(t)
		if !pre.HttpOnly || !pre.Secure || pre.Path != "/" || pre.SameSite != http.SameSiteLaxMode || pre.MaxAge <= 0 || pre.MaxAge > 600 {
			t.Errorf("pre-auth cookie %+v: want HttpOnly, Secure, Path=/, Lax, short-lived", pre)
		}
		q := e.idp.lastAuthorize()
		if q.Get("scope") != "openid email profile" || q.Get("client_id") != ssoClientID || len(q.Get("state")) < 43 ||
			len(q.Get("nonce")) < 43 || q.Get("code_challenge_method") != "S256" || strings.Contains(pre.Value, q.Get("state")) {
			t.Errorf("authorization request %v with cookie %q: want the scopes, a 256-bit state and nonce, S256, and a sealed cookie", q, pre.Value)
		}
		res := e.finish(t, cb, pre, "")
		c := e.sessionCookie(res)
		if res.StatusCode != http.StatusSeeOther || c == nil || len(c.Value) != 22 || !c.HttpOnly || !c.Secure {
			t.Fatalf("callback: %d, session cookie %+v\n%s", res.StatusCode, c, res.body)
		}
		if cleared := cookieNamed(res, preAuthCookie); cleared == nil || cleared.MaxAge >= 0 {
			t.Errorf("the pre-auth cookie was not cleared: %v", cleared)
		}
		if !e.signedIn(t, c.Value) {
			t.Error("the new session does not open the home page")
		}
		if id, err := e.db.IdentityUser(context.Background(), e.idp.ts.URL, ssoSub); err != nil || id != e.user.ID {
			t.Errorf("identity links to %d, %v; want user %d", id, err, e.user.ID)
		}
		evs, err := e.db.AuditEvents(context.Background(), 1, 0)
		if err != nil {
			t.Fatal(err)
		}
		last := evs[len(evs)-1]
		if last.Action != "sign-in" || !strings.Contains(string(last.Content), e.idp.ts.URL) || strings.Contains(string(last.Content), "@") {
			t.Errorf("last audit event %s %s: want sign-in with the issuer and no email", last.Action, last.Content)
		}
		// Replaying the callback finds no pre-auth cookie in a real browser
		// (it was cleared) and the code is spent at the provider.
		e.refused(t, e.finish(t, cb, pre, ""), http.StatusForbidden, "did not confirm")
		if strings.Contains(e.logs.String(), testEmail) {
			t.Error("the logs hold the email address")
		}
	})
	t.Run("IdentityReused", func(t *testing.T) {
		e := newSSOEnv(t, true, true)
		old := e.signInSSO(t, "")
		// Linked by sub now: a changed, unverified email does not matter,
		// and the session ID changes.
		e.idp.set(ssoSub, "someone.else@school.example", false, nil)
		token := e.signInSSO(t, old)
		if token == old || !e.signedIn(t, token) || e.signedIn(t, old) {
			t.Error("want a new session that works and the old one ended")
		}
	})
	t.Run("ErrWrongState", func(t *testing.T) {
		e := newSSOEnv(t, true, true)
		cb, pre := e.start(t)
		q := cb.Query()
		q.Set("state", q.Get("state")+"x")
		cb.RawQuery = q.Encode()
		e.refused(t, e.finish(t, cb, pre, ""), http.StatusBadRequest, "did not match this browser")
	})
	t.Run("ErrNoPreAuthCookie", func(t *testing.T) {
		e := newSSOEnv(t, true, true)
		cb, _ := e.start(t)
		e.refused(t, e.finish(t, cb, nil, ""), http.StatusBadRequest, "took too long")
	})
	t.Run("ErrPKCEVerifier", func(t *testing.T) {
		// Flow A's code injected into flow B: the state and cookie are B's,
		// so only PKCE can tell, and the provider refuses.
		e := newSSOEnv(t, true, true)
		cbA, _ := e.start(t)
		cbB, preB := e.start(t)
		q := cbB.Query()
		q.Set("code", cbA.Query().Get("code"))
		cbB.RawQuery = q.Encode()
		e.refused(t, e.finish(t, cbB, preB, ""), http.StatusForbidden, "did not confirm")
		if got := e.idp.refusalList(); got != "pkce" {
			t.Errorf("provider refusals %q, want pkce", got)
		}
	})
	claimCases := []struct {
		name   string
		edit   func(map[string]any)
		reason string // in the log line
	}{
		{"ErrWrongNonce", func(c map[string]any) { c["nonce"] = "not-the-nonce" }, "nonce mismatch"},
		{"ErrWrongAudience", func(c map[string]any) { c["aud"] = "some-other-client" }, "expected audience"},
		{"ErrExpired", func(c map[string]any) {
			c["iat"] = time.Now().Add(-2 * time.Hour).Unix()
			c["exp"] = time.Now().Add(-time.Hour).Unix()
		}, "token is expired"},
		{"ErrWrongIssuer", func(c map[string]any) { c["iss"] = "https://elsewhere.example" }, "different provider"},
	}
	for _, tc := range claimCases {
		t.Run(tc.name, func(t *testing.T) {
			e := newSSOEnv(t, true, true)
			e.idp.set(ssoSub, testEmail, true, tc.edit)
			cb, pre := e.start(t)
			e.refused(t, e.finish(t, cb, pre, ""), http.StatusForbidden, "could not be checked")
			if !strings.Contains(e.logs.String(), tc.reason) {
				t.Errorf("the log does not give the reason %q:\n%s", tc.reason, e.logs.String())
			}
			if _, err := e.db.IdentityUser(context.Background(), e.idp.ts.URL, ssoSub); err == nil {
				t.Error("a refused token linked the identity")
			}
		})
	}
	t.Run("ErrNotLinked", func(t *testing.T) {
		e := newSSOEnv(t, false, true)
		cb, pre := e.start(t)
		e.refused(t, e.finish(t, cb, pre, ""), http.StatusForbidden, "is not linked to an Escalate account")
	})
	t.Run("ErrEmailUnverified", func(t *testing.T) {
		e := newSSOEnv(t, true, true)
		e.idp.set(ssoSub, testEmail, false, nil)
		cb, pre := e.start(t)
		e.refused(t, e.finish(t, cb, pre, ""), http.StatusForbidden, "has not confirmed your email address")
	})
	t.Run("ErrDisabled", func(t *testing.T) {
		e := newSSOEnv(t, true, true)
		if err := e.db.DisableUser(context.Background(), e.user.ID); err != nil {
			t.Fatal(err)
		}
		cb, pre := e.start(t)
		e.refused(t, e.finish(t, cb, pre, ""), http.StatusForbidden, "has been disabled")
	})
	t.Run("Off", func(t *testing.T) {
		e := newEnv(t, true)
		if page := e.do(t, "GET", "/sign-in", "", nil); strings.Contains(page.body, "/sign-in/oidc") {
			t.Error("the sign-in page offers single sign-on when it is not configured")
		}
		if res := e.do(t, "GET", "/sign-in/oidc", "", nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET /sign-in/oidc without SSO: %d, want 404", res.StatusCode)
		}
	})
}

func TestOIDCConfig(t *testing.T) {
	store := &sqlstore.Identities{}
	ok := web.OIDCConfig{Issuer: "https://login.example.org/t/v2.0", ClientID: "c",
		RedirectURL: "https://escalate.example.org" + web.OIDCCallbackPath, Store: store}
	for _, tc := range []struct {
		name string
		edit func(c *web.OIDCConfig)
		want string
	}{
		{"ErrHTTPIssuer", func(c *web.OIDCConfig) { c.Issuer = "http://login.example.org" }, "must use https"},
		{"ErrNoClientID", func(c *web.OIDCConfig) { c.ClientID = "" }, "client ID is missing"},
		{"ErrRedirectPath", func(c *web.OIDCConfig) { c.RedirectURL = "https://escalate.example.org/callback" }, "must end in"},
		{"ErrRedirectURL", func(c *web.OIDCConfig) { c.RedirectURL = "escalate.example.org" }, "is not like"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := ok
			tc.edit(&c)
			_, err := web.New(web.Config{Auth: &sqlstore.Sessions{}, OIDC: &c})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want %q", err, tc.want)
			}
		})
	}
	t.Run("OK", func(t *testing.T) {
		c := ok
		if _, err := web.New(web.Config{Auth: &sqlstore.Sessions{}, OIDC: &c}); err != nil {
			t.Error(err)
		}
	})
}
