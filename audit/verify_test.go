package audit_test

import (
	"errors"
	"fmt"
	"iter"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate/audit"
)

// The test log: 300 entries, signed checkpoints at 100 and 250, so entries
// 251..300 are covered by the chain alone, as the newest events of a real
// log are between checkpoints.
const (
	logSize     = 300
	checkpoint1 = 100
	checkpoint2 = 250
)

func flipString(s string) string {
	b := []byte(s)
	b[len(b)/2] ^= 0x01
	return string(b)
}

// fieldFlips flip one byte (one bit of it) of each field of an entry.
var fieldFlips = []struct {
	field string
	flip  func(e *audit.Entry)
}{
	{"Seq", func(e *audit.Entry) { e.Seq ^= 1 }},
	{"At", func(e *audit.Entry) { e.At = e.At.Add(time.Microsecond) }},
	{"Actor", func(e *audit.Entry) { e.Actor = flipString(e.Actor) }},
	{"Action", func(e *audit.Entry) { e.Action = flipString(e.Action) }},
	{"Object", func(e *audit.Entry) { e.Object = flipString(e.Object) }},
	{"Commitment", func(e *audit.Entry) { e.Commitment[7] ^= 0x80 }},
	{"Prev", func(e *audit.Entry) { e.Prev[31] ^= 0x01 }},
	{"Hash", func(e *audit.Entry) { e.Hash[0] ^= 0x01 }},
}

func TestVerify(t *testing.T) {
	pristine, _ := MustChain(t, logSize)
	signer, verifier := MustKeys(t, "escalate-audit-test")
	cps := []audit.Checkpoint{
		MustCheckpoint(t, pristine, checkpoint1, signer, verifier),
		MustCheckpoint(t, pristine, checkpoint2, signer, verifier),
	}

	type tamper struct {
		name    string
		tamper  func(es []audit.Entry) []audit.Entry // gets a fresh copy
		wantSeq int64
		reason  string // the Failure's reason contains this
	}
	tests := []tamper{
		{"DeleteRow", func(es []audit.Entry) []audit.Entry { return slices.Delete(es, 8, 9) },
			9, "missing (gap after 8)"},
		{"DeleteFirstRow", func(es []audit.Entry) []audit.Entry { return es[1:] },
			1, "missing (the log starts at seq 2)"},
		{"DeleteRowAndRenumber", func(es []audit.Entry) []audit.Entry {
			es = slices.Delete(es, 8, 9)
			for i := 8; i < len(es); i++ {
				es[i].Seq--
			}
			return es
		}, 9, "previous hash does not match seq 8"},
		{"DeleteRowRenumberAndReseal", func(es []audit.Entry) []audit.Entry {
			es = slices.Delete(es, 8, 9)
			for i := 8; i < len(es); i++ {
				es[i].Seq--
			}
			Reseal(es, 8)
			return es
		}, checkpoint1, "differs from the signed checkpoint at 100: an event in 1..100 was changed"},
		{"ReorderRows", func(es []audit.Entry) []audit.Entry {
			es[29], es[30] = es[30], es[29]
			return es
		}, 30, "missing (gap after 29)"},
		{"ReorderRowContents", func(es []audit.Entry) []audit.Entry {
			es[29].Seq, es[30].Seq = es[30].Seq, es[29].Seq
			es[29], es[30] = es[30], es[29]
			return es
		}, 30, "previous hash does not match seq 29"},
		{"ReorderRowContentsAndReseal", func(es []audit.Entry) []audit.Entry {
			// seq 129 and 130 share a time, so only the checkpoint sees the swap.
			es[128].Seq, es[129].Seq = es[129].Seq, es[128].Seq
			es[128], es[129] = es[129], es[128]
			Reseal(es, 128)
			return es
		}, checkpoint2, "an event in 101..250 was changed"},
		{"RepeatRow", func(es []audit.Entry) []audit.Entry { return slices.Insert(es, 50, es[49]) },
			51, "seq 50 found after 50"},
		{"TruncateBelowCheckpoint", func(es []audit.Entry) []audit.Entry { return es[:243] },
			244, "checkpoint at 250 covers 250 events but the log has only 243 (truncated)"},
		{"TruncateEverything", func(es []audit.Entry) []audit.Entry { return nil },
			1, "checkpoint at 250 covers 250 events but the log has only 0 (truncated)"},
		{"RewriteWholeChain", func(es []audit.Entry) []audit.Entry {
			es[0].Actor = "user:999"
			Reseal(es, 0)
			return es
		}, checkpoint1, "an event in 1..100 was changed and the chain recomputed (log rewritten)"},
		{"RewriteBetweenCheckpoints", func(es []audit.Entry) []audit.Entry {
			es[179].Object = "escalation:RB-2026-9999"
			Reseal(es, 179)
			return es
		}, checkpoint2, "an event in 101..250 was changed"},
		{"RewriteBackdatedAndResealed", func(es []audit.Entry) []audit.Entry {
			es[119].At = es[118].At.Add(-time.Second)
			Reseal(es, 119)
			return es
		}, 120, "time goes backwards (before seq 119)"},
		{"RewriteInvalidAndResealed", func(es []audit.Entry) []audit.Entry {
			es[259].Actor = ""
			Reseal(es, 259)
			return es
		}, 260, "no actor"},
	}
	for _, f := range fieldFlips {
		for _, seq := range []int64{1, 150, logSize} {
			want := "hash does not match contents"
			switch {
			case f.field == "Prev" && seq == 1:
				want = "previous hash is not the zero hash of the first event"
			case f.field == "Prev":
				want = fmt.Sprintf("previous hash does not match seq %d", seq-1)
			case f.field == "Seq":
				want = "missing ("
			}
			tests = append(tests, tamper{
				name:    fmt.Sprintf("Flip%sAt%d", f.field, seq),
				tamper:  func(es []audit.Entry) []audit.Entry { f.flip(&es[seq-1]); return es },
				wantSeq: seq,
				reason:  want,
			})
		}
	}

	t.Run("OK", func(t *testing.T) {
		got, err := audit.Verify(All(pristine), cps)
		if err != nil {
			t.Fatal(err)
		}
		var tree audit.Tree
		for _, e := range pristine {
			tree.Append(e)
		}
		want := audit.Result{N: logSize, Root: tree.Root(), Last: pristine[logSize-1].Hash,
			Checkpoints: 2, LastCheckpoint: checkpoint2}
		if got != want {
			t.Errorf("Verify = %+v, want %+v", got, want)
		}
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es := tt.tamper(slices.Clone(pristine))
			_, err := audit.Verify(All(es), cps)
			var f *audit.Failure
			if !errors.As(err, &f) {
				t.Fatalf("Verify error = %v, want a *Failure", err)
			}
			if f.Seq != tt.wantSeq || !strings.Contains(f.Reason, tt.reason) {
				t.Errorf("Verify failure = %q, want seq %d with %q", f.Error(), tt.wantSeq, tt.reason)
			}
			if !strings.HasPrefix(f.Error(), fmt.Sprintf("seq %d: ", tt.wantSeq)) {
				t.Errorf("Error() = %q, want it to name seq %d first", f.Error(), tt.wantSeq)
			}
		})
	}
}

// TestVerifyUndetected pins down what a hash chain with checkpoints cannot
// see, as doc/audit.md says: changes after the last checkpoint made by
// someone who can recompute the chain. If one of these starts failing,
// update the documentation.
func TestVerifyUndetected(t *testing.T) {
	pristine, _ := MustChain(t, logSize)
	signer, verifier := MustKeys(t, "escalate-audit-test")
	cps := []audit.Checkpoint{MustCheckpoint(t, pristine, checkpoint2, signer, verifier)}
	tests := []struct {
		name   string
		cps    []audit.Checkpoint
		tamper func(es []audit.Entry) []audit.Entry
		wantN  int64
	}{
		{"RewriteWholeChainWithoutCheckpoint", nil, func(es []audit.Entry) []audit.Entry {
			es[0].Actor = "user:999"
			Reseal(es, 0)
			return es
		}, logSize},
		{"RewriteAfterLastCheckpoint", cps, func(es []audit.Entry) []audit.Entry {
			es[279].Actor = "user:999"
			Reseal(es, 279)
			return es
		}, logSize},
		{"TruncateAfterLastCheckpoint", cps, func(es []audit.Entry) []audit.Entry { return es[:270] }, 270},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := audit.Verify(All(tt.tamper(slices.Clone(pristine))), tt.cps)
			if err != nil || got.N != tt.wantN {
				t.Errorf("Verify = %+v, %v; want %d entries and no error (an undetectable change)", got, err, tt.wantN)
			}
		})
	}
}

func TestVerifyCheckpoints(t *testing.T) {
	es, _ := MustChain(t, 40)
	signer, verifier := MustKeys(t, "escalate-audit-test")
	a := MustCheckpoint(t, es, 10, signer, verifier)
	b := MustCheckpoint(t, es, 40, signer, verifier)

	t.Run("OKAnyOrder", func(t *testing.T) {
		got, err := audit.Verify(All(es), []audit.Checkpoint{b, a, b})
		if err != nil || got.Checkpoints != 3 || got.LastCheckpoint != 40 {
			t.Errorf("Verify = %+v, %v; want 3 checkpoints, the last at 40", got, err)
		}
	})
	t.Run("OKEmptyLog", func(t *testing.T) {
		got, err := audit.Verify(All(nil), []audit.Checkpoint{{N: 0}})
		if err != nil || got.N != 0 || got.Root != ([32]byte{}) {
			t.Errorf("Verify = %+v, %v; want an empty, intact log", got, err)
		}
	})
	t.Run("ErrOtherLogsCheckpoint", func(t *testing.T) {
		other, _ := MustChain(t, 40) // same shape, different salts
		c := MustCheckpoint(t, other, 10, signer, verifier)
		_, err := audit.Verify(All(es), []audit.Checkpoint{c})
		var f *audit.Failure
		if !errors.As(err, &f) || f.Seq != 10 {
			t.Errorf("Verify error = %v, want a failure at seq 10", err)
		}
	})
}

func TestVerifyReadError(t *testing.T) {
	es, _ := MustChain(t, 5)
	boom := errors.New("disk on fire")
	entries := func(yield func(audit.Entry, error) bool) {
		for _, e := range es[:3] {
			if !yield(e, nil) {
				return
			}
		}
		yield(audit.Entry{}, boom)
	}
	_, err := audit.Verify(iter.Seq2[audit.Entry, error](entries), nil)
	var f *audit.Failure
	if !errors.Is(err, boom) || errors.As(err, &f) {
		t.Errorf("Verify error = %v, want the read error, not a Failure", err)
	}
	if err != nil && !strings.Contains(err.Error(), "after seq 3") {
		t.Errorf("Verify error = %v, want it to say where reading stopped", err)
	}
}

// TestVerifyReaderFailure: tampering only the store can see reaches the
// caller as the store's own *Failure, not as a read error.
func TestVerifyReaderFailure(t *testing.T) {
	es, _ := MustChain(t, 5)
	entries := func(yield func(audit.Entry, error) bool) {
		for _, e := range es[:3] {
			if !yield(e, nil) {
				return
			}
		}
		yield(audit.Entry{}, fmt.Errorf("row 4: %w", &audit.Failure{Seq: 4, Reason: "stored hash has 31 bytes, not 32"}))
	}
	_, err := audit.Verify(entries, nil)
	if err == nil || err.Error() != "seq 4: stored hash has 31 bytes, not 32" {
		t.Errorf("Verify error = %v, want the store's failure as it is", err)
	}
}

// TestEraseContent shows the retention story: once the store erases content
// and salt, the commitment no longer opens to anything, yet the chain and
// its checkpoints still verify.
func TestEraseContent(t *testing.T) {
	es, contents := MustChain(t, 50)
	signer, verifier := MustKeys(t, "escalate-audit-test")
	cps := []audit.Checkpoint{MustCheckpoint(t, es, 50, signer, verifier)}
	for i, c := range contents {
		if !audit.Open(es[i].Commitment, c.Salt, c.Body) {
			t.Fatalf("seq %d: content does not open its commitment before erasure", es[i].Seq)
		}
	}
	for i := range 30 { // the retention period has passed for the first 30
		contents[i] = Content{}
	}
	if _, err := audit.Verify(All(es), cps); err != nil {
		t.Fatalf("Verify after erasure: %v", err)
	}
	if audit.Open(es[0].Commitment, contents[0].Salt, contents[0].Body) {
		t.Error("erased content still opens its commitment")
	}
}

// TestVerifyStreams checks that Verify's memory does not grow with the log:
// ten times the entries may not cost more than a few more KiB (the tree's
// O(log N) right edge), where holding the entries would cost megabytes.
func TestVerifyStreams(t *testing.T) {
	small, _ := MustChain(t, 1_000)
	large, _ := MustChain(t, 10_000)
	allocated := func(es []audit.Entry) uint64 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		if _, err := audit.Verify(All(es), nil); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	if a, b := allocated(small), allocated(large); b > a+16<<10 {
		t.Errorf("Verify allocated %d bytes for 1,000 entries and %d for 10,000; want about the same", a, b)
	}
}
