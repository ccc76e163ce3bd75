package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/escalate-project/escalate"
)

// OIDCCallbackPath is where the provider sends people back; the redirect
// URL registered with it must end in this path.
const OIDCCallbackPath = "/sign-in/oidc/callback"

// oidcStartPath starts single sign-on. It is a GET, a link, because the
// Content-Security-Policy's form-action 'self' would stop a form post that
// redirects to the provider. It changes nothing on the server: it only sets
// the pre-auth cookie, and a forged start ends, at worst, with the person
// signed in as themselves.
const oidcStartPath = "/sign-in/oidc"

// OIDCStore signs in people whom the provider has authenticated.
// *sqlstore.Identities implements it.
type OIDCStore interface {
	// SignInIdentity starts a session for the user linked to issuer and
	// subject (or, on a first sign-in, linked by a verified email if the
	// linking policy allows) and ends oldToken's. A refusal is EFORBIDDEN
	// with a message for the person.
	SignInIdentity(ctx context.Context, issuer, subject, email string, emailVerified bool, ip, oldToken string) (token string, u *escalate.User, err error)
}

// OIDCConfig turns on single sign-on with an OpenID Connect provider such
// as Microsoft Entra ID.
type OIDCConfig struct {
	Issuer       string // e.g. https://login.microsoftonline.com/TENANT-ID/v2.0
	ClientID     string
	ClientSecret string // "" for a public client, which PKCE alone protects
	RedirectURL  string // https://escalate.example.org/sign-in/oidc/callback
	Store        OIDCStore
	// HTTPClient talks to the provider; nil for one with a 15-second timeout.
	HTTPClient *http.Client
}

// oidcCookieAge bounds the time between starting a sign-in and coming back.
const oidcCookieAge = 10 * time.Minute

// oidcClient is single sign-on's state. The provider is discovered on first
// use, not at start-up, so an unreachable provider does not stop the
// service from starting: password sign-in still works.
type oidcClient struct {
	cfg    OIDCConfig
	id     int64 // the partnership provider's ID; 0 for the one the flags configure
	client *http.Client
	seal   *sealer

	mu       sync.Mutex
	oauth    *oauth2.Config
	verifier *oidc.IDTokenVerifier
}

// newOIDC checks cfg; nil gives nil, for no single sign-on.
func newOIDC(cfg *OIDCConfig) (*oidcClient, error) {
	if cfg == nil {
		return nil, nil
	}
	if err := checkProviderURL("issuer", cfg.Issuer); err != nil {
		return nil, err
	}
	if err := checkProviderURL("redirect URL", cfg.RedirectURL); err != nil {
		return nil, err
	}
	if u, _ := url.Parse(cfg.RedirectURL); u.Path != OIDCCallbackPath {
		return nil, escalate.Errorf(escalate.EINVALID, "the OIDC redirect URL %q must end in %s", cfg.RedirectURL, OIDCCallbackPath)
	}
	if cfg.ClientID == "" {
		return nil, escalate.Errorf(escalate.EINVALID, "the OIDC client ID is missing")
	}
	if cfg.Store == nil {
		return nil, errors.New("web: OIDC without a Store")
	}
	return newOIDCClient(*cfg, 0)
}

// newOIDCClient is the client of one provider: the flags' (id 0), or a
// partnership's.
func newOIDCClient(cfg OIDCConfig, id int64) (*oidcClient, error) {
	c := &oidcClient{cfg: cfg, id: id, client: cfg.HTTPClient}
	if c.client == nil {
		c.client = &http.Client{Timeout: 15 * time.Second}
	}
	// Every instance derives the same cookie key from the shared client
	// secret, so a sign-in may come back to another instance. Without a
	// secret the key is per process.
	key := make([]byte, 32)
	if cfg.ClientSecret != "" {
		m := hmac.New(sha256.New, []byte(cfg.ClientSecret))
		m.Write([]byte("escalate oidc pre-auth cookie v1"))
		key = m.Sum(nil)
	} else {
		rand.Read(key)
	}
	var err error
	if c.seal, err = newSealer(key); err != nil {
		return nil, err
	}
	return c, nil
}

// checkProviderURL insists on https, except on loopback where a developer
// or a test runs a provider.
func checkProviderURL(what, s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return escalate.Errorf(escalate.EINVALID, "the OIDC %s %q is not like https://login.example.org/…", what, s)
	}
	if u.Scheme == "http" {
		ip := net.ParseIP(u.Hostname())
		if u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return escalate.Errorf(escalate.EINVALID, "the OIDC %s %q must use https", what, s)
		}
	}
	return nil
}

// providerCtx carries our HTTP client to go-oidc and oauth2.
func (c *oidcClient) providerCtx(ctx context.Context) context.Context {
	return oidc.ClientContext(ctx, c.client)
}

// discover fetches the provider's configuration once it succeeds.
func (c *oidcClient) discover() (*oauth2.Config, *oidc.IDTokenVerifier, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.oauth != nil {
		return c.oauth, c.verifier, nil
	}
	// Not the request's context: the key set keeps this one to fetch
	// rotated keys later. The client's timeout bounds each fetch.
	p, err := oidc.NewProvider(c.providerCtx(context.Background()), c.cfg.Issuer)
	if err != nil {
		return nil, nil, fmt.Errorf("oidc: discovering %s: %w", c.cfg.Issuer, err)
	}
	// The secret goes in the form body, as Entra ID documents and a public
	// client needs; oauth2's auto-detection would send a refused code twice.
	ep := p.Endpoint()
	ep.AuthStyle = oauth2.AuthStyleInParams
	c.oauth = &oauth2.Config{
		ClientID: c.cfg.ClientID, ClientSecret: c.cfg.ClientSecret, RedirectURL: c.cfg.RedirectURL,
		Endpoint: ep, Scopes: []string{oidc.ScopeOpenID, "email", "profile"},
	}
	// Checks the signature, iss, exp and that aud holds our client ID.
	c.verifier = p.Verifier(&oidc.Config{ClientID: c.cfg.ClientID})
	return c.oauth, c.verifier, nil
}

func (s *Server) oidcRoutes(mux *http.ServeMux) {
	if s.oidc != nil {
		mux.Handle("GET /sign-in/oidc", s.handle(s.oidcStart))
	}
	if s.providers != nil {
		mux.Handle("GET /sign-in/oidc/{id}", s.handle(s.providerStart))
	}
	if s.oidc != nil || s.providers != nil {
		mux.Handle("GET /sign-in/oidc/callback", s.handle(s.oidcCallback))
	}
}

// preAuth is what the browser holds, sealed, between leaving for the
// provider and coming back: it binds the answer to this browser.
type preAuth struct {
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"` // PKCE
	Expires  int64  `json:"e"` // Unix seconds
}

// oidcStart sends the browser to the provider with a fresh state, nonce and
// PKCE challenge.
func (s *Server) oidcStart(w http.ResponseWriter, r *http.Request) error {
	return s.oidcStartWith(w, r, s.oidc)
}

// oidcStartWith sends the browser to provider oc2.
func (s *Server) oidcStartWith(w http.ResponseWriter, r *http.Request, oc2 *oidcClient) error {
	oc, _, err := oc2.discover()
	if err != nil {
		s.log.ErrorContext(r.Context(), "oidc: provider unreachable", "err", err)
		return s.oidcRefuse(w, r, http.StatusServiceUnavailable,
			"Your organisation's sign-in service cannot be reached just now. Try again later, or sign in with your Escalate password.")
	}
	pa := preAuth{State: randomString(), Nonce: randomString(), Verifier: oauth2.GenerateVerifier(),
		Expires: time.Now().Add(oidcCookieAge).Unix()}
	sealed, err := oc2.seal.seal(pa)
	if err != nil {
		return err
	}
	// The provider's ID goes before the sealed part, so the callback knows
	// whose key opens it.
	http.SetCookie(w, &http.Cookie{
		Name: s.oidcCookieName(), Value: strconv.FormatInt(oc2.id, 10) + "." + sealed, Path: "/", MaxAge: int(oidcCookieAge / time.Second),
		Secure: s.secure, HttpOnly: true, SameSite: http.SameSiteLaxMode,
	})
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, oc.AuthCodeURL(pa.State, oidc.Nonce(pa.Nonce), oauth2.S256ChallengeOption(pa.Verifier)), http.StatusSeeOther)
	return nil
}

// oidcCallback checks the provider's answer against the pre-auth cookie,
// redeems the code with the PKCE verifier, verifies the ID token and its
// nonce, then lets the store find the user and start the session.
func (s *Server) oidcCallback(w http.ResponseWriter, r *http.Request) error {
	var pa preAuth
	c, err := r.Cookie(s.oidcCookieName())
	var oc2 *oidcClient
	if err == nil {
		idText, sealed, _ := strings.Cut(c.Value, ".")
		id, _ := strconv.ParseInt(idText, 10, 64)
		if oc2, err = s.oidcClientFor(r, id); err == nil && oc2.seal.open(sealed, &pa) != nil {
			err = errors.New("the pre-auth cookie does not open")
		}
	}
	ok := err == nil && time.Now().Unix() < pa.Expires
	// Used once, whatever happens next.
	http.SetCookie(w, &http.Cookie{Name: s.oidcCookieName(), Value: "", Path: "/", MaxAge: -1,
		Secure: s.secure, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	q := r.URL.Query()
	again := "Go back to the sign-in page and try again."
	switch {
	case !ok:
		return s.oidcRefused(w, r, http.StatusBadRequest, "no or expired pre-auth cookie",
			"Signing in took too long, or was started in another browser. "+again)
	case q.Get("error") != "":
		// The provider's own code (e.g. access_denied) names no one.
		s.log.WarnContext(r.Context(), "oidc: provider refused", "error", q.Get("error"))
		return s.oidcRefuse(w, r, http.StatusForbidden,
			"Your organisation's sign-in service did not sign you in. "+again)
	case subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(pa.State)) != 1:
		return s.oidcRefused(w, r, http.StatusBadRequest, "state mismatch",
			"The answer from your organisation's sign-in service did not match this browser's request. "+again)
	case q.Get("code") == "":
		return s.oidcRefused(w, r, http.StatusBadRequest, "no code", "Your organisation's sign-in service sent no sign-in. "+again)
	}
	oc, verifier, err := oc2.discover()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(oc2.providerCtx(r.Context()), 20*time.Second)
	defer cancel()
	tok, err := oc.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(pa.Verifier))
	if err != nil {
		return s.oidcRefused(w, r, http.StatusForbidden, "token exchange: "+exchangeError(err),
			"Your organisation's sign-in service did not confirm the sign-in. "+again)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return s.oidcRefused(w, r, http.StatusForbidden, "no id_token", "Your organisation's sign-in service did not say who you are. "+again)
	}
	idt, err := verifier.Verify(ctx, raw)
	if err != nil {
		// go-oidc's messages name the issuer, audience or times, not the person.
		return s.oidcRefused(w, r, http.StatusForbidden, "id token: "+err.Error(),
			"The sign-in from your organisation could not be checked. "+again)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(pa.Nonce)) != 1 {
		return s.oidcRefused(w, r, http.StatusForbidden, "nonce mismatch",
			"The sign-in from your organisation could not be checked. "+again)
	}
	var claims struct {
		Email    string `json:"email"`
		Verified any    `json:"email_verified"`
		AZP      string `json:"azp"`
	}
	if err := idt.Claims(&claims); err != nil {
		return s.oidcRefused(w, r, http.StatusForbidden, "claims: "+err.Error(),
			"The sign-in from your organisation could not be read. "+again)
	}
	// OpenID Connect Core 3.1.3.7: with several audiences the token must
	// name us as the party it was issued to (azp); and an azp that names
	// another client means the token was issued to that client.
	if (len(idt.Audience) > 1 && claims.AZP == "") || (claims.AZP != "" && claims.AZP != oc2.cfg.ClientID) {
		return s.oidcRefused(w, r, http.StatusForbidden, "azp is not our client ID",
			"The sign-in from your organisation was meant for another service. "+again)
	}
	// Some providers send the string "true".
	verified := claims.Verified == true || claims.Verified == "true"
	token, u, err := oc2.cfg.Store.SignInIdentity(r.Context(), idt.Issuer, idt.Subject, claims.Email, verified,
		s.clientIP(r), s.sessionToken(r))
	switch escalate.ErrorCode(err) {
	case "":
	case escalate.EFORBIDDEN, escalate.EINVALID, escalate.EUNAUTHORIZED:
		return s.oidcRefuse(w, r, http.StatusForbidden, escalate.ErrorMessage(err))
	default:
		return err
	}
	if info, ok := r.Context().Value(reqLogKey{}).(*reqLog); ok {
		info.userID = u.ID
	}
	s.setCookie(w, token)
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

// exchangeError is the provider's error code for a refused code exchange,
// never its description, which may quote what was sent.
func exchangeError(err error) string {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.ErrorCode != "" {
		return re.ErrorCode
	}
	return "failed"
}

// oidcRefused logs why a sign-in was refused, without personal data, and
// shows msg.
func (s *Server) oidcRefused(w http.ResponseWriter, r *http.Request, status int, reason, msg string) error {
	s.log.WarnContext(r.Context(), "oidc: sign-in refused", "reason", reason)
	return s.oidcRefuse(w, r, status, msg)
}

// oidcRefuse shows the page that says why single sign-on did not sign
// the person in, with a way back.
func (s *Server) oidcRefuse(w http.ResponseWriter, r *http.Request, status int, msg string) error {
	s.render(w, r, status, "oidc-refused", &page{Title: "You could not be signed in", Data: msg})
	return nil
}

// oidcCookieName follows the session cookie: __Host- when Secure.
func (s *Server) oidcCookieName() string {
	if s.secure {
		return "__Host-escalate_oidc"
	}
	return "escalate_oidc"
}

// randomString is 256 random bits, unpadded base64url.
func randomString() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
