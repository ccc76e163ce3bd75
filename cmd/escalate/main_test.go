package main

import (
	"context"
	"os"
	"os/signal"
	"slices"
	"syscall"
	"testing"
)

// TestMain lets a test run the escalate command itself in a child process:
// with ESCALATE_TEST_CHILD=1 the test binary runs the arguments after "--"
// as escalate would, until SIGTERM. TestSignInMemoryBound measures a child
// serve's own memory that way.
func TestMain(m *testing.M) {
	if os.Getenv("ESCALATE_TEST_CHILD") == "1" {
		i := slices.Index(os.Args, "--")
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		env := &Env{Stdout: os.Stdout, Stderr: os.Stderr, Stdin: os.Stdin, Getenv: os.Getenv}
		code := Run(ctx, env, os.Args[i+1:])
		stop()
		os.Exit(code)
	}
	os.Exit(m.Run())
}
