package sqlstore

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
)

func TestOpen(t *testing.T) {
	ctx := context.Background()
	t.Run("ErrNoDSN", func(t *testing.T) {
		_, err := Open(ctx, "")
		wantCode(t, err, escalate.EINVALID)
	})
	t.Run("ErrQuestionMark", func(t *testing.T) {
		_, err := Open(ctx, filepath.Join(t.TempDir(), "x.db?mode=ro"))
		wantCode(t, err, escalate.EINVALID)
	})
	t.Run("SQLitePragmas", func(t *testing.T) {
		db, err := Open(ctx, filepath.Join(t.TempDir(), "a%20b#c.db")) // a path, not a URI
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		for pragma, want := range map[string]string{"journal_mode": "wal", "foreign_keys": "1", "busy_timeout": "10000", "synchronous": "2"} {
			var got string
			if err := db.db.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil || got != want {
				t.Errorf("PRAGMA %s = %q, %v; want %q", pragma, got, err, want)
			}
		}
		var file string
		if err := db.db.QueryRowContext(ctx, `SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&file); err != nil || filepath.Base(file) != "a%20b#c.db" {
			t.Errorf("database file = %q, %v; want a%%20b#c.db", file, err)
		}
		if db.Dialect() != SQLite {
			t.Errorf("dialect = %q", db.Dialect())
		}
	})
	for dsn, want := range map[string]bool{
		"postgres://u@h/db": true, "postgresql://u@h/db": true, "/var/lib/escalate.db": false, "postgres.db": false,
	} {
		if IsPostgresURL(dsn) != want {
			t.Errorf("IsPostgresURL(%q) = %v", dsn, !want)
		}
	}
}

func TestWithTx(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		t.Run("NowFixedPerTx", func(t *testing.T) {
			var first, second time.Time
			err := db.WithTx(ctx, func(tx *Tx) error {
				first = tx.Now()
				second = tx.Now()
				return nil
			})
			if err != nil || !first.Equal(second) || first.Location() != time.UTC {
				t.Errorf("Now = %v then %v (%v); want one UTC instant", first, second, err)
			}
			var next time.Time
			db.WithTx(ctx, func(tx *Tx) error { next = tx.Now(); return nil })
			if !next.After(first) {
				t.Errorf("the next transaction's Now %v is not after %v", next, first)
			}
		})
		t.Run("PanicRollsBack", func(t *testing.T) {
			func() {
				defer func() { recover() }()
				db.WithTx(ctx, func(tx *Tx) error {
					if err := tx.Audit("system", "test.panic", "x", nil); err != nil {
						return err
					}
					panic("boom")
				})
			}()
			// The lock was released and the write undone.
			mustAppend(t, db, 1)
			if n := countRows(t, db, "audit_events"); n != 1 {
				t.Errorf("audit_events has %d rows, want 1", n)
			}
		})
	})
}
