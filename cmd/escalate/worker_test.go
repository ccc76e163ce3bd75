package main

import (
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

func TestWorkerCLIUsage(t *testing.T) {
	db := newMigratedDB(t)
	ok := []string{"worker", "--once", "--smtp-host", "127.0.0.1", "--smtp-tls", "none",
		"--from", "escalate@example.org", "--base-url", "https://escalate.example.org"}
	with := func(extra ...string) []string { return append(append([]string{}, ok...), extra...) }
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"ErrNoHost", []string{"worker", "--from", "a@example.org", "--base-url", "https://x.example.org"}, "missing --smtp-host"},
		{"ErrTLSMode", with("--smtp-tls", "maybe"), "--smtp-tls"},
		{"ErrPlainRemote", with("--smtp-host", "mail.example.org"), "only for a server on loopback"},
		{"ErrPort", with("--smtp-port", "99999"), "--smtp-port"},
		{"ErrFrom", with("--from", ""), "missing --from"},
		{"ErrBaseURL", with("--base-url", "escalate.example.org"), "--base-url"},
		{"ErrFromAddress", with("--from", "not an address"), "from address"},
	} {
		t.Run(c.name, func(t *testing.T) { wantExit(t, db, 2, c.want, c.args...) })
	}
}

// outboxFixture is a migrated SQLite database with one pending notification
// for ann@example.org, and a real SMTP server on loopback that records what
// it receives.
type outboxFixture struct {
	path, port string
	mu         sync.Mutex
	rcpts      []string
	data       string
}

func newOutboxFixture(t *testing.T) *outboxFixture {
	t.Helper()
	f := &outboxFixture{path: newMigratedDB(t)}
	seedOutbox(t, f.path, 1)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := smtp.NewServer(cliBackend(func(to []string, d string) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.rcpts, f.data = append(f.rcpts, to...), d
	}))
	srv.Domain = "localhost"
	go srv.Serve(l)
	t.Cleanup(func() { l.Close(); srv.Close() })
	f.port = strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	return f
}

// smtpArgs are the flags that point a command at f's server.
func (f *outboxFixture) smtpArgs() []string {
	return []string{"--smtp-host", "127.0.0.1", "--smtp-port", f.port, "--smtp-tls", "none",
		"--from", "Escalate <escalate@example.org>", "--base-url", "https://escalate.example.org"}
}

// check fails t unless the server got the one notification, to Ann.
func (f *outboxFixture) check(t *testing.T) {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.rcpts) != 1 || f.rcpts[0] != "ann@example.org" || !strings.Contains(f.data, "REDBRIDGE-2026-0007") ||
		!strings.Contains(f.data, "Message-ID: <escalate-outbox-1@example.org>") {
		t.Fatalf("server got rcpts %v and message:\n%s", f.rcpts, f.data)
	}
}

func (f *outboxFixture) received() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.rcpts)
}

// TestWorkerCLISends drives escalate worker --once against a real SMTP
// server on loopback.
func TestWorkerCLISends(t *testing.T) {
	f := newOutboxFixture(t)
	out := mustRun(t, f.path, append([]string{"worker", "--once"}, f.smtpArgs()...)...)
	if out != "sent 1, failed 0 (will retry), undeliverable 0\n" {
		t.Errorf("output %q", out)
	}
	f.check(t)
	// A second run finds nothing to send.
	if out := mustRun(t, f.path, append([]string{"worker", "--once"}, f.smtpArgs()...)...); !strings.HasPrefix(out, "sent 0,") {
		t.Errorf("second run: %q", out)
	}
	f.check(t)
}

// TestServeSendsOutbox: escalate serve with --smtp-host sends the outbox
// in-process.
func TestServeSendsOutbox(t *testing.T) {
	f := newOutboxFixture(t)
	_, logs, stop := startServe(t, map[string]string{"ESCALATE_DB": f.path, "ESCALATE_SECURE_COOKIES": "0"},
		append([]string{"--addr", "127.0.0.1:0"}, f.smtpArgs()...)...)
	// Wait (bounded) for the in-process worker's first batch.
	for deadline := time.Now().Add(30 * time.Second); f.received() == 0 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if code := stop(); code != 0 {
		t.Fatalf("serve exited %d:\n%s", code, logs.String())
	}
	f.check(t)
	if !strings.Contains(logs.String(), "outbox worker started") || strings.Contains(logs.String(), "ann@example.org") {
		t.Errorf("serve's log should say the worker started and name no address:\n%s", logs.String())
	}
}

// cliBackend is a go-smtp backend that hands each message to got.
type cliBackend func(to []string, data string)

func (b cliBackend) NewSession(*smtp.Conn) (smtp.Session, error) { return &cliSession{got: b}, nil }

type cliSession struct {
	got cliBackend
	to  []string
}

func (s *cliSession) Reset()                                    { s.to = nil }
func (s *cliSession) Logout() error                             { return nil }
func (s *cliSession) Mail(string, *smtp.MailOptions) error      { return nil }
func (s *cliSession) Rcpt(to string, _ *smtp.RcptOptions) error { s.to = append(s.to, to); return nil }
func (s *cliSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.got(s.to, string(b))
	return nil
}

// escalate serve takes the same SMTP flags, optional there, checked alike.
func TestServeSMTPUsage(t *testing.T) {
	db := newMigratedDB(t)
	wantExit(t, db, 2, "only for a server on loopback", "serve", "--smtp-host", "mail.example.org", "--smtp-tls", "none",
		"--from", "escalate@example.org", "--base-url", "https://escalate.example.org")
	wantExit(t, db, 2, "missing --from", "serve", "--smtp-host", "127.0.0.1", "--base-url", "https://escalate.example.org")
}
