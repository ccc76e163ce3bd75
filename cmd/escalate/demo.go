package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/escalate-project/escalate/audit"
	"github.com/escalate-project/escalate/demo"
	"github.com/escalate-project/escalate/sqlstore"
)

func init() {
	register("demo", "run the web app on a fresh database of fictional partnerships (--db, --addr; --accounts lists every account)", runDemo)
}

// demoListening, when set (by tests), is told the demo's address once it
// listens.
var demoListening func(addr string)

// demoNamePrefix starts the name of every demo partnership: it is how an
// existing file is known to be a demo database that may be replaced.
const demoNamePrefix = "Demo partnership on the "

// runDemo replaces the demo database with a freshly seeded one (a SQLite
// file), or seeds an empty PostgreSQL database (one already seeded is
// reused, with a new password), then serves the web app on it as escalate
// serve does, with plain-http cookies for localhost, until ctx ends.
// With --accounts it lists every demo account instead.
func runDemo(ctx context.Context, env *Env, args []string) error {
	cfg := &serveConfig{
		IdleTimeout:     sqlstore.DefaultIdleTimeout,
		SessionLifetime: sqlstore.DefaultLifetime,
		ShutdownTimeout: 5 * time.Second,
	}
	fs := newCommandFlags("demo")
	fs.StringVar(&cfg.DB, "db", "./escalate-demo.db", "the demo's SQLite file, replaced each run, or an empty PostgreSQL database's postgres:// URL")
	fs.StringVar(&cfg.Addr, "addr", "127.0.0.1:8080", "address to listen on")
	fs.StringVar(&cfg.BaseURL, "base-url", "", "the URL the demo is reached at, for the links in its email (with --smtp-host)")
	accounts := fs.Bool("accounts", false, "list every demo account by partnership and role, with what each is for, and exit")
	cfg.SMTP.register(env, fs)
	if _, done, err := parseCommand(env, fs, args, 0); done || err != nil {
		return err
	}
	if *accounts {
		printAccounts(env.Stdout)
		return nil
	}
	if cfg.DB == "" {
		return usagef("--db: give a SQLite file name or a postgres:// URL")
	}
	if _, _, err := net.SplitHostPort(cfg.Addr); err != nil {
		return usagef("--addr %q: want host:port, e.g. 127.0.0.1:8080", cfg.Addr)
	}
	if err := cfg.SMTP.checkServe(cfg.BaseURL); err != nil {
		return err
	}
	// Probe the address before touching the database: a second "make demo"
	// must not pull the database from under one already running.
	probe, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("%s is in use: is a demo already running? Stop it, or choose another address with --addr 127.0.0.1:8081", cfg.Addr)
		}
		return err
	}
	probe.Close()
	if !sqlstore.IsPostgresURL(cfg.DB) {
		if err := removeDemoDB(ctx, cfg.DB); err != nil {
			return err
		}
	}
	db, err := sqlstore.Open(ctx, cfg.DB)
	if err != nil {
		return cliError(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	password := demo.NewPassword()
	res, err := seedOrReuse(ctx, env, db, cfg.DB, password)
	if err != nil {
		return err
	}
	// The demo signs audit checkpoints as serve must, with a key of its own.
	if err := demoAuditKey(cfg); err != nil {
		return err
	}
	// Only warnings and errors on the terminal, so the sign-ins stay in view.
	log := slog.New(slog.NewJSONHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	stopWorker, err := cfg.SMTP.startServe(ctx, db, cfg.BaseURL, log)
	if err != nil {
		return err
	}
	defer stopWorker()
	return serveDB(ctx, cfg, db, log, func(addr string) {
		printDemo(env.Stdout, "http://"+addr, cfg.DB, password, res)
		if demoListening != nil {
			demoListening(addr)
		}
	})
}

// seedOrReuse seeds the demo into db, or, for a PostgreSQL database that
// holds the demo already, gives its accounts the new password. A database
// holding anything else is refused: the demo never touches real data.
func seedOrReuse(ctx context.Context, env *Env, db *sqlstore.DB, dsn, password string) (*demo.Result, error) {
	ps, err := db.Partnerships(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		if !strings.HasPrefix(p.Name, demoNamePrefix) {
			return nil, usagef("--db: the database holds partnerships that are not the demo's (%s): the demo needs an empty database, or its own", p.Key)
		}
	}
	if len(ps) > 0 {
		fmt.Fprintf(env.Stdout, "The database holds the demo already: keeping its data, with a new password...\n")
		return demo.Reuse(ctx, db, password)
	}
	what := dsn
	if sqlstore.IsPostgresURL(dsn) {
		what = "the PostgreSQL database"
	}
	fmt.Fprintf(env.Stdout, "Seeding %s with fictional partnerships...\n", what)
	return demo.Seed(ctx, db, time.Now(), password)
}

// removeDemoDB removes the SQLite file path and its -wal and -shm files,
// but only if path is missing, empty or a demo database: a mistyped --db
// must never delete real data.
func removeDemoDB(ctx context.Context, path string) error {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return err
	case st.IsDir():
		return usagef("--db %s is a folder: give a file name such as ./escalate-demo.db", path)
	case st.Size() > 0:
		if !isDemoDB(ctx, path) {
			return usagef("--db %s exists and is not a demo database: the demo replaces its file, so give another name", path)
		}
	}
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return os.RemoveAll(demoAuditDir(path))
}

// demoAuditDir is where the demo keeps its audit key pair and witness
// copies: beside its database, which a real service must never do (a key
// beside the data protects nothing), but the demo's data is made up.
func demoAuditDir(dbPath string) string { return dbPath + ".audit" }

// demoAuditKey makes the demo's audit key pair and witness directory and
// sets cfg to sign checkpoints with them every minute. A PostgreSQL demo
// keeps its data from run to run, and its checkpoints with it, which a new
// key could not sign after: it runs without a key, and says so.
func demoAuditKey(cfg *serveConfig) error {
	if sqlstore.IsPostgresURL(cfg.DB) {
		cfg.Checkpoint = checkpointFlags{NoKey: true, Every: time.Minute}
		return cfg.Checkpoint.check()
	}
	dir := demoAuditDir(cfg.DB)
	if err := os.MkdirAll(filepath.Join(dir, "witness"), 0o700); err != nil {
		return err
	}
	key := filepath.Join(dir, "audit.key")
	signer, verifier, err := audit.GenerateKey("escalate-audit-demo")
	if err != nil {
		return err
	}
	if err := audit.WriteKeyFile(key, signer); err != nil {
		return err
	}
	if err := audit.WriteKeyFile(key+".pub", verifier); err != nil {
		return err
	}
	cfg.Checkpoint = checkpointFlags{KeyFile: key, Every: time.Minute, Witness: filepath.Join(dir, "witness")}
	return cfg.Checkpoint.check()
}

// isDemoDB reports whether the SQLite file at path holds only demo
// partnerships.
func isDemoDB(ctx context.Context, path string) bool {
	db, err := sqlstore.Open(ctx, path)
	if err != nil {
		return false
	}
	defer db.Close()
	ps, err := db.Partnerships(ctx)
	if err != nil {
		return false
	}
	for _, p := range ps {
		if !strings.HasPrefix(p.Name, demoNamePrefix) {
			return false
		}
	}
	return true
}

// printDemo tells a newcomer where to go and who to sign in as: every role
// of one partnership, and how the others' accounts are named.
func printDemo(w io.Writer, url, path, password string, res *demo.Result) {
	if len(res.Partnerships) == 0 {
		return
	}
	show := res.Partnerships[0]
	var others []string
	for _, p := range res.Partnerships {
		if p.Key == "redbridge" {
			show = p
		}
	}
	for _, p := range res.Partnerships {
		if p.Key != show.Key {
			others = append(others, p.Key)
		}
	}
	fmt.Fprintf(w, "\nEscalate demo is running: open %s\n\n", url)
	fmt.Fprintf(w, "%d fictional partnerships, one for each built-in policy, with agencies, people,\n", len(res.Partnerships))
	fmt.Fprintf(w, "contacts and escalations in every state. Every demo account's password is:\n\n    %s\n\n", password)
	fmt.Fprintf(w, "Sign in as any role of the %s:\n\n", strings.TrimPrefix(show.Name, "Demo partnership on the "))
	tw := tabwriter.NewWriter(w, 0, 4, 1, ' ', 0)
	for _, a := range show.SignIns {
		fmt.Fprintf(tw, "    %s\t%s\t%s, %s\n", a.Role, a.Email, a.Name, a.Agency)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nThe other partnerships' accounts follow the same pattern, e.g. practitioner@%s.example\n", others[0])
	fmt.Fprintf(w, "(partnerships: %s).\n", strings.Join(others, ", "))
	fmt.Fprintf(w, "\nChild Protection Conference dissents are switched on in Surrey's policy only: sign in as\n")
	fmt.Fprintf(w, "conference-chair@surrey.example or business-manager@surrey.example to see them at every step.\n")
	fmt.Fprintf(w, "\nEvery account of every partnership, by role, with what each is for: escalate demo --accounts\n")
	if sqlstore.IsPostgresURL(path) {
		fmt.Fprintf(w, "\nThe data is made up and stays in the PostgreSQL database; each run sets a new password. Press Ctrl+C to stop.\n")
		return
	}
	fmt.Fprintf(w, "\nThe data is made up and lives in %s, replaced each run. Its audit log is signed with a\n", path)
	fmt.Fprintf(w, "demo key; check it with: escalate audit verify --db %s --key %s --witness %s\n",
		path, filepath.Join(demoAuditDir(path), "audit.key.pub"), filepath.Join(demoAuditDir(path), "witness"))
	fmt.Fprintf(w, "Press Ctrl+C to stop.\n")
}

// printAccounts lists every demo account, partnership by partnership.
func printAccounts(w io.Writer) {
	fmt.Fprintln(w, "Every demo account (the password is printed when escalate demo starts):")
	last := ""
	for _, a := range demo.AllAccounts() {
		if a.Partnership != last {
			fmt.Fprintf(w, "\n%s\n", a.Partnership)
			last = a.Partnership
		}
		fmt.Fprintf(w, "  %-18s %-44s %s, %s\n  %-18s   for: %s\n", a.Role, a.Email, a.Name, a.Agency, "", a.For)
	}
}
