// Package web serves Escalate's pages: GOV.UK-style HTML that works without
// JavaScript, sign-in with server-side sessions, and the request protection
// every page shares. Templates and static files are embedded and parsed once
// at start-up. It depends on the domain only; cmd/escalate wires in the store.
package web

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/escalate-project/escalate"
)

//go:embed templates
var templateFS embed.FS

// staticFS holds our own CSS and JS and, once make has copied them, the
// govuk-frontend files under static/vendor/. A missing vendor file is a 404
// at run time, never a build failure.
//
//go:embed static
var staticFS embed.FS

// Auth signs people in and out and finds who a session belongs to.
// sqlstore.Sessions implements it.
type Auth interface {
	// SignIn checks the credentials and starts a new session, ending
	// oldToken's. A wrong email or password is EUNAUTHORIZED, too many
	// recent failures EFORBIDDEN.
	SignIn(ctx context.Context, email, password, ip, oldToken string) (token string, u *escalate.User, err error)
	// User returns the user of a live session, or EUNAUTHORIZED.
	User(ctx context.Context, token string) (*escalate.User, *escalate.Partnership, error)
	// Reauthenticate makes the session's person prove again who they are
	// (password, or authenticator or recovery code), before an action such
	// as making an API token. A wrong answer is EINVALID on field
	// "password" or "code".
	Reauthenticate(ctx context.Context, token, password, code, ip string) error
	// ChangePassword changes the session's person's own password once
	// current is right (else EINVALID on field "current"), ending all
	// their sessions, this one too.
	ChangePassword(ctx context.Context, token, current, next, ip string) error
	// Pending returns the user of a live session whatever its stage
	// (escalate.StageFull, or waiting for a second factor), and the stage.
	Pending(ctx context.Context, token string) (*escalate.User, *escalate.Partnership, string, error)
	// VerifyFactor finishes a sign-in waiting for a second factor with a
	// code (authenticator app or recovery code) and returns the full
	// session's new token. A wrong code is EINVALID on field "code".
	VerifyFactor(ctx context.Context, token, code, ip string) (string, error)
	// StartTOTP starts setting up an authenticator app: its secret and
	// otpauth:// URI.
	StartTOTP(ctx context.Context, token string) (secret, uri string, err error)
	// PendingTOTP returns the app secret being set up, without changing
	// anything; ENOTFOUND when there is none.
	PendingTOTP(ctx context.Context, token string) (secret, uri string, err error)
	// ConfirmTOTP finishes it with a code from the app, returning new
	// recovery codes (if the person had none) and, for a sign-in that was
	// waiting to set one up, the full session's new token.
	ConfirmTOTP(ctx context.Context, token, code, ip string) (codes []string, fresh string, err error)
	// NewRecoveryCodes replaces the signed-in person's recovery codes.
	NewRecoveryCodes(ctx context.Context, token string) ([]string, error)
	// Factors says which second factors the session's person has.
	Factors(ctx context.Context, token string) (escalate.SecondFactors, error)
	// SignOut ends the session, if any.
	SignOut(ctx context.Context, token string) error
	// Ping reports whether the store answers, for /readyz.
	Ping(ctx context.Context) error
}

// Config is what a Server needs.
type Config struct {
	Auth   Auth
	Logger *slog.Logger // nil for slog.Default()
	// SecureCookies marks the session cookie Secure with the __Host- prefix
	// and sends HSTS. Only a plain-http demo on localhost turns it off.
	SecureCookies bool
	// BaseURL is where users reach the service, e.g. https://escalate.example.org;
	// its origin is trusted for form posts when a proxy changes the Host.
	BaseURL string
	// Escalations serves the escalation pages and My work; nil leaves
	// them out. sqlstore.EscalationService implements it.
	Escalations Escalations
	// Raise is what the raise pages need besides Escalations: *sqlstore.DB.
	// Without it, or without Escalations, there are no raise pages.
	Raise RaiseStore
	// Partnership serves the contacts, policy, overview and administration
	// pages: *sqlstore.DB. Without it there are none.
	Partnership PartnershipStore
	// API serves the JSON API and the API tokens page (see api.go); they
	// also need Escalations.
	API APIConfig
	// OIDC turns on single sign-on (see oidc.go); nil leaves it off.
	OIDC *OIDCConfig
	// Providers turns on the partnerships' own sign-in providers, routed
	// by email domain (oidc_providers.go); Auth must be a ProviderAuth.
	Providers *ProviderConfig
	// Notifications serves the Notifications page, the header's unread
	// count and the undelivered notifications page: *sqlstore.DB.
	Notifications NotificationStore
	// Reports serves the board reports (reports.go): *sqlstore.DB. They
	// also need Partnership.
	Reports ReportStore
	// Learning serves the learning log, the proformas and the learning
	// step on closed escalations (learning.go): *sqlstore.DB.
	Learning LearningStore
	// Accounts serves the account pages: role changes, second factors,
	// invitations and resets (account_routes.go): *sqlstore.DB.
	Accounts AccountStore
	// Proxies are the trusted reverse proxies whose X-Forwarded-For names
	// the client (client_ip.go); none: the connection's peer is the client.
	Proxies []netip.Prefix
	// Dissents serves the Child Protection Conference dissent pages, where
	// the policy switches them on: *sqlstore.DB. Nil leaves them out.
	Dissents DissentStore
	// Privacy serves the data protection pages (privacy.go): who has seen
	// what, retention and legal holds, subject access. *sqlstore.DB.
	Privacy PrivacyStore
	// IdleTimeout is how long a session lasts unused, as Auth enforces it
	// (0: the default 30 minutes). Pages warn before it ends (timeout.go).
	IdleTimeout time.Duration
	// Observe, when set, is told of every answered request: the route
	// pattern it matched ("" for none; never the path), its method, status
	// and how long it took. metrics.Metrics.ObserveRequest fits.
	Observe func(route, method string, status int, took time.Duration)
}

// Server is the web application; it is an http.Handler.
type Server struct {
	auth    Auth
	log     *slog.Logger
	secure  bool
	pages   map[string]*template.Template
	handler http.Handler
	esc     Escalations
	raise   RaiseStore
	org     PartnershipStore
	api     APIConfig
	oidc    *oidcClient
	notes   NotificationStore // nil: no notification pages (notifications.go)
	reports ReportStore       // nil: no board reports (reports.go)
	feeds   *feedConfig       // nil: no calendar feed (feed.go)
	learn   LearningStore     // nil: no learning pages (learning.go)
	dis     DissentStore      // nil: no dissent pages (dissents.go)
	privacy PrivacyStore      // nil: no data protection pages (privacy.go)
	trusted []netip.Prefix    // reverse proxies (client_ip.go)
	acct    AccountStore      // nil: no account pages (account_routes.go)
	base    string            // Config.BaseURL, for the passkeys' relying party
	// passkeys is Auth as PasskeyAuth, nil when it is not one (passkey.go).
	passkeys PasskeyAuth
	// providers are the partnerships' sign-in providers (oidc_providers.go).
	providers *providerClients
	idle      time.Duration // the session's idle timeout, for the warning

	draining atomic.Bool // set by Drain: /readyz answers 503 (health.go)
	observe  func(route, method string, status int, took time.Duration)
}

// New parses the templates and builds the routes.
func New(cfg Config) (*Server, error) {
	if cfg.Auth == nil {
		return nil, errors.New("web: no Auth")
	}
	s := &Server{auth: cfg.Auth, log: cfg.Logger, secure: cfg.SecureCookies, esc: cfg.Escalations}
	s.raise = cfg.Raise
	s.org = cfg.Partnership
	s.api = cfg.API
	s.notes = cfg.Notifications
	s.reports = cfg.Reports
	s.learn = cfg.Learning
	s.dis = cfg.Dissents
	s.privacy = cfg.Privacy
	s.trusted = cfg.Proxies
	s.acct = cfg.Accounts
	s.base = strings.TrimRight(cfg.BaseURL, "/")
	s.passkeys, _ = cfg.Auth.(PasskeyAuth)
	if cfg.Providers != nil {
		if _, ok := cfg.Auth.(ProviderAuth); !ok {
			return nil, errors.New("web: Providers need an Auth that is a ProviderAuth")
		}
		s.providers = &providerClients{cfg: *cfg.Providers}
	}
	s.idle = cfg.IdleTimeout
	if s.idle <= 0 {
		s.idle = 30 * time.Minute
	}
	s.observe = cfg.Observe
	s.feeds = newFeedConfig(cfg)
	if s.log == nil {
		s.log = slog.Default()
	}
	var err error
	if s.oidc, err = newOIDC(cfg.OIDC); err != nil {
		return nil, err
	}
	if s.pages, err = parseTemplates(); err != nil {
		return nil, err
	}
	cop := http.NewCrossOriginProtection()
	if cfg.BaseURL != "" {
		u, err := url.Parse(cfg.BaseURL)
		if err != nil || u.Scheme == "" || u.Host == "" {
			return nil, escalate.Errorf(escalate.EINVALID, "the base URL %q is not like https://escalate.example.org", cfg.BaseURL)
		}
		if err := cop.AddTrustedOrigin(u.Scheme + "://" + u.Host); err != nil {
			return nil, fmt.Errorf("web: base URL: %w", err)
		}
	}
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.renderError(w, r, escalate.Errorf(escalate.EFORBIDDEN,
			"This form was sent from another website, so it has been refused. Go back to the page and try again."))
	}))
	s.handler = s.logRequests(s.securityHeaders(cop.Handler(withRoute(s.routes()))))
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", fileServer(static)))
	assets, _ := fs.Sub(staticFS, "static/vendor/assets")
	mux.Handle("GET /assets/", http.StripPrefix("/assets/", fileServer(assets)))

	mux.Handle("GET /sign-in", s.handle(s.signInForm))
	mux.Handle("POST /sign-in", s.handle(s.signIn))
	mux.Handle("POST /sign-out", s.handle(s.signOut))
	mux.Handle("GET /{$}", s.handle(s.signedIn(s.home)))
	s.escalationRoutes(mux)
	s.raiseRoutes(mux)
	s.partnershipRoutes(mux)
	s.policyChangeRoutes(mux)
	s.goodPracticeRoutes(mux)
	s.agencyRoutes(mux)
	s.apiRoutes(mux)
	s.oidcRoutes(mux)
	s.notificationRoutes(mux)
	s.feedRoutes(mux)
	s.reportRoutes(mux)
	s.learningRoutes(mux)
	s.learningThemeRoutes(mux)
	s.caseFileRoutes(mux)
	s.draftRoutes(mux)
	s.adminAPIRoutes(mux)
	s.accessibilityRoutes(mux)
	s.dissentRoutes(mux)
	s.privacyRoutes(mux)
	s.accountRoutes(mux)
	mux.Handle("/", s.handle(s.notFound))
	return mux
}

// notFound answers every path no route has, with the header of whoever is
// signed in.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) error {
	r, err := s.withSession(w, r)
	if err != nil {
		return err
	}
	s.renderError(w, r, escalate.Errorf(escalate.ENOTFOUND, "Page not found"))
	return nil
}

// fileServer serves files from fsys but never lists a directory.
func fileServer(fsys fs.FS) http.Handler {
	fsrv := http.FileServerFS(fsys)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := r.URL.Path
		if name == "" || name[len(name)-1] == '/' {
			http.NotFound(w, r)
			return
		}
		if st, err := fs.Stat(fsys, name); err != nil || st.IsDir() {
			http.NotFound(w, r)
			return
		}
		// File names carry no version, so browsers must check back soon.
		w.Header().Set("Cache-Control", "public, max-age=300")
		fsrv.ServeHTTP(w, r)
	})
}
