package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/escalate-project/escalate/sqlstore"
	"github.com/escalate-project/escalate/web"
)

func init() {
	register("serve", "run the web app (--db, --addr; or ESCALATE_* variables)", runServe)
}

// serveConfig is escalate serve's configuration: each flag defaults to its
// ESCALATE_* variable.
type serveConfig struct {
	DB              string
	Addr            string
	BaseURL         string
	SecureCookies   bool
	IdleTimeout     time.Duration
	SessionLifetime time.Duration
	ShutdownTimeout time.Duration
	// DrainDelay is how long /readyz answers 503 after SIGTERM, while
	// requests are still served, before the listener closes: long enough
	// for a load balancer's health checks to take the instance out.
	DrainDelay time.Duration
	OIDC       oidcFlags       // single sign-on; see serve_oidc.go
	Auth       authFlags       // trusted proxies; see serve_auth.go
	Checkpoint checkpointFlags // periodic signed audit checkpoints; see serve_checkpoint.go
	SMTP       smtpFlags       // sends the outbox in-process when set; see worker.go
	// NoScheduler stops this instance enqueueing reminders and overdue
	// prompts, for a second instance beside one that does.
	NoScheduler bool
	// MetricsAddr, when set, is where Prometheus metrics are served, on a
	// listener of their own (serve_metrics.go); off by default.
	MetricsAddr string
	Pool        poolFlags // the PostgreSQL pool; see db_pool.go
}

// parseServeFlags reads the configuration from args and env; bad values are
// usage errors.
func parseServeFlags(env *Env, args []string) (*serveConfig, bool, error) {
	cfg := &serveConfig{}
	fs := newCommandFlags("serve")
	fs.StringVar(&cfg.DB, "db", envValue(env, "ESCALATE_DB"), "database: a SQLite file or a postgres:// URL ($ESCALATE_DB)")
	fs.StringVar(&cfg.Addr, "addr", envOr(env, "ESCALATE_ADDR", "127.0.0.1:8080"), "address to listen on ($ESCALATE_ADDR)")
	fs.StringVar(&cfg.BaseURL, "base-url", envValue(env, "ESCALATE_BASE_URL"), "the URL users reach the service at, e.g. https://escalate.example.org ($ESCALATE_BASE_URL)")
	secure, err := envBool(env, "ESCALATE_SECURE_COOKIES", true)
	if err != nil {
		return nil, false, err
	}
	fs.BoolVar(&cfg.SecureCookies, "secure-cookies", secure, "Secure __Host- session cookie and HSTS; turn off only for plain http on localhost ($ESCALATE_SECURE_COOKIES)")
	durations := []struct {
		p         *time.Duration
		name, key string
		def       time.Duration
		usage     string
	}{
		{&cfg.IdleTimeout, "idle-timeout", "ESCALATE_IDLE_TIMEOUT", sqlstore.DefaultIdleTimeout, "a session unused this long ends"},
		{&cfg.SessionLifetime, "session-lifetime", "ESCALATE_SESSION_LIFETIME", sqlstore.DefaultLifetime, "a session ends this long after sign-in"},
		{&cfg.ShutdownTimeout, "shutdown-timeout", "ESCALATE_SHUTDOWN_TIMEOUT", 15 * time.Second, "how long requests in flight may take to finish at shutdown"},
	}
	for _, d := range durations {
		v := d.def
		if s := envValue(env, d.key); s != "" {
			if v, err = time.ParseDuration(s); err != nil || v <= 0 {
				return nil, false, usagef("%s=%q: want a duration such as 30m", d.key, s)
			}
		}
		fs.DurationVar(d.p, d.name, v, d.usage+" ($"+d.key+")")
	}
	cfg.Auth.register(env, fs)
	drain := 5 * time.Second
	if s := envValue(env, "ESCALATE_DRAIN_DELAY"); s != "" {
		if drain, err = time.ParseDuration(s); err != nil || drain < 0 {
			return nil, false, usagef("ESCALATE_DRAIN_DELAY=%q: want a duration such as 5s, or 0s", s)
		}
	}
	fs.DurationVar(&cfg.DrainDelay, "drain-delay", drain, "after SIGTERM, how long /readyz says 503 while requests are still served, before the listener closes; 0s behind no load balancer ($ESCALATE_DRAIN_DELAY)")
	if err := cfg.OIDC.register(env, fs); err != nil {
		return nil, false, err
	}
	if err := cfg.Checkpoint.register(env, fs); err != nil {
		return nil, false, err
	}
	cfg.SMTP.register(env, fs)
	noSched, err := envBool(env, "ESCALATE_NO_SCHEDULER", false)
	if err != nil {
		return nil, false, err
	}
	fs.BoolVar(&cfg.NoScheduler, "no-scheduler", noSched, "do not enqueue reminders and overdue prompts, for a second instance beside one that does ($ESCALATE_NO_SCHEDULER)")
	fs.StringVar(&cfg.MetricsAddr, "metrics-addr", envValue(env, "ESCALATE_METRICS_ADDR"), "serve Prometheus metrics at http://ADDR/metrics, e.g. 127.0.0.1:9090; off when empty ($ESCALATE_METRICS_ADDR)")
	if err := cfg.Pool.register(env, fs); err != nil {
		return nil, false, err
	}
	if _, done, err := parseCommand(env, fs, args, 0); done || err != nil {
		return nil, done, err
	}
	if cfg.DB == "" {
		return nil, false, usagef("missing --db: a SQLite file or a postgres:// URL (or set ESCALATE_DB)")
	}
	if err := cfg.Pool.check(); err != nil {
		return nil, false, err
	}
	if _, _, err := net.SplitHostPort(cfg.Addr); err != nil {
		return nil, false, usagef("--addr %q: want host:port, e.g. 127.0.0.1:8080", cfg.Addr)
	}
	if _, _, err := net.SplitHostPort(cfg.MetricsAddr); cfg.MetricsAddr != "" && err != nil {
		return nil, false, usagef("--metrics-addr %q: want host:port, e.g. 127.0.0.1:9090", cfg.MetricsAddr)
	}
	if cfg.IdleTimeout <= 0 || cfg.SessionLifetime <= 0 || cfg.ShutdownTimeout <= 0 {
		return nil, false, usagef("--idle-timeout, --session-lifetime and --shutdown-timeout must be positive")
	}
	if cfg.DrainDelay < 0 {
		return nil, false, usagef("--drain-delay must not be negative")
	}
	if cfg.IdleTimeout > cfg.SessionLifetime {
		return nil, false, usagef("--idle-timeout %v is longer than --session-lifetime %v", cfg.IdleTimeout, cfg.SessionLifetime)
	}
	if err := cfg.Auth.check(); err != nil {
		return nil, false, err
	}
	if err := cfg.OIDC.check(cfg.BaseURL); err != nil {
		return nil, false, err
	}
	if err := cfg.Checkpoint.check(); err != nil {
		return nil, false, err
	}
	if err := cfg.SMTP.checkServe(cfg.BaseURL); err != nil {
		return nil, false, err
	}
	return cfg, false, nil
}

func envOr(env *Env, key, def string) string {
	if v := envValue(env, key); v != "" {
		return v
	}
	return def
}

func envBool(env *Env, key string, def bool) (bool, error) {
	s := envValue(env, key)
	if s == "" {
		return def, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, usagef("%s=%q: want 1 or 0", key, s)
	}
	return b, nil
}

// runServe opens and migrates the database, then serves until ctx ends
// (SIGINT or SIGTERM), when it lets requests in flight finish.
func runServe(ctx context.Context, env *Env, args []string) error {
	cfg, done, err := parseServeFlags(env, args)
	if done || err != nil {
		return err
	}
	if err := cfg.Checkpoint.require(); err != nil {
		return err
	}
	// JSON logs on stderr. Nothing personal is logged: requests log their
	// path (no query) and the user's ID only.
	log := slog.New(slog.NewJSONHandler(env.Stderr, nil))
	db, err := openDB(ctx, env, cfg.DB, true)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := cfg.Pool.apply(db); err != nil {
		return err
	}
	n, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	optimize(ctx, db, log)
	log.Info("database ready", "engine", string(db.Dialect()), "migrations_applied", n)
	stopWorker, err := cfg.SMTP.startServe(ctx, db, cfg.BaseURL, log)
	if err != nil {
		return err
	}
	defer stopWorker() // before db.Close: deferred later, runs first
	return serveDB(ctx, cfg, db, log, nil)
}

// serveDB runs the web app on the migrated db as cfg says until ctx ends;
// escalate demo runs it too. listening, if not nil, is called with the
// address once the server listens.
func serveDB(ctx context.Context, cfg *serveConfig, db *sqlstore.DB, log *slog.Logger, listening func(addr string)) error {
	if web.CommonPasswordCount() < 1000 {
		log.Warn("the common-password list is missing: run make to copy it; using a short built-in list")
	}
	if !cfg.SecureCookies {
		log.Warn("secure cookies are off: use this only for plain http on localhost")
	}
	oidc, err := cfg.OIDC.webConfig(ctx, db, &sqlstore.Sessions{DB: db, Idle: cfg.IdleTimeout, Lifetime: cfg.SessionLifetime})
	if err != nil {
		return err
	}
	m, stopMetrics, err := startMetrics(ctx, cfg.MetricsAddr, db, log)
	if err != nil {
		return err
	}
	defer stopMetrics()
	srv, err := web.New(web.Config{
		Auth:          &sqlstore.Sessions{DB: db, Idle: cfg.IdleTimeout, Lifetime: cfg.SessionLifetime},
		Logger:        log,
		SecureCookies: cfg.SecureCookies,
		BaseURL:       cfg.BaseURL,
		Raise:         db,
		Partnership:   db,
		Notifications: db,
		Reports:       db,
		Learning:      db,
		Dissents:      db,
		Privacy:       db,
		Escalations:   sqlstore.NewEscalationService(db),
		API:           web.APIConfig{Tokens: sqlstore.NewTokenService(db), Store: db},
		OIDC:          oidc,
		Proxies:       cfg.Auth.trusted,
		Accounts:      db,
		Providers:     cfg.Auth.providers(db),
		IdleTimeout:   cfg.IdleTimeout,
		Observe:       m.observeRequest,
	})
	if err != nil {
		return cliError(err, "base_url", "base-url")
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	log.Info("listening", "addr", ln.Addr().String())
	if listening != nil {
		listening(ln.Addr().String())
	}
	// The checkpointer and the scheduler stop with the server, before the
	// caller closes db.
	cpCtx, stopCheckpoints := context.WithCancel(ctx)
	cpDone := make(chan struct{})
	go func() { defer close(cpDone); cfg.Checkpoint.run(cpCtx, db, log) }()
	defer func() { stopCheckpoints(); <-cpDone }()
	// In-app notifications read the outbox, so overdue prompts and
	// reminders are enqueued with or without SMTP; the sender (--smtp-host
	// or escalate worker) only mails them.
	if !cfg.NoScheduler {
		schedCtx, stopScheduler := context.WithCancel(ctx)
		schedDone := make(chan struct{})
		sched := newScheduler(db, log)
		sched.Observe = m.observeSchedulerPass
		go func() { defer close(schedDone); sched.Run(schedCtx, schedulerInterval) }()
		defer func() { stopScheduler(); <-schedDone }()
		log.Info("scheduler started", "interval", schedulerInterval.String())
	}
	return serveHTTP(ctx, ln, srv, log, cfg.DrainDelay, cfg.ShutdownTimeout)
}

// serveHTTP serves srv on ln until ctx ends, then shuts down gracefully:
// it drains for drainDelay (/readyz says 503, every answer closes its
// connection, requests are still served), then stops accepting and gives
// the requests in flight up to grace to finish.
func serveHTTP(ctx context.Context, ln net.Listener, srv *web.Server, log *slog.Logger, drainDelay, grace time.Duration) error {
	// While draining, every answer asks the client to close its connection,
	// so no keep-alive connection is left for the listener's close to
	// break. (SetKeepAlivesEnabled(false) would close idle connections at
	// once, racing a request a client is just sending on one.)
	var draining atomic.Bool
	hs := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if draining.Load() {
				w.Header().Set("Connection", "close")
			}
			srv.ServeHTTP(w, r)
		}),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	srv.Drain()
	if drainDelay > 0 {
		draining.Store(true)
		log.Info("draining", "delay", drainDelay.String())
		select {
		case err := <-errc:
			return fmt.Errorf("serve: %w", err)
		case <-time.After(drainDelay):
		}
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}
