package main

import (
	"context"
	"fmt"

	"github.com/escalate-project/escalate/sqlstore"
)

func init() {
	register("backup", "write an online, consistent copy of a SQLite database (--to FILE)", runBackup)
}

func runBackup(ctx context.Context, env *Env, args []string) error {
	fs := newCommandFlags("backup")
	dsn := dbFlag(fs, env)
	to := fs.String("to", "", "the new file to write the copy to")
	if _, done, err := parseCommand(env, fs, args, 0); done || err != nil {
		return err
	}
	if sqlstore.IsPostgresURL(*dsn) {
		fmt.Fprintln(env.Stderr, "escalate backup: this is a PostgreSQL database: back it up with pg_dump, e.g.\n"+
			"  pg_dump --format=custom --file=escalate.dump \"$ESCALATE_DB\"\n"+
			"and restore with pg_restore (see doc/operations.md)")
		return exitError{2}
	}
	if err := requireFlags("to", *to); err != nil {
		return err
	}
	db, err := openDB(ctx, env, *dsn, false)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Backup(ctx, *to); err != nil {
		return cliError(err)
	}
	fmt.Fprintf(env.Stdout, "backed up to %s\n", *to)
	return nil
}
