// Package sqlstore keeps Escalate's state in SQLite (the embedded default) or
// PostgreSQL (production, several app instances) through database/sql. Both
// engines run one set of SQL with $n placeholders; only the migrations differ,
// one goose folder per dialect with the same numbering.
package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/audit"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Dialect names the engine behind a DB.
type Dialect string

// The two engines Escalate runs on.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// sqlitePragmas make every connection durable and strict: WAL so readers do
// not block the writer, foreign keys enforced, a busy timeout instead of
// "database is locked", synchronous=FULL so a commit survives power loss, and
// immediate transactions so a writer takes the lock at BEGIN rather than
// failing half way through when it first writes.
const sqlitePragmas = "_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)" +
	"&_pragma=busy_timeout(10000)&_pragma=synchronous(FULL)&_txlock=immediate"

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrations embed.FS

// DB is an open Escalate database.
type DB struct {
	db       *sql.DB
	dialect  Dialect
	readOnly bool // opened by OpenReadOnly

	// stmts holds the statements of the store's fixed query texts,
	// prepared once on db (query text → *sql.Stmt): modernc.org/sqlite
	// has no statement cache, so parsing was a third of a change's CPU.
	// Only constant texts go in, so it stays small. SQLite only: pgx
	// already caches statements per connection.
	stmts sync.Map
	// stmtsClosed is set by Close, so no statement is added after it.
	stmtsMu     sync.Mutex
	stmtsClosed bool

	// calendars caches built calendars; see cachedCalendar.
	calendars sync.Map
	// directories caches partnerships' people for routing; see directory.
	directories sync.Map

	// lazy is SQLite's own connection for commits that need not wait for
	// the disk (lazy_commit.go); path is the file, to open it.
	path string
	lazy lazyConn
	// journal is where SQLite's marks of messages as sent are written first
	// (sent_journal.go).
	journal sentJournal

	// ready says whether a write was lately refused for space (ready.go).
	ready readiness

	// Now returns the current time. A transaction reads it once, at BEGIN, so
	// every row it writes carries the same instant. Tests replace it.
	Now func() time.Time
}

// IsPostgresURL reports whether dsn names a PostgreSQL database rather than a
// SQLite file.
func IsPostgresURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open opens the database dsn names: a postgres:// or postgresql:// URL, or
// else the path of a SQLite file, created if missing. It does not migrate.
func Open(ctx context.Context, dsn string) (*DB, error) {
	db := &DB{Now: time.Now}
	var err error
	switch {
	case dsn == "":
		return nil, escalate.Errorf(escalate.EINVALID, "no database given: use --db or set ESCALATE_DB")
	case IsPostgresURL(dsn):
		db.dialect = Postgres
		db.db, err = sql.Open("pgx", dsn)
		if err == nil {
			db.SetPool(DefaultPool)
		}
	case strings.Contains(dsn, "?"):
		// The driver would read anything after "?" as its own options.
		return nil, escalate.Errorf(escalate.EINVALID, "database file name %q must not contain '?'", dsn)
	default:
		db.dialect = SQLite
		db.path = dsn
		// No "file:" prefix: the path is taken as it is, never as a URI.
		db.db, err = sql.Open("sqlite", dsn+"?"+sqlitePragmas)
	}
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	if err := db.db.PingContext(ctx); err != nil {
		db.db.Close()
		return nil, fmt.Errorf("open database: %w", err)
	}
	return db, nil
}

// Optimize refreshes SQLite's query-planner statistics where they are
// missing or stale, as SQLite advises for a long-lived connection at open.
// Without them the planner cannot tell a selective index (one person's
// escalations) from a broad one (the whole partnership's), and My work read
// every row of the partnership. analysis_limit keeps it quick on a large
// file. PostgreSQL's autovacuum keeps its own statistics, so it does nothing
// there. It writes to the database, so Open does not call it: the
// long-lived commands (serve, worker) do after opening, and Migrate does
// after new indexes; a command that only reads writes nothing.
func (db *DB) Optimize(ctx context.Context) error {
	if db.dialect != SQLite {
		return nil
	}
	if _, err := db.db.ExecContext(ctx, `PRAGMA analysis_limit = 1000; PRAGMA optimize = 0x10002`); err != nil {
		return fmt.Errorf("optimize database statistics: %w", err)
	}
	return nil
}

// Close closes the database and its cached statements.
func (db *DB) Close() error {
	db.stmtsMu.Lock()
	db.stmtsClosed = true
	db.stmtsMu.Unlock()
	db.stmts.Range(func(k, v any) bool {
		v.(*sql.Stmt).Close()
		db.stmts.Delete(k)
		return true
	})
	db.closeJournal()
	db.lazy.close()
	return db.db.Close()
}

// prepared returns the statement of query, preparing it on first use. It
// returns nil (use the query text as it is) on PostgreSQL, after Close, or
// if preparing fails, which the uncached call then reports.
func (db *DB) prepared(ctx context.Context, query string) *sql.Stmt {
	if db.dialect != SQLite {
		return nil
	}
	if st, ok := db.stmts.Load(query); ok {
		return st.(*sql.Stmt)
	}
	st, err := db.db.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	db.stmtsMu.Lock()
	defer db.stmtsMu.Unlock()
	if db.stmtsClosed {
		st.Close()
		return nil
	}
	if prev, loaded := db.stmts.LoadOrStore(query, st); loaded {
		st.Close() // another goroutine prepared it first
		return prev.(*sql.Stmt)
	}
	return st
}

// Dialect reports which engine db runs on.
func (db *DB) Dialect() Dialect { return db.dialect }

func (db *DB) provider() (*goose.Provider, error) {
	dir, dialect := "migrations/sqlite", goose.DialectSQLite3
	var opts []goose.ProviderOption
	if db.dialect == Postgres {
		dir, dialect = "migrations/postgres", goose.DialectPostgres
		// Instances starting at once take turns (migrate_lock.go). SQLite
		// needs no lock: it serves one instance, and each migration runs
		// in an immediate transaction.
		opts = append(opts, goose.WithSessionLocker(pgMigrateLocker{}))
	}
	fsys, err := fs.Sub(migrations, dir)
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(dialect, db.db, fsys, opts...)
}

// Migrate applies every pending migration and returns how many it applied.
func (db *DB) Migrate(ctx context.Context) (int, error) {
	p, err := db.provider()
	if err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	res, err := p.Up(ctx)
	if err != nil {
		return len(res), fmt.Errorf("migrate: %w", err)
	}
	if len(res) > 0 {
		return len(res), db.Optimize(ctx)
	}
	return len(res), nil
}

// MigrateTo applies the pending migrations up to and including version, as
// an upgrade from an older release would have left the database; for
// tests of upgrades.
func (db *DB) MigrateTo(ctx context.Context, version int64) (int, error) {
	p, err := db.provider()
	if err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	res, err := p.UpTo(ctx, version)
	if err != nil {
		return len(res), fmt.Errorf("migrate: %w", err)
	}
	return len(res), nil
}

// CheckMigrated returns an error unless every migration has been applied, so
// that a command run against a new or old database says what to do instead
// of failing on a missing table.
func (db *DB) CheckMigrated(ctx context.Context) error {
	p, err := db.provider()
	if err != nil {
		return err
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return fmt.Errorf("check migrations: %w", err)
	}
	if pending {
		return escalate.Errorf(escalate.EINVALID, "the database schema is not up to date: run escalate migrate first")
	}
	return nil
}

// Tx is one transaction: one state change, written with its audit events and
// outbox rows, or not at all. It embeds *sql.Tx for queries.
type Tx struct {
	*sql.Tx
	ctx context.Context
	db  *DB
	now time.Time

	// pendingAudit holds the audit events to seal onto their chains at
	// commit (flushAudit); auditTails the last entry of each chain
	// appended to, read once per chain after its lock is held.
	pendingAudit []pendingEvent
	auditTails   map[int64]*audit.Entry
	// calendarChanged is set when tx changed stored holidays: its calendars
	// are then built afresh and never cached (see cachedCalendar).
	calendarChanged bool
}

// Now returns the transaction's time, fixed at BEGIN, in UTC at microsecond
// precision (what both engines store).
func (tx *Tx) Now() time.Time { return tx.now }

// Context returns the context the transaction runs under.
func (tx *Tx) Context() context.Context { return tx.ctx }

// DB returns the database the transaction belongs to.
func (tx *Tx) DB() *DB { return tx.db }

// Dialect reports which engine the transaction runs on.
func (tx *Tx) Dialect() Dialect { return tx.db.dialect }

// exec runs a statement of the store's own fixed text through the
// statement cache. Texts built at run time (IN lists, optional filters)
// must use ExecContext instead, so the cache stays bounded.
func (tx *Tx) exec(query string, args ...any) (sql.Result, error) {
	if st := tx.db.prepared(tx.ctx, query); st != nil {
		return tx.StmtContext(tx.ctx, st).ExecContext(tx.ctx, args...)
	}
	return tx.ExecContext(tx.ctx, query, args...)
}

// query is exec for a query that returns rows.
func (tx *Tx) query(query string, args ...any) (*sql.Rows, error) {
	if st := tx.db.prepared(tx.ctx, query); st != nil {
		return tx.StmtContext(tx.ctx, st).QueryContext(tx.ctx, args...)
	}
	return tx.QueryContext(tx.ctx, query, args...)
}

// queryRow is exec for a query that returns at most one row.
func (tx *Tx) queryRow(query string, args ...any) *sql.Row {
	if st := tx.db.prepared(tx.ctx, query); st != nil {
		return tx.StmtContext(tx.ctx, st).QueryRowContext(tx.ctx, args...)
	}
	return tx.QueryRowContext(tx.ctx, query, args...)
}

// cachedQuerier lets lookups that take a querier (findUser, calendarFor)
// run their fixed texts through tx's statement cache.
type cachedQuerier struct{ tx *Tx }

func (q cachedQuerier) QueryContext(_ context.Context, query string, args ...any) (*sql.Rows, error) {
	return q.tx.query(query, args...)
}

func (q cachedQuerier) QueryRowContext(_ context.Context, query string, args ...any) *sql.Row {
	return q.tx.queryRow(query, args...)
}

// WithTx runs fn in one transaction and commits if fn returns nil; otherwise
// it rolls back and returns fn's error, mapped by WrapError.
//
// On SQLite BEGIN takes the write lock (immediate transactions), so write
// transactions run one at a time; on PostgreSQL they run at READ COMMITTED.
func (db *DB) WithTx(ctx context.Context, fn func(tx *Tx) error) error {
	stx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return WrapError(fmt.Errorf("begin: %w", err))
	}
	tx := &Tx{Tx: stx, ctx: ctx, db: db, now: db.Now().UTC().Truncate(time.Microsecond)}
	committed := false
	defer func() {
		if !committed { // also when fn panics: never leave the lock held
			stx.Rollback()
		}
	}()
	if err := fn(tx); err != nil {
		return WrapError(db.noteWrite(err))
	}
	if err := tx.flushAudit(); err != nil {
		return WrapError(db.noteWrite(err))
	}
	if err := stx.Commit(); err != nil {
		return WrapError(db.noteWrite(fmt.Errorf("commit: %w", err)))
	}
	committed = true
	return nil
}

// timeLayout is how instants are written: fixed-width UTC, so SQLite's text
// compares in time order, and PostgreSQL reads it as a timestamptz.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// timeArg returns t as a query argument either engine stores the same way.
func timeArg(t time.Time) string { return t.UTC().Format(timeLayout) }

// scanTime returns a Scanner that reads an instant from either engine into t:
// PostgreSQL's driver returns a time.Time, SQLite's returns text.
func scanTime(t *time.Time) sql.Scanner { return timeScanner{t} }

type timeScanner struct{ t *time.Time }

func (s timeScanner) Scan(v any) error {
	switch v := v.(type) {
	case time.Time:
		*s.t = v.UTC()
		return nil
	case string:
		return s.parse(v)
	case []byte:
		return s.parse(string(v))
	case nil:
		*s.t = time.Time{}
		return nil
	}
	return fmt.Errorf("cannot read a time from %T", v)
}

func (s timeScanner) parse(v string) error {
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return err
	}
	*s.t = t.UTC()
	return nil
}
