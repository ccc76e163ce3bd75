package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer collects a running server's log safely.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string { b.mu.Lock(); defer b.mu.Unlock(); return b.b.String() }

// startServe runs "escalate serve" in-process on 127.0.0.1:0 and returns its
// base URL, its log, and a stop function that cancels it (as SIGTERM does)
// and returns its exit status.
func startServe(t *testing.T, getenv map[string]string, args ...string) (base string, logs *lockedBuffer, stop func() int) {
	t.Helper()
	logs = &lockedBuffer{}
	if _, ok := getenv["ESCALATE_DRAIN_DELAY"]; !ok {
		// No load balancer here: stop at once unless a test drains.
		getenv = maps.Clone(getenv)
		if getenv == nil {
			getenv = map[string]string{}
		}
		getenv["ESCALATE_DRAIN_DELAY"] = "0s"
	}
	env := &Env{Stdout: io.Discard, Stderr: logs, Stdin: strings.NewReader(""),
		Getenv: func(k string) string { return getenv[k] }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	if !slices.Contains(args, "--audit-key") {
		args = append(args, "--no-audit-key")
	}
	go func() { done <- Run(ctx, env, append([]string{"serve"}, args...)) }()
	deadline := time.Now().Add(30 * time.Second)
	for base == "" {
		select {
		case code := <-done:
			cancel()
			t.Fatalf("serve exited %d before listening:\n%s", code, logs.String())
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("serve did not start:\n%s", logs.String())
		}
		sc := bufio.NewScanner(strings.NewReader(logs.String()))
		for sc.Scan() {
			var line struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "listening" {
				base = "http://" + line.Addr
			}
		}
	}
	stopped := false
	stop = func() int {
		stopped = true
		cancel()
		return <-done
	}
	t.Cleanup(func() {
		if !stopped {
			stop()
		}
	})
	return base, logs, stop
}

func TestServe(t *testing.T) {
	db := newMigratedDB(t)
	mustRun(t, db, "partnership", "add", "--policy", "surrey", "--second-factor", "optional")
	mustRun(t, db, "agency", "add", "--partnership", "surrey", "--name", "Hillside Academy", "--kind", "school")
	mustRun(t, db, "user", "add", "--partnership", "surrey", "--agency", "Hillside Academy", "--name", "Sam Carter",
		"--email", "sam.carter@hillside.example", "--role", "practitioner")
	const pw = "blue kettle on a sunny hill"
	var out, errb bytes.Buffer
	env := &Env{Stdout: &out, Stderr: &errb, Stdin: strings.NewReader(pw + "\n"), Getenv: func(k string) string {
		if k == "ESCALATE_DB" {
			return db
		}
		return ""
	}}
	if code := Run(context.Background(), env, []string{"user", "passwd", "--partnership", "surrey", "--email", "sam.carter@hillside.example"}); code != 0 {
		t.Fatalf("user passwd: exit %d: %s", code, errb.String())
	}

	base, logs, stop := startServe(t, map[string]string{"ESCALATE_DB": db, "ESCALATE_SECURE_COOKIES": "0"}, "--addr", "127.0.0.1:0")
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string) *http.Response {
		t.Helper()
		res, err := client.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res
	}
	for _, p := range []string{"/healthz", "/readyz", "/sign-in", "/static/app.css"} {
		if res := get(p); res.StatusCode != http.StatusOK {
			t.Errorf("GET %s = %d", p, res.StatusCode)
		}
	}
	res, err := client.PostForm(base+"/sign-in", url.Values{"email": {"sam.carter@hillside.example"}, "password": {pw}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	var cookie *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == "escalate_session" {
			cookie = c
		}
	}
	if res.StatusCode != http.StatusSeeOther || cookie == nil {
		t.Fatalf("sign in: %d, cookie %v\n%s", res.StatusCode, cookie, logs.String())
	}
	if code := stop(); code != 0 {
		t.Errorf("serve exited %d after cancel:\n%s", code, logs.String())
	}
	if _, err := client.Get(base + "/healthz"); err == nil {
		t.Error("the server still answers after shutdown")
	}

	// Every log line is JSON, and none names the user.
	sc := bufio.NewScanner(strings.NewReader(logs.String()))
	var msgs []string
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Errorf("log line is not JSON: %q", sc.Text())
		}
		msgs = append(msgs, line["msg"].(string))
	}
	all := strings.ToLower(logs.String())
	for _, secret := range []string{"sam.carter", "sam carter", pw, cookie.Value} {
		if strings.Contains(all, strings.ToLower(secret)) {
			t.Errorf("the log holds %q", secret)
		}
	}
	for _, want := range []string{"database ready", "listening", "request", "shutting down", "stopped"} {
		if !strings.Contains(strings.Join(msgs, "\n"), want) {
			t.Errorf("no %q in the log: %q", want, msgs)
		}
	}
}

func TestServeFlags(t *testing.T) {
	for _, c := range []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"ErrNoDB", nil, nil, "missing --db"},
		{"ErrAddr", map[string]string{"ESCALATE_DB": "x.db"}, []string{"--addr", "8080"}, "--addr"},
		{"ErrMetricsAddr", map[string]string{"ESCALATE_DB": "x.db"}, []string{"--metrics-addr", "9090"}, "--metrics-addr"},
		{"ErrDrainDelay", map[string]string{"ESCALATE_DB": "x.db", "ESCALATE_DRAIN_DELAY": "soon"}, nil, "ESCALATE_DRAIN_DELAY"},
		{"ErrSecureCookies", map[string]string{"ESCALATE_DB": "x.db", "ESCALATE_SECURE_COOKIES": "maybe"}, nil, "ESCALATE_SECURE_COOKIES"},
		{"ErrIdle", map[string]string{"ESCALATE_DB": "x.db", "ESCALATE_IDLE_TIMEOUT": "soon"}, nil, "ESCALATE_IDLE_TIMEOUT"},
		{"ErrIdleOverLifetime", map[string]string{"ESCALATE_DB": "x.db"}, []string{"--idle-timeout", "13h"}, "longer than"},
		{"ErrBaseURL", map[string]string{"ESCALATE_DB": ":memory:"}, []string{"--base-url", "escalate.example.org", "--no-audit-key"}, "base URL"},
		{"ErrNoAuditKey", map[string]string{"ESCALATE_DB": ":memory:"}, nil, "no audit signing key"},
		{"ErrBothKeyFlags", map[string]string{"ESCALATE_DB": ":memory:"}, []string{"--audit-key", "k", "--no-audit-key"}, "--audit-key"},
		{"ErrHashConcurrency", map[string]string{"ESCALATE_DB": "x.db"}, []string{"--hash-concurrency", "-1", "--no-audit-key"}, "--hash-concurrency -1: want 1 to 256"},
		{"ErrTrustedProxies", map[string]string{"ESCALATE_DB": "x.db", "ESCALATE_TRUSTED_PROXIES": "10.0.0.0/8,proxy.example"}, []string{"--no-audit-key"}, `--trusted-proxies: "proxy.example" is not an address`},
	} {
		t.Run(c.name, func(t *testing.T) {
			var errb bytes.Buffer
			env := &Env{Stdout: io.Discard, Stderr: &errb, Getenv: func(k string) string { return c.env[k] }}
			code := Run(context.Background(), env, append([]string{"serve", "--addr", "127.0.0.1:0"}, c.args...))
			if code != 2 || !strings.Contains(errb.String(), c.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, errb.String(), c.want)
			}
		})
	}
}

func TestUserPasswd(t *testing.T) {
	db := newMigratedDB(t)
	mustRun(t, db, "partnership", "add", "--policy", "surrey")
	mustRun(t, db, "agency", "add", "--partnership", "surrey", "--name", "Hillside Academy", "--kind", "school")
	mustRun(t, db, "user", "add", "--partnership", "surrey", "--agency", "Hillside Academy", "--name", "Sam Carter",
		"--email", "sam@hillside.example", "--role", "practitioner")
	passwd := func(stdin string, args ...string) (int, string) {
		var out, errb bytes.Buffer
		env := &Env{Stdout: &out, Stderr: &errb, Stdin: strings.NewReader(stdin),
			Getenv: func(k string) string { return map[string]string{"ESCALATE_DB": db}[k] }}
		code := Run(context.Background(), env, append([]string{"user", "passwd"}, args...))
		return code, out.String() + errb.String()
	}
	who := []string{"--partnership", "surrey", "--email", "sam@hillside.example"}
	for _, c := range []struct {
		name, stdin string
		args        []string
		code        int
		want        string
	}{
		{"OK", "a fine long passphrase\n", who, 0, "Set the password of user"},
		{"ErrShort", "short\n", who, 2, "12 characters or more"},
		{"ErrPartnershipName", "Surrey forever and ever\n", who, 2, "name of the service, your partnership"},
		{"ErrCommon", "password1234\n", who, 2, "list of common and breached"},
		{"ErrEmpty", "", who, 2, "no password on standard input"},
		{"ErrNoEmail", "a fine long passphrase\n", []string{"--partnership", "surrey"}, 2, "missing --email"},
		{"ErrUnknownUser", "a fine long passphrase\n", []string{"--partnership", "surrey", "--email", "x@y.example"}, 2, "no such user"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, out := passwd(c.stdin, c.args...)
			if code != c.code || !strings.Contains(out, c.want) {
				t.Errorf("exit %d, output %q; want %d and %q", code, out, c.code, c.want)
			}
		})
	}
}
