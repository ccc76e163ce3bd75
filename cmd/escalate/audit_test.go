package main

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAuditCLI(t *testing.T) {
	db := newMigratedDB(t)
	key := filepath.Join(t.TempDir(), "audit.key")
	mustRun(t, db, "audit", "keygen", "--out", key)
	for file, mode := range map[string]os.FileMode{key: 0o600, key + ".pub": 0o644} {
		st, err := os.Stat(file)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != mode {
			t.Errorf("%s: mode %#o, want %#o", file, st.Mode().Perm(), mode)
		}
	}
	before, _ := os.ReadFile(key)
	wantExit(t, db, 2, "already exists", "audit", "keygen", "--out", key)
	if after, _ := os.ReadFile(key); string(after) != string(before) {
		t.Fatal("keygen overwrote a key")
	}

	mustRun(t, db, "partnership", "add", "--policy", "hounslow", "--name", "Hounslow SCB")
	out := mustRun(t, db, "audit", "checkpoint", "--key", key)
	// The partnership's events are its own chain's, and its checkpoint says so.
	if !strings.HasPrefix(out, "checkpoint: partnership 1's chain: 2 events, tree head ") ||
		!strings.Contains(out, "escalate audit log partnership 1\n2\n") {
		t.Errorf("checkpoint printed %q", out)
	}
	if out := mustRun(t, db, "audit", "checkpoint", "--key", key); out != "checkpoint: nothing was logged since the last checkpoints\n" {
		t.Errorf("a second checkpoint printed %q", out)
	}
	mustRun(t, db, "agency", "add", "--partnership", "hounslow", "--name", "Hounslow Police", "--kind", "police")

	if out := mustRun(t, db, "audit", "verify", "--key", key+".pub"); out != "ok: 3 events\n" {
		t.Errorf("verify = %q", out)
	}
	if out := mustRun(t, db, "audit", "verify", "--partnership", "hounslow", "--key", key+".pub"); out != "ok: 3 events in partnership 1's chain (hounslow)\n" {
		t.Errorf("verify --partnership = %q", out)
	}
	wantExit(t, db, 2, "--partnership", "audit", "verify", "--partnership", "nowhere")
	_, errOut, _ := runAdminCLI(t, db, "audit", "verify")
	if !strings.Contains(errOut, "1 signed checkpoint(s) not checked") {
		t.Errorf("verify without a key: stderr %q, want a warning", errOut)
	}
	wantExit(t, db, 2, "secret signer key", "audit", "verify", "--key", key)
	wantExit(t, db, 2, "--key", "audit", "checkpoint", "--key", key+".pub")
	wantExit(t, db, 2, "missing --key", "audit", "checkpoint")
	wantExit(t, db, 2, "--key", "audit", "verify", "--key", filepath.Join(t.TempDir(), "none.pub"))

	// Someone with the database file removes the guard and edits an event.
	raw, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`DROP TRIGGER audit_events_no_update`, `UPDATE audit_events SET actor = 'user:7' WHERE seq = 2`} {
		if _, err := raw.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	raw.Close()
	wantExit(t, db, 1, "FAILED: first bad event: partnership 1's chain: seq 2: hash does not match contents", "audit", "verify", "--key", key+".pub")
	wantExit(t, db, 1, "seq 2", "audit", "checkpoint", "--key", key)
}
