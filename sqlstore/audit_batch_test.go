package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
)

// TestAuditBatchContent: one transaction appends more events than one
// INSERT holds (auditBatch), to two chains at once, some with content and
// some without; after another chain's rows have taken seqs in between,
// every stored content sits with its own event (the database gives each
// row's seq, and audit_content is keyed by it), and the log verifies.
func TestAuditBatchContent(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		a, b := mustPartnership(t, db, "alpha"), mustPartnership(t, db, "beta")
		appendIn(t, db, b.ID, 1)
		n := auditBatch + 7
		err := db.WithTx(ctx, func(tx *Tx) error {
			for i := range n {
				for _, p := range []int64{a.ID, b.ID} {
					var content any
					if i%3 != 1 { // every third event has none
						content = map[string]any{"i": i, "chain": p}
					}
					if err := tx.AuditIn(p, "user:1", "test.batch", fmt.Sprintf("thing:%d", i), content); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		evs, err := db.AuditEvents(ctx, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		seen := 0
		for _, ev := range evs {
			if ev.Action != "test.batch" {
				continue
			}
			seen++
			var i int
			if _, err := fmt.Sscanf(ev.Object, "thing:%d", &i); err != nil {
				t.Fatalf("object %q: %v", ev.Object, err)
			}
			if i%3 == 1 {
				if ev.Content != nil {
					t.Errorf("event %d (chain %d) has content %s, want none", i, ev.Chain, ev.Content)
				}
				continue
			}
			var got struct{ I, Chain int64 }
			if err := json.Unmarshal(ev.Content, &got); err != nil {
				t.Fatalf("event %d (chain %d): content %q: %v", i, ev.Chain, ev.Content, err)
			}
			if got.I != int64(i) || got.Chain != ev.Chain {
				t.Errorf("event %d of chain %d holds the content of event %d of chain %d", i, ev.Chain, got.I, got.Chain)
			}
		}
		if seen != 2*n {
			t.Errorf("%d events stored, want %d", seen, 2*n)
		}
		mustVerifyAudit(t, db)
	})
}
