package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestServePoolPostgres: escalate serve on PostgreSQL sizes its pool as
// ESCALATE_DB_MAX_CONNS says, and --db-max-conns over it, as its metrics
// show.
func TestServePoolPostgres(t *testing.T) {
	dsn := newEmptyPostgres(t, "escalate_pool")
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "escalate_db_connections_max 6\n"},
		{[]string{"--db-max-conns", "4"}, "escalate_db_connections_max 4\n"},
	} {
		env := map[string]string{"ESCALATE_DB": dsn, "ESCALATE_SECURE_COOKIES": "0", "ESCALATE_DB_MAX_CONNS": "6"}
		_, logs, stop := startServe(t, env, append([]string{"--addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0"}, c.args...)...)
		var addr string
		sc := bufio.NewScanner(strings.NewReader(logs.String()))
		for sc.Scan() {
			var line struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "metrics listening" {
				addr = line.Addr
			}
		}
		if addr == "" {
			t.Fatalf("no metrics listener in the log:\n%s", logs.String())
		}
		res, err := http.Get("http://" + addr + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if !strings.Contains(string(body), c.want) {
			t.Errorf("serve %q: /metrics lacks %q", c.args, c.want)
		}
		if code := stop(); code != 0 {
			t.Errorf("serve exited %d", code)
		}
	}
}

// TestPoolFlags: a pool of no connections is a usage error, for serve and
// worker alike.
func TestPoolFlags(t *testing.T) {
	for _, c := range []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"ServeFlag", nil, []string{"serve", "--no-audit-key", "--db-max-conns", "0"}, "--db-max-conns 0: want at least 1"},
		{"ServeEnv", map[string]string{"ESCALATE_DB_MAX_CONNS": "many"}, []string{"serve", "--no-audit-key"}, `ESCALATE_DB_MAX_CONNS="many"`},
		{"WorkerFlag", nil, []string{"worker", "--smtp-host", "127.0.0.1", "--smtp-tls", "none", "--from", "e@example.org", "--db-max-conns", "-2"}, "--db-max-conns -2"},
		{"WorkerEnv", map[string]string{"ESCALATE_DB_MAX_CONNS": "0"}, []string{"worker"}, `ESCALATE_DB_MAX_CONNS="0"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			var errb bytes.Buffer
			env := map[string]string{"ESCALATE_DB": "x.db"}
			for k, v := range c.env {
				env[k] = v
			}
			e := &Env{Stdout: io.Discard, Stderr: &errb, Getenv: func(k string) string { return env[k] }}
			if code := Run(context.Background(), e, c.args); code != 2 || !strings.Contains(errb.String(), c.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, errb.String(), c.want)
			}
		})
	}
}
