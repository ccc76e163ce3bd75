package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"
)

// lazyPragmas are sqlitePragmas with synchronous=NORMAL: in WAL mode a
// commit is then in the WAL file, safe from a crash of the process, before
// the disk has confirmed it; only a power cut just after could undo it.
const lazyPragmas = "_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)" +
	"&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)&_txlock=immediate"

// lazyConn is a second handle on a SQLite file, with one connection, for
// the few writes whose loss costs no data (SentMark): they commit without
// an fsync, and without the two PRAGMA statements that switching a pooled
// connection back and forth would take.
type lazyConn struct {
	once   sync.Once
	db     *sql.DB
	update *sql.Stmt
	err    error
}

func (l *lazyConn) close() {
	if l.db != nil {
		l.update.Close()
		l.db.Close()
	}
}

// lazyMarkSent is SentMark's update, the same text on both handles. It
// erases an invitation's or reset's secret in the same statement (as
// scrubLink does for a dead one): once sent, only the link's hash is stored.
const lazyMarkSent = `UPDATE outbox SET status = 'sent', sent_at = $2, message_id = $3,
	claimed_until = NULL, last_error = '',
	payload = CASE WHEN kind = 'account.link' THEN '{"erased":true}' ELSE payload END
	WHERE id = $1 AND status = 'pending'`

// lazyDB returns the lazy connection, opening it on first use.
func (db *DB) lazyDB(ctx context.Context) (*lazyConn, error) {
	l := &db.lazy
	l.once.Do(func() {
		if l.db, l.err = sql.Open("sqlite", db.path+"?"+lazyPragmas); l.err != nil {
			return
		}
		l.db.SetMaxOpenConns(1)
		l.db.SetConnMaxIdleTime(0)
		if l.update, l.err = l.db.PrepareContext(ctx, lazyMarkSent); l.err != nil {
			l.db.Close()
			l.db = nil
		}
	})
	if l.err != nil {
		return nil, fmt.Errorf("open the lazy connection: %w", l.err)
	}
	return l, nil
}

// markSentLazily marks row id sent on SQLite's lazy connection.
func (db *DB) markSentLazily(ctx context.Context, id int64, messageID string) error {
	l, err := db.lazyDB(ctx)
	if err != nil {
		return err
	}
	stx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return WrapError(fmt.Errorf("begin: %w", err))
	}
	now := db.Now().UTC().Truncate(time.Microsecond)
	res, err := stx.StmtContext(ctx, l.update).ExecContext(ctx, id, timeArg(now), messageID)
	if err := oneRow(res, err, id); err != nil {
		stx.Rollback()
		return WrapError(err)
	}
	if err := stx.Commit(); err != nil {
		return WrapError(fmt.Errorf("commit: %w", err))
	}
	return nil
}
