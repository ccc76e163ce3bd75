package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/escalate-project/escalate/audit"
)

// mustAppend writes n audit events, one transaction each.
func mustAppend(tb testing.TB, db *DB, n int) {
	tb.Helper()
	for i := range n {
		err := db.WithTx(context.Background(), func(tx *Tx) error {
			return tx.Audit("user:1", "test.event", fmt.Sprintf("thing:%d", i), map[string]int{"i": i})
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
}

// mustKeys returns a new signer and verifier key pair.
func mustKeys(tb testing.TB) (signer, verifier string) {
	tb.Helper()
	signer, verifier, err := audit.GenerateKey("escalate-test")
	if err != nil {
		tb.Fatal(err)
	}
	return signer, verifier
}

// wantFailure fails tb unless err is an audit failure at seq whose reason
// contains reason.
func wantFailure(tb testing.TB, err error, seq int64, reason string) {
	tb.Helper()
	var f *audit.Failure
	if !errors.As(err, &f) {
		tb.Fatalf("VerifyAudit error = %v, want an *audit.Failure at seq %d", err, seq)
	}
	if f.Seq != seq || !strings.Contains(f.Reason, reason) {
		tb.Fatalf("VerifyAudit failure = %q, want seq %d: …%s…", f.Error(), seq, reason)
	}
}

func TestAudit(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		t.Run("OK", func(t *testing.T) {
			mustAppend(t, db, 5)
			rep, err := db.VerifyAudit(ctx, "")
			if err != nil {
				t.Fatal(err)
			}
			if rep.N != 5 {
				t.Errorf("N = %d, want 5", rep.N)
			}
			evs, err := db.AuditEvents(ctx, 2, 3)
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) != 2 || evs[0].Seq != 2 || evs[1].Object != "thing:2" || string(evs[1].Content) != `{"i":2}` {
				t.Errorf("AuditEvents(2, 3) = %+v", evs)
			}
		})
		t.Run("RollbackWritesNothing", func(t *testing.T) {
			before := countRows(t, db, "audit_events")
			boom := errors.New("boom")
			err := db.WithTx(ctx, func(tx *Tx) error {
				if err := tx.Audit("user:1", "test.event", "x", nil); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("WithTx = %v, want boom", err)
			}
			if got := countRows(t, db, "audit_events"); got != before {
				t.Errorf("audit_events has %d rows after a rollback, want %d", got, before)
			}
			mustAppend(t, db, 1) // the next event takes the seq the rollback freed
			if _, err := db.VerifyAudit(ctx, ""); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("ManyInOneTx", func(t *testing.T) {
			before := countRows(t, db, "audit_events")
			err := db.WithTx(ctx, func(tx *Tx) error {
				for i := range 3 {
					if err := tx.Audit("system", "test.batch", fmt.Sprint(i), nil); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			rep, err := db.VerifyAudit(ctx, "")
			if err != nil {
				t.Fatal(err)
			}
			if rep.N != int64(before+3) {
				t.Errorf("N = %d, want %d", rep.N, before+3)
			}
		})
		t.Run("ErrBadField", func(t *testing.T) {
			err := db.WithTx(ctx, func(tx *Tx) error { return tx.Audit("", "test.event", "x", nil) })
			if err == nil {
				t.Fatal("Audit with no actor: no error")
			}
		})
	})
}

// TestAuditConcurrent has many writers append at once: the sequence must
// stay gapless and the chain whole on both engines.
func TestAuditConcurrent(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		const writers, each = 8, 10
		var wg sync.WaitGroup
		errs := make(chan error, writers*each)
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					errs <- db.WithTx(context.Background(), func(tx *Tx) error {
						return tx.Audit(fmt.Sprintf("user:%d", w), "test.concurrent", fmt.Sprint(i), i)
					})
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		rep, err := db.VerifyAudit(context.Background(), "")
		if err != nil {
			t.Fatal(err)
		}
		if rep.N != writers*each {
			t.Errorf("N = %d, want %d", rep.N, writers*each)
		}
	})
}

// TestAuditAppendOnly checks that the database itself refuses to change or
// remove audit rows, whoever asks.
func TestAuditAppendOnly(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		mustAppend(t, db, 3)
		signer, verifier := mustKeys(t)
		if _, err := db.Checkpoint(ctx, signer, verifier); err != nil {
			t.Fatal(err)
		}
		refused := []struct{ name, sql string }{
			{"UpdateEvent", `UPDATE audit_events SET actor = 'user:2' WHERE seq = 2`},
			{"DeleteEvent", `DELETE FROM audit_events WHERE seq = 3`},
			{"DeleteAllEvents", `DELETE FROM audit_events`},
			{"ChangeContent", `UPDATE audit_content SET content = $1 WHERE seq = 2`},
			{"DeleteContent", `DELETE FROM audit_content WHERE seq = 2`},
			{"UpdateCheckpoint", `UPDATE audit_checkpoints SET n = 2`},
			{"DeleteCheckpoint", `DELETE FROM audit_checkpoints`},
		}
		if db.dialect == Postgres {
			refused = append(refused,
				struct{ name, sql string }{"TruncateEvents", `TRUNCATE audit_events CASCADE`},
				struct{ name, sql string }{"TruncateContent", `TRUNCATE audit_content`},
				struct{ name, sql string }{"TruncateCheckpoints", `TRUNCATE audit_checkpoints`},
			)
		}
		for _, tt := range refused {
			t.Run(tt.name, func(t *testing.T) {
				var args []any
				if strings.Contains(tt.sql, "$1") {
					args = append(args, []byte(`{"i":99}`))
				}
				_, err := db.db.ExecContext(ctx, tt.sql, args...)
				if err == nil || !strings.Contains(err.Error(), "append-only") && !strings.Contains(err.Error(), "may only be erased") {
					t.Fatalf("%s: err = %v, want it refused", tt.sql, err)
				}
			})
		}
		if got := countRows(t, db, "audit_events"); got != 3 {
			t.Errorf("audit_events has %d rows, want 3", got)
		}
		if _, err := db.VerifyAudit(ctx, verifier); err != nil {
			t.Errorf("VerifyAudit after refused changes: %v", err)
		}

		t.Run("EraseContent", func(t *testing.T) {
			n, err := db.EraseAuditContent(ctx, "thing:1") // seq 2
			if err != nil || n != 1 {
				t.Fatalf("EraseAuditContent = %d, %v; want 1", n, err)
			}
			if _, err := db.VerifyAudit(ctx, verifier); err != nil {
				t.Errorf("VerifyAudit after erasure: %v", err)
			}
			evs, err := db.AuditEvents(ctx, 1, 0)
			if err != nil || len(evs) != 4 || evs[1].Content != nil || evs[1].Salt != nil || evs[0].Content == nil {
				t.Fatalf("after erasure: %+v, %v; want seq 2 erased, seq 1 kept", evs, err)
			}
			if last := evs[3]; last.Action != "audit.erase" || last.Object != "thing:1" {
				t.Errorf("erasure recorded as %+v", last.Entry)
			}
			if n, err := db.EraseAuditContent(ctx, "thing:1"); err != nil || n != 0 {
				t.Errorf("second erasure = %d, %v; want 0", n, err)
			}
		})
	})
}

// dropAuditGuards removes the append-only triggers, as someone with full
// access to the database could, so the tamper tests can change rows.
func dropAuditGuards(tb testing.TB, db *DB) {
	tb.Helper()
	stmts := []string{
		`DROP TRIGGER audit_events_no_update`, `DROP TRIGGER audit_events_no_delete`,
		`DROP TRIGGER audit_content_erase_only`, `DROP TRIGGER audit_content_no_delete`,
		`DROP TRIGGER audit_checkpoints_no_update`, `DROP TRIGGER audit_checkpoints_no_delete`,
	}
	if db.dialect == Postgres {
		stmts = []string{
			`ALTER TABLE audit_events DISABLE TRIGGER USER`,
			`ALTER TABLE audit_content DISABLE TRIGGER USER`,
			`ALTER TABLE audit_checkpoints DISABLE TRIGGER USER`,
		}
	}
	for _, s := range stmts {
		if _, err := db.db.Exec(s); err != nil {
			tb.Fatalf("%s: %v", s, err)
		}
	}
}

// reseal recomputes the hash chain from seq from onwards, as an attacker who
// rewrote an event would to hide it from the chain check.
func reseal(tb testing.TB, db *DB, from int64) {
	tb.Helper()
	ctx := context.Background()
	evs, err := db.AuditEvents(ctx, 1, 0)
	if err != nil {
		tb.Fatal(err)
	}
	var prev [32]byte
	for _, ev := range evs {
		e := ev.Entry
		if e.Seq >= from {
			e.Seal(prev)
			if _, err := db.db.ExecContext(ctx, `UPDATE audit_events SET prev_hash = $1, hash = $2 WHERE seq = $3`,
				e.Prev[:], e.Hash[:], e.Seq); err != nil {
				tb.Fatal(err)
			}
		}
		prev = e.Hash
	}
}

// TestAuditTamper changes the stored log the ways an attacker with full
// database access could, and checks each is caught at the right seq.
func TestAuditTamper(t *testing.T) {
	const n = 12
	tests := []struct {
		name   string
		tamper func(t *testing.T, db *DB)
		seq    int64
		reason string
	}{
		{"FlipActor", func(t *testing.T, db *DB) {
			mustExec(t, db, `UPDATE audit_events SET actor = 'user:2' WHERE seq = 5`)
		}, 5, "hash does not match"},
		{"FlipHashByte", func(t *testing.T, db *DB) {
			evs, _ := db.AuditEvents(context.Background(), 5, 5)
			h := evs[0].Hash
			h[3] ^= 0x10
			mustExec(t, db, `UPDATE audit_events SET hash = $1 WHERE seq = 5`, h[:])
		}, 5, "hash does not match"},
		{"ShortHash", func(t *testing.T, db *DB) {
			mustExec(t, db, `UPDATE audit_events SET commitment = $1 WHERE seq = 4`, []byte("short"))
		}, 4, "has 5 bytes"},
		{"ChangeTime", func(t *testing.T, db *DB) {
			mustExec(t, db, `UPDATE audit_events SET at = $1 WHERE seq = 7`, timeArg(testNow.Add(-1)))
		}, 7, "hash does not match"},
		{"ChangeContent", func(t *testing.T, db *DB) {
			mustExec(t, db, `UPDATE audit_content SET content = $1 WHERE seq = 6`, []byte(`{"i":42}`))
		}, 6, "content does not match"},
		{"DeleteRow", func(t *testing.T, db *DB) {
			mustExec(t, db, `DELETE FROM audit_content WHERE seq = 5`)
			mustExec(t, db, `DELETE FROM audit_events WHERE seq = 5`)
		}, 5, "missing"},
		{"DeleteFirstRow", func(t *testing.T, db *DB) {
			mustExec(t, db, `DELETE FROM audit_content WHERE seq = 1`)
			mustExec(t, db, `DELETE FROM audit_events WHERE seq = 1`)
		}, 1, "missing"},
		{"Reorder", func(t *testing.T, db *DB) {
			// Swap events 5 and 6, content and all: each seq holds the
			// other's event.
			evs, _ := db.AuditEvents(context.Background(), 5, 6)
			for i, ev := range evs {
				o := evs[1-i]
				mustExec(t, db, `UPDATE audit_events SET at = $1, actor = $2, action = $3, object = $4,
					commitment = $5, prev_hash = $6, hash = $7 WHERE seq = $8`,
					timeArg(o.At), o.Actor, o.Action, o.Object, o.Commitment[:], o.Prev[:], o.Hash[:], ev.Seq)
				mustExec(t, db, `UPDATE audit_content SET salt = $1, content = $2 WHERE seq = $3`, o.Salt, o.Content, ev.Seq)
			}
		}, 5, "previous hash does not match seq 4"},
		{"TruncateAfterCheckpoint", func(t *testing.T, db *DB) {
			mustExec(t, db, `DELETE FROM audit_content WHERE seq > 8`)
			mustExec(t, db, `DELETE FROM audit_events WHERE seq > 8`)
		}, 9, "truncated"},
		{"RewriteChain", func(t *testing.T, db *DB) {
			mustExec(t, db, `UPDATE audit_events SET actor = 'user:2' WHERE seq = 3`)
			reseal(t, db, 3)
		}, n, "log rewritten"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			forEachEngine(t, func(t *testing.T, db *DB) {
				ctx := context.Background()
				signer, verifier := mustKeys(t)
				mustAppend(t, db, n)
				if _, err := db.Checkpoint(ctx, signer, verifier); err != nil {
					t.Fatal(err)
				}
				dropAuditGuards(t, db)
				tt.tamper(t, db)
				_, err := db.VerifyAudit(ctx, verifier)
				wantFailure(t, err, tt.seq, tt.reason)
			})
		})
	}
}

func TestCheckpoint(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		signer, verifier := mustKeys(t)
		mustAppend(t, db, 4)
		cps, err := db.Checkpoint(ctx, signer, verifier)
		if err != nil {
			t.Fatal(err)
		}
		if len(cps) != 1 || cps[0].Chain != 0 || cps[0].N != 4 || len(cps[0].Note) == 0 {
			t.Errorf("checkpoints = %+v, want one of the service-wide chain's 4 events", cps)
		}
		mustAppend(t, db, 3)
		if _, err := db.Checkpoint(ctx, signer, verifier); err != nil {
			t.Fatal(err)
		}
		mustAppend(t, db, 2)
		t.Run("OK", func(t *testing.T) {
			rep, err := db.VerifyAudit(ctx, verifier)
			if err != nil {
				t.Fatal(err)
			}
			if rep.N != 9 || rep.Checkpoints != 2 || rep.LastCheckpoint != 7 || rep.Unchecked != 0 {
				t.Errorf("report = %+v", rep)
			}
		})
		t.Run("NoKey", func(t *testing.T) {
			rep, err := db.VerifyAudit(ctx, "")
			if err != nil || rep.Unchecked != 2 || rep.Checkpoints != 0 {
				t.Errorf("report = %+v, %v; want 2 unchecked", rep, err)
			}
		})
		t.Run("ErrOtherKey", func(t *testing.T) {
			_, other := mustKeys(t)
			_, err := db.VerifyAudit(ctx, other)
			var ce *CheckpointError
			if !errors.As(err, &ce) || ce.ID == 0 {
				t.Errorf("VerifyAudit with another key = %v, want a CheckpointError", err)
			}
		})
		t.Run("ErrMismatchedPair", func(t *testing.T) {
			_, other := mustKeys(t)
			before := countRows(t, db, "audit_checkpoints")
			if _, err := db.Checkpoint(ctx, signer, other); err == nil {
				t.Error("Checkpoint with a verifier of another key: no error")
			}
			if countRows(t, db, "audit_checkpoints") != before {
				t.Error("a refused checkpoint was stored")
			}
		})
		t.Run("ErrForged", func(t *testing.T) {
			forger, _ := mustKeys(t)
			rep, _ := db.VerifyAudit(ctx, verifier)
			forged, err := audit.SignCheckpoint(forger, rep.N, rep.Root, testNow)
			if err != nil {
				t.Fatal(err)
			}
			mustExec(t, db, `INSERT INTO audit_checkpoints (n, root, note, created) VALUES ($1, $2, $3, $4)`,
				rep.N, rep.Root[:], string(forged), timeArg(testNow))
			var ce *CheckpointError
			if _, err := db.VerifyAudit(ctx, verifier); !errors.As(err, &ce) {
				t.Errorf("VerifyAudit with a forged checkpoint = %v, want a CheckpointError", err)
			}
			if _, err := db.Checkpoint(ctx, signer, verifier); err == nil {
				t.Error("Checkpoint signed a log with a forged checkpoint")
			}
		})
	})
}
