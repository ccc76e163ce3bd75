package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate/audit"
)

// appendIn writes n events to partnership p's chain, one transaction each.
func appendIn(tb testing.TB, db *DB, p int64, n int) {
	tb.Helper()
	for i := range n {
		err := db.WithTx(context.Background(), func(tx *Tx) error {
			return tx.AuditIn(p, "user:1", "test.event", "thing:x", map[string]int{"i": i})
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
}

// TestAuditChains: each partnership's events form a chain of their own,
// numbered from 1, verifiable alone; a checkpoint signs each chain; a change
// to one chain is caught in that chain and named, and leaves the others
// verifying.
func TestAuditChains(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		a, b := mustPartnership(t, db, "alpha"), mustPartnership(t, db, "beta")
		appendIn(t, db, a.ID, 5)
		appendIn(t, db, b.ID, 3)
		mustAppend(t, db, 2) // the service-wide chain
		appendIn(t, db, a.ID, 2)

		rep, err := db.VerifyAudit(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		// partnership.add and partnership.policy open each partnership's chain.
		want := map[int64]int64{0: 2, a.ID: 2 + 5 + 2, b.ID: 2 + 3}
		if len(rep.Chains) != 3 || rep.N != 2+9+5 {
			t.Fatalf("chains %+v (%d events), want %v", rep.Chains, rep.N, want)
		}
		for _, c := range rep.Chains {
			if want[c.Chain] != c.N {
				t.Errorf("%s has %d events, want %d", ChainName(c.Chain), c.N, want[c.Chain])
			}
		}
		one, err := db.VerifyChain(ctx, b.ID, "")
		if err != nil || one.N != 5 {
			t.Fatalf("VerifyChain(beta) = %+v, %v; want 5 events", one, err)
		}

		signer, verifier := mustKeys(t)
		cps, err := db.Checkpoint(ctx, signer, verifier)
		if err != nil {
			t.Fatal(err)
		}
		if len(cps) != 3 {
			t.Fatalf("%d checkpoints, want one per chain", len(cps))
		}
		for _, c := range cps {
			if c.N != want[c.Chain] || !strings.HasPrefix(string(c.Note), c.Origin()+"\n") {
				t.Errorf("checkpoint %+v: want %d events and its chain named first", c.Checkpoint, want[c.Chain])
			}
		}
		// Nothing new: nothing to sign. One chain grows: one checkpoint.
		if cps, err := db.Checkpoint(ctx, signer, verifier); err != nil || len(cps) != 0 {
			t.Errorf("second checkpoint = %+v, %v; want none", cps, err)
		}
		appendIn(t, db, b.ID, 1)
		if cps, err := db.Checkpoint(ctx, signer, verifier); err != nil || len(cps) != 1 || cps[0].Chain != b.ID || cps[0].N != 6 {
			t.Errorf("checkpoint after beta grew = %+v, %v; want beta's at 6", cps, err)
		}
		if one, err := db.VerifyChain(ctx, b.ID, verifier); err != nil || one.Checkpoints != 2 {
			t.Errorf("VerifyChain(beta) with the key = %+v, %v; want 2 checkpoints", one, err)
		}

		t.Run("ErrCheckpointOfAnotherChain", func(t *testing.T) {
			// A note signed for alpha stored as beta's does not pass.
			mustExec(t, db, `INSERT INTO audit_checkpoints (chain, n, root, note, created) VALUES ($1, $2, $3, $4, $5)`,
				b.ID, cps[1].N, cps[1].Root[:], string(cps[1].Note), timeArg(testNow))
			var ce *CheckpointError
			if _, err := db.VerifyAudit(ctx, verifier); !errors.As(err, &ce) {
				t.Errorf("VerifyAudit = %v, want a CheckpointError", err)
			}
		})

		t.Run("TamperOneChain", func(t *testing.T) {
			dropAuditGuards(t, db)
			mustExec(t, db, `UPDATE audit_events SET actor = 'user:9' WHERE chain = $1 AND chain_seq = 3`, a.ID)
			_, err := db.VerifyAudit(ctx, "")
			var ce *ChainError
			if !errors.As(err, &ce) || ce.Chain != a.ID {
				t.Fatalf("VerifyAudit = %v, want alpha's chain named", err)
			}
			wantFailure(t, err, 3, "hash does not match")
			if _, err := db.VerifyChain(ctx, b.ID, ""); err != nil {
				t.Errorf("beta's chain after alpha's was changed: %v", err)
			}
		})
	})
}

// TestAuditChainLocks: on PostgreSQL a transaction holds a chain's lock
// only while it commits, and only that chain's: a transaction that has
// logged an event in one partnership (as every change and every audited
// view does) and is still at work holds up nobody; one committing to a
// partnership's chain holds up that chain's writers, and no other
// partnership's.
func TestAuditChainLocks(t *testing.T) {
	db := MustOpenDB(t, Postgres)
	ctx := context.Background()
	a, b := mustPartnership(t, db, "alpha"), mustPartnership(t, db, "beta")
	// hold runs a transaction that calls fn, then waits for release.
	hold := func(fn func(tx *Tx) error) (holding, release chan struct{}, done chan error) {
		holding, release, done = make(chan struct{}), make(chan struct{}), make(chan error, 1)
		go func() {
			done <- db.WithTx(ctx, func(tx *Tx) error {
				if err := fn(tx); err != nil {
					return err
				}
				close(holding)
				<-release
				return nil
			})
		}()
		<-holding
		return holding, release, done
	}
	write := func(p int64) chan error {
		c := make(chan error, 1)
		go func() {
			c <- db.WithTx(ctx, func(tx *Tx) error { return tx.AuditIn(p, "user:2", "test.write", "thing:x", nil) })
		}()
		return c
	}
	// Bounded: a write that waited on a lock never released would never
	// finish, so 30 s is a deadlock, not a slow machine.
	wantDone := func(what string, c chan error) {
		t.Helper()
		select {
		case err := <-c:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("%s waited", what)
		}
	}

	// An audited view in alpha, its transaction still open: alpha's
	// writers go on.
	_, release, done := hold(func(tx *Tx) error {
		return tx.AuditIn(a.ID, "user:1", "escalation.view", "escalation:A-1", nil)
	})
	wantDone("a write to alpha's chain, beside an open audited view in alpha,", write(a.ID))
	close(release)
	wantDone("the view", done)

	// A transaction committing to alpha's chain (holding the lock its
	// commit takes): beta's writers go on, alpha's wait for it.
	_, release, done = hold(func(tx *Tx) error { _, err := tx.lastAudit(a.ID); return err })
	wantDone("a write to beta's chain, while alpha's is locked,", write(b.ID))
	same := write(a.ID)
	select {
	case err := <-same:
		close(release)
		t.Fatalf("a write to alpha's chain went through while its lock was held (err %v)", err)
	case <-time.After(200 * time.Millisecond):
	}
	close(release)
	wantDone("the lock holder", done)
	wantDone("the write to alpha's chain once the lock was released", same)
	if _, err := db.VerifyAudit(ctx, ""); err != nil {
		t.Fatal(err)
	}
}

// TestAuditChainsUpgrade: a log written before there were chains (one
// chain, no chain columns) and its checkpoint, signed in the old form, verify
// after the migration as the service-wide chain, which new service-wide
// events extend.
func TestAuditChainsUpgrade(t *testing.T) {
	forEachEngine(t, func(t *testing.T, _ *DB) {
		ctx := context.Background()
		var dsn string
		if t.Name() == "TestAuditChainsUpgrade/postgres" {
			dsn = newEmptyPostgresDB(t)
		} else {
			dsn = t.TempDir() + "/old.db"
		}
		db, err := Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.MigrateTo(ctx, 30); err != nil {
			t.Fatal(err)
		}
		var prev audit.Entry
		for i := range 4 {
			e, err := audit.Next(prev, "cli:admin", "test.old", "thing:old", testNow.Add(time.Duration(i)*time.Second), [32]byte{})
			if err != nil {
				t.Fatal(err)
			}
			mustExec(t, db, `INSERT INTO audit_events (seq, at, actor, action, object, commitment, prev_hash, hash)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, e.Seq, timeArg(e.At), e.Actor, e.Action, e.Object,
				e.Commitment[:], e.Prev[:], e.Hash[:])
			prev = e
		}
		signer, verifier := mustKeys(t)
		tree := audit.Tree{}
		for ev, err := range db.auditEventsBefore31(ctx) {
			if err != nil {
				t.Fatal(err)
			}
			tree.Append(ev)
		}
		root := tree.Root()
		note, err := audit.SignCheckpoint(signer, 4, root, testNow.Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		mustExec(t, db, `INSERT INTO audit_checkpoints (n, root, note, created) VALUES ($1, $2, $3, $4)`,
			4, root[:], string(note), timeArg(testNow))
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		db.Now = steppingClock(testNow.Add(time.Hour), time.Millisecond)
		mustAppend(t, db, 2)
		rep, err := db.VerifyAudit(ctx, verifier)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Chains) != 1 || rep.Chains[0].N != 6 || rep.Checkpoints != 1 || rep.LastCheckpoint != 4 {
			t.Errorf("after the upgrade: %+v, want the service-wide chain of 6 with its old checkpoint at 4", rep)
		}
	})
}

// auditEventsBefore31 reads the log as it was before migration 00031.
func (db *DB) auditEventsBefore31(ctx context.Context) func(yield func(audit.Entry, error) bool) {
	return func(yield func(audit.Entry, error) bool) {
		rows, err := db.db.QueryContext(ctx, `SELECT seq, at, actor, action, object, commitment, prev_hash, hash FROM audit_events ORDER BY seq`)
		if err != nil {
			yield(audit.Entry{}, err)
			return
		}
		defer rows.Close()
		for rows.Next() {
			var e audit.Entry
			var c, p, h []byte
			if err := rows.Scan(&e.Seq, scanTime(&e.At), &e.Actor, &e.Action, &e.Object, &c, &p, &h); err != nil {
				yield(e, err)
				return
			}
			copy(e.Commitment[:], c)
			copy(e.Prev[:], p)
			copy(e.Hash[:], h)
			if !yield(e, nil) {
				return
			}
		}
	}
}

// newEmptyPostgresDB returns the URL of a new, empty (unmigrated)
// PostgreSQL database, dropped when tb ends. The harness must already be up
// (forEachEngine's MustOpenDB has run).
func newEmptyPostgresDB(tb testing.TB) string {
	tb.Helper()
	pg.Lock()
	defer pg.Unlock()
	pg.n++
	name := fmt.Sprintf("escalate_e_%d_%d", os.Getpid(), pg.n)
	if _, err := pg.admin.Exec("CREATE DATABASE " + name); err != nil {
		tb.Fatalf("create empty database: %v", err)
	}
	tb.Cleanup(func() {
		if _, err := pg.admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			tb.Errorf("drop test database: %v", err)
		}
	})
	return pg.url(name)
}
