package main

import (
	"database/sql"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/escalate-project/escalate"
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
	if !regexp.MustCompile(`(?m)^closed-escalations +1 `).MatchString(out) || !strings.Contains(out, "conference-dissents") || !strings.Contains(out, "legal holds: 0") {
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

// TestSubjectAccessCLI: the console exports a child's cases as JSON to a
// new file, mode 0600; it never writes over a file; bad input names the
// flag.
func TestSubjectAccessCLI(t *testing.T) {
	db := seededDB(t)
	raw, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	var child, ref string
	if err := raw.QueryRow(`SELECT e.child_ref, e.ref FROM escalations e JOIN partnerships p ON p.id = e.partnership_id
		WHERE p.key = 'surrey' ORDER BY e.id LIMIT 1`).Scan(&child, &ref); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	out := filepath.Join(t.TempDir(), "export.json")
	if got := mustRun(t, db, "subject-access", "--partnership", "surrey", "--child-ref", child, "--format", "json", "--out", out); !strings.HasPrefix(got, "wrote ") {
		t.Errorf("subject-access: %s", got)
	}
	b, err := os.ReadFile(out)
	if err != nil || !strings.Contains(string(b), `"ref": "`+ref+`"`) || !strings.Contains(string(b), `"third_parties"`) {
		t.Errorf("export: %v\n%s", err, b)
	}
	if st, _ := os.Stat(out); st.Mode().Perm() != 0o600 {
		t.Errorf("export mode %#o, want 0600", st.Mode().Perm())
	}
	// The PDF, for the officer and the family: the case's history in
	// words, with none of the log's codes for what happened.
	pdf := filepath.Join(t.TempDir(), "export.pdf")
	mustRun(t, db, "subject-access", "--partnership", "surrey", "--child-ref", child, "--out", pdf)
	text := pdfText(t, pdf)
	raw, err = sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := raw.Query(`SELECT DISTINCT action FROM audit_events WHERE object = $1`, "escalation:"+ref)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for rows.Next() {
		var k string
		rows.Scan(&k)
		kinds = append(kinds, k)
	}
	rows.Close()
	raw.Close()
	if len(kinds) < 3 {
		t.Fatalf("the seeded case has only %v in its history", kinds)
	}
	for _, k := range kinds {
		if strings.Contains(text, k) {
			t.Errorf("the PDF shows the code %q", k)
		}
		if !strings.Contains(text, escalate.EventTitle(k)) {
			t.Errorf("the PDF lacks %q for %s", escalate.EventTitle(k), k)
		}
	}
	wantExit(t, db, 2, "already exists", "subject-access", "--partnership", "surrey", "--child-ref", child, "--out", out)
	wantExit(t, db, 2, "give one of", "subject-access", "--partnership", "surrey", "--out", out+"2")
	wantExit(t, db, 2, "--child-ref", "subject-access", "--partnership", "surrey", "--child-ref", "NOBODY", "--out", out+"3")
	if got := mustRun(t, db, "audit", "log", "--object", ref); !strings.Contains(got, "subject-access.export") {
		t.Errorf("the export is not in the case's log:\n%s", got)
	}
}
