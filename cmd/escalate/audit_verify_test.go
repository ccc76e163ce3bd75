package main

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate/demo"
	"github.com/escalate-project/escalate/sqlstore"
)

// seededDB returns a SQLite file holding the demo's partnerships: every
// kind of record the replay checks (escalations at every step, dissents,
// learning items, proformas).
func seededDB(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "escalate.db")
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Seed(ctx, db, time.Now(), demo.NewPassword()); err != nil {
		t.Fatal(err)
	}
	return path
}

// rawExec runs statements on the SQLite file directly, as someone with the
// file could.
func rawExec(t *testing.T, path string, stmts ...string) {
	t.Helper()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, s := range stmts {
		if _, err := raw.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// TestAuditVerifyReplay: verify replays the demo's whole record; an edit
// of a case is named with its case and field; a read-only copy verifies
// and is not written to.
func TestAuditVerifyReplay(t *testing.T) {
	db := seededDB(t)
	out := mustRun(t, db, "audit", "verify")
	if !strings.Contains(out, "ok: the record is what the events say: ") || strings.Contains(out, " 0 escalations") ||
		strings.Contains(out, " 0 dissents") || strings.Contains(out, " 0 learning items") || strings.Contains(out, " 0 proformas") {
		t.Fatalf("verify of the demo = %q", out)
	}

	t.Run("ReadOnlyCopy", func(t *testing.T) {
		dir := t.TempDir()
		cp := filepath.Join(dir, "copy.db")
		mustRun(t, db, "backup", "--to", cp)
		if err := os.Chmod(cp, 0o444); err != nil {
			t.Fatal(err)
		}
		before := fileSum(t, cp)
		if out := mustRun(t, cp, "audit", "verify"); !strings.Contains(out, "ok: the record is what the events say") {
			t.Errorf("verify of a read-only copy = %q", out)
		}
		if fileSum(t, cp) != before {
			t.Error("verify wrote to the database file")
		}
		for _, suffix := range []string{"-wal", "-journal"} {
			if _, err := os.Stat(cp + suffix); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("verify left %s%s behind (%v)", cp, suffix, err)
			}
		}
	})

	t.Run("Tampered", func(t *testing.T) {
		var ref string
		raw, err := sql.Open("sqlite", db)
		if err != nil {
			t.Fatal(err)
		}
		if err := raw.QueryRow(`SELECT ref FROM escalations ORDER BY id LIMIT 1`).Scan(&ref); err != nil {
			t.Fatal(err)
		}
		raw.Close()
		rawExec(t, db, `UPDATE escalations SET disagreement = 'None.' WHERE ref = '`+ref+`'`)
		wantExit(t, db, 1, "FAILED: the stored record differs from its events: escalation:"+ref+": disagreement:", "audit", "verify")
	})
}

func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// TestAuditVerifyWitness: each chain's checkpoint copied to a witness
// directory catches that chain's newest events deleted and every checkpoint
// row with them, or the chain deleted whole, which the database alone
// cannot show; with --partnership, that partnership's copy is used.
func TestAuditVerifyWitness(t *testing.T) {
	db := newMigratedDB(t)
	key := filepath.Join(t.TempDir(), "audit.key")
	witness := t.TempDir()
	mustRun(t, db, "audit", "keygen", "--out", key)
	mustRun(t, db, "partnership", "add", "--policy", "hounslow", "--name", "Hounslow SCB")
	mustRun(t, db, "agency", "add", "--partnership", "hounslow", "--name", "Hounslow Police", "--kind", "police")
	mustRun(t, db, "agency", "add", "--partnership", "hounslow", "--name", "Hounslow Health", "--kind", "health-provider")
	mustRun(t, db, "partnership", "add", "--policy", "wirral", "--name", "Wirral SCP")
	raw, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	var p, n, all, chains, agency int64
	if err := raw.QueryRow(`SELECT id, (SELECT MAX(id) FROM agencies) FROM partnerships WHERE key = 'hounslow'`).Scan(&p, &agency); err != nil {
		t.Fatal(err)
	}
	if err := raw.QueryRow(`SELECT COUNT(*), (SELECT COUNT(*) FROM audit_events), (SELECT COUNT(DISTINCT chain) FROM audit_events)
		FROM audit_events WHERE chain = $1`, p).Scan(&n, &all, &chains); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	if n < 2 || chains < 2 {
		t.Fatalf("%d events in the partnership's chain of %d chains; the test needs two or more of each", n, chains)
	}
	out := mustRun(t, db, "audit", "checkpoint", "--key", key, "--witness", witness)
	if strings.Count(out, "witness copy: "+witness) != int(chains) {
		t.Fatalf("checkpoint printed %q; want a witness copy for each of %d chains", out, chains)
	}
	notes, _ := filepath.Glob(filepath.Join(witness, fmt.Sprintf("checkpoint-partnership-%d-*.note", p)))
	if len(notes) != 1 {
		t.Fatalf("witness copies of the partnership's chain: %v", notes)
	}
	if out := mustRun(t, db, "audit", "verify", "--key", key+".pub", "--witness", witness); !strings.HasPrefix(out, fmt.Sprintf("ok: %d events", all)) {
		t.Fatalf("verify = %q", out)
	}
	wantExit(t, db, 2, "--witness needs --key", "audit", "verify", "--witness", witness)

	// Someone deletes the partnership's newest event and every checkpoint
	// row: the chains that are left verify on their own, but the replay
	// finds the agency that event added stored with no event.
	rawExec(t, db, `DROP TRIGGER audit_events_no_delete`, `DROP TRIGGER audit_content_no_delete`,
		`DROP TRIGGER audit_checkpoints_no_delete`,
		fmt.Sprintf(`DELETE FROM audit_content WHERE seq = (SELECT seq FROM audit_events WHERE chain = %d AND chain_seq = %d)`, p, n),
		fmt.Sprintf(`DELETE FROM audit_events WHERE chain = %d AND chain_seq = %d`, p, n), `DELETE FROM audit_checkpoints`)
	wantExit(t, db, 1, fmt.Sprintf("FAILED: the stored record differs from its events: agency:%d: agency: stored, but no event (agency.add) adds it", agency),
		"audit", "verify", "--key", key+".pub")
	truncated := fmt.Sprintf("partnership %d's chain: seq %d: missing: the signed checkpoint at %d covers %d events but the log has only %d (truncated)", p, n, n, n, n-1)
	wantExit(t, db, 1, truncated, "audit", "verify", "--key", key+".pub", "--witness", witness)
	wantExit(t, db, 1, truncated, "audit", "verify", "--key", key+".pub", "--witness", witness, "--partnership", "hounslow")
	if out := mustRun(t, db, "audit", "verify", "--key", key+".pub", "--partnership", "hounslow"); !strings.HasPrefix(out, fmt.Sprintf("ok: %d events", n-1)) {
		t.Fatalf("--partnership without the witness: %q", out)
	}

	// The partnership's whole chain deleted: the witness still names it.
	rawExec(t, db, fmt.Sprintf(`DELETE FROM audit_content WHERE seq IN (SELECT seq FROM audit_events WHERE chain = %d)`, p),
		fmt.Sprintf(`DELETE FROM audit_events WHERE chain = %d`, p))
	// Without the witness the chains that are left verify, but the replay
	// finds the partnership stored with no event that added it.
	wantExit(t, db, 1, fmt.Sprintf("FAILED: the stored record differs from its events: partnership:%d: partnership: stored, but no event (partnership.add) adds it", p),
		"audit", "verify", "--key", key+".pub")
	wantExit(t, db, 1, fmt.Sprintf("partnership %d's chain: seq 1: missing", p), "audit", "verify", "--key", key+".pub", "--witness", witness)
}

// TestAuditLogCLI: escalate audit log lists a case's views and changes
// with who and when, and a person's activity; bad input names the flag.
func TestAuditLogCLI(t *testing.T) {
	db := seededDB(t)
	raw, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	var ref string
	if err := raw.QueryRow(`SELECT substr(object, 12) FROM audit_events WHERE action = 'record.add' ORDER BY seq LIMIT 1`).Scan(&ref); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	out := mustRun(t, db, "audit", "log", "--object", ref)
	for _, want := range []string{"escalation:" + ref + ": ", "escalation.raise", "record.add", "change", "@"} {
		if !strings.Contains(out, want) {
			t.Errorf("audit log --object %s lacks %q:\n%s", ref, want, out)
		}
	}
	out = mustRun(t, db, "audit", "log", "--actor", "practitioner@redbridge.example", "--partnership", "redbridge")
	if !strings.Contains(out, "escalation.raise") || strings.Contains(out, "manager@redbridge.example>") {
		t.Errorf("audit log --actor:\n%s", out)
	}
	// The console's readings are logged too.
	if out := mustRun(t, db, "audit", "log", "--object", ref); !strings.Contains(out, "cli:tester") || !strings.Contains(out, "audit.read") {
		t.Errorf("the console's reading is not in the log:\n%s", out)
	}
	if out := mustRun(t, db, "audit", "log", "--actor", "practitioner@redbridge.example", "--partnership", "redbridge",
		"--from", "2001-01-01", "--to", "2001-01-02"); !strings.Contains(out, ": 0 events") {
		t.Errorf("a period long ago:\n%s", out)
	}
	wantExit(t, db, 2, "give one of --object REF or --actor EMAIL", "audit", "log")
	wantExit(t, db, 2, "--object: There is no case", "audit", "log", "--object", "NOPE-2026-0001")
	wantExit(t, db, 2, "--from", "audit", "log", "--object", ref, "--from", "yesterday")
	wantExit(t, db, 2, "--actor", "audit", "log", "--actor", "nobody@example.org")
}
