package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate/sqlstore"
)

func TestSignIn(t *testing.T) {
	e := newEnv(t, true)

	t.Run("OK", func(t *testing.T) {
		res := e.do(t, "POST", "/sign-in", "", url.Values{"email": {" JO.Bloggs@school.example "}, "password": {testPassword}})
		c := e.sessionCookie(res)
		if res.StatusCode != http.StatusSeeOther || c == nil {
			t.Fatalf("status %d, cookie %v", res.StatusCode, c)
		}
		if !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Domain != "" {
			t.Errorf("cookie %+v: want Secure, HttpOnly, SameSite=Lax, Path=/ and no Domain", c)
		}
		if len(c.Value) != 22 {
			t.Errorf("token %q: want 22 characters (128 bits)", c.Value)
		}
		home := e.do(t, "GET", "/", c.Value, nil)
		for _, want := range []string{"My work", "Jo Bloggs", testEmail, "Wirral Safeguarding Children Partnership",
			"Practitioner", "Safeguarding lead", `action="/sign-out"`} {
			if !strings.Contains(home.body, want) {
				t.Errorf("home page lacks %q", want)
			}
		}
		if got := home.Header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("home page Cache-Control = %q, want no-store", got)
		}
		// Signed in, the sign-in page sends you home.
		if res := e.do(t, "GET", "/sign-in", c.Value, nil); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
			t.Errorf("GET /sign-in when signed in: %d %q", res.StatusCode, res.Header.Get("Location"))
		}
	})
	t.Run("ErrEmpty", func(t *testing.T) {
		res := e.do(t, "POST", "/sign-in", "", url.Values{"email": {""}, "password": {""}})
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("status %d, want 400", res.StatusCode)
		}
		for _, want := range []string{"<title>Error: Sign in", "There is a problem",
			`<a href="#email">Enter your email address</a>`, `<a href="#password">Enter your password</a>`,
			`id="email-error"`, `aria-describedby="email-error"`, `aria-describedby="password-error"`} {
			if !strings.Contains(res.body, want) {
				t.Errorf("page lacks %q", want)
			}
		}
	})
	t.Run("ErrSameMessage", func(t *testing.T) {
		wrong := e.do(t, "POST", "/sign-in", "", url.Values{"email": {testEmail}, "password": {"not the password"}})
		unknown := e.do(t, "POST", "/sign-in", "", url.Values{"email": {"nobody@school.example"}, "password": {testPassword}})
		msg := regexp.MustCompile(`<a href="#email">([^<]*)</a>`)
		mw, mu := msg.FindStringSubmatch(wrong.body), msg.FindStringSubmatch(unknown.body)
		if mw == nil || mu == nil || mw[1] != mu[1] {
			t.Fatalf("messages differ or are missing: %q vs %q", mw, mu)
		}
		if wrong.StatusCode != http.StatusUnauthorized || unknown.StatusCode != http.StatusUnauthorized {
			t.Errorf("statuses %d, %d; want 401", wrong.StatusCode, unknown.StatusCode)
		}
		if e.sessionCookie(wrong) != nil || e.sessionCookie(unknown) != nil {
			t.Error("a failed sign-in set a session cookie")
		}
		if !strings.Contains(wrong.body, `value="`+testEmail+`"`) || strings.Contains(wrong.body, "not the password") {
			t.Error("the form should keep the email and never echo the password")
		}
	})
	t.Run("ErrRateLimited", func(t *testing.T) {
		e := newEnv(t, true)
		for range sqlstore.FreePairFailures {
			e.do(t, "POST", "/sign-in", "", url.Values{"email": {testEmail}, "password": {"guess guess guess"}})
		}
		res := e.do(t, "POST", "/sign-in", "", url.Values{"email": {testEmail}, "password": {testPassword}})
		if res.StatusCode != http.StatusTooManyRequests || e.sessionCookie(res) != nil {
			t.Fatalf("right password after %d failures: status %d, want 429 and no cookie", sqlstore.FreePairFailures, res.StatusCode)
		}
		if got := res.Header.Get("Retry-After"); got != "1" {
			t.Errorf("Retry-After = %q, want 1 (second)", got)
		}
		if !strings.Contains(res.body, "too many attempts") || !strings.Contains(res.body, "Wait a second") {
			t.Error("the page does not say why, or how long to wait")
		}
		e.clock.add(time.Second)
		e.signIn(t, "")
	})
	t.Run("NoPersonalDataLogged", func(t *testing.T) {
		e := newEnv(t, true)
		e.do(t, "POST", "/sign-in", "", url.Values{"email": {testEmail}, "password": {"wrong wrong wrong"}})
		token := e.signIn(t, "")
		e.do(t, "GET", "/?email="+url.QueryEscape(testEmail), token, nil)
		logs := e.logs.String()
		for _, secret := range []string{testEmail, "jo.bloggs", testPassword, "wrong wrong", "Jo Bloggs", token} {
			if strings.Contains(strings.ToLower(logs), strings.ToLower(secret)) {
				t.Errorf("the log holds %q:\n%s", secret, logs)
			}
		}
		if !strings.Contains(logs, `"user_id":`) || !strings.Contains(logs, `"path":"/"`) {
			t.Errorf("the log lacks the request's user_id or path:\n%s", logs)
		}
	})
}

func TestSessions(t *testing.T) {
	e := newEnv(t, true)

	t.Run("Rotated", func(t *testing.T) {
		old := e.signIn(t, "")
		token := e.signIn(t, old)
		if token == old {
			t.Fatal("signing in again kept the session ID")
		}
		if e.signedIn(t, old) || !e.signedIn(t, token) {
			t.Error("after signing in again the old session should be dead and the new one alive")
		}
	})
	t.Run("IdleTimeout", func(t *testing.T) {
		token := e.signIn(t, "")
		e.clock.add(29 * time.Minute)
		if !e.signedIn(t, token) {
			t.Fatal("signed out before the idle timeout")
		}
		e.clock.add(31 * time.Minute)
		res := e.do(t, "GET", "/", token, nil)
		// The sign-in page will say why.
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/sign-in?timed-out=1" {
			t.Fatalf("after 31 idle minutes: %d %q", res.StatusCode, res.Header.Get("Location"))
		}
		if c := e.sessionCookie(res); c == nil || c.MaxAge >= 0 {
			t.Errorf("the dead session's cookie was not cleared: %v", c)
		}
	})
	t.Run("AbsoluteLifetime", func(t *testing.T) {
		token := e.signIn(t, "")
		for range 28 { // 11h40m of steady use
			e.clock.add(25 * time.Minute)
			if !e.signedIn(t, token) {
				t.Fatal("signed out within the lifetime")
			}
		}
		e.clock.add(25 * time.Minute)
		if e.signedIn(t, token) {
			t.Error("still signed in 12h05m after signing in")
		}
	})
	t.Run("SignOut", func(t *testing.T) {
		token := e.signIn(t, "")
		res := e.do(t, "POST", "/sign-out", token, nil)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/sign-in?signed-out=1" {
			t.Fatalf("sign out: %d %q", res.StatusCode, res.Header.Get("Location"))
		}
		if c := e.sessionCookie(res); c == nil || c.MaxAge >= 0 {
			t.Errorf("sign-out did not clear the cookie: %v", c)
		}
		if e.signedIn(t, token) {
			t.Error("the session still works after sign-out: it was not ended on the server")
		}
		page := e.do(t, "GET", "/sign-in?signed-out=1", "", nil)
		if !strings.Contains(page.body, "You have signed out") {
			t.Error("no signed-out message")
		}
	})
	t.Run("DisabledUser", func(t *testing.T) {
		e := newEnv(t, true)
		a, b := e.signIn(t, ""), e.signIn(t, "")
		if err := e.db.DisableUser(context.Background(), e.user.ID); err != nil {
			t.Fatal(err)
		}
		if e.signedIn(t, a) || e.signedIn(t, b) {
			t.Error("a disabled user's session still works")
		}
		res := e.do(t, "POST", "/sign-in", "", url.Values{"email": {testEmail}, "password": {testPassword}})
		if res.StatusCode != http.StatusUnauthorized {
			t.Errorf("a disabled user signed in: %d", res.StatusCode)
		}
	})
	t.Run("InsecureDemo", func(t *testing.T) {
		e := newEnv(t, false)
		res := e.do(t, "POST", "/sign-in", "", url.Values{"email": {testEmail}, "password": {testPassword}})
		c := e.sessionCookie(res)
		if c == nil || c.Name != "escalate_session" || c.Secure || !c.HttpOnly {
			t.Fatalf("cookie %+v: want escalate_session, not Secure, HttpOnly", c)
		}
		if res.Header.Get("Strict-Transport-Security") != "" {
			t.Error("HSTS sent with secure cookies off")
		}
		if !e.signedIn(t, c.Value) {
			t.Error("the plain cookie does not sign in")
		}
	})
}
