package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/escalate-project/escalate/metrics"
	"github.com/escalate-project/escalate/sqlstore"
)

// serveMetrics is the running metrics of escalate serve; its methods do
// nothing when metrics are off (a nil *serveMetrics), so the web app and the
// scheduler need not care.
type serveMetrics struct{ m *metrics.Metrics }

func (s *serveMetrics) observeRequest(route, method string, status int, took time.Duration) {
	if s != nil {
		s.m.ObserveRequest(route, method, status, took)
	}
}

func (s *serveMetrics) observeSchedulerPass(took time.Duration, err error) {
	if s != nil {
		s.m.ObserveSchedulerPass(took, err)
	}
}

// startMetrics serves Prometheus metrics at http://addr/metrics on a
// listener of their own, so they are never exposed where the app is, until
// stop is called. An empty addr turns metrics off.
func startMetrics(ctx context.Context, addr string, db *sqlstore.DB, log *slog.Logger) (*serveMetrics, func(), error) {
	if addr == "" {
		return nil, func() {}, nil
	}
	m := metrics.New(db, log)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	go func() {
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics listener", "err", err)
		}
	}()
	log.Info("metrics listening", "addr", ln.Addr().String())
	return &serveMetrics{m}, func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		hs.Shutdown(sctx)
	}, nil
}
