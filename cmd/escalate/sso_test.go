package main

import (
	"strings"
	"testing"
)

func TestSSOCommands(t *testing.T) {
	db := newMigratedDB(t)
	mustRun(t, db, "partnership", "add", "--policy", "wirral")
	entra := []string{"sso", "add", "--partnership", "wirral", "--name", "Wirral Council",
		"--issuer", "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0",
		"--client-id", "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", "--secret-env", "ESCALATE_SECRET_WIRRAL_COUNCIL",
		"--domains", "wirral.gov.uk, wirral.nhs.uk", "--link-by-email"}
	if out := mustRun(t, db, entra...); !strings.Contains(out, "for wirral.gov.uk, wirral.nhs.uk") {
		t.Errorf("sso add: %q", out)
	}
	wantExit(t, db, 2, "--secret-env: Say where the client secret is", "sso", "add", "--partnership", "wirral", "--name", "Bad",
		"--issuer", "https://accounts.google.com", "--client-id", "x", "--secret-env", "lower-case", "--domains", "schools.example")
	wantExit(t, db, 1, "signs in wirral.gov.uk already", "sso", "add", "--partnership", "wirral", "--name", "Schools",
		"--issuer", "https://accounts.google.com", "--client-id", "x", "--domains", "wirral.gov.uk")
	wantExit(t, db, 2, "give --secret-env or --secret-file, not both", "sso", "add", "--partnership", "wirral", "--name", "Both",
		"--issuer", "https://accounts.google.com", "--client-id", "x", "--secret-env", "A", "--secret-file", "/b", "--domains", "b.example")
	out := mustRun(t, db, "sso", "list", "--partnership", "wirral")
	if !strings.Contains(out, "env:ESCALATE_SECRET_WIRRAL_COUNCIL") || !strings.Contains(out, "wirral.gov.uk,wirral.nhs.uk") {
		t.Errorf("sso list:\n%s", out)
	}
	mustRun(t, db, "sso", "remove", "--partnership", "wirral", "--id", "1")
	if out := mustRun(t, db, "sso", "list", "--partnership", "wirral"); strings.Contains(out, "Wirral Council") {
		t.Errorf("after remove:\n%s", out)
	}
	wantExit(t, db, 2, "no such sign-in provider", "sso", "remove", "--partnership", "wirral", "--id", "1")
}
