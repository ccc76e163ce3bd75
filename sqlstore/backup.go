package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/escalate-project/escalate"
)

// Backup writes an online, consistent copy of a SQLite database to a new file
// at path, with VACUUM INTO: it reads one snapshot while writers carry on,
// and the copy is a complete database that opens on its own. It refuses to
// overwrite a file. A PostgreSQL database is backed up with pg_dump instead,
// and Backup says so with EINVALID.
func (db *DB) Backup(ctx context.Context, path string) error {
	if db.dialect != SQLite {
		return escalate.Errorf(escalate.EINVALID, "Back up a PostgreSQL database with pg_dump (see doc/operations.md).")
	}
	if path == "" {
		return escalate.FieldErrorf("to", "Name the file to write the backup to.")
	}
	if _, err := os.Stat(path); err == nil {
		return escalate.FieldErrorf("to", "%s already exists: a backup never overwrites a file.", path)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("backup: %w", err)
	}
	if _, err := db.db.ExecContext(ctx, `VACUUM INTO $1`, path); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}
