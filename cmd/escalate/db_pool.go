package main

import (
	"flag"
	"strconv"

	"github.com/escalate-project/escalate/sqlstore"
)

// poolFlags is the size of a long-running command's PostgreSQL connection
// pool (serve, worker): --db-max-conns, kept open while idle too, with
// sqlstore.DefaultPool's lifetimes. doc/operations.md "Database connections"
// gives the rule for sizing it against the server's max_connections.
type poolFlags struct{ maxConns int }

func (f *poolFlags) register(env *Env, fs *flag.FlagSet) error {
	n := sqlstore.DefaultPool.MaxOpen
	if s := envValue(env, "ESCALATE_DB_MAX_CONNS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 {
			return usagef("ESCALATE_DB_MAX_CONNS=%q: want a number of connections, at least 1", s)
		}
		n = v
	}
	fs.IntVar(&f.maxConns, "db-max-conns", n, "PostgreSQL connections this process holds at most, all kept open while idle; "+
		"instances × this, plus workers, must stay below the server's max_connections ($ESCALATE_DB_MAX_CONNS)")
	return nil
}

func (f *poolFlags) check() error {
	if f.maxConns < 1 {
		return usagef("--db-max-conns %d: want at least 1", f.maxConns)
	}
	return nil
}

// apply sets db's pool (PostgreSQL only; SQLite keeps its own).
func (f *poolFlags) apply(db *sqlstore.DB) error {
	p := sqlstore.DefaultPool
	p.MaxOpen, p.MaxIdle = f.maxConns, f.maxConns
	return db.SetPool(p)
}
