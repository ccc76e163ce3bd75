package sqlstore

import (
	"context"
	"database/sql"
)

// AuditHead reports how many events the audit log holds, over every chain,
// and how many of them the newest signed checkpoint of each chain covers
// (0 when there is none), so a periodic checkpointer signs only when
// something new has been logged.
func (db *DB) AuditHead(ctx context.Context) (events, checkpointed int64, err error) {
	var n, c sql.NullInt64
	err = db.db.QueryRowContext(ctx, `SELECT
		(SELECT SUM(m) FROM (SELECT MAX(chain_seq) AS m FROM audit_events GROUP BY chain) AS e),
		(SELECT SUM(m) FROM (SELECT MAX(n) AS m FROM audit_checkpoints GROUP BY chain) AS c)`).Scan(&n, &c)
	if err != nil {
		return 0, 0, WrapError(err)
	}
	return n.Int64, c.Int64, nil
}

// AuditChains lists the audit log's chains, lowest first: 0 (service-wide)
// and the ID of every partnership that has logged an event or has a
// checkpoint.
func (db *DB) AuditChains(ctx context.Context) ([]int64, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT DISTINCT chain FROM audit_events
		UNION SELECT DISTINCT chain FROM audit_checkpoints ORDER BY 1`)
	if err != nil {
		return nil, WrapError(err)
	}
	return scanIDs(rows)
}

// scanIDs reads and closes rows of one integer column.
func scanIDs(rows *sql.Rows) ([]int64, error) {
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// scanIDPairs reads and closes rows of two integer columns.
func scanIDPairs(rows *sql.Rows) ([][2]int64, error) {
	defer rows.Close()
	var out [][2]int64
	for rows.Next() {
		var p [2]int64
		if err := rows.Scan(&p[0], &p[1]); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
