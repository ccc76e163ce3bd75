package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/escalate-project/escalate/web"
)

func TestServeOIDCFlags(t *testing.T) {
	const issuer = "https://login.microsoftonline.com/tenant/v2.0"
	env := func(vars map[string]string) *Env {
		return &Env{Getenv: func(k string) string { return vars[k] }}
	}
	t.Run("OK", func(t *testing.T) {
		cfg, _, err := parseServeFlags(env(map[string]string{"ESCALATE_OIDC_CLIENT_SECRET": "s3cret", "ESCALATE_OIDC_LINK_BY_EMAIL": "1"}),
			[]string{"--db", "x.db", "--base-url", "https://escalate.example.org/", "--oidc-issuer", issuer,
				"--oidc-client-id", "client", "--oidc-partnership", "wirral"})
		if err != nil {
			t.Fatal(err)
		}
		want := oidcFlags{Issuer: issuer, ClientID: "client", ClientSecret: "s3cret", Partnership: "wirral", LinkByEmail: true,
			RedirectURL: "https://escalate.example.org" + web.OIDCCallbackPath}
		if cfg.OIDC != want {
			t.Errorf("got %+v, want %+v", cfg.OIDC, want)
		}
	})
	t.Run("Off", func(t *testing.T) {
		cfg, _, err := parseServeFlags(env(nil), []string{"--db", "x.db"})
		if err != nil || cfg.OIDC != (oidcFlags{}) {
			t.Errorf("got %+v, %v; want SSO off", cfg.OIDC, err)
		}
	})
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"ErrNoIssuer", []string{"--oidc-client-id", "client"}, "need --oidc-issuer"},
		{"ErrNoClientID", []string{"--oidc-issuer", issuer}, "missing --oidc-client-id"},
		{"ErrNoRedirect", []string{"--oidc-issuer", issuer, "--oidc-client-id", "c"}, "missing --oidc-redirect-url"},
		{"ErrNoPartnership", []string{"--oidc-issuer", issuer, "--oidc-client-id", "c", "--oidc-redirect-url", "https://e.example/sign-in/oidc/callback"}, "missing --oidc-partnership"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := parseServeFlags(env(nil), append([]string{"--db", "x.db"}, tc.args...))
			var ue usageError
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want a usage error with %q", err, tc.want)
			}
		})
	}
}
