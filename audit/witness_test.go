package audit

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestWitness: notes written to a witness directory are never overwritten;
// the latest of each chain is the one covering most events of that chain,
// whatever its file is called; a note signed by another key, or altered,
// is an error naming its file, not skipped.
func TestWitness(t *testing.T) {
	signer, verifier, err := GenerateKey("escalate-audit-test")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if ws, err := LatestWitnesses(dir, verifier); len(ws) != 0 || err != nil {
		t.Fatalf("empty directory: %v, %v", ws, err)
	}
	at := time.Date(2026, 12, 24, 15, 30, 0, 0, time.UTC)
	write := func(chain, n int64, at time.Time) string {
		t.Helper()
		var root [32]byte
		root[0], root[1] = byte(n), byte(chain)
		msg, err := Checkpoint{Chain: chain, N: n, Root: root, At: at}.Sign(signer)
		if err != nil {
			t.Fatal(err)
		}
		c, err := OpenCheckpoint(msg, verifier)
		if err != nil {
			t.Fatal(err)
		}
		p, err := WriteWitness(dir, c, msg)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	write(0, 10, at)
	p := write(0, 30, at.Add(time.Hour))
	write(0, 20, at.Add(2*time.Hour))
	// Partnership 7's chain: fewer events than the service-wide chain's
	// newest, yet its own newest.
	write(7, 2, at)
	p7 := write(7, 5, at.Add(time.Hour))
	if !strings.Contains(filepath.Base(p7), "partnership-7-") {
		t.Errorf("a partnership's copy is named %s; want its chain in the name", p7)
	}
	ws, err := LatestWitnesses(dir, verifier)
	if err != nil || len(ws) != 2 || ws[0].Chain != 0 || ws[0].N != 30 || ws[0].Path != p ||
		ws[1].Chain != 7 || ws[1].N != 5 || ws[1].Path != p7 {
		t.Fatalf("latest = %+v, %v; want chain 0 at 30 (%s), chain 7 at 5 (%s)", ws, err, p, p7)
	}
	// The chain is the signed note's, not the file name's.
	msg7, _ := os.ReadFile(p7)
	if err := os.WriteFile(filepath.Join(dir, "checkpoint-000000000099-renamed.note"), msg7, 0o644); err != nil {
		t.Fatal(err)
	}
	if ws, err := LatestWitnesses(dir, verifier); err != nil || len(ws) != 2 || ws[0].N != 30 || ws[1].N != 5 {
		t.Fatalf("with a renamed copy: %+v, %v", ws, err)
	}
	msg, _ := os.ReadFile(p)
	cp, _ := OpenCheckpoint(msg, verifier)
	if _, err := WriteWitness(dir, cp, msg); err == nil {
		t.Error("a second copy of the same checkpoint overwrote the first")
	}
	// An altered note is an error that names the file.
	bad := filepath.Join(dir, "checkpoint-forged.note")
	if err := os.WriteFile(bad, []byte(strings.Replace(string(msg), "\n30\n", "\n31\n", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LatestWitnesses(dir, verifier); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("altered note: %v; want an error naming %s", err, bad)
	}
}
