package main

import (
	"database/sql"
	"strings"
	"testing"
)

// TestRetentionCLI: the console sets a period, holds a case, dry-runs and
// runs the job, and reads the report; the log still verifies, with the
// erased cases checked as erased; bad input names the flag.
func TestRetentionCLI(t *testing.T) {
	db := seededDB(t)
	raw, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	var held string
	if err := raw.QueryRow(`SELECT e.ref FROM escalations e JOIN partnerships p ON p.id = e.partnership_id
		WHERE p.key = 'wirral' AND e.status <> 'open' ORDER BY e.id LIMIT 1`).Scan(&held); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	mustRun(t, db, "retention", "set", "--partnership", "wirral", "--class", "closed-escalations", "--days", "1")
	out := mustRun(t, db, "retention", "show", "--partnership", "wirral")
	if !strings.Contains(out, "closed-escalations  1") || !strings.Contains(out, "legal holds: 0") {
		t.Errorf("show:\n%s", out)
	}
	out = mustRun(t, db, "retention", "hold", "--partnership", "wirral", "--escalation", held, "--reason", "Inquiry order, 1 December 2026.")
	if !strings.Contains(out, "placed: Escalation "+held) {
		t.Errorf("hold: %s", out)
	}
	dry := mustRun(t, db, "retention", "run", "--partnership", "wirral", "--dry-run")
	if !strings.Contains(dry, "would erase") || !strings.Contains(dry, "escalation:"+held) || !strings.Contains(dry, "kept: legal hold") {
		t.Fatalf("dry run:\n%s", dry)
	}
	run := mustRun(t, db, "retention", "run", "--partnership", "wirral")
	if strings.Count(run, "erased") != strings.Count(dry, "would erase") {
		t.Errorf("the run erased other than the dry run listed:\n%s\n%s", dry, run)
	}
	if out := mustRun(t, db, "audit", "verify"); !strings.Contains(out, "erased under retention") || strings.Contains(out, "(0 erased") {
		t.Errorf("verify after the run: %s", out)
	}
	report := mustRun(t, db, "retention", "report", "--partnership", "wirral")
	if !strings.Contains(report, "kept: legal hold") || !strings.Contains(report, "closed-escalations") {
		t.Errorf("report:\n%s", report)
	}
	wantExit(t, db, 2, "--class", "retention", "set", "--partnership", "wirral", "--class", "forever", "--days", "1")
	wantExit(t, db, 2, "--days", "retention", "set", "--partnership", "wirral", "--class", "proformas", "--days", "0")
	wantExit(t, db, 2, "missing --partnership", "retention", "show")
	wantExit(t, db, 2, "--reason", "retention", "hold", "--partnership", "wirral")
	wantExit(t, db, 2, "--escalation", "retention", "hold", "--partnership", "wirral", "--escalation", "NOPE-1", "--reason", "x")
}
