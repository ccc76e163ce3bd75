package main

import (
	"context"
	"strings"
	"testing"

	"github.com/escalate-project/escalate/sqlstore"
)

func TestSSOLinkCLI(t *testing.T) {
	const issuer = "https://login.microsoftonline.com/tenant/v2.0"
	db := newMigratedDB(t)
	mustRun(t, db, "partnership", "add", "--policy", "wirral", "--name", "Wirral", "--key", "wirral")
	mustRun(t, db, "agency", "add", "--partnership", "wirral", "--name", "Seaview School", "--kind", "school")
	mustRun(t, db, "user", "add", "--partnership", "wirral", "--agency", "Seaview School", "--name", "Jo Bloggs",
		"--email", "jo@example.org", "--role", "practitioner")
	link := func(email, sub string) []string {
		return []string{"sso-link", "--partnership", "wirral", "--email", email, "--issuer", issuer, "--subject", sub}
	}
	t.Run("OK", func(t *testing.T) {
		if out := mustRun(t, db, link("JO@example.org", "sub-1")...); !strings.Contains(out, "Linked user") {
			t.Errorf("output %q", out)
		}
		s, err := sqlstore.Open(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if _, err := s.IdentityUser(context.Background(), issuer, "sub-1"); err != nil {
			t.Errorf("identity not stored: %v", err)
		}
	})
	for _, tc := range []struct {
		name string
		code int
		want string
		args []string
	}{
		{"ErrTaken", 1, "linked already", link("jo@example.org", "sub-1")},
		{"ErrNoUser", 2, "no user with that email", link("nobody@example.org", "sub-2")},
		{"ErrNoPartnership", 2, "no such partnership", []string{"sso-link", "--partnership", "nope", "--email", "jo@example.org", "--issuer", issuer, "--subject", "s"}},
		{"ErrNoSubject", 2, "missing --subject", []string{"sso-link", "--partnership", "wirral", "--email", "jo@example.org", "--issuer", issuer}},
	} {
		t.Run(tc.name, func(t *testing.T) { wantExit(t, db, tc.code, tc.want, tc.args...) })
	}
}
