package sqlstore

import (
	"context"
	"database/sql"
	"time"
)

// The gauges package metrics reads at each scrape (metrics.Source). Each is
// one aggregate query on an index the service already has; none returns a
// name, a reference or any other personal data: partnerships are named by
// their key.

// OutboxGauges counts pending and dead (undelivered) notifications and says
// when the oldest pending one was created (zero for none).
func (db *DB) OutboxGauges(ctx context.Context) (pending, dead int64, oldest time.Time, err error) {
	err = db.db.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM outbox WHERE status = 'pending'),
		(SELECT COUNT(*) FROM outbox WHERE status = 'dead'),
		(SELECT MIN(created) FROM outbox WHERE status = 'pending')`).Scan(&pending, &dead, scanTime(&oldest))
	return pending, dead, oldest, WrapError(err)
}

// OpenEscalations counts open escalations by partnership key.
func (db *DB) OpenEscalations(ctx context.Context) (map[string]int64, error) {
	return db.countsByKey(ctx, `SELECT p.key, COUNT(e.id) FROM partnerships p
		LEFT JOIN escalations e ON e.partnership_id = p.id AND e.status = 'open'
		GROUP BY p.key`)
}

// OverdueByPartnership counts running clocks past their deadline at now, by
// partnership key.
func (db *DB) OverdueByPartnership(ctx context.Context, now time.Time) (map[string]int64, error) {
	return db.countsByKey(ctx, `SELECT p.key, COUNT(c.id) FROM partnerships p
		LEFT JOIN escalations e ON e.partnership_id = p.id
		LEFT JOIN clocks c ON c.escalation_id = e.id AND c.status = 'running' AND c.due_at < $1
		GROUP BY p.key`, timeArg(now))
}

// SchedulerLag is how long the most overdue running clock without an
// overdue notice has been due at now (0 for none): what the scheduler has
// yet to prompt about.
func (db *DB) SchedulerLag(ctx context.Context, now time.Time) (time.Duration, error) {
	var due time.Time
	err := db.db.QueryRowContext(ctx, `SELECT MIN(c.due_at) FROM clocks c
		WHERE c.status = 'running' AND c.due_at < $1
			AND NOT EXISTS (SELECT 1 FROM clock_notices n
				WHERE n.escalation_id = c.escalation_id AND n.clock_id = c.id AND n.kind = 'overdue')`,
		timeArg(now)).Scan(scanTime(&due))
	if err != nil || due.IsZero() {
		return 0, WrapError(err)
	}
	return now.Sub(due), nil
}

// Stats is the connection pool's state.
func (db *DB) Stats() sql.DBStats { return db.db.Stats() }

func (db *DB) countsByKey(ctx context.Context, query string, args ...any) (map[string]int64, error) {
	rows, err := db.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, WrapError(err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var key string
		var n int64
		if err := rows.Scan(&key, &n); err != nil {
			return nil, err
		}
		out[key] = n
	}
	return out, rows.Err()
}
