package audit_test

import (
	"fmt"
	"iter"
	"testing"
	"time"

	"github.com/escalate-project/escalate/audit"
)

// t0 is when every test log starts.
var t0 = time.Date(2026, 3, 30, 9, 0, 0, 0, time.UTC)

var actions = []string{"escalation.raise", "record.add", "escalation.view", "escalation.escalate", "clock.recompute"}

// MustChain returns a sealed log of n entries, a few seconds apart, with some
// entries sharing a time, and the content each commitment opens to.
func MustChain(tb testing.TB, n int) (entries []audit.Entry, contents []Content) {
	tb.Helper()
	var prev audit.Entry
	for i := range n {
		at := t0.Add(time.Duration(i/2) * 1500 * time.Millisecond)
		body := []byte(fmt.Sprintf(`{"note":"discussion %d with initials AB"}`, i))
		commitment, salt := audit.Commit(body)
		e, err := audit.Next(prev, fmt.Sprintf("user:%d", 1+i%7), actions[i%len(actions)],
			fmt.Sprintf("escalation:RB-2026-%04d", 1+i%13), at, commitment)
		if err != nil {
			tb.Fatal(err)
		}
		entries = append(entries, e)
		contents = append(contents, Content{Body: body, Salt: salt})
		prev = e
	}
	return entries, contents
}

// Content is what the store keeps in its erasable table for one entry.
type Content struct{ Body, Salt []byte }

// All yields entries in slice order, as a store's rows would come.
func All(entries []audit.Entry) iter.Seq2[audit.Entry, error] {
	return func(yield func(audit.Entry, error) bool) {
		for _, e := range entries {
			if !yield(e, nil) {
				return
			}
		}
	}
}

// MustKeys returns a fresh signer and verifier key pair.
func MustKeys(tb testing.TB, name string) (signer, verifier string) {
	tb.Helper()
	signer, verifier, err := audit.GenerateKey(name)
	if err != nil {
		tb.Fatal(err)
	}
	return signer, verifier
}

// MustCheckpoint signs a checkpoint over the first n entries with signer and
// opens it again with verifier, as the CLI does with the stored note.
func MustCheckpoint(tb testing.TB, entries []audit.Entry, n int, signer, verifier string) audit.Checkpoint {
	tb.Helper()
	var tree audit.Tree
	for _, e := range entries[:n] {
		tree.Append(e)
	}
	msg, err := audit.SignCheckpoint(signer, tree.N(), tree.Root(), entries[n-1].At)
	if err != nil {
		tb.Fatal(err)
	}
	c, err := audit.OpenCheckpoint(msg, verifier)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// Reseal recomputes every link and hash from index i on, as someone with
// full database access who rewrites the chain would.
func Reseal(entries []audit.Entry, i int) {
	for ; i < len(entries); i++ {
		var prev [32]byte
		if i > 0 {
			prev = entries[i-1].Hash
		}
		entries[i].Seal(prev)
	}
}
