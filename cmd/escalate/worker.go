package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/notify"
	"github.com/escalate-project/escalate/sqlstore"
)

func init() {
	register("worker", "send the notification outbox by email (--db, --smtp-*; or ESCALATE_* variables)", runWorker)
}

// workerConfig is escalate worker's configuration: each flag defaults to its
// ESCALATE_* variable.
type workerConfig struct {
	DB       string
	SMTP     smtpFlags
	Mail     notify.MailConfig // from SMTP, once checked
	BaseURL  string
	Batch    int
	Interval time.Duration
	Lease    time.Duration
	Once     bool
	Pool     poolFlags // the PostgreSQL pool; see db_pool.go
}

// smtpFlags are the SMTP settings escalate worker and escalate serve share.
// The password is read only from the environment, so it never shows in a
// process list.
type smtpFlags struct {
	host, port, tls, user, from, password string
}

func (f *smtpFlags) register(env *Env, fs *flag.FlagSet) {
	fs.StringVar(&f.host, "smtp-host", envValue(env, "ESCALATE_SMTP_HOST"), "SMTP server host; serve sends the outbox itself when set ($ESCALATE_SMTP_HOST)")
	fs.StringVar(&f.port, "smtp-port", envValue(env, "ESCALATE_SMTP_PORT"), "SMTP server port; default 587 for starttls, 465 for tls, 25 for none ($ESCALATE_SMTP_PORT)")
	fs.StringVar(&f.tls, "smtp-tls", envOr(env, "ESCALATE_SMTP_TLS", "starttls"), "none (loopback only), starttls or tls ($ESCALATE_SMTP_TLS)")
	fs.StringVar(&f.user, "smtp-user", envValue(env, "ESCALATE_SMTP_USER"), "SMTP user name, if the server needs one; the password is $ESCALATE_SMTP_PASSWORD ($ESCALATE_SMTP_USER)")
	fs.StringVar(&f.from, "from", envValue(env, "ESCALATE_SMTP_FROM"), "From address of notifications, e.g. \"Escalate <escalate@example.org>\" ($ESCALATE_SMTP_FROM)")
	f.password = envValue(env, "ESCALATE_SMTP_PASSWORD")
}

// mailConfig checks the flags (bad values are usage errors) and returns the
// mailer's configuration; baseURL is needed for the links in every email.
func (f *smtpFlags) mailConfig(baseURL string) (notify.MailConfig, error) {
	cfg := notify.MailConfig{Host: f.host, Username: f.user, Password: f.password, From: f.from}
	if f.host == "" {
		return cfg, usagef("missing --smtp-host (or set ESCALATE_SMTP_HOST)")
	}
	mode, err := notify.ParseTLSMode(f.tls)
	if err != nil {
		return cfg, usagef("--smtp-tls: %v", err)
	}
	cfg.TLS = mode
	if mode == notify.TLSNone && !isLoopback(f.host) {
		return cfg, usagef("--smtp-tls none is allowed only for a server on loopback, not %q: use starttls or tls", f.host)
	}
	switch {
	case f.port != "":
		n, err := strconv.Atoi(f.port)
		if err != nil || n <= 0 || n > 65535 {
			return cfg, usagef("--smtp-port %q: want a port number from 1 to 65535", f.port)
		}
		cfg.Port = n
	case mode == notify.TLSImplicit:
		cfg.Port = 465
	case mode == notify.TLSNone:
		cfg.Port = 25
	default:
		cfg.Port = 587
	}
	if f.password != "" && f.user == "" {
		return cfg, usagef("ESCALATE_SMTP_PASSWORD is set but --smtp-user is not")
	}
	if f.from == "" {
		return cfg, usagef("missing --from, e.g. \"Escalate <escalate@example.org>\" (or set ESCALATE_SMTP_FROM)")
	}
	if _, err := notify.NewSMTPMailer(cfg); err != nil {
		return cfg, usagef("%v", err)
	}
	u, err := url.Parse(baseURL)
	if baseURL == "" || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return cfg, usagef("--base-url %q: want the URL users reach the service at, e.g. https://escalate.example.org", baseURL)
	}
	return cfg, nil
}

// checkServe checks the flags for escalate serve, where they are optional:
// without --smtp-host serve sends nothing and escalate worker does it.
func (f *smtpFlags) checkServe(baseURL string) error {
	if f.host == "" {
		return nil
	}
	_, err := f.mailConfig(baseURL)
	return err
}

// startServe starts the outbox sender inside escalate serve when --smtp-host
// is set; stop ends it and waits for it, before the database is closed.
// The scheduler is not started here: serveDB runs it with or without SMTP.
func (f *smtpFlags) startServe(ctx context.Context, db *sqlstore.DB, baseURL string, log *slog.Logger) (stop func(), err error) {
	if f.host == "" {
		return func() {}, nil
	}
	mc, err := f.mailConfig(baseURL)
	if err != nil {
		return nil, err
	}
	cfg := &workerConfig{Mail: mc, BaseURL: baseURL, Batch: 20, Interval: 10 * time.Second, Lease: escalate.OutboxLease}
	w, err := newOutboxWorker(cfg, db, log)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.Run(ctx)
	}()
	log.Info("outbox worker started", "smtp_host", mc.Host, "smtp_port", mc.Port, "tls", string(mc.TLS))
	return func() { cancel(); <-done }, nil
}

// schedulerInterval is how often the worker looks for clocks to remind
// about or that have lapsed; reminders are due at 09:00 and hour clocks at
// once, so a minute is prompt enough.
const schedulerInterval = time.Minute

// newScheduler is the reminders-and-overdue pass the worker runs beside the
// sender, so a due clock's notice reaches the outbox and then the mail.
func newScheduler(db *sqlstore.DB, log *slog.Logger) *notify.Scheduler {
	return &notify.Scheduler{Store: notify.WithRetention(notify.WithDigest(db, &notify.DigestPass{Store: db}),
		&notify.RetentionPass{Store: db, Log: log}), Log: log}
}

func parseWorkerFlags(env *Env, args []string) (*workerConfig, bool, error) {
	cfg := &workerConfig{}
	fs := newCommandFlags("worker")
	fs.StringVar(&cfg.DB, "db", envValue(env, "ESCALATE_DB"), "database: a SQLite file or a postgres:// URL ($ESCALATE_DB)")
	fs.StringVar(&cfg.BaseURL, "base-url", envValue(env, "ESCALATE_BASE_URL"), "the URL users reach the service at, for links ($ESCALATE_BASE_URL)")
	cfg.SMTP.register(env, fs)
	fs.IntVar(&cfg.Batch, "batch", 20, "notifications claimed at a time")
	fs.DurationVar(&cfg.Interval, "interval", 10*time.Second, "pause when nothing is due")
	fs.DurationVar(&cfg.Lease, "lease", escalate.OutboxLease, "how long a claim lasts: the notifications a crashed worker had claimed wait this long for another")
	fs.BoolVar(&cfg.Once, "once", false, "send what is due, then exit")
	if err := cfg.Pool.register(env, fs); err != nil {
		return nil, false, err
	}
	if _, done, err := parseCommand(env, fs, args, 0); done || err != nil {
		return nil, done, err
	}
	if err := cfg.Pool.check(); err != nil {
		return nil, false, err
	}
	if cfg.DB == "" {
		return nil, false, usagef("missing --db: a SQLite file or a postgres:// URL (or set ESCALATE_DB)")
	}
	mc, err := cfg.SMTP.mailConfig(cfg.BaseURL)
	if err != nil {
		return nil, false, err
	}
	cfg.Mail = mc
	if cfg.Batch <= 0 || cfg.Interval <= 0 {
		return nil, false, usagef("--batch and --interval must be positive")
	}
	if cfg.Lease < 2*time.Second {
		return nil, false, usagef("--lease %v: want at least 2s, and far longer than one SMTP exchange", cfg.Lease)
	}
	return cfg, false, nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// newWorker builds the outbox worker cfg describes, on the store it opened.
func newOutboxWorker(cfg *workerConfig, store notify.Store, log *slog.Logger) (*notify.Worker, error) {
	m, err := notify.NewSMTPMailer(cfg.Mail)
	if err != nil {
		return nil, usagef("%v", err)
	}
	return &notify.Worker{Store: store, Mailer: m, Log: log, Batch: cfg.Batch, Interval: cfg.Interval, Lease: cfg.Lease,
		Composer: notify.Composer{BaseURL: cfg.BaseURL, Domain: m.Domain()}}, nil
}

// runWorker delivers the outbox until ctx ends (SIGINT or SIGTERM), or with
// --once until nothing is due.
func runWorker(ctx context.Context, env *Env, args []string) error {
	cfg, done, err := parseWorkerFlags(env, args)
	if done || err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(env.Stderr, nil))
	db, err := openDB(ctx, env, cfg.DB, false)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := cfg.Pool.apply(db); err != nil {
		return err
	}
	optimize(ctx, db, log)
	w, err := newOutboxWorker(cfg, db, log)
	if err != nil {
		return err
	}
	sched := newScheduler(db, log)
	if !cfg.Once {
		log.Info("outbox worker started", "smtp_host", cfg.Mail.Host, "smtp_port", cfg.Mail.Port, "tls", string(cfg.Mail.TLS))
		schedDone := make(chan struct{})
		go func() { defer close(schedDone); sched.Run(ctx, schedulerInterval) }()
		defer func() { <-schedDone }()
		return w.Run(ctx)
	}
	// One pass: enqueue every reminder and overdue prompt now due, in
	// bounded batches, then send until the outbox is empty.
	for {
		n, err := sched.Tick(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			break
		}
	}
	var total notify.Result
	for {
		r, err := w.RunOnce(ctx)
		if err != nil {
			return err
		}
		total.Sent += r.Sent
		total.Failed += r.Failed
		total.Dead += r.Dead
		if r.Claimed == 0 {
			break
		}
	}
	fmt.Fprintf(env.Stdout, "sent %d, failed %d (will retry), undeliverable %d\n", total.Sent, total.Failed, total.Dead)
	return nil
}

// The store meets what notify needs of it; notify itself knows nothing of
// sqlstore (every package depends inward, on the domain, only).
var (
	_ notify.Store             = (*sqlstore.DB)(nil)
	_ notify.ClockStore        = (*sqlstore.DB)(nil)
	_ notify.DissentClockStore = (*sqlstore.DB)(nil)
	_ notify.DigestStore       = (*sqlstore.DB)(nil)
	_ notify.PolicyReviewStore = (*sqlstore.DB)(nil)
	_ notify.RetentionStore    = (*sqlstore.DB)(nil)
)
