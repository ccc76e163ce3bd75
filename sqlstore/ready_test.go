package sqlstore

import (
	"context"
	"database/sql"
	"strconv"
	"testing"

	"github.com/escalate-project/escalate"
	"github.com/jackc/pgx/v5/pgconn"
)

// TestDiskFull: a write refused for want of space is EUNAVAILABLE, and Ping
// (/readyz) fails until a write goes through again. On SQLite the disk is
// filled for real, as far as SQLite can tell: max_page_count caps the file
// and SQLite answers SQLITE_FULL. PostgreSQL's disk cannot be filled from
// a test; there its code (53100) is mapped and the probe write is run.
func TestDiskFull(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		if err := db.Ping(ctx); err != nil {
			t.Fatalf("Ping on a fresh database: %v", err)
		}
		if db.Dialect() == Postgres {
			err := db.noteWrite(&pgconn.PgError{Code: "53100", Message: "could not extend file"})
			wantCode(t, WrapError(err), escalate.EUNAVAILABLE)
			if err := db.Ping(ctx); err != nil {
				t.Fatalf("Ping after the disk took a write again: %v", err)
			}
			if db.ready.full.Load() {
				t.Error("still marked full after a probe write succeeded")
			}
			return
		}
		var pages int64
		if err := db.db.QueryRow(`PRAGMA page_count`).Scan(&pages); err != nil {
			t.Fatal(err)
		}
		capPages(t, db, pages)
		// Add agencies until the file cannot grow.
		p := mustPartnership(t, db, "full")
		var err error
		for i := 0; i < 10000 && err == nil; i++ {
			err = db.CreateAgency(ctx, &escalate.Agency{PartnershipID: p.ID, Name: "Agency " + strconv.Itoa(i) +
				" with a long name to fill the pages quickly, quickly, quickly", Kind: "school"})
		}
		if err == nil {
			t.Fatal("10000 agencies fitted in a capped file")
		}
		wantCode(t, err, escalate.EUNAVAILABLE)
		if msg := escalate.ErrorMessage(err); msg != errDiskFull.Message {
			t.Errorf("message %q", msg)
		}
		err = db.Ping(ctx)
		if escalate.ErrorCode(err) != escalate.EUNAVAILABLE {
			t.Fatalf("Ping while the disk is full = %v, want EUNAVAILABLE", err)
		}
		// Space again: the next Ping's probe write succeeds.
		capPages(t, db, 1000000)
		if err := db.Ping(ctx); err != nil {
			t.Fatalf("Ping once there is space again: %v", err)
		}
		if err := db.CreateAgency(ctx, &escalate.Agency{PartnershipID: p.ID, Name: "After", Kind: "school"}); err != nil {
			t.Fatalf("a write once there is space again: %v", err)
		}
	})
}

// capPages sets max_page_count on both of the pool's connections (a
// connection setting), so that it holds for every statement.
func capPages(t *testing.T, db *DB, pages int64) {
	t.Helper()
	ctx := context.Background()
	db.db.SetMaxOpenConns(2)
	db.db.SetMaxIdleConns(2)
	a, err := db.db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := db.db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for _, c := range []*sql.Conn{a, b} {
		if _, err := c.ExecContext(ctx, `PRAGMA max_page_count = `+strconv.FormatInt(pages, 10)); err != nil {
			t.Fatal(err)
		}
	}
}
