package sqlstore

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/escalate-project/escalate"
)

// TestBackupRestore backs up a live database while a writer carries on, opens
// the copy as a database of its own and verifies its audit log.
func TestBackupRestore(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t, SQLite)
	p := mustPartnership(t, db, "surrey")
	mustAgency(t, db, p.ID, "Surrey Police", "police")
	mustAppend(t, db, 20)
	signer, verifier := mustKeys(t)
	if _, err := db.Checkpoint(ctx, signer, verifier); err != nil {
		t.Fatal(err)
	}

	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // writes during the backup must neither block it nor tear it
		defer wg.Done()
		mustAppend(t, db, 20)
	}()
	to := filepath.Join(t.TempDir(), "backup.db")
	if err := db.Backup(ctx, to); err != nil {
		t.Fatal(err)
	}
	wg.Wait()

	restored, err := Open(ctx, to)
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	if err := restored.CheckMigrated(ctx); err != nil {
		t.Fatal(err)
	}
	rep, err := restored.VerifyAudit(ctx, verifier)
	if err != nil {
		t.Fatalf("VerifyAudit of the backup: %v", err)
	}
	// Two checkpoints: one of the partnership's chain, one of the
	// service-wide chain mustAppend writes to.
	if rep.N < 23 || rep.N > 43 || rep.Checkpoints != 2 {
		t.Errorf("backup has %d events and %d checkpoints, want 23..43 and 2", rep.N, rep.Checkpoints)
	}
	var integrity string
	if err := restored.db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&integrity); err != nil || integrity != "ok" {
		t.Errorf("integrity_check = %q, %v", integrity, err)
	}
	if got, err := restored.FindPartnership(ctx, "surrey"); err != nil || got.ID != p.ID {
		t.Errorf("partnership in the backup = %+v, %v", got, err)
	}

	t.Run("ErrExists", func(t *testing.T) {
		before, _ := os.ReadFile(to)
		wantCode(t, db.Backup(ctx, to), escalate.EINVALID)
		if after, _ := os.ReadFile(to); string(after) != string(before) {
			t.Error("a refused backup changed the existing file")
		}
	})
	t.Run("ErrNoFile", func(t *testing.T) {
		wantCode(t, db.Backup(ctx, ""), escalate.EINVALID)
	})
}

func TestBackupPostgres(t *testing.T) {
	db := MustOpenDB(t, Postgres)
	to := filepath.Join(t.TempDir(), "backup.db")
	wantCode(t, db.Backup(context.Background(), to), escalate.EINVALID)
	if _, err := os.Stat(to); err == nil {
		t.Error("a PostgreSQL backup wrote a file")
	}
}
