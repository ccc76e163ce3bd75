package main

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate/sqlstore"
)

func TestServeCheckpoints(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		db := newMigratedDB(t)
		mustRun(t, db, "partnership", "add", "--policy", "wirral")
		key := filepath.Join(t.TempDir(), "audit.key")
		mustRun(t, db, "audit", "keygen", "--out", key)

		_, logs, stop := startServe(t, nil, "--db", db, "--addr", "127.0.0.1:0",
			"--audit-key", key, "--checkpoint-every", "20ms")
		// The first checkpoint is signed at start-up; wait for it (bounded).
		deadline := time.Now().Add(20 * time.Second)
		for !strings.Contains(logs.String(), "audit checkpoint signed") {
			if time.Now().After(deadline) {
				t.Fatalf("no checkpoint signed:\n%s", logs.String())
			}
			time.Sleep(10 * time.Millisecond)
		}
		// Later ticks see no new events and sign nothing more.
		time.Sleep(100 * time.Millisecond)
		if code := stop(); code != 0 {
			t.Fatalf("serve exited %d:\n%s", code, logs.String())
		}
		if n := strings.Count(logs.String(), "audit checkpoint signed"); n != 1 {
			t.Errorf("signed %d checkpoints over an unchanged log, want 1:\n%s", n, logs.String())
		}
		out := mustRun(t, db, "audit", "verify", "--key", key+".pub")
		if !strings.Contains(out, "ok: ") {
			t.Errorf("verify after serve's checkpoint: %s", out)
		}
		// The checkpoint covers the whole log as it stood.
		store, err := sqlstore.Open(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		defer store.Close()
		events, covered, err := store.AuditHead(context.Background())
		if err != nil || events == 0 || covered != events {
			t.Errorf("AuditHead = %d events, %d checkpointed, %v; want all checkpointed", events, covered, err)
		}
	})
	t.Run("ErrBadKey", func(t *testing.T) {
		db := newMigratedDB(t)
		key := filepath.Join(t.TempDir(), "audit.key")
		mustRun(t, db, "audit", "keygen", "--out", key)
		var stderr bytes.Buffer
		env := &Env{Stdout: io.Discard, Stderr: &stderr, Stdin: strings.NewReader(""), Getenv: func(string) string { return "" }}
		code := Run(context.Background(), env, []string{"serve", "--db", db, "--addr", "127.0.0.1:0", "--audit-key", key + ".pub"})
		if code != 2 || !strings.Contains(stderr.String(), "not a signer key") {
			t.Errorf("serve with a verifier key as --audit-key: exit %d, %s", code, stderr.String())
		}
	})
}
