package audit

import (
	"cmp"
	"errors"
	"fmt"
	"iter"
	"slices"

	"golang.org/x/mod/sumdb/tlog"
)

// Result is what Verify found in an intact log.
type Result struct {
	N              int64     // entries verified
	Root           tlog.Hash // tree head of all N entries: what a new checkpoint signs
	Last           [32]byte  // Hash of entry N, the zero hash for an empty log
	Checkpoints    int       // checkpoints checked
	LastCheckpoint int64     // N of the latest checkpoint, 0 when there is none
}

// Failure is the first thing Verify found wrong: the sequence number where
// the log stops being trustworthy, and why.
type Failure struct {
	Seq    int64
	Reason string
}

// Error returns "seq N: reason".
func (f *Failure) Error() string { return fmt.Sprintf("seq %d: %s", f.Seq, f.Reason) }

func failf(seq int64, format string, args ...any) *Failure {
	return &Failure{Seq: seq, Reason: fmt.Sprintf(format, args...)}
}

// Verify reads the whole log in sequence order and checks that the sequence
// starts at 1 without gaps, each entry links to the Hash of the one before,
// each Hash matches its entry's contents, each entry is valid, time never
// goes backwards, and every checkpoint's tree head equals the tree head of
// the first N entries. Because every checkpoint is recomputed from the one
// log, each older checkpoint's tree is a prefix of each newer one's.
//
// checkpoints must already be opened with OpenCheckpoint, so their
// signatures are known good; their order does not matter.
//
// A problem in the log is returned as a *Failure naming the first bad
// sequence number. entries may yield a *Failure of its own, for tampering
// only the store can see (a stored hash of the wrong length, content that
// does not open its commitment); it is returned as it is. Any other error
// from entries is returned wrapped.
// Verify streams: memory is O(log N) whatever the length of the log.
func Verify(entries iter.Seq2[Entry, error], checkpoints []Checkpoint) (Result, error) {
	for _, c := range checkpoints {
		if c.N < 0 {
			return Result{}, fmt.Errorf("audit: checkpoint of %d entries", c.N)
		}
	}
	cps := slices.Clone(checkpoints)
	slices.SortStableFunc(cps, func(a, b Checkpoint) int { return cmp.Compare(a.N, b.N) })

	var (
		tree Tree
		prev Entry // the zero Entry stands before seq 1
		next int   // index of the first checkpoint not yet checked
		good int64 // N of the last checkpoint that matched
	)
	checkpoint := func() *Failure {
		for ; next < len(cps) && cps[next].N == tree.N(); next++ {
			c := cps[next]
			if c.Root != tree.Root() {
				return failf(c.N, "tree head differs from the signed checkpoint at %d: an event in %d..%d was changed and the chain recomputed (log rewritten)", c.N, good+1, c.N)
			}
			good = c.N
		}
		return nil
	}
	if f := checkpoint(); f != nil {
		return Result{}, f
	}
	for e, err := range entries {
		if f, ok := errors.AsType[*Failure](err); ok {
			return Result{}, f // tampering the reader found, such as a hash of the wrong length
		} else if err != nil {
			return Result{}, fmt.Errorf("audit: reading the entry after seq %d: %w", prev.Seq, err)
		}
		if f := check(&prev, &e); f != nil {
			return Result{}, f
		}
		tree.Append(e)
		prev = e
		if f := checkpoint(); f != nil {
			return Result{}, f
		}
	}
	if next < len(cps) {
		c := cps[len(cps)-1]
		return Result{}, failf(tree.N()+1, "missing: the signed checkpoint at %d covers %d events but the log has only %d (truncated)", c.N, c.N, tree.N())
	}
	return Result{
		N:              tree.N(),
		Root:           tree.Root(),
		Last:           prev.Hash,
		Checkpoints:    len(cps),
		LastCheckpoint: good,
	}, nil
}

// check returns what is wrong with e coming after prev, if anything, in the
// order that names the most specific cause: position, link, contents, time.
func check(prev, e *Entry) *Failure {
	want := prev.Seq + 1
	switch {
	case e.Seq > want && prev.Seq == 0:
		return failf(want, "missing (the log starts at seq %d)", e.Seq)
	case e.Seq > want:
		return failf(want, "missing (gap after %d)", prev.Seq)
	case e.Seq < want:
		return failf(want, "missing (seq %d found after %d: rows repeated or out of order)", e.Seq, prev.Seq)
	case e.Prev != prev.Hash && prev.Seq == 0:
		return failf(e.Seq, "previous hash is not the zero hash of the first event")
	case e.Prev != prev.Hash:
		return failf(e.Seq, "previous hash does not match seq %d", prev.Seq)
	case e.ComputeHash() != e.Hash:
		return failf(e.Seq, "hash does not match contents")
	}
	if p := e.problem(); p != "" {
		return failf(e.Seq, "%s", p)
	}
	if e.At.Before(prev.At) {
		return failf(e.Seq, "time goes backwards (before seq %d)", prev.Seq)
	}
	return nil
}
