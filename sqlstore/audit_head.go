package sqlstore

import (
	"context"
	"database/sql"
)

// AuditHead reports how many events the audit log holds and how many the
// newest signed checkpoint covers (0 when there is none), so a periodic
// checkpointer signs only when something new has been logged.
func (db *DB) AuditHead(ctx context.Context) (events, checkpointed int64, err error) {
	var n, c sql.NullInt64
	err = db.db.QueryRowContext(ctx, `SELECT
		(SELECT MAX(seq) FROM audit_events),
		(SELECT MAX(n) FROM audit_checkpoints)`).Scan(&n, &c)
	if err != nil {
		return 0, 0, WrapError(err)
	}
	return n.Int64, c.Int64, nil
}
