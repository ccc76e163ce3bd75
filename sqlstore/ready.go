package sqlstore

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
)

// A full disk is a condition of the service, not a fault of the request:
// a write it refuses is EUNAVAILABLE (HTTP 503), and the database says it
// is not ready (/readyz) until a write goes through again.

// errDiskFull is what a write refused for want of space becomes.
var errDiskFull = &escalate.Error{Code: escalate.EUNAVAILABLE,
	Message: "The service cannot save anything just now: its database's disk is full. Try again later."}

const (
	sqliteFull = 13      // SQLITE_FULL
	pgDiskFull = "53100" // disk_full
)

// isDiskFull reports whether err is either engine saying it has no room.
func isDiskFull(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code()&0xff == sqliteFull
	}
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == pgDiskFull
}

// readiness is what DB knows of its disk between checks.
type readiness struct {
	full atomic.Bool // a write was refused for space, and none has succeeded since
}

// noteWrite records a transaction that failed with err: a refusal for
// space marks the database full, until Ping's probe write succeeds (a
// transaction that commits may have written nothing, so it proves nothing).
func (db *DB) noteWrite(err error) error {
	if isDiskFull(err) {
		db.ready.full.Store(true)
		return fmt.Errorf("%w (%v)", errDiskFull, err)
	}
	return err
}

// Ping reports whether the database answers and takes writes, for a
// readiness check: it fails while the database does not answer, and with
// EUNAVAILABLE while its disk is full. Once a write has been refused for
// space, each Ping tries one small write until it succeeds.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.db.PingContext(ctx); err != nil {
		return err
	}
	if !db.ready.full.Load() {
		return nil
	}
	// Random bytes, which no engine can compress: the write must need new
	// pages, as the writes the disk refused did.
	filler := make([]byte, 16<<10)
	rand.Read(filler)
	err := db.WithTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO readiness_probe (id, at, filler) VALUES (1, $1, $2)`,
			timeArg(time.Now()), filler); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM readiness_probe WHERE id = 1`)
		return err
	})
	if err == nil {
		db.ready.full.Store(false)
	}
	return err
}
