package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/escalate-project/escalate"
)

// Several OpenID Connect providers per partnership, each for one or more
// email domains (doc/web.md, "Single sign-on"): a council's and NHSmail's
// Entra ID tenants, a schools' Google Workspace. The sign-in page asks for
// the email first and sends the person to their domain's provider, or to
// the password form. Each provider gets its own client, made on first use
// (its discovery happens then, so an unreachable provider never stops the
// service), with the client secret read from where its SecretRef says.

// ProviderStore is what partnership providers need: *sqlstore.DB.
type ProviderStore interface {
	// HasProviders reports whether any partnership has a provider: only
	// then does the sign-in page ask for the email first.
	HasProviders(ctx context.Context) (bool, error)
	ProvidersForDomain(ctx context.Context, domain string) ([]*escalate.OIDCProvider, error)
	FindProvider(ctx context.Context, id int64) (*escalate.OIDCProvider, error)
	Providers(ctx context.Context, partnershipID int64) ([]*escalate.OIDCProvider, error)
	AddProvider(ctx context.Context, p *escalate.OIDCProvider) error
	RemoveProvider(ctx context.Context, partnershipID, id int64) error
}

// ProviderAuth signs in a person a partnership provider authenticated;
// sqlstore.Sessions implements it.
type ProviderAuth interface {
	ProviderSignIn(ctx context.Context, providerID int64, issuer, subject, email string, emailVerified bool, ip, oldToken string) (string, *escalate.User, error)
}

// ProviderConfig turns on partnership providers.
type ProviderConfig struct {
	Store ProviderStore
	// Secret reads a client secret from where a provider's SecretRef says
	// (env:NAME or file:/path); cmd/escalate supplies it.
	Secret func(ref string) (string, error)
	// HTTPClient talks to the providers; nil for one with a 15-second
	// timeout.
	HTTPClient *http.Client
}

// providerClients holds the clients of partnership providers by ID.
type providerClients struct {
	cfg ProviderConfig
	mu  sync.Mutex
	by  map[int64]*oidcClient
}

// providerSignIn adapts ProviderAuth to one provider's OIDCStore.
type providerSignIn struct {
	auth ProviderAuth
	id   int64
}

func (p providerSignIn) SignInIdentity(ctx context.Context, issuer, subject, email string, verified bool, ip, oldToken string) (string, *escalate.User, error) {
	return p.auth.ProviderSignIn(ctx, p.id, issuer, subject, email, verified, ip, oldToken)
}

// redirectURL is where providers send people back: the base URL's
// callback, else this host's.
func (s *Server) redirectURL(r *http.Request) string {
	if s.base != "" {
		return s.base + OIDCCallbackPath
	}
	scheme := "http"
	if s.secure || r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + OIDCCallbackPath
}

// oidcClientFor returns the client of provider id: 0 for the flags'
// provider, else a partnership's, made on first use.
func (s *Server) oidcClientFor(r *http.Request, id int64) (*oidcClient, error) {
	if id == 0 {
		if s.oidc == nil {
			return nil, escalate.Errorf(escalate.ENOTFOUND, "There is no such sign-in provider.")
		}
		return s.oidc, nil
	}
	if s.providers == nil {
		return nil, escalate.Errorf(escalate.ENOTFOUND, "There is no such sign-in provider.")
	}
	p, err := s.providers.cfg.Store.FindProvider(r.Context(), id)
	if err != nil {
		return nil, err
	}
	pc := s.providers
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if c := pc.by[id]; c != nil && c.cfg.Issuer == p.Issuer && c.cfg.ClientID == p.ClientID {
		return c, nil
	}
	secret := ""
	if p.SecretRef != "" {
		if pc.cfg.Secret == nil {
			return nil, escalate.Errorf(escalate.EUNAVAILABLE, "The sign-in provider's secret cannot be read.")
		}
		if secret, err = pc.cfg.Secret(p.SecretRef); err != nil {
			s.log.ErrorContext(r.Context(), "oidc: provider secret unreadable", "provider", id, "err", err)
			return nil, escalate.Errorf(escalate.EUNAVAILABLE, "Your organisation's sign-in is not set up properly. Ask your partnership's administrator.")
		}
	}
	c, err := newOIDCClient(OIDCConfig{Issuer: p.Issuer, ClientID: p.ClientID, ClientSecret: secret,
		RedirectURL: s.redirectURL(r), Store: providerSignIn{auth: s.auth.(ProviderAuth), id: id},
		HTTPClient: pc.cfg.HTTPClient}, id)
	if err != nil {
		return nil, err
	}
	if pc.by == nil {
		pc.by = map[int64]*oidcClient{}
	}
	pc.by[id] = c
	return c, nil
}

// providerStart sends the browser to partnership provider {id}.
func (s *Server) providerStart(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return escalate.Errorf(escalate.ENOTFOUND, "There is no such sign-in provider.")
	}
	c, err := s.oidcClientFor(r, id)
	if escalate.ErrorCode(err) == escalate.EUNAVAILABLE {
		return s.oidcRefuse(w, r, http.StatusServiceUnavailable, escalate.ErrorMessage(err))
	} else if err != nil {
		return err
	}
	return s.oidcStartWith(w, r, c)
}

// providerChoice is one provider the email's domain may sign in with.
type providerChoice struct {
	ID   int64
	Name string
}

// routeEmail decides where an email typed on the sign-in page goes: the
// providers of its domain (none: the password form). It reads no account,
// so it says nothing about whether the address has one.
func (s *Server) routeEmail(ctx context.Context, email string) ([]providerChoice, error) {
	if s.providers == nil {
		return nil, nil
	}
	d := escalate.EmailDomain(email)
	if d == "" {
		return nil, nil
	}
	ps, err := s.providers.cfg.Store.ProvidersForDomain(ctx, d)
	if err != nil {
		return nil, err
	}
	var out []providerChoice
	for _, p := range ps {
		out = append(out, providerChoice{ID: p.ID, Name: strings.TrimSpace(p.Name)})
	}
	return out, nil
}

// emailFirst reports whether the sign-in page asks for the email alone
// first: when any partnership has a provider to route it to.
func (s *Server) emailFirst(ctx context.Context) (bool, error) {
	if s.providers == nil {
		return false, nil
	}
	return s.providers.cfg.Store.HasProviders(ctx)
}
