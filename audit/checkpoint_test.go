package audit_test

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate/audit"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

func TestCheckpoint(t *testing.T) {
	signer, verifier := MustKeys(t, "escalate-audit-test")
	root := tlog.RecordHash([]byte("a root"))
	at := time.Date(2026, 3, 30, 18, 0, 0, 987654321, time.UTC)
	msg, err := audit.SignCheckpoint(signer, 1234, root, at)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("OK", func(t *testing.T) {
		c, err := audit.OpenCheckpoint(msg, verifier)
		if err != nil {
			t.Fatal(err)
		}
		want := audit.Checkpoint{N: 1234, Root: root, At: at.Truncate(time.Microsecond)}
		if c != want {
			t.Errorf("OpenCheckpoint = %+v, want %+v", c, want)
		}
		text := "escalate audit log\n1234\n" + base64.StdEncoding.EncodeToString(root[:]) + "\n2026-03-30T18:00:00.987654Z\n"
		if !bytes.HasPrefix(msg, []byte(text+"\n— escalate-audit-test ")) {
			t.Errorf("signed note =\n%s\nwant it to begin with\n%s", msg, text)
		}
	})

	otherSigner, otherVerifier := MustKeys(t, "escalate-audit-test") // same name, new key
	forged, err := audit.SignCheckpoint(otherSigner, 1234, root, at)
	if err != nil {
		t.Fatal(err)
	}
	renamedSigner, _ := MustKeys(t, "someone-else")
	renamed, err := audit.SignCheckpoint(renamedSigner, 1234, root, at)
	if err != nil {
		t.Fatal(err)
	}
	altered := bytes.Replace(msg, []byte("\n1234\n"), []byte("\n1235\n"), 1)
	s, err := note.NewSigner(signer)
	if err != nil {
		t.Fatal(err)
	}
	signNote := func(text string) []byte {
		m, err := note.Sign(&note.Note{Text: text}, s)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	b64 := base64.StdEncoding.EncodeToString(root[:])

	tests := []struct {
		name     string
		msg      []byte
		verifier string
		want     string
	}{
		{"ErrForgedSameName", forged, verifier, "not signed by the audit key"},
		{"ErrForgedOtherName", renamed, verifier, "not signed by the audit key"},
		{"ErrOtherVerifier", msg, otherVerifier, "not signed by the audit key"},
		{"ErrAltered", altered, verifier, "checkpoint signature"},
		{"ErrNotANote", []byte("escalate audit log\n1234\n"), verifier, "checkpoint signature"},
		{"ErrSignerKeyAsVerifier", msg, signer, "not a valid audit verifier key"},
		{"ErrOtherNote", signNote("go.sum database tree\n1234\n" + b64 + "\n"), verifier, "not an audit checkpoint"},
		{"ErrExtraLine", signNote("escalate audit log\n1234\n" + b64 + "\n2026-03-30T18:00:00.000000Z\nmore\n"), verifier, "not an audit checkpoint"},
		{"ErrNegativeCount", signNote("escalate audit log\n-1\n" + b64 + "\n2026-03-30T18:00:00.000000Z\n"), verifier, "bad entry count"},
		{"ErrShortRoot", signNote("escalate audit log\n1\nAAAA\n2026-03-30T18:00:00.000000Z\n"), verifier, "bad tree head"},
		{"ErrBadTime", signNote("escalate audit log\n1\n" + b64 + "\n30/03/2026\n"), verifier, "bad time"},
		{"ErrNotCanonical", signNote("escalate audit log\n+1234\n" + b64 + "\n2026-03-30T18:00:00.000000Z\n"), verifier, "not in canonical form"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := audit.OpenCheckpoint(tt.msg, tt.verifier)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("OpenCheckpoint = %+v, %v; want an error with %q", c, err, tt.want)
			}
		})
	}

	t.Run("ErrSignWithVerifierKey", func(t *testing.T) {
		if _, err := audit.SignCheckpoint(verifier, 1, root, at); err == nil {
			t.Error("SignCheckpoint signed with a verifier key")
		}
	})
	t.Run("ErrSignNegative", func(t *testing.T) {
		if _, err := audit.SignCheckpoint(signer, -1, root, at); err == nil {
			t.Error("SignCheckpoint signed a negative count")
		}
	})
}

func TestGenerateKey(t *testing.T) {
	for _, name := range []string{"", "two words", "a+b"} {
		if _, _, err := audit.GenerateKey(name); err == nil {
			t.Errorf("GenerateKey(%q) succeeded, want an error", name)
		}
	}
	signer, verifier := MustKeys(t, "escalate-audit-redbridge")
	if !audit.IsSignerKey(signer) || audit.IsSignerKey(verifier) {
		t.Errorf("IsSignerKey cannot tell %q from %q", signer, verifier)
	}
	if !strings.HasPrefix(verifier, "escalate-audit-redbridge+") {
		t.Errorf("verifier key %q does not carry its name", verifier)
	}
}

func TestKeyFiles(t *testing.T) {
	dir := t.TempDir()
	signer, verifier := MustKeys(t, "escalate-audit-test")
	sPath, vPath := filepath.Join(dir, "audit.key"), filepath.Join(dir, "audit.pub")
	if err := audit.WriteKeyFile(sPath, signer); err != nil {
		t.Fatal(err)
	}
	if err := audit.WriteKeyFile(vPath, verifier); err != nil {
		t.Fatal(err)
	}

	t.Run("OK", func(t *testing.T) {
		for path, want := range map[string]string{sPath: signer, vPath: verifier} {
			got, err := audit.ReadKeyFile(path)
			if err != nil || got != want {
				t.Errorf("ReadKeyFile(%s) = %q, %v; want %q", filepath.Base(path), got, err, want)
			}
		}
	})
	t.Run("OKModes", func(t *testing.T) {
		for path, want := range map[string]os.FileMode{sPath: 0o600, vPath: 0o644} {
			st, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			// The umask may take bits away from 0644, never add them.
			if got := st.Mode().Perm(); got&^want != 0 || (want == 0o600 && got != want) {
				t.Errorf("%s has mode %#o, want %#o", filepath.Base(path), got, want)
			}
		}
	})
	t.Run("ErrOverwrite", func(t *testing.T) {
		other, _ := MustKeys(t, "escalate-audit-test")
		if err := audit.WriteKeyFile(sPath, other); err == nil {
			t.Error("WriteKeyFile overwrote an existing signer key")
		}
		if got, _ := audit.ReadKeyFile(sPath); got != signer {
			t.Error("the signer key file changed")
		}
	})
	t.Run("ErrWriteGarbage", func(t *testing.T) {
		path := filepath.Join(dir, "garbage.key")
		if err := audit.WriteKeyFile(path, "not a key"); err == nil {
			t.Error("WriteKeyFile wrote something that is not a key")
		}
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Errorf("WriteKeyFile left a file behind: %v", err)
		}
	})
	t.Run("ErrReadGarbage", func(t *testing.T) {
		path := filepath.Join(dir, "notes.txt")
		if err := os.WriteFile(path, []byte("shopping list\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := audit.ReadKeyFile(path)
		if err == nil || !strings.Contains(err.Error(), path+": audit: not a valid audit key") {
			t.Errorf("ReadKeyFile error = %v, want the path and what is wrong", err)
		}
	})
	t.Run("ErrSignerReadableByOthers", func(t *testing.T) {
		path := filepath.Join(dir, "open.key")
		if err := os.WriteFile(path, []byte(signer+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := audit.ReadKeyFile(path)
		if err == nil || !strings.Contains(err.Error(), "readable by others") {
			t.Errorf("ReadKeyFile error = %v, want it to refuse a world-readable signer key", err)
		}
	})
	t.Run("ErrMissing", func(t *testing.T) {
		if _, err := audit.ReadKeyFile(filepath.Join(dir, "absent.key")); err == nil {
			t.Error("ReadKeyFile read a file that does not exist")
		}
	})
}
