package sqlstore

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/escalate-project/escalate"
)

// TestOpenReadOnly: a database opened read-only verifies, chain and
// replay, and refuses any write, on both engines.
func TestOpenReadOnly(t *testing.T) {
	for _, engine := range engines {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			var dsn string
			if engine == SQLite {
				dsn = filepath.Join(t.TempDir(), "escalate.db")
			} else {
				dsn = newPostgresDatabase(t)
			}
			db, err := Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if engine == SQLite {
				if _, err := db.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
			}
			db.Now = steppingClock(testNow, 0)
			w := newWorld(t, db, "redbridge")
			w.mustRaise(t, escalate.RiskIncreased)

			ro, err := OpenReadOnly(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer ro.Close()
			if !ro.ReadOnly() {
				t.Error("ReadOnly() is false")
			}
			if err := ro.CheckMigrated(ctx); err != nil {
				t.Fatal(err)
			}
			if rep, err := ro.VerifyAudit(ctx, ""); err != nil || rep.N == 0 {
				t.Fatalf("verify read-only: %+v %v", rep, err)
			}
			if rep, err := ro.VerifyRecords(ctx); err != nil || rep.Escalations != 1 {
				t.Fatalf("replay read-only: %+v %v", rep, err)
			}
			if _, err := ro.db.ExecContext(ctx, `UPDATE escalations SET issue = 'x'`); err == nil {
				t.Error("a read-only database took a write")
			}
			if _, err := OpenReadOnly(ctx, filepath.Join(t.TempDir(), "missing.db")); engine == SQLite && escalate.ErrorCode(err) != escalate.EINVALID {
				t.Errorf("a missing file: %v", err)
			}
		})
	}
}
