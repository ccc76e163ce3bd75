package main

import (
	"context"
	"log/slog"

	"github.com/escalate-project/escalate/sqlstore"
)

// optimize refreshes SQLite's planner statistics for a long-lived process
// (serve, worker). Opening a database no longer writes them, so that a
// command that only reads (audit verify) writes nothing; a failure, such as
// a full disk, is a warning: the queries still run, only slower.
func optimize(ctx context.Context, db *sqlstore.DB, log *slog.Logger) {
	if err := db.Optimize(ctx); err != nil {
		log.Warn("could not refresh the query planner's statistics", "err", err)
	}
}
