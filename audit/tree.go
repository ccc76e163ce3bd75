package audit

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"

	"golang.org/x/mod/sumdb/tlog"
)

// LeafHash returns the tlog record hash of e: the Merkle leaf for entry
// e.Seq, at tlog index e.Seq-1. Its record data is e.Hash, which already
// commits to every field, so the tree needs no second encoding.
func LeafHash(e Entry) tlog.Hash { return tlog.RecordHash(e.Hash[:]) }

// StoredHashes returns the tlog stored hashes to persist when entry e (the
// n-th record, n = e.Seq-1) is added to a tree whose earlier stored hashes r
// can read. It is for a store that keeps a table of stored hashes, indexed by
// tlog.StoredHashIndex(0, n) onwards, to serve tlog.TreeHash and proofs.
func StoredHashes(e Entry, r tlog.HashReader) ([]tlog.Hash, error) {
	if e.Seq < 1 {
		return nil, fmt.Errorf("audit: stored hashes for seq %d", e.Seq)
	}
	return tlog.StoredHashesForRecordHash(e.Seq-1, LeafHash(e), r)
}

// Tree accumulates the Merkle tree head of a log one entry at a time. It
// holds only the roots of the complete subtrees on the tree's right edge, one
// per set bit of N, so memory is O(log N) and Append is amortised O(1). Its
// Root equals tlog.TreeHash over the same records. The zero Tree is empty.
type Tree struct {
	n     int64
	edges []tlog.Hash // largest subtree first
}

// N returns how many entries the tree holds.
func (t *Tree) N() int64 { return t.n }

// Append adds e as the next leaf. It is the caller's business that
// e.Seq == t.N()+1; Verify checks that.
func (t *Tree) Append(e Entry) { t.AppendLeaf(LeafHash(e)) }

// AppendLeaf adds a leaf hash computed by LeafHash.
func (t *Tree) AppendLeaf(h tlog.Hash) {
	// Each trailing 1 bit of n is a complete subtree the new leaf completes.
	for k := bits.TrailingZeros64(^uint64(t.n)); k > 0; k-- {
		last := len(t.edges) - 1
		h = tlog.NodeHash(t.edges[last], h)
		t.edges = t.edges[:last]
	}
	t.edges = append(t.edges, h)
	t.n++
}

// Root returns the tree head: the RFC 6962 Merkle tree hash of the N leaves,
// the zero Hash when N is 0.
func (t *Tree) Root() tlog.Hash {
	if len(t.edges) == 0 {
		return tlog.Hash{}
	}
	h := t.edges[len(t.edges)-1]
	for i := len(t.edges) - 2; i >= 0; i-- {
		h = tlog.NodeHash(t.edges[i], h)
	}
	return h
}

// MarshalBinary encodes the tree's state: N as 8 bytes big-endian, then the
// edge hashes. A store can keep it beside a checkpoint and resume from there
// instead of rereading the whole log.
func (t *Tree) MarshalBinary() ([]byte, error) {
	b := binary.BigEndian.AppendUint64(make([]byte, 0, 8+32*len(t.edges)), uint64(t.n))
	for _, h := range t.edges {
		b = append(b, h[:]...)
	}
	return b, nil
}

// UnmarshalBinary restores a state written by MarshalBinary.
func (t *Tree) UnmarshalBinary(b []byte) error {
	if len(b) < 8 {
		return errors.New("audit: tree state too short")
	}
	n := binary.BigEndian.Uint64(b)
	if n > 1<<62 || len(b) != 8+32*bits.OnesCount64(n) {
		return fmt.Errorf("audit: tree state of %d bytes does not fit %d entries", len(b), n)
	}
	t.n = int64(n)
	t.edges = make([]tlog.Hash, 0, bits.OnesCount64(n))
	for b = b[8:]; len(b) > 0; b = b[32:] {
		t.edges = append(t.edges, tlog.Hash(b[:32]))
	}
	return nil
}
