package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/escalate-project/escalate/demo"
)

// TestDemoAccounts: escalate demo --accounts lists every demo account of
// every partnership, by role, with what each is for, and touches no
// database.
func TestDemoAccounts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "none.db")
	out := mustRun(t, "", "demo", "--accounts", "--db", path)
	for _, a := range demo.AllAccounts() {
		line := regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(string(a.Role)) + ` +` + regexp.QuoteMeta(a.Email) + ` +` +
			regexp.QuoteMeta(a.Name) + `, ` + regexp.QuoteMeta(a.Agency) + `\n +for: ` + regexp.QuoteMeta(a.For) + `$`)
		if !line.MatchString(out) {
			t.Errorf("--accounts does not list %s (%s) with what it is for", a.Email, a.Role)
		}
	}
	for _, key := range []string{"hammersmith-fulham", "hounslow", "redbridge", "surrey", "wirral"} {
		if !strings.Contains(out, "\n"+key+"\n") {
			t.Errorf("--accounts has no heading for %s", key)
		}
	}
	if _, err := os.Stat(path); err == nil {
		t.Error("--accounts created a database")
	}
}

// runDemoArgs is runDemoCmd with the demo's arguments given.
func runDemoArgs(t *testing.T, args ...string) (base string, out *lockedBuffer, stop func() int) {
	t.Helper()
	return runDemoCmdArgs(t, append([]string{"demo", "--addr", "127.0.0.1:0"}, args...))
}

// TestDemoPostgres: the demo seeds an empty PostgreSQL database and serves
// it; run again on it, it keeps the data and gives every account a new
// password; a database with other partnerships is refused.
func TestDemoPostgres(t *testing.T) {
	dsn := newEmptyPostgres(t, "escalate_demo")
	base, out, stop := runDemoArgs(t, "--db", dsn)
	first := demoPassword(t, out.String())
	demoWantContains(t, out.String(), "Seeding the PostgreSQL database")
	demoSignIn(t, base, "business-manager@surrey.example", first, "/overview")
	if code := stop(); code != 0 {
		t.Fatalf("demo exited %d", code)
	}
	events := mustRun(t, dsn, "audit", "verify")

	base, out, stop = runDemoArgs(t, "--db", dsn)
	second := demoPassword(t, out.String())
	demoWantContains(t, out.String(), "keeping its data")
	if first == second {
		t.Fatal("the second run kept the password")
	}
	demoSignIn(t, base, "manager.police@wirral.example", second, "/")
	if code := stop(); code != 0 {
		t.Fatalf("second demo exited %d", code)
	}
	if list := strings.TrimSpace(mustRun(t, dsn, "partnership", "list")); len(strings.Split(list, "\n")) != 5 {
		t.Errorf("after a second run:\n%s", list)
	}
	if again := mustRun(t, dsn, "audit", "verify"); again == events {
		t.Errorf("the second run logged no password changes: %q", again)
	}

	other := newEmptyPostgres(t, "escalate_notdemo")
	mustRun(t, other, "migrate")
	mustRun(t, other, "partnership", "add", "--policy", "surrey", "--key", "real")
	wantExit(t, "", 2, "not the demo's", "demo", "--db", other, "--addr", "127.0.0.1:0")
}

func demoPassword(t *testing.T, printed string) string {
	t.Helper()
	pw := regexp.MustCompile(`(?m)^    ([a-z]+(-[a-z]+){3})$`).FindStringSubmatch(printed)
	if pw == nil {
		t.Fatalf("no password printed:\n%s", printed)
	}
	return pw[1]
}
