package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/escalate-project/escalate"
)

// OpenReadOnly opens the database dsn names for reading only, as a
// verifier must: it writes nothing (no statistics, no journal mode), so it
// works on a read-only copy, on a full disk and beside a running server.
// A SQLite file must exist; it is opened with mode=ro and, where even the
// shared-memory file of a WAL database cannot be made (a copy in a
// read-only folder), as immutable. A PostgreSQL session is made read-only
// (default_transaction_read_only), so any write is refused by the server.
func OpenReadOnly(ctx context.Context, dsn string) (*DB, error) {
	db := &DB{Now: time.Now, readOnly: true}
	var err error
	switch {
	case dsn == "":
		return nil, escalate.Errorf(escalate.EINVALID, "no database given: use --db or set ESCALATE_DB")
	case IsPostgresURL(dsn):
		db.dialect = Postgres
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		db.db, err = sql.Open("pgx", dsn+sep+"default_transaction_read_only=on")
		if err == nil {
			err = db.db.PingContext(ctx)
		}
	case strings.Contains(dsn, "?"):
		return nil, escalate.Errorf(escalate.EINVALID, "database file name %q must not contain '?'", dsn)
	default:
		db.dialect = SQLite
		if _, err := os.Stat(dsn); errors.Is(err, fs.ErrNotExist) {
			return nil, escalate.Errorf(escalate.EINVALID, "no such database file: %s", dsn)
		}
		db.db, err = openSQLiteReadOnly(ctx, dsn, false)
		if err != nil {
			// A WAL database in a folder we cannot write: SQLite cannot make
			// its -shm file, but nothing can be writing to it either.
			db.db, err = openSQLiteReadOnly(ctx, dsn, true)
		}
	}
	if err != nil {
		if db.db != nil {
			db.db.Close()
		}
		return nil, fmt.Errorf("open database read-only: %w", err)
	}
	return db, nil
}

// openSQLiteReadOnly opens path as a SQLite URI with mode=ro (and
// immutable=1 when asked), checking it can read the schema.
func openSQLiteReadOnly(ctx context.Context, path string, immutable bool) (*sql.DB, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	// A URI file name: escape what a URI would read as its own syntax.
	name := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(filepath.ToSlash(abs))
	dsn := "file:" + name + "?mode=ro&_pragma=busy_timeout(10000)&_pragma=query_only(1)" +
		// Reading only, it may map the file: no read call per page.
		"&_pragma=mmap_size(4294967296)&_pragma=cache_size(-65536)"
	if immutable {
		dsn += "&immutable=1"
	}
	d, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	var n int
	if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master`).Scan(&n); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// ReadOnly reports whether db was opened by OpenReadOnly.
func (db *DB) ReadOnly() bool { return db.readOnly }

// readTx runs fn in one read-only transaction: on SQLite a deferred one,
// whose first read fixes a snapshot of the WAL without taking the write
// lock; on PostgreSQL a REPEATABLE READ one, whose statements all see one
// snapshot. Verification reads several tables and must see them as of one
// moment, also while a server writes.
func (db *DB) readTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	opts := &sql.TxOptions{ReadOnly: true}
	if db.dialect == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := db.db.BeginTx(ctx, opts)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return fn(tx)
}
