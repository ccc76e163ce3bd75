package web_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/escalate-project/escalate/sqlstore"
	"github.com/escalate-project/escalate/web"
)

// The page benchmarks run on a database of benchEscalations escalations made
// by sqlstore.GenerateScale, as "escalate gen --escalations 100000" does.
// Generating it takes a minute or two, so it is built once and kept under
// os.TempDir() in a folder named by benchDataVersion: later runs reuse it.
// Bump the version when the generator or its options change; a new
// migration alone needs no bump, since the working copy is migrated.
//
// Pages write: opening an escalation audits the view. So each benchmark
// binary works on a fresh copy of the kept database (work.db beside it),
// and the kept one never changes. Two benchmark binaries must not run at
// once: they would share that copy.
const (
	benchDataVersion = "v3-100000-seed1" // v3: escalation contacts, and every case routed
	benchEscalations = 100000
	benchEventsPer   = 20
	benchPassword    = "benchmark password, not a real one"
)

// benchEnd is the instant the generated history ends and the clock the
// server runs at, fixed so that every run sees the same overdue clocks and
// sessions never go stale (a stale one would write last_seen, which a live
// server does at most once a minute per session).
var benchEnd = time.Date(2026, 11, 20, 16, 0, 0, 0, time.UTC)

// benchSite is the signed-in server over the generated database, and what
// the benchmarks ask of it.
type benchSite struct {
	srv    *web.Server
	cookie string // "name=token" of the benchmark user's session
	user   int64
	// cases are escalations the user raised that went past the first
	// stage and were resolved, each with benchEventsPer audit events when
	// generated; the escalation benchmark opens them in turn (see there).
	cases []string
	open  int // open escalations the user raised, for the log
	// contactCookie signs in the person with the most cases waiting on
	// them (an escalation contact), for My work at its heaviest.
	contactCookie string

	turn     int                       // the last case opened, by index
	captured map[string]*memoryHandler // by path
}

var (
	benchOnce sync.Once
	benchVal  *benchSite
	benchErr  error
)

// loadBenchSite returns the site, building it on the first call of the
// binary. Only benchmarks call it, so go test without -bench builds nothing.
func loadBenchSite(b *testing.B) *benchSite {
	b.Helper()
	benchOnce.Do(func() {
		began := time.Now()
		benchVal, benchErr = newBenchSite(b)
		b.Logf("page benchmark data ready in %s", time.Since(began).Round(time.Millisecond))
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchVal
}

func newBenchSite(b *testing.B) (*benchSite, error) {
	ctx := context.Background()
	dir := filepath.Join(os.TempDir(), "escalate-web-bench-"+benchDataVersion)
	kept := filepath.Join(dir, "scale.db")
	if err := buildBenchData(ctx, b, dir, kept); err != nil {
		return nil, err
	}
	work := filepath.Join(dir, "work.db")
	if err := copySQLite(kept, work); err != nil {
		return nil, err
	}
	db, err := sqlstore.Open(ctx, work)
	if err != nil {
		return nil, err
	}
	// Closed when the binary exits: benchmarks have no later hook.
	db.Now = func() time.Time { return benchEnd.Add(time.Minute) }
	if _, err := db.Migrate(ctx); err != nil {
		return nil, err
	}
	site := &benchSite{}
	key, email, err := site.pick(ctx, work)
	if err != nil {
		return nil, err
	}
	if _, err := db.SetPassword(ctx, key, email, benchPassword); err != nil {
		return nil, fmt.Errorf("password for the benchmark user: %w", err)
	}
	// The benchmarks measure pages, not second factors: relaxed, as the
	// demo is.
	if p, err := db.FindPartnership(ctx, key); err != nil {
		return nil, err
	} else if err := db.SetSecondFactorOptional(ctx, p.ID, true); err != nil {
		return nil, err
	}
	auth := &sqlstore.Sessions{DB: db}
	token, _, err := auth.SignIn(ctx, email, benchPassword, "192.0.2.1", "")
	if err != nil {
		return nil, fmt.Errorf("signing in: %w", err)
	}
	// Wired as cmd/escalate/serve.go wires it, with the JSON request log a
	// live server writes, thrown away.
	site.srv, err = web.New(web.Config{
		Auth:          auth,
		Logger:        slog.New(slog.NewJSONHandler(io.Discard, nil)),
		SecureCookies: true,
		Raise:         db,
		Partnership:   db,
		Escalations:   sqlstore.NewEscalationService(db),
		API:           web.APIConfig{Tokens: sqlstore.NewTokenService(db), Store: db},
	})
	if err != nil {
		return nil, err
	}
	site.cookie = "__Host-escalate_session=" + token
	// The busiest escalation contact: the person with the most cases
	// waiting on them, for My work at its heaviest.
	var contactEmail, contactKey string
	var turns int
	raw, err := sql.Open("sqlite", work)
	if err != nil {
		return nil, err
	}
	defer raw.Close()
	err = raw.QueryRowContext(ctx, `SELECT u.email, p.key, COUNT(*) FROM escalation_people ep
		JOIN users u ON u.id = ep.user_id JOIN partnerships p ON p.id = u.partnership_id
		JOIN escalations e ON e.id = ep.escalation_id
		WHERE ep.turn AND e.status = 'open' GROUP BY u.email, p.key ORDER BY COUNT(*) DESC, u.email LIMIT 1`).
		Scan(&contactEmail, &contactKey, &turns)
	if err != nil {
		return nil, fmt.Errorf("choosing the busiest contact: %w", err)
	}
	if _, err := db.SetPassword(ctx, contactKey, contactEmail, benchPassword); err != nil {
		return nil, err
	}
	ctoken, _, err := auth.SignIn(ctx, contactEmail, benchPassword, "192.0.2.2", "")
	if err != nil {
		return nil, fmt.Errorf("signing in the contact: %w", err)
	}
	site.contactCookie = "__Host-escalate_session=" + ctoken
	b.Logf("user %d: %d open escalations raised; %d cases to open in turn; busiest contact %s: %d cases waiting",
		site.user, site.open, len(site.cases), contactEmail, turns)
	return site, nil
}

// pick chooses the benchmark user, the practitioner who raised the most
// open escalations (tens: the generator spreads cases over six
// practitioners per agency), and their cases for the escalation page.
// It returns the user's partnership key and email for signing in.
func (s *benchSite) pick(ctx context.Context, path string) (key, email string, err error) {
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return "", "", err
	}
	defer db.Close()
	err = db.QueryRowContext(ctx, `
		SELECT e.raised_by, COUNT(*), u.email, p.key FROM escalations e
		JOIN users u ON u.id = e.raised_by JOIN partnerships p ON p.id = u.partnership_id
		WHERE e.status = 'open' GROUP BY e.raised_by, u.email, p.key
		ORDER BY COUNT(*) DESC, e.raised_by LIMIT 1`).Scan(&s.user, &s.open, &email, &key)
	if err != nil {
		return "", "", fmt.Errorf("choosing the benchmark user: %w", err)
	}
	rows, err := db.QueryContext(ctx, `SELECT ref FROM escalations
		WHERE raised_by = ? AND status = 'resolved' AND stage >= 1 ORDER BY id`, s.user)
	if err != nil {
		return "", "", err
	}
	defer rows.Close()
	for rows.Next() {
		var ref string
		if err := rows.Scan(&ref); err != nil {
			return "", "", err
		}
		s.cases = append(s.cases, ref)
	}
	if err := rows.Err(); err != nil {
		return "", "", err
	}
	if len(s.cases) == 0 {
		return "", "", errors.New("the benchmark user raised no case that went past the first stage")
	}
	return key, email, nil
}

// buildBenchData generates the kept database unless it is there already.
// It generates into a temporary name and renames, so an interrupted build
// leaves nothing that looks finished.
func buildBenchData(ctx context.Context, b *testing.B, dir, kept string) error {
	if _, err := os.Stat(kept); err == nil {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp := filepath.Join(dir, fmt.Sprintf("building-%d.db", os.Getpid()))
	removeSQLite(tmp)
	defer removeSQLite(tmp)
	b.Logf("generating %d escalations into %s (once; later runs reuse it)", benchEscalations, kept)
	db, err := sqlstore.Open(ctx, tmp)
	if err != nil {
		return err
	}
	defer db.Close()
	db.Now = func() time.Time { return benchEnd }
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	if _, err := db.GenerateScale(ctx, sqlstore.ScaleOptions{Escalations: benchEscalations,
		EventsPer: benchEventsPer, Seed: 1}); err != nil {
		return fmt.Errorf("generating the benchmark data: %w", err)
	}
	// Closing the last connection checkpoints the WAL into the file, so
	// the one file is the whole database.
	if err := db.Close(); err != nil {
		return err
	}
	if st, err := os.Stat(tmp + "-wal"); err == nil && st.Size() > 0 {
		return fmt.Errorf("%s-wal was not checkpointed on close", tmp)
	}
	return os.Rename(tmp, kept)
}

// copySQLite copies the database file from to to, replacing to and its
// WAL and shared-memory files.
func copySQLite(from, to string) error {
	removeSQLite(to)
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}

func removeSQLite(path string) {
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		os.Remove(p) // missing is fine
	}
}
