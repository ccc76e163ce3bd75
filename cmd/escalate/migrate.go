package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/sqlstore"
)

func init() {
	register("migrate", "create or upgrade the database schema (--db or ESCALATE_DB)", runMigrate)
}

func runMigrate(ctx context.Context, env *Env, args []string) error {
	fs := newCommandFlags("migrate")
	dsn := dbFlag(fs, env)
	if _, done, err := parseCommand(env, fs, args, 0); done || err != nil {
		return err
	}
	db, err := openDB(ctx, env, *dsn, true)
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	if n == 0 {
		fmt.Fprintln(env.Stdout, "the database is up to date")
	} else {
		fmt.Fprintf(env.Stdout, "applied %d migrations\n", n)
	}
	return nil
}

// newCommandFlags returns a flag set whose errors the caller reports.
func newCommandFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// dbFlag registers --db, defaulting to $ESCALATE_DB.
func dbFlag(fs *flag.FlagSet, env *Env) *string {
	return fs.String("db", envValue(env, "ESCALATE_DB"), "database: a SQLite file or a postgres:// URL (default $ESCALATE_DB)")
}

func envValue(env *Env, key string) string {
	if env.Getenv == nil {
		return ""
	}
	return env.Getenv(key)
}

// parseCommand parses args, which may mix flags with exactly nargs
// positional arguments (e.g. "import FILE --db x" or "import --db x FILE").
// It turns flag errors into usage errors; done is true when -h printed the
// flags. It returns the positional arguments.
func parseCommand(env *Env, fs *flag.FlagSet, args []string, nargs int) (pos []string, done bool, err error) {
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.SetOutput(env.Stdout)
				fs.PrintDefaults()
				return nil, true, nil
			}
			return nil, false, usagef("%v", err)
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(pos) > nargs {
		return nil, false, usagef("unexpected argument %q", pos[nargs])
	}
	if len(pos) < nargs {
		return nil, false, usagef("missing argument: want %d, got %d", nargs, len(pos))
	}
	return pos, false, nil
}

// openDB opens the database --db names. Unless create is set (migrate), a
// SQLite file must already exist and every database must be migrated, so a
// mistyped path never becomes a new empty database.
func openDB(ctx context.Context, env *Env, dsn string, create bool) (*sqlstore.DB, error) {
	if dsn == "" {
		return nil, usagef("missing --db: a SQLite file or a postgres:// URL (or set ESCALATE_DB)")
	}
	if !sqlstore.IsPostgresURL(dsn) && !create {
		if _, err := os.Stat(dsn); errors.Is(err, fs.ErrNotExist) {
			return nil, usagef("--db %s: no such database file (create it with escalate migrate --db %s)", dsn, dsn)
		}
	}
	db, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		return nil, cliError(err)
	}
	if !create {
		if err := db.CheckMigrated(ctx); err != nil {
			db.Close()
			return nil, cliError(err)
		}
	}
	return db, nil
}

// openReadOnlyDB is openDB for a command that only reads (audit verify):
// nothing is written, not even planner statistics, so it works on a
// read-only copy.
func openReadOnlyDB(ctx context.Context, env *Env, dsn string) (*sqlstore.DB, error) {
	if dsn == "" {
		return nil, usagef("missing --db: a SQLite file or a postgres:// URL (or set ESCALATE_DB)")
	}
	if !sqlstore.IsPostgresURL(dsn) {
		if _, err := os.Stat(dsn); errors.Is(err, fs.ErrNotExist) {
			return nil, usagef("--db %s: no such database file", dsn)
		}
	}
	db, err := sqlstore.OpenReadOnly(ctx, dsn)
	if err != nil {
		return nil, cliError(err)
	}
	if err := db.CheckMigrated(ctx); err != nil {
		db.Close()
		return nil, cliError(err)
	}
	return db, nil
}

// cliContext names the administrator at the console as the audit actor.
func cliContext(ctx context.Context, env *Env) context.Context {
	actor := "cli"
	if u := envValue(env, "USER"); u != "" && !strings.ContainsAny(u, " \t\n") {
		actor = "cli:" + u
	}
	return sqlstore.WithActor(ctx, actor)
}

// cliError turns a store error into what the CLI reports: bad input
// (EINVALID, ENOTFOUND) is a usage error naming the flag, exit status 2; a
// conflict is a plain failure with the store's message, exit status 1.
// flagFor lists pairs of a store field name and the flag that sets it, where
// they differ.
func cliError(err error, flagFor ...string) error {
	if err == nil {
		return nil
	}
	msg := escalate.ErrorMessage(err)
	field := escalate.ErrorField(err)
	for i := 0; i+1 < len(flagFor); i += 2 {
		if flagFor[i] == field {
			field = flagFor[i+1]
		}
	}
	if field != "" {
		msg = "--" + field + ": " + msg
	}
	switch escalate.ErrorCode(err) {
	case escalate.EINVALID, escalate.ENOTFOUND:
		return usagef("%s", msg)
	case escalate.EINTERNAL:
		return err
	}
	return errors.New(msg)
}
