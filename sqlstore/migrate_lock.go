package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/pressly/goose/v3/lock"
)

// migrateLockKey is the PostgreSQL advisory lock migrations run under
// ("escmigra" in ASCII), so that any number of instances may start at once
// on an empty or older database: the first applies what is pending, the
// others wait for it and then find nothing to do.
const migrateLockKey int64 = 0x6573636d69677261

// pgMigrateLocker is goose's SessionLocker for PostgreSQL, waiting with a
// blocking pg_advisory_lock rather than goose's own locker, which polls
// every 5 seconds: an instance starts as soon as the one migrating is done.
// The wait ends with ctx (escalate serve's signal context).
type pgMigrateLocker struct{}

var _ lock.SessionLocker = pgMigrateLocker{}

// SessionLock waits for the migration lock on conn.
func (pgMigrateLocker) SessionLock(ctx context.Context, conn *sql.Conn) error {
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrateLockKey); err != nil {
		return fmt.Errorf("waiting for the migration lock: %w", err)
	}
	return nil
}

// SessionUnlock releases the lock. Closing the connection would release it
// too; goose closes it next.
func (pgMigrateLocker) SessionUnlock(ctx context.Context, conn *sql.Conn) error {
	var ok bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_advisory_unlock($1)`, migrateLockKey).Scan(&ok); err != nil {
		return fmt.Errorf("releasing the migration lock: %w", err)
	}
	if !ok {
		return fmt.Errorf("releasing the migration lock: it was not held")
	}
	return nil
}
