package web

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/escalate-project/escalate"
)

// healthz answers while the process is up, with the build it runs: the
// first line is "ok", then "version 0.1.0" and "commit <hash>" (or
// "commit unknown"). It never touches the database, so a platform restarts
// the process only when the process itself is stuck.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	b := escalate.Build()
	commit := b.Commit
	if commit == "" {
		commit = "unknown"
	} else if b.Modified {
		commit += " (modified)"
	}
	fmt.Fprintf(w, "ok\nversion %s\ncommit %s\n", b.Version, commit)
}

// readyz says whether this instance should be sent requests: not while it
// drains before a shutdown, nor while its database does not answer or
// cannot take writes (a full disk).
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if s.draining.Load() {
		w.Header().Set("Connection", "close")
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, "draining: shutting down")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.auth.Ping(ctx); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		if escalate.ErrorCode(err) == escalate.EUNAVAILABLE {
			// Expected while it lasts, and said once per probe: a warning.
			s.log.Warn("readyz: not ready", "err", escalate.ErrorMessage(err))
			fmt.Fprintln(w, "not ready: "+escalate.ErrorMessage(err))
			return
		}
		s.log.Error("readyz: database unreachable", "err", err)
		fmt.Fprintln(w, "database unreachable")
		return
	}
	fmt.Fprintln(w, "ok")
}

// Drain marks the server as about to stop: /readyz answers 503 from now on,
// so a load balancer takes this instance out of rotation while requests
// still being sent to it are served. escalate serve calls it on SIGTERM,
// waits --drain-delay, then stops accepting connections and lets requests
// in flight finish.
func (s *Server) Drain() { s.draining.Store(true) }
