package main

import (
	"strings"
	"testing"
)

func TestUserRolesAndManager(t *testing.T) {
	db := newMigratedDB(t)
	mustRun(t, db, "partnership", "add", "--policy", "wirral")
	mustRun(t, db, "agency", "add", "--partnership", "wirral", "--name", "Partnership Team", "--kind", "partnership")
	add := func(email, role string) {
		mustRun(t, db, "user", "add", "--partnership", "wirral", "--agency", "Partnership Team", "--name", "Person "+email,
			"--email", email, "--role", role)
	}
	add("ada@wirral.example", "admin")
	add("bo@wirral.example", "practitioner")
	add("cy@wirral.example", "business-manager")
	who := []string{"--partnership", "wirral", "--as", "ada@wirral.example"}
	args := func(extra ...string) []string { return append(append([]string{}, extra...), who...) }

	t.Run("ErrSelfOversight", func(t *testing.T) {
		wantExit(t, db, 1, "You cannot give yourself the Chair role", args("user", "roles", "--email", "ada@wirral.example", "--role", "admin,chair")...)
	})
	t.Run("ErrSelfManager", func(t *testing.T) {
		wantExit(t, db, 1, "You cannot make yourself anyone's line manager", args("user", "manager", "--email", "bo@wirral.example", "--manager", "ada@wirral.example")...)
	})
	t.Run("ErrAsNotAdmin", func(t *testing.T) {
		wantExit(t, db, 2, "not an enabled administrator", "user", "roles", "--partnership", "wirral", "--as", "bo@wirral.example",
			"--email", "bo@wirral.example", "--role", "chair")
	})
	t.Run("ErrNoAs", func(t *testing.T) {
		wantExit(t, db, 2, "missing --as", "user", "roles", "--partnership", "wirral", "--email", "bo@wirral.example", "--role", "chair")
	})
	t.Run("OK", func(t *testing.T) {
		mustRun(t, db, args("user", "roles", "--email", "bo@wirral.example", "--role", "practitioner,vice-chair")...)
		mustRun(t, db, args("user", "manager", "--email", "bo@wirral.example", "--manager", "cy@wirral.example")...)
		out := mustRun(t, db, "user", "list", "--partnership", "wirral")
		if !strings.Contains(out, "practitioner,vice-chair") || !strings.Contains(out, "cy@wirral.example") {
			t.Errorf("user list after the changes:\n%s", out)
		}
	})
}

func TestSecondFactorCommands(t *testing.T) {
	db := newMigratedDB(t)
	mustRun(t, db, "partnership", "add", "--policy", "wirral")
	mustRun(t, db, "agency", "add", "--partnership", "wirral", "--name", "Partnership Team", "--kind", "partnership")
	for _, u := range []struct{ email, role string }{{"ada@wirral.example", "admin"}, {"bo@wirral.example", "practitioner"}} {
		mustRun(t, db, "user", "add", "--partnership", "wirral", "--agency", "Partnership Team", "--name", "Person "+u.email,
			"--email", u.email, "--role", u.role)
	}
	wantExit(t, db, 2, `--second-factor "sometimes"`, "partnership", "set", "--partnership", "wirral", "--second-factor", "sometimes")
	wantExit(t, db, 2, `--second-factor "maybe"`, "partnership", "add", "--policy", "surrey", "--second-factor", "maybe")
	if out := mustRun(t, db, "partnership", "set", "--partnership", "wirral", "--second-factor", "optional"); !strings.Contains(out, "now optional") {
		t.Errorf("partnership set: %q", out)
	}
	wantExit(t, db, 1, "You cannot reset your own second factors", "user", "reset-second-factors", "--partnership", "wirral",
		"--email", "ada@wirral.example", "--as", "ada@wirral.example")
	if out := mustRun(t, db, "user", "reset-second-factors", "--partnership", "wirral", "--email", "bo@wirral.example",
		"--as", "ada@wirral.example"); !strings.Contains(out, "reset the second factors of user") {
		t.Errorf("reset: %q", out)
	}
}
