package sqlstore

import (
	"fmt"
	"time"
)

// Pool is the size and lifetimes of a PostgreSQL database's connection
// pool (database/sql's). Every new PostgreSQL connection costs the server a
// process fork, password authentication and loading the catalog, and pgx's
// cache of prepared statements lives and dies with its connection, so the
// pool keeps as many idle connections as it may open: database/sql's default
// of 2 idle made a busy instance open and close connections all the time,
// which was most of the database's CPU (doc/performance.md "Scale-out").
type Pool struct {
	// MaxOpen is the most connections the instance holds at once, busy or
	// idle; a request that finds them all busy waits for one.
	MaxOpen int
	// MaxIdle is the most kept open while idle; at most MaxOpen.
	MaxIdle int
	// MaxLifetime closes a connection this long after it was opened, so
	// the server's memory per connection does not grow without end and
	// connections move to a new server after a failover.
	MaxLifetime time.Duration
	// MaxIdleTime closes a connection left idle this long, so a quiet
	// instance gives back what it took under load.
	MaxIdleTime time.Duration
}

// DefaultPool is the pool a PostgreSQL database opens with. Size the
// number for PostgreSQL's max_connections: instances × MaxOpen, plus
// workers and administration, must stay below it (doc/operations.md
// "Database connections").
var DefaultPool = Pool{MaxOpen: 10, MaxIdle: 10, MaxLifetime: time.Hour, MaxIdleTime: 10 * time.Minute}

// SetPool sets the connection pool of a PostgreSQL database; MaxIdle is
// capped at MaxOpen. SQLite keeps its own settings (a file has no
// connection cost to save), so it does nothing there.
func (db *DB) SetPool(p Pool) error {
	if p.MaxOpen < 1 || p.MaxIdle < 0 || p.MaxLifetime < 0 || p.MaxIdleTime < 0 {
		return fmt.Errorf("database pool: want at least 1 connection and no negative size or lifetime, not %+v", p)
	}
	if db.dialect != Postgres {
		return nil
	}
	db.db.SetMaxOpenConns(p.MaxOpen)
	db.db.SetMaxIdleConns(min(p.MaxIdle, p.MaxOpen))
	db.db.SetConnMaxLifetime(p.MaxLifetime)
	db.db.SetConnMaxIdleTime(p.MaxIdleTime)
	return nil
}
