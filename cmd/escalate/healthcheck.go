package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

func init() {
	register("healthcheck", "exit 0 if the server at --addr answers /healthz, for a container's health check", runHealthcheck)
}

// runHealthcheck asks a running escalate serve whether it is up, so that a
// container image with no shell or curl can still have a health check.
func runHealthcheck(ctx context.Context, env *Env, args []string) error {
	fs := newCommandFlags("healthcheck")
	addr := fs.String("addr", envOr(env, "ESCALATE_ADDR", "127.0.0.1:8080"), "the address escalate serve listens on ($ESCALATE_ADDR)")
	path := fs.String("path", "/healthz", "what to ask: /healthz (up) or /readyz (ready for requests)")
	if _, done, err := parseCommand(env, fs, args, 0); done || err != nil {
		return err
	}
	host, port, err := net.SplitHostPort(*addr)
	if err != nil {
		return usagef("--addr %q: want host:port, e.g. 127.0.0.1:8080", *addr)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1" // listening everywhere: ask on loopback
	}
	if *path != "/healthz" && *path != "/readyz" {
		return usagef("--path %q: want /healthz or /readyz", *path)
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", "http://"+net.JoinHostPort(host, port)+*path, nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintf(env.Stderr, "unhealthy: %v\n", err)
		return exitError{1}
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
	if res.StatusCode != http.StatusOK {
		fmt.Fprintf(env.Stderr, "unhealthy: %s answered %d: %s", *path, res.StatusCode, body)
		return exitError{1}
	}
	fmt.Fprintf(env.Stdout, "%s", body)
	return nil
}
