package audit

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestWitness: notes written to a witness directory are never overwritten;
// the latest is the one covering most events; a note signed by another
// key, or altered, is an error naming its file, not skipped.
func TestWitness(t *testing.T) {
	signer, verifier, err := GenerateKey("escalate-audit-test")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, _, ok, err := LatestWitness(dir, verifier); ok || err != nil {
		t.Fatalf("empty directory: ok %v, %v", ok, err)
	}
	at := time.Date(2026, 12, 24, 15, 30, 0, 0, time.UTC)
	var root [32]byte
	write := func(n int64, at time.Time) string {
		t.Helper()
		root[0] = byte(n)
		msg, err := SignCheckpoint(signer, n, root, at)
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
	write(10, at)
	p := write(30, at.Add(time.Hour))
	write(20, at.Add(2*time.Hour))
	c, got, ok, err := LatestWitness(dir, verifier)
	if err != nil || !ok || c.N != 30 || got != p {
		t.Fatalf("latest = %d %s %v %v; want 30 %s", c.N, got, ok, err, p)
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
	if _, _, _, err := LatestWitness(dir, verifier); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("altered note: %v; want an error naming %s", err, bad)
	}
}
