package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
	"github.com/escalate-project/escalate/internal/testenv"
)

// The test harness for every store test in this package. A test that takes
// a *DB runs once per engine:
//
//	func TestX(t *testing.T) {
//		forEachEngine(t, func(t *testing.T, db *DB) { … })
//	}
//
// SQLite gets a fresh file in t.TempDir(). PostgreSQL (when
// ESCALATE_TEST_POSTGRES_URL is set; otherwise testenv.Missing) gets a fresh
// database cloned from a template that is created and migrated once per test
// binary, and dropped after the test.

// engines are the engines forEachEngine runs a test on.
var engines = []Dialect{SQLite, Postgres}

// forEachEngine runs fn as a subtest named after each engine, each with its
// own freshly migrated database.
func forEachEngine(t *testing.T, fn func(t *testing.T, db *DB)) {
	t.Helper()
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			fn(t, MustOpenDB(t, e))
		})
	}
}

// MustOpenDB returns a new, migrated, empty database on engine, closed and
// removed when tb ends. Its clock is fixed at testNow and advances by a
// millisecond per read, so times are deterministic and strictly increasing.
func MustOpenDB(tb testing.TB, engine Dialect) *DB {
	tb.Helper()
	ctx := context.Background()
	var dsn string
	switch engine {
	case SQLite:
		dsn = filepath.Join(tb.TempDir(), "escalate.db")
	case Postgres:
		dsn = newPostgresDatabase(tb)
	default:
		tb.Fatalf("unknown engine %q", engine)
	}
	db, err := Open(ctx, dsn)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if engine == SQLite {
		if _, err := db.Migrate(ctx); err != nil {
			tb.Fatal(err)
		}
	}
	db.Now = steppingClock(testNow, time.Millisecond)
	return db
}

// testNow is the time MustOpenDB's clock starts at: a Thursday in London.
var testNow = time.Date(2026, time.December, 24, 15, 30, 0, 0, time.UTC)

// steppingClock returns a clock that starts at t and moves on by step at
// each read; safe for concurrent use.
func steppingClock(t time.Time, step time.Duration) func() time.Time {
	var n atomic.Int64
	return func() time.Time { return t.Add(time.Duration(n.Add(1)-1) * step) }
}

// pgHarness makes PostgreSQL test databases. One template per test binary
// keeps migrations to one run; cloning it is far quicker than migrating.
type pgHarness struct {
	sync.Mutex
	admin    *sql.DB  // the ESCALATE_TEST_POSTGRES_URL database, for CREATE DATABASE
	base     *url.URL // that URL, to point at other databases
	template string   // the migrated template, "" until made
	n        int
}

var pg pgHarness

// TestMain drops the template database once every test has run.
func TestMain(m *testing.M) {
	code := m.Run()
	pg.close()
	os.Exit(code)
}

// newPostgresDatabase returns the URL of a new database cloned from the
// migrated template, dropped when tb ends.
func newPostgresDatabase(tb testing.TB) string {
	tb.Helper()
	raw := testenv.PostgresURL(tb)
	ctx := context.Background()
	pg.Lock()
	defer pg.Unlock()
	if pg.admin == nil {
		u, err := url.Parse(raw)
		if err != nil {
			tb.Fatalf("ESCALATE_TEST_POSTGRES_URL: %v", err)
		}
		admin, err := sql.Open("pgx", raw)
		if err != nil {
			tb.Fatal(err)
		}
		pg.admin, pg.base = admin, u
	}
	if pg.template == "" {
		name := fmt.Sprintf("escalate_tmpl_%d_%d", os.Getpid(), time.Now().UnixNano())
		if _, err := pg.admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
			tb.Fatalf("create template database: %v", err)
		}
		pg.template = name
		db, err := Open(ctx, pg.url(name))
		if err != nil {
			tb.Fatal(err)
		}
		_, err = db.Migrate(ctx)
		db.Close() // a template must have no connections when it is cloned
		if err != nil {
			tb.Fatalf("migrate template database: %v", err)
		}
	}
	pg.n++
	name := fmt.Sprintf("escalate_t_%d_%d", os.Getpid(), pg.n)
	if _, err := pg.admin.ExecContext(ctx, "CREATE DATABASE "+name+" TEMPLATE "+pg.template); err != nil {
		tb.Fatalf("create test database: %v", err)
	}
	tb.Cleanup(func() {
		// FORCE ends connections a failed test left open.
		if _, err := pg.admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			tb.Errorf("drop test database: %v", err)
		}
	})
	return pg.url(name)
}

func (p *pgHarness) url(dbname string) string {
	u := *p.base
	u.Path = "/" + dbname
	return u.String()
}

func (p *pgHarness) close() {
	p.Lock()
	defer p.Unlock()
	if p.admin == nil {
		return
	}
	if p.template != "" {
		p.admin.Exec("DROP DATABASE IF EXISTS " + p.template + " WITH (FORCE)")
	}
	p.admin.Close()
}

// testPolicy returns a minimal policy with the given id on division, whose
// working day ends at 16:30, and its file text.
func testPolicy(id, division string) (*escalate.Policy, []byte) {
	raw := fmt.Sprintf("id: %s\nversion: test\ncalendar:\n  division: %s\n  working_day_ends: \"16:30\"\n", id, division)
	return &escalate.Policy{ID: id, Version: "test",
		Calendar: escalate.PolicyClock{Division: division, WorkingDayEnds: "16:30"}}, []byte(raw)
}

// mustPartnership adds a partnership with key on testPolicy(key, england-and-wales).
func mustPartnership(tb testing.TB, db *DB, key string) *escalate.Partnership {
	tb.Helper()
	pol, raw := testPolicy(key, calendar.EnglandAndWales)
	p := &escalate.Partnership{Key: key, Name: "Partnership " + key}
	if err := db.CreatePartnership(context.Background(), p, pol, raw); err != nil {
		tb.Fatalf("CreatePartnership(%q): %v", key, err)
	}
	return p
}

// mustAgency adds an agency to the partnership.
func mustAgency(tb testing.TB, db *DB, partnershipID int64, name, kind string) *escalate.Agency {
	tb.Helper()
	a := &escalate.Agency{PartnershipID: partnershipID, Name: name, Kind: kind}
	if err := db.CreateAgency(context.Background(), a); err != nil {
		tb.Fatalf("CreateAgency(%q): %v", name, err)
	}
	return a
}

// mustUser adds a user of agency a with the given email and roles.
func mustUser(tb testing.TB, db *DB, a *escalate.Agency, email string, managerID int64, roles ...escalate.Role) *escalate.User {
	tb.Helper()
	u := &escalate.User{PartnershipID: a.PartnershipID, AgencyID: a.ID, Name: "User " + email,
		Email: email, Roles: roles, ManagerID: managerID}
	if err := db.CreateUser(context.Background(), u); err != nil {
		tb.Fatalf("CreateUser(%q): %v", email, err)
	}
	return u
}

// countRows returns the number of rows in table.
func countRows(tb testing.TB, db *DB, table string) int {
	tb.Helper()
	var n int
	if err := db.db.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

// wantCode fails tb unless err carries the application error code.
func wantCode(tb testing.TB, err error, code string) {
	tb.Helper()
	if got := escalate.ErrorCode(err); got != code {
		tb.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

// mustExec runs a statement directly on the database.
func mustExec(tb testing.TB, db *DB, query string, args ...any) {
	tb.Helper()
	if _, err := db.db.Exec(query, args...); err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
}
