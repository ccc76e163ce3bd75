package audit_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate/audit"
)

// TestCanonical builds the encoding of one entry by hand, exactly as
// doc/audit.md describes it, and checks the package agrees. The hash is the
// published test vector in doc/audit.md.
func TestCanonical(t *testing.T) {
	e := audit.Entry{
		Seq:    0x0102,
		At:     time.Date(2026, 3, 30, 9, 15, 2, 123456000, time.UTC),
		Actor:  "user:42",
		Action: "escalation.raise",
		Object: "escalation:RB-2026-0001",
	}
	for i := range 32 {
		e.Commitment[i] = 0xc0 | byte(i&0x0f)
		e.Prev[i] = byte(i)
	}
	var want []byte
	want = append(want, 0, 0, 0, 17)
	want = append(want, "escalate-audit-v1"...)
	want = append(want, 0, 0, 0, 0, 0, 0, 0x01, 0x02)
	want = append(want, 0, 0, 0, 27)
	want = append(want, "2026-03-30T09:15:02.123456Z"...)
	want = append(want, 0, 0, 0, 7)
	want = append(want, "user:42"...)
	want = append(want, 0, 0, 0, 16)
	want = append(want, "escalation.raise"...)
	want = append(want, 0, 0, 0, 23)
	want = append(want, "escalation:RB-2026-0001"...)
	want = append(want, e.Commitment[:]...)
	want = append(want, e.Prev[:]...)

	if got := e.Canonical(); !bytes.Equal(got, want) {
		t.Fatalf("Canonical =\n%x\nwant\n%x", got, want)
	}
	if got, want := e.ComputeHash(), sha256.Sum256(want); got != want {
		t.Errorf("ComputeHash = %x, want SHA-256 of the encoding %x", got, want)
	}
	const vector = "38410af33aa70bc5c5d735f6d29347c46f56045352914ce0aaf2d9d9800e95fa"
	if got := e.ComputeHash(); hex.EncodeToString(got[:]) != vector {
		t.Logf("test vector for doc/audit.md: %x", got)
		t.Errorf("ComputeHash = %x, want the published vector %s", got, vector)
	}
}

// TestCanonicalUnambiguous checks that moving bytes between fields, or
// changing the zone a time is given in, never collides or splits hashes.
func TestCanonicalUnambiguous(t *testing.T) {
	base := audit.Entry{Seq: 1, At: t0, Actor: "user:4", Action: "record.add", Object: "escalation:RB-1"}
	moved := []audit.Entry{base, base, base, base}
	moved[1].Actor, moved[1].Action = "user:4r", "ecord.add"
	moved[2].Action, moved[2].Object = "record.adde", "scalation:RB-1"
	moved[3].Actor, moved[3].Object = "", "user:4escalation:RB-1"
	seen := map[[32]byte]int{}
	for i, e := range moved {
		h := e.ComputeHash()
		if j, ok := seen[h]; ok {
			t.Errorf("entries %d and %d hash the same", j, i)
		}
		seen[h] = i
	}

	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	inLondon := base
	inLondon.At = t0.In(london)
	if inLondon.ComputeHash() != base.ComputeHash() {
		t.Error("the same instant in another zone hashes differently")
	}
}

func TestNext(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 7, 1, 10, 0, 0, 123456789, london)
	first, err := audit.Next(audit.Entry{}, "user:1", "escalation.raise", "escalation:RB-1", at, [32]byte{1})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("OKFirst", func(t *testing.T) {
		if first.Seq != 1 || first.Prev != ([32]byte{}) {
			t.Errorf("first entry has Seq %d, Prev %x; want 1 and the zero hash", first.Seq, first.Prev)
		}
		if want := at.UTC().Truncate(time.Microsecond); !first.At.Equal(want) || first.At.Location() != time.UTC {
			t.Errorf("At = %v, want %v in UTC", first.At, want)
		}
		if first.Hash != first.ComputeHash() {
			t.Error("Hash is not the hash of the sealed entry")
		}
	})
	t.Run("OKSameTime", func(t *testing.T) {
		second, err := audit.Next(first, "system", "clock.recompute", "", at, [32]byte{})
		if err != nil {
			t.Fatal(err)
		}
		if second.Seq != 2 || second.Prev != first.Hash {
			t.Errorf("second entry has Seq %d, Prev %x; want 2 and %x", second.Seq, second.Prev, first.Hash)
		}
	})

	tests := []struct {
		name                  string
		actor, action, object string
		at                    time.Time
		want                  string
	}{
		{"ErrNoActor", "", "record.add", "escalation:RB-1", at, "seq 2: no actor"},
		{"ErrNoAction", "user:1", "", "escalation:RB-1", at, "seq 2: no action"},
		{"ErrNoTime", "user:1", "record.add", "escalation:RB-1", time.Time{}, "seq 2: no time"},
		{"ErrTimeBackwards", "user:1", "record.add", "escalation:RB-1", at.Add(-time.Millisecond), "before the previous event"},
		{"ErrObjectTooLong", "user:1", "record.add", strings.Repeat("x", audit.MaxField+1), at, "object longer than 1024 bytes"},
		{"ErrActorNotUTF8", "user:\xff", "record.add", "escalation:RB-1", at, "actor is not valid UTF-8"},
		{"ErrYear10000", "user:1", "record.add", "escalation:RB-1", time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), "time out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := audit.Next(first, tt.actor, tt.action, tt.object, tt.at, [32]byte{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Next error = %v, want %q", err, tt.want)
			}
			if e != (audit.Entry{}) {
				t.Errorf("Next returned %+v with its error, want the zero Entry", e)
			}
		})
	}
}
