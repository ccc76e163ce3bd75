package web_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"

	"github.com/escalate-project/escalate/sqlstore"
	"github.com/escalate-project/escalate/web"
)

// TestPasskeyBrowser registers a passkey at the first sign-in and signs in
// with it, in real Chromium with the DevTools WebAuthn domain's virtual
// authenticator (a platform authenticator that verifies the user), on the
// default setting: password sign-in needs a second factor. Every page is
// checked with axe-core and saved at 1280 and 375 pixels wide.
func TestPasskeyBrowser(t *testing.T) {
	b := newBrowser(t)
	axe, err := os.ReadFile(filepath.Join(repoRoot, "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		t.Fatalf("axe-core is not installed: run make vendor (%v)", err)
	}
	e := newEnv(t, false)
	requireSecondFactor(t, e)
	srv, err := web.New(web.Config{Auth: &sqlstore.Sessions{DB: e.db}, Logger: slog.New(slog.NewJSONHandler(e.logs, nil)),
		Partnership: e.db, Accounts: e.db})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	// WebAuthn needs a domain, not an IP address: localhost is one, and a
	// secure context over plain http.
	u := strings.Replace(ts.URL, "127.0.0.1", "localhost", 1)
	var authID webauthn.AuthenticatorID
	b.run(t, webauthn.Enable(), chromedp.ActionFunc(func(ctx context.Context) error {
		var err error
		authID, err = webauthn.AddVirtualAuthenticator(&webauthn.VirtualAuthenticatorOptions{
			Protocol: webauthn.AuthenticatorProtocolCtap2, Ctap2version: webauthn.Ctap2versionCtap21,
			Transport: webauthn.AuthenticatorTransportInternal, HasResidentKey: true, HasUserVerification: true,
			IsUserVerified: true, AutomaticPresenceSimulation: true,
		}).Do(ctx)
		return err
	}))
	shots := func(t *testing.T, name string) { t.Helper(); b.check(t, string(axe), name) }
	signIn := func(t *testing.T) {
		t.Helper()
		b.run(t, chromedp.Navigate(u+"/sign-in"), waitVisible("#email"),
			chromedp.SendKeys("#email", testEmail, chromedp.ByID),
			chromedp.SendKeys("#password", testPassword, chromedp.ByID),
			chromedp.Click(submitButton, chromedp.ByQuery))
	}

	t.Run("RegisterAtFirstSignIn", func(t *testing.T) {
		signIn(t)
		b.run(t, waitVisible("#passkey-register"))
		shots(t, "second-factor-set-up")
		b.run(t, chromedp.Click("#passkey-register", chromedp.ByID), waitVisible(".app-recovery-codes"))
		var codes string
		b.run(t, chromedp.Text(".app-recovery-codes", &codes, chromedp.ByQuery))
		if strings.Count(codes, "-") != 30 {
			t.Errorf("recovery codes shown: %q, want 10", codes)
		}
		shots(t, "second-factor-recovery-codes")
		b.run(t, chromedp.Click(`a.govuk-button[href="/"]`, chromedp.ByQuery), waitVisible(".app-sign-out__button"))
		var creds []*webauthn.Credential
		b.run(t, chromedp.ActionFunc(func(ctx context.Context) error {
			var err error
			creds, err = webauthn.GetCredentials(authID).Do(ctx)
			return err
		}))
		if len(creds) != 1 || creds[0].RpID != "localhost" {
			t.Fatalf("the authenticator holds %+v, want one credential for localhost", creds)
		}
		var acct string
		b.run(t, chromedp.Navigate(u+"/account"), waitVisible("h1"), chromedp.Text("main", &acct, chromedp.ByQuery))
		if !strings.Contains(acct, "Passkey on") || !strings.Contains(acct, "Recovery codes left") {
			t.Errorf("the account page does not list the passkey: %q", acct)
		}
		shots(t, "account-page")
		b.run(t, chromedp.Click(".app-sign-out__button", chromedp.ByQuery), waitVisible("#email"))
	})
	t.Run("SignInWithPasskey", func(t *testing.T) {
		signIn(t)
		b.run(t, waitVisible("#passkey-sign-in"))
		shots(t, "second-factor-prompt")
		b.run(t, chromedp.Click("#passkey-sign-in", chromedp.ByID), waitVisible(".app-sign-out__button"))
		var creds []*webauthn.Credential
		b.run(t, chromedp.ActionFunc(func(ctx context.Context) error {
			var err error
			creds, err = webauthn.GetCredentials(authID).Do(ctx)
			return err
		}))
		if len(creds) != 1 || creds[0].SignCount < 1 {
			t.Errorf("after signing in the credential was not used: %+v", creds)
		}
	})
	t.Run("ErrCodeFormWithoutPasskey", func(t *testing.T) {
		b.run(t, chromedp.Click(".app-sign-out__button", chromedp.ByQuery), waitVisible("#email"))
		signIn(t)
		b.run(t, waitVisible("#code"), chromedp.Click(`form[action="/sign-in/second-factor"] button[type=submit]`, chromedp.ByQuery),
			waitVisible(".govuk-error-summary"))
		shots(t, "second-factor-prompt-errors")
	})
}
