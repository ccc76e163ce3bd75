package sqlstore

import (
	"context"
	"io/fs"
	"slices"
	"testing"
)

// TestMigrationFolders checks both dialects have the same migrations, by
// file name and so by number.
func TestMigrationFolders(t *testing.T) {
	names := func(dir string) []string {
		es, err := fs.ReadDir(migrations, dir)
		if err != nil {
			t.Fatal(err)
		}
		var ns []string
		for _, e := range es {
			ns = append(ns, e.Name())
		}
		return ns
	}
	lite, pg := names("migrations/sqlite"), names("migrations/postgres")
	if len(lite) == 0 {
		t.Fatal("no migrations")
	}
	if !slices.Equal(lite, pg) {
		t.Errorf("migration folders differ:\nsqlite:   %v\npostgres: %v", lite, pg)
	}
}

func TestMigrate(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		if err := db.CheckMigrated(ctx); err != nil {
			t.Fatalf("CheckMigrated after migrating: %v", err)
		}
		n, err := db.Migrate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("second Migrate applied %d migrations, want 0", n)
		}
		for _, table := range []string{"partnerships", "policy_versions", "agencies", "users",
			"calendar_events", "audit_events", "audit_content", "audit_checkpoints"} {
			var count int
			if err := db.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table).Scan(&count); err != nil {
				t.Errorf("table %s: %v", table, err)
			}
		}
	})
}

func TestCheckMigrated(t *testing.T) {
	t.Run("ErrNotMigrated", func(t *testing.T) {
		db, err := Open(context.Background(), t.TempDir()+"/new.db")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.CheckMigrated(context.Background()); err == nil {
			t.Fatal("CheckMigrated on a new database: no error")
		}
	})
}
