package web_test

import (
	"bytes"
	"context"
	"image/png"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate/sqlstore"
	"github.com/escalate-project/escalate/web"
)

// requireSecondFactor puts e's partnership back on the default: password
// sign-in needs a second factor.
func requireSecondFactor(t *testing.T, e *env) {
	t.Helper()
	if err := e.db.SetSecondFactorOptional(context.Background(), e.user.PartnershipID, false); err != nil {
		t.Fatal(err)
	}
}

var totpKeyRE = regexp.MustCompile(`<code class="app-totp-key">([A-Z2-7 ]+)</code>`)

// enrolTOTP signs in with the password, sets up an authenticator app and
// returns its secret and the full session's token.
func enrolTOTP(t *testing.T, e *env) (secret, token string) {
	t.Helper()
	res := e.do(t, "POST", "/sign-in", "", url.Values{"email": {testEmail}, "password": {testPassword}})
	pending := e.sessionCookie(res)
	if res.StatusCode != 303 || res.Header.Get("Location") != "/sign-in/set-up" || pending == nil {
		t.Fatalf("sign in: %d %q, want the set-up page", res.StatusCode, res.Header.Get("Location"))
	}
	page := e.do(t, "POST", "/sign-in/set-up/app", pending.Value, nil)
	m := totpKeyRE.FindStringSubmatch(page.body)
	if page.StatusCode != 200 || m == nil {
		t.Fatalf("set-up page: %d", page.StatusCode)
	}
	secret = strings.ReplaceAll(m[1], " ", "")
	code, _ := sqlstore.TOTPCode(secret, e.clock.now())
	res = e.do(t, "POST", "/sign-in/set-up", pending.Value, url.Values{"code": {code}})
	full := e.sessionCookie(res)
	if res.StatusCode != 200 || full == nil || !strings.Contains(res.body, "Save your recovery codes") {
		t.Fatalf("confirm: %d", res.StatusCode)
	}
	return secret, full.Value
}

func TestSecondFactorPages(t *testing.T) {
	e := newEnv(t, true)
	requireSecondFactor(t, e)

	t.Run("SetUpAtFirstSignIn", func(t *testing.T) {
		res := e.do(t, "POST", "/sign-in", "", url.Values{"email": {testEmail}, "password": {testPassword}})
		pending := e.sessionCookie(res).Value
		if res.StatusCode != 303 || res.Header.Get("Location") != "/sign-in/set-up" {
			t.Fatalf("sign in: %d %q", res.StatusCode, res.Header.Get("Location"))
		}
		if page := e.do(t, "GET", "/sign-in/set-up", pending, nil); page.StatusCode != 200 || totpKeyRE.MatchString(page.body) ||
			!strings.Contains(page.body, `action="/sign-in/set-up/app"`) {
			t.Errorf("set-up page: %d, want a button to start, and no key before the app is chosen", page.StatusCode)
		}
		for _, path := range []string{"/", "/sign-in/second-factor"} {
			if res := e.do(t, "GET", path, pending, nil); res.StatusCode != 303 || res.Header.Get("Location") != "/sign-in/set-up" {
				t.Errorf("GET %s before setting up: %d %q", path, res.StatusCode, res.Header.Get("Location"))
			}
		}
		if qr := e.do(t, "GET", "/sign-in/set-up/qr.png", pending, nil); qr.StatusCode != 404 {
			t.Errorf("QR code before an app is being set up: %d, want 404", qr.StatusCode)
		}
		e.do(t, "POST", "/sign-in/set-up/app", pending, nil)
		qr := e.do(t, "GET", "/sign-in/set-up/qr.png", pending, nil)
		if img, err := png.Decode(bytes.NewReader([]byte(qr.body))); qr.StatusCode != 200 || err != nil || img.Bounds().Dx() < 200 {
			t.Errorf("QR code: %d %v", qr.StatusCode, err)
		}
		if qr.Header.Get("Cache-Control") != "no-store" {
			t.Error("the QR code may be cached")
		}
		for _, c := range []struct {
			code string
			want string
		}{{"", "Enter the 6-digit code"}, {"000000", "The code is not right"}} {
			res := e.do(t, "POST", "/sign-in/set-up", pending, url.Values{"code": {c.code}})
			if res.StatusCode != 400 || !slices.Equal(summaryLinks(res.body), []string{"code"}) || !strings.Contains(res.body, c.want) {
				t.Errorf("code %q: %d %v", c.code, res.StatusCode, summaryLinks(res.body))
			}
		}
		if res := e.do(t, "GET", "/", pending, nil); res.StatusCode != 303 {
			t.Error("a wrong code opened the home page")
		}
	})
	var secret string
	t.Run("Enrol", func(t *testing.T) {
		var full string
		secret, full = enrolTOTP(t, e)
		if !e.signedIn(t, full) {
			t.Fatal("not signed in after setting up the app")
		}
		acct := e.do(t, "GET", "/", full, nil)
		if acct.StatusCode != 200 {
			t.Errorf("home: %d", acct.StatusCode)
		}
	})
	t.Run("CodeAtSignIn", func(t *testing.T) {
		res := e.do(t, "POST", "/sign-in", "", url.Values{"email": {testEmail}, "password": {testPassword}})
		pending := e.sessionCookie(res).Value
		if res.StatusCode != 303 || res.Header.Get("Location") != "/sign-in/second-factor" {
			t.Fatalf("sign in: %d %q", res.StatusCode, res.Header.Get("Location"))
		}
		form := e.do(t, "GET", "/sign-in/second-factor", pending, nil)
		if form.StatusCode != 200 || !strings.Contains(form.body, "Code from your authenticator app") {
			t.Fatalf("form: %d", form.StatusCode)
		}
		for _, c := range []struct{ code, want string }{{"", "Enter the code"}, {"123456", "The code is not right"}} {
			res := e.do(t, "POST", "/sign-in/second-factor", pending, url.Values{"code": {c.code}})
			if res.StatusCode != 400 || !slices.Equal(summaryLinks(res.body), []string{"code"}) || !strings.Contains(res.body, c.want) {
				t.Errorf("code %q: %d %v", c.code, res.StatusCode, summaryLinks(res.body))
			}
		}
		e.clock.add(sqlstore.TOTPPeriod)
		code, _ := sqlstore.TOTPCode(secret, e.clock.now())
		res = e.do(t, "POST", "/sign-in/second-factor", pending, url.Values{"code": {code}})
		full := e.sessionCookie(res)
		if res.StatusCode != 303 || res.Header.Get("Location") != "/" || full == nil || full.Value == pending {
			t.Fatalf("right code: %d %q", res.StatusCode, res.Header.Get("Location"))
		}
		if !e.signedIn(t, full.Value) || e.signedIn(t, pending) {
			t.Error("the session was not replaced by a full one with a new ID")
		}
	})
	t.Run("AttackerElsewhere", func(t *testing.T) {
		// Behind a trusted proxy: 20 wrong passwords from one client, then
		// the right password and code from another.
		srv, err := web.New(web.Config{Auth: &sqlstore.Sessions{DB: e.db}, Logger: slog.New(slog.DiscardHandler),
			SecureCookies: true, Proxies: mustProxies(t, "127.0.0.0/8")})
		if err != nil {
			t.Fatal(err)
		}
		ts := httptest.NewServer(srv)
		defer ts.Close()
		from := func(ip, pw string) *response {
			return send(t, ts.URL, "POST", "/sign-in", e.cookieName(), "", url.Values{"email": {testEmail}, "password": {pw}},
				"X-Forwarded-For", ip)
		}
		e.clock.add(sqlstore.FailureWindow)
		for i := range 20 {
			res := from("203.0.113.7", "guess number "+strconv.Itoa(i))
			if res.StatusCode == http.StatusTooManyRequests {
				wait, _ := strconv.Atoi(res.Header.Get("Retry-After"))
				e.clock.add(time.Duration(wait) * time.Second)
				res = from("203.0.113.7", "guess number "+strconv.Itoa(i))
			}
			if res.StatusCode != http.StatusUnauthorized {
				t.Fatalf("guess %d: %d", i+1, res.StatusCode)
			}
		}
		if res := from("203.0.113.7", testPassword); res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
			t.Errorf("the attacking client with the right password: %d, want 429 with Retry-After", res.StatusCode)
		}
		res := from("198.51.100.20", testPassword)
		pending := e.sessionCookie(res)
		if res.StatusCode != 303 || res.Header.Get("Location") != "/sign-in/second-factor" || pending == nil {
			t.Fatalf("the person from their own client: %d %q", res.StatusCode, res.Header.Get("Location"))
		}
		e.clock.add(sqlstore.TOTPPeriod)
		code, _ := sqlstore.TOTPCode(secret, e.clock.now())
		res = send(t, ts.URL, "POST", "/sign-in/second-factor", e.cookieName(), pending.Value, url.Values{"code": {code}},
			"X-Forwarded-For", "198.51.100.20")
		if res.StatusCode != 303 || res.Header.Get("Location") != "/" {
			t.Fatalf("their second factor: %d", res.StatusCode)
		}
	})
}

func mustProxies(t *testing.T, s string) []netip.Prefix {
	t.Helper()
	p, err := web.ParseTrustedProxies(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestResetSecondFactorsPage(t *testing.T) {
	c := newOrg(t)
	admin, sam := c.users["admin"], c.users["sam"]
	if res := c.post(t, "admin", "/admin/people/"+orgItoa(admin.ID)+"/second-factors/reset", nil); res.StatusCode != 403 ||
		!slices.Equal(summaryLinks(res.body), []string{"factors"}) {
		t.Errorf("resetting one's own: %d %v", res.StatusCode, summaryLinks(res.body))
	}
	if res := c.post(t, "bm", "/admin/people/"+orgItoa(sam.ID)+"/second-factors/reset", nil); res.StatusCode != 403 {
		t.Errorf("the Business Manager resetting: %d", res.StatusCode)
	}
	res := c.post(t, "admin", "/admin/people/"+orgItoa(sam.ID)+"/second-factors/reset", nil)
	if res.StatusCode != 303 || res.Header.Get("Location") != "/admin?done=factors-reset" {
		t.Fatalf("reset: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	if c.signedIn(t, c.tokens["sam"]) {
		t.Error("the person's session survived the reset")
	}
	if n := c.notices(t, "sam", "account-factors-reset"); n != 1 {
		t.Errorf("%d reset messages to the person, want 1", n)
	}
}

// TestSecondFactorSettingShown checks that the administration page shows
// the partnership's setting: required by default, optional where relaxed
// (as the demo's are).
func TestSecondFactorSettingShown(t *testing.T) {
	c := newOrg(t)
	pid := c.users["admin"].PartnershipID
	for _, optional := range []bool{false, true} {
		if err := c.db.SetSecondFactorOptional(context.Background(), pid, optional); err != nil {
			t.Fatal(err)
		}
		res := c.get(t, "admin", "/admin")
		want, not := "Required: after their password", "Optional: people may sign in with a password alone"
		if optional {
			want, not = not, want
		}
		if res.StatusCode != 200 || !strings.Contains(res.body, "Second factor for password sign-in") ||
			!strings.Contains(res.body, want) || strings.Contains(res.body, not) {
			t.Errorf("optional=%v: the administration page (%d) does not say %q", optional, res.StatusCode, want)
		}
	}
}
