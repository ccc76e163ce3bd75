package audit_test

import (
	"testing"
	"time"

	"github.com/escalate-project/escalate/audit"
)

// BenchmarkAppend measures what the store does per event besides SQL: seal
// the entry onto the chain and add it to the checkpoint tree.
func BenchmarkAppend(b *testing.B) {
	commitment, _ := audit.Commit([]byte(`{"note":"discussed the strategy meeting outcome"}`))
	var prev audit.Entry
	var tree audit.Tree
	at := t0
	for b.Loop() {
		e, err := audit.Next(prev, "user:42", "record.add", "escalation:RB-2026-0001", at, commitment)
		if err != nil {
			b.Fatal(err)
		}
		tree.Append(e)
		prev = e
		at = at.Add(time.Millisecond)
	}
}

// BenchmarkCommit measures committing to an event's content.
func BenchmarkCommit(b *testing.B) {
	content := []byte(`{"note":"discussed the strategy meeting outcome"}`)
	for b.Loop() {
		audit.Commit(content)
	}
}

// BenchmarkVerify100k verifies a log of 100,000 entries with a checkpoint
// every 10,000; ns/entry is the figure to compare with the store's read rate.
func BenchmarkVerify100k(b *testing.B) {
	const n = 100_000
	es, _ := MustChain(b, n)
	signer, verifier := MustKeys(b, "escalate-audit-bench")
	var cps []audit.Checkpoint
	for k := 10_000; k <= n; k += 10_000 {
		cps = append(cps, MustCheckpoint(b, es, k, signer, verifier))
	}
	b.ReportAllocs()
	for b.Loop() {
		res, err := audit.Verify(All(es), cps)
		if err != nil || res.N != n {
			b.Fatalf("Verify = %+v, %v", res, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/entry")
}
