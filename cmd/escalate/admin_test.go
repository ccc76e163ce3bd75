package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runAdminCLI runs "escalate args..." in-process with ESCALATE_DB set to db.
func runAdminCLI(t *testing.T, db string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &Env{Stdout: &out, Stderr: &errb, Stdin: strings.NewReader(""), Getenv: func(k string) string {
		switch k {
		case "ESCALATE_DB":
			return db
		case "USER":
			return "tester"
		}
		return ""
	}}
	code = Run(context.Background(), env, args)
	return out.String(), errb.String(), code
}

// mustRun runs the CLI and fails t unless it exits 0.
func mustRun(t *testing.T, db string, args ...string) string {
	t.Helper()
	out, errOut, code := runAdminCLI(t, db, args...)
	if code != 0 {
		t.Fatalf("escalate %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// wantExit runs the CLI and fails t unless it exits with code and its
// output contains want.
func wantExit(t *testing.T, db string, code int, want string, args ...string) {
	t.Helper()
	out, errOut, got := runAdminCLI(t, db, args...)
	if got != code || !strings.Contains(out+errOut, want) {
		t.Errorf("escalate %s: exit %d, want %d with %q\nstdout: %s\nstderr: %s",
			strings.Join(args, " "), got, code, want, out, errOut)
	}
}

// newMigratedDB returns the path of a new, migrated SQLite database.
func newMigratedDB(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "escalate.db")
	mustRun(t, db, "migrate")
	return db
}

// wantEvents checks that the database's audit log verifies and holds n events.
func wantEvents(t *testing.T, db string, n int) {
	t.Helper()
	out := mustRun(t, db, "audit", "verify")
	if want := fmt.Sprintf("ok: %d events\n", n); !strings.HasPrefix(out, want) {
		t.Errorf("audit verify = %q, want %q", out, want)
	}
}

func TestMigrateCLI(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "escalate.db")
		if out := mustRun(t, "", "migrate", "--db", db); !strings.HasPrefix(out, "applied ") {
			t.Errorf("first migrate printed %q", out)
		}
		if out := mustRun(t, db, "migrate"); out != "the database is up to date\n" {
			t.Errorf("second migrate printed %q", out)
		}
	})
	t.Run("ErrNoDB", func(t *testing.T) {
		wantExit(t, "", 2, "missing --db", "migrate")
	})
	t.Run("ErrExtraArgument", func(t *testing.T) {
		wantExit(t, filepath.Join(t.TempDir(), "x.db"), 2, `unexpected argument "now"`, "migrate", "now")
	})
	t.Run("ErrNotMigrated", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "missing.db")
		wantExit(t, db, 2, "no such database file", "partnership", "list")
		if _, err := os.Stat(db); err == nil {
			t.Error("a command other than migrate created the database file")
		}
		raw, err := sql.Open("sqlite", db)
		if err != nil {
			t.Fatal(err)
		}
		raw.Exec(`CREATE TABLE x (y)`)
		raw.Close()
		wantExit(t, db, 2, "run escalate migrate", "partnership", "list")
	})
}

func TestPartnershipCLI(t *testing.T) {
	db := newMigratedDB(t)
	out := mustRun(t, db, "partnership", "add", "--policy", "redbridge", "--name", "Redbridge LSCB")
	if !strings.HasPrefix(out, "added partnership redbridge (Redbridge LSCB)") {
		t.Errorf("partnership add printed %q", out)
	}
	example := filepath.Join("..", "..", "policy", "testdata", "example.yaml")
	mustRun(t, db, "partnership", "add", "--policy", example, "--key", "north")
	out = mustRun(t, db, "partnership", "list")
	if !strings.Contains(out, "north\tNorthshire Safeguarding Children Partnership\tnorthshire\n") ||
		!strings.Contains(out, "redbridge\tRedbridge LSCB\tredbridge\n") {
		t.Errorf("partnership list = %q", out)
	}
	wantEvents(t, db, 4) // each: partnership.add, partnership.policy

	tests := []struct {
		name string
		code int
		want string
		args []string
	}{
		{"ErrDuplicate", 1, "already a partnership with the key", []string{"--policy", "redbridge", "--name", "Again"}},
		{"ErrNoPolicy", 2, "missing --policy", []string{"--name", "X"}},
		{"ErrUnknownPolicy", 2, "neither a built-in policy pack", []string{"--policy", "nowhere", "--name", "X"}},
		{"ErrBrokenPolicyFile", 2, "broken.yaml:", []string{"--policy", filepath.Join("..", "..", "policy", "testdata", "broken.yaml")}},
		{"ErrBadKey", 2, "--key", []string{"--policy", "wirral", "--key", "Wirral LSCB"}},
		{"ErrUnknownFlag", 2, "-colour", []string{"--policy", "wirral", "--colour", "red"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantExit(t, db, tt.code, tt.want, append([]string{"partnership", "add"}, tt.args...)...)
		})
	}
	wantEvents(t, db, 4) // bad input changed nothing
	wantExit(t, db, 2, "unknown partnership command", "partnership", "remove")
}

func TestAgencyUserCLI(t *testing.T) {
	db := newMigratedDB(t)
	mustRun(t, db, "partnership", "add", "--policy", "hammersmith-fulham", "--name", "H&F LSCP", "--key", "hf")
	mustRun(t, db, "agency", "add", "--partnership", "hf", "--name", "Chelsea Health", "--kind", "health-provider")
	mustRun(t, db, "user", "add", "--partnership", "hf", "--agency", "Chelsea Health", "--name", "Dee Boss",
		"--email", "dee@example.org", "--role", "senior-manager")
	mustRun(t, db, "user", "add", "--partnership", "hf", "--agency", "Chelsea Health", "--name", "Max Manager",
		"--email", "Max@Example.org", "--role", "manager,chair", "--manager", "DEE@example.org")
	wantEvents(t, db, 5)

	if out := mustRun(t, db, "agency", "list", "--partnership", "hf"); out != "Chelsea Health\thealth-provider\n" {
		t.Errorf("agency list = %q", out)
	}
	out := mustRun(t, db, "user", "list", "--partnership", "hf")
	for _, want := range []string{"max@example.org", "manager,chair", "dee@example.org"} {
		if !strings.Contains(out, want) {
			t.Errorf("user list lacks %q:\n%s", want, out)
		}
	}
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 3 || !strings.Contains(lines[2], "dee@example.org") {
		t.Errorf("user list: want Max's line to name Dee as manager:\n%s", out)
	}

	user := func(extra ...string) []string {
		args := []string{"user", "add", "--partnership", "hf", "--agency", "Chelsea Health", "--name", "New Person",
			"--email", "new@example.org", "--role", "practitioner"}
		return append(args, extra...)
	}
	tests := []struct {
		name string
		code int
		want string
		args []string
	}{
		{"ErrAgencyNoKind", 2, "missing --kind", []string{"agency", "add", "--partnership", "hf", "--name", "Police"}},
		{"ErrAgencyBadKind", 2, "--kind", []string{"agency", "add", "--partnership", "hf", "--name", "Police", "--kind", "The Police"}},
		{"ErrAgencyNoPartnership", 2, "no such partnership", []string{"agency", "add", "--partnership", "nope", "--name", "Police", "--kind", "police"}},
		{"ErrAgencyDuplicate", 1, "already has an agency called", []string{"agency", "add", "--partnership", "hf", "--name", "Chelsea Health", "--kind", "police"}},
		{"ErrUserRole", 2, "--role: Unknown role \"boss\"", user("--role", "boss")},
		{"ErrUserEmail", 2, "--email", user("--email", "new-at-example.org")},
		{"ErrUserAgency", 2, "no such agency", user("--agency", "Nowhere")},
		{"ErrUserManager", 2, "no such user", user("--manager", "ghost@example.org")},
		{"ErrUserDuplicate", 1, "already has a user with the email", user("--email", "MAX@example.org")},
		{"ErrUserNoRole", 2, "missing --role", []string{"user", "add", "--partnership", "hf", "--agency", "Chelsea Health", "--name", "N", "--email", "n@example.org"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantExit(t, db, tt.code, tt.want, tt.args...)
		})
	}
	wantEvents(t, db, 5)
}

func TestBackupCLI(t *testing.T) {
	db := newMigratedDB(t)
	mustRun(t, db, "partnership", "add", "--policy", "wirral", "--name", "Wirral SCB")
	to := filepath.Join(t.TempDir(), "copy.db")
	if out := mustRun(t, db, "backup", "--to", to); out != "backed up to "+to+"\n" {
		t.Errorf("backup printed %q", out)
	}
	wantEvents(t, to, 2)
	if out := mustRun(t, to, "partnership", "list"); !strings.HasPrefix(out, "wirral\t") {
		t.Errorf("the backup's partnerships: %q", out)
	}
	wantExit(t, db, 2, "already exists", "backup", "--to", to)
	wantExit(t, db, 2, "missing --to", "backup")
	wantExit(t, "postgres://nobody@127.0.0.1:1/none", 2, "pg_dump", "backup", "--to", filepath.Join(t.TempDir(), "x"))
}

// TestPostgresCLI runs the admin commands against a fresh PostgreSQL database.
func TestPostgresCLI(t *testing.T) {
	db := newEmptyPostgres(t, "escalate_cli")

	wantExit(t, db, 2, "run escalate migrate", "partnership", "list")
	mustRun(t, db, "migrate")
	mustRun(t, db, "partnership", "add", "--policy", "surrey", "--name", "Surrey SCB")
	mustRun(t, db, "agency", "add", "--partnership", "surrey", "--name", "Surrey Police", "--kind", "police")
	wantExit(t, db, 1, "already has an agency called", "agency", "add", "--partnership", "surrey", "--name", "Surrey Police", "--kind", "police")
	wantEvents(t, db, 3)
	wantExit(t, db, 2, "pg_dump", "backup", "--to", filepath.Join(t.TempDir(), "x"))
}

// TestAgencyContactCLI: the administrator sets an agency's escalation
// contacts on the command line; bad input is refused and changes nothing.
func TestAgencyContactCLI(t *testing.T) {
	db := newMigratedDB(t)
	mustRun(t, db, "partnership", "add", "--policy", "redbridge", "--name", "Redbridge LSCB", "--key", "rb")
	mustRun(t, db, "agency", "add", "--partnership", "rb", "--name", "Children's Services", "--kind", "childrens-social-care")
	mustRun(t, db, "user", "add", "--partnership", "rb", "--agency", "Children's Services", "--name", "Duty Manager",
		"--email", "duty@example.org", "--role", "manager")
	mustRun(t, db, "user", "add", "--partnership", "rb", "--agency", "Children's Services", "--name", "Ad Min",
		"--email", "admin@example.org", "--role", "admin")
	wantEvents(t, db, 5)
	if out := mustRun(t, db, "agency", "contacts", "--partnership", "rb", "--agency", "Children's Services"); !strings.Contains(out, "no escalation contact") {
		t.Errorf("contacts before = %q", out)
	}
	mustRun(t, db, "agency", "contact-add", "--partnership", "rb", "--agency", "Children's Services", "--email", "duty@example.org")
	if out := mustRun(t, db, "agency", "contacts", "--partnership", "rb", "--agency", "Children's Services"); out != "Duty Manager\tduty@example.org\n" {
		t.Errorf("contacts = %q", out)
	}
	wantEvents(t, db, 6)
	wantExit(t, db, 2, "--email: Duty Manager is already an escalation contact", "agency", "contact-add", "--partnership", "rb", "--agency", "Children's Services", "--email", "duty@example.org")
	wantExit(t, db, 2, "only administers", "agency", "contact-add", "--partnership", "rb", "--agency", "Children's Services", "--email", "admin@example.org")
	wantExit(t, db, 2, "no such agency", "agency", "contact-add", "--partnership", "rb", "--agency", "Nowhere", "--email", "duty@example.org")
	wantExit(t, db, 2, "no such user", "agency", "contact-add", "--partnership", "rb", "--agency", "Children's Services", "--email", "who@example.org")
	wantExit(t, db, 2, "--kind: Choose the kind of agency: \"nhs-trust\" is not one of", "agency", "add", "--partnership", "rb", "--name", "Trust", "--kind", "nhs-trust")
	wantEvents(t, db, 6) // bad input changed nothing
	mustRun(t, db, "agency", "contact-remove", "--partnership", "rb", "--agency", "Children's Services", "--email", "duty@example.org")
	wantEvents(t, db, 7)
	// --as says which administrator made the change; only an enabled
	// administrator may be named, and a refusal changes nothing.
	wantExit(t, db, 2, "--as duty@example.org: not an enabled administrator", "agency", "contact-add", "--partnership", "rb", "--agency", "Children's Services", "--email", "duty@example.org", "--as", "duty@example.org")
	wantEvents(t, db, 7)
	mustRun(t, db, "agency", "contact-add", "--partnership", "rb", "--agency", "Children's Services", "--email", "duty@example.org", "--as", "admin@example.org")
	if out := mustRun(t, db, "audit", "log", "--actor", "admin@example.org", "--partnership", "rb"); !strings.Contains(out, "agency.contact.add") {
		t.Errorf("the contact added --as the administrator is not among their actions:\n%s", out)
	}
}
