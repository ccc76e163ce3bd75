package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/escalate-project/escalate/internal/testenv"
)

// Tests that need real instances (separate processes, each with its own
// connection pool, stopped by a real SIGTERM) run this test binary again as
// escalate itself: TestMain sees mainArgsEnv and runs the CLI with the
// arguments it holds, as main does.
const mainArgsEnv = "ESCALATE_TEST_MAIN_ARGS"

func TestMain(m *testing.M) {
	if raw := os.Getenv(mainArgsEnv); raw != "" {
		var args []string
		if err := json.Unmarshal([]byte(raw), &args); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", mainArgsEnv, err)
			os.Exit(2)
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		env := &Env{Stdout: os.Stdout, Stderr: os.Stderr, Stdin: os.Stdin, Getenv: os.Getenv}
		stopProfile := startCPUProfile()
		code := Run(ctx, env, args)
		stop()
		stopProfile()
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// instance is one escalate process started by startInstance.
type instance struct {
	cmd  *exec.Cmd
	addr string // host:port it listens on
	logs *lockedBuffer
	done chan struct{}
	code atomic.Int32 // exit status, once done is closed
}

// startInstance runs "escalate <args>" as a child process with the extra
// environment env, and waits (at most 60 s) until it logs that it listens.
// The process is killed when t ends if it is still running.
func startInstance(t testing.TB, env []string, args ...string) *instance {
	t.Helper()
	in := startInstanceAsync(t, env, args...)
	if err := in.waitListening(60 * time.Second); err != nil {
		t.Fatal(err)
	}
	return in
}

// startInstanceAsync starts the process without waiting for it to listen.
func startInstanceAsync(t testing.TB, env []string, args ...string) *instance {
	t.Helper()
	raw, _ := json.Marshal(args)
	in := &instance{logs: &lockedBuffer{}, done: make(chan struct{})}
	in.cmd = exec.Command(os.Args[0], "-test.run=^$")
	in.cmd.Env = append(append(os.Environ(), mainArgsEnv+"="+string(raw)), env...)
	in.cmd.Stderr = in.logs
	in.cmd.Stdout = in.logs
	if err := in.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		err := in.cmd.Wait()
		code := 0
		if err != nil {
			code = -1
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			}
		}
		in.code.Store(int32(code))
		close(in.done)
	}()
	t.Cleanup(func() {
		select {
		case <-in.done:
		default:
			in.cmd.Process.Kill()
			<-in.done
		}
	})
	return in
}

// waitListening waits for the "listening" log line and records the address.
func (in *instance) waitListening(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		sc := bufio.NewScanner(strings.NewReader(in.logs.String()))
		for sc.Scan() {
			var line struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "listening" {
				in.addr = line.Addr
				return nil
			}
		}
		select {
		case <-in.done:
			return fmt.Errorf("instance exited %d before listening:\n%s", in.code.Load(), in.logs.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	return fmt.Errorf("instance did not listen within %v:\n%s", limit, in.logs.String())
}

// stop sends SIGTERM and waits (at most limit) for the exit status.
func (in *instance) stop(t testing.TB, limit time.Duration) int {
	t.Helper()
	in.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-in.done:
		return int(in.code.Load())
	case <-time.After(limit):
		in.cmd.Process.Kill()
		<-in.done
		t.Fatalf("instance did not stop within %v after SIGTERM:\n%s", limit, in.logs.String())
		return -1
	}
}

// newEmptyPostgres creates an empty PostgreSQL database, dropped when t
// ends, and returns its URL.
func newEmptyPostgres(t testing.TB, prefix string) string {
	t.Helper()
	raw := testenv.PostgresURL(t)
	admin, err := sql.Open("pgx", raw)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	name := fmt.Sprintf("%s_%d_%d", prefix, os.Getpid(), time.Now().UnixNano())
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			t.Errorf("drop test database: %v", err)
		}
	})
	u, _ := url.Parse(raw)
	u.Path = "/" + name
	return u.String()
}

// freePort returns a loopback address nothing listens on just now.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
