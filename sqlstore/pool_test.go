package sqlstore

import (
	"context"
	"database/sql"
	"sync"
	"testing"
	"time"
)

// holdConns takes n connections of db at once, uses each, and gives them
// all back.
func holdConns(t *testing.T, db *DB, n int) {
	t.Helper()
	ctx := context.Background()
	conns := make([]*sql.Conn, n)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range conns {
		wg.Go(func() {
			c, err := db.db.Conn(ctx)
			if err != nil {
				errs <- err
				return
			}
			conns[i] = c
			var one int
			if err := c.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for _, c := range conns {
		c.Close()
	}
}

// TestPool: a PostgreSQL database opens with DefaultPool, keeps as many
// connections idle as it may open (database/sql's default of 2 made a busy
// instance reconnect all the time), and SetPool changes it; SQLite keeps its
// own settings.
func TestPool(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		if err := db.SetPool(Pool{MaxOpen: 0, MaxIdle: 1}); err == nil {
			t.Error("SetPool with MaxOpen 0: no error")
		}
		if err := db.SetPool(Pool{MaxOpen: 2, MaxIdle: 1, MaxLifetime: -time.Second}); err == nil {
			t.Error("SetPool with a negative lifetime: no error")
		}
		before := db.Stats().MaxOpenConnections
		if db.Dialect() == SQLite {
			if err := db.SetPool(Pool{MaxOpen: 3, MaxIdle: 3}); err != nil {
				t.Fatal(err)
			}
			if got := db.Stats().MaxOpenConnections; got != before {
				t.Errorf("SQLite: SetPool changed the most connections from %d to %d", before, got)
			}
			return
		}
		n := DefaultPool.MaxOpen
		if before != n {
			t.Errorf("opened with at most %d connections, want DefaultPool's %d", before, n)
		}
		// Every connection the pool may open stays open once given back:
		// the second round opens none and closes none.
		holdConns(t, db, n)
		first := db.Stats()
		holdConns(t, db, n)
		s := db.Stats()
		if s.Idle != n || s.OpenConnections != n {
			t.Errorf("after %d connections at once: %d open, %d idle; want all %d kept", n, s.OpenConnections, s.Idle, n)
		}
		if s.MaxIdleClosed != 0 || s.MaxIdleClosed != first.MaxIdleClosed {
			t.Errorf("%d connections closed for having too many idle", s.MaxIdleClosed)
		}

		// A smaller pool: idle capped at the most open.
		if err := db.SetPool(Pool{MaxOpen: 3, MaxIdle: 5, MaxLifetime: time.Minute, MaxIdleTime: time.Minute}); err != nil {
			t.Fatal(err)
		}
		if got := db.Stats().MaxOpenConnections; got != 3 {
			t.Errorf("SetPool(MaxOpen 3): at most %d connections", got)
		}
		holdConns(t, db, 3)
		if s := db.Stats(); s.OpenConnections != 3 || s.Idle != 3 {
			t.Errorf("SetPool(MaxOpen 3, MaxIdle 5): %d open, %d idle; want 3 and 3", s.OpenConnections, s.Idle)
		}
	})
}
