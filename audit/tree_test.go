package audit_test

import (
	"strings"
	"testing"

	"github.com/escalate-project/escalate/audit"
	"golang.org/x/mod/sumdb/tlog"
)

// memHashes is a tlog.HashReader over stored hashes kept in memory, as a
// store would keep them in a table.
type memHashes []tlog.Hash

func (m memHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		out[i] = m[x]
	}
	return out, nil
}

// mustStoredHashes builds tlog's stored hashes for entries with the exported
// StoredHashes helper.
func mustStoredHashes(tb testing.TB, entries []audit.Entry) memHashes {
	tb.Helper()
	var m memHashes
	for _, e := range entries {
		hs, err := audit.StoredHashes(e, m)
		if err != nil {
			tb.Fatal(err)
		}
		if int64(len(m)) != tlog.StoredHashIndex(0, e.Seq-1) {
			tb.Fatalf("seq %d: stored hashes misaligned", e.Seq)
		}
		m = append(m, hs...)
	}
	return m
}

// TestTreeMatchesTlog checks the streaming Tree against tlog's own tree
// hash, over its stored hashes, for every size up to 300.
func TestTreeMatchesTlog(t *testing.T) {
	es, _ := MustChain(t, 300)
	m := mustStoredHashes(t, es)
	var tree audit.Tree
	if tree.Root() != (tlog.Hash{}) {
		t.Error("empty tree has a non-zero root")
	}
	for _, e := range es {
		tree.Append(e)
		want, err := tlog.TreeHash(e.Seq, m)
		if err != nil {
			t.Fatal(err)
		}
		if tree.N() != e.Seq || tree.Root() != want {
			t.Fatalf("after seq %d: Tree has N %d, root %v; tlog.TreeHash = %v", e.Seq, tree.N(), tree.Root(), want)
		}
	}
}

func TestTreeResume(t *testing.T) {
	es, _ := MustChain(t, 77)
	var whole, part audit.Tree
	for _, e := range es {
		whole.Append(e)
	}
	for _, e := range es[:45] {
		part.Append(e)
	}
	state, err := part.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var resumed audit.Tree
	if err := resumed.UnmarshalBinary(state); err != nil {
		t.Fatal(err)
	}
	for _, e := range es[45:] {
		resumed.Append(e)
	}
	if resumed.N() != whole.N() || resumed.Root() != whole.Root() {
		t.Errorf("resumed tree: N %d root %v; want N %d root %v", resumed.N(), resumed.Root(), whole.N(), whole.Root())
	}

	tests := []struct {
		name  string
		state []byte
	}{
		{"ErrEmpty", nil},
		{"ErrShortHash", state[:len(state)-1]},
		{"ErrExtraHash", append(append([]byte{}, state...), make([]byte, 32)...)},
		{"ErrCountChanged", append([]byte{0, 0, 0, 0, 0, 0, 0, 47}, state[8:]...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var tr audit.Tree
			err := tr.UnmarshalBinary(tt.state)
			if err == nil || !strings.HasPrefix(err.Error(), "audit: tree state") {
				t.Errorf("UnmarshalBinary error = %v, want a tree state error", err)
			}
		})
	}
}

// TestConsistencyProofs shows that checkpoints are ordinary RFC 6962 tree
// heads: an auditor holding an old checkpoint can check a newer one with a
// tlog consistency proof made from the stored hashes, and a rewritten log
// cannot produce one.
func TestConsistencyProofs(t *testing.T) {
	es, _ := MustChain(t, 300)
	signer, verifier := MustKeys(t, "escalate-audit-test")
	sizes := []int{1, 7, 64, 100, 101, 250, 300}
	var cps []audit.Checkpoint
	for _, n := range sizes {
		cps = append(cps, MustCheckpoint(t, es, n, signer, verifier))
	}
	m := mustStoredHashes(t, es)
	for i := 1; i < len(cps); i++ {
		old, cur := cps[i-1], cps[i]
		p, err := tlog.ProveTree(cur.N, old.N, m)
		if err != nil {
			t.Fatal(err)
		}
		if err := tlog.CheckTree(p, cur.N, cur.Root, old.N, old.Root); err != nil {
			t.Errorf("checkpoint %d is not consistent with checkpoint %d: %v", cur.N, old.N, err)
		}
	}

	rewritten := append([]audit.Entry{}, es...)
	rewritten[50].Actor = "user:999"
	Reseal(rewritten, 50)
	var tree audit.Tree
	for _, e := range rewritten {
		tree.Append(e)
	}
	p, err := tlog.ProveTree(300, 100, mustStoredHashes(t, rewritten))
	if err != nil {
		t.Fatal(err)
	}
	if err := tlog.CheckTree(p, 300, tree.Root(), 100, cps[3].Root); err == nil {
		t.Error("a rewritten log proved consistent with the checkpoint at 100")
	}
}
