package main

import (
	"context"
	"flag"
	"strings"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/sqlstore"
	"github.com/escalate-project/escalate/web"
)

// oidcFlags is the single sign-on part of serve's configuration; it is off
// without --oidc-issuer. See doc/web.md, "Single sign-on".
type oidcFlags struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	RedirectURL  string
	Partnership  string
	LinkByEmail  bool
}

// register adds the --oidc-* flags to fs, each defaulting to its variable.
func (o *oidcFlags) register(env *Env, fs *flag.FlagSet) error {
	link, err := envBool(env, "ESCALATE_OIDC_LINK_BY_EMAIL", false)
	if err != nil {
		return err
	}
	fs.StringVar(&o.Issuer, "oidc-issuer", envValue(env, "ESCALATE_OIDC_ISSUER"), "single sign-on: the OpenID Connect issuer, e.g. https://login.microsoftonline.com/TENANT-ID/v2.0 ($ESCALATE_OIDC_ISSUER)")
	fs.StringVar(&o.ClientID, "oidc-client-id", envValue(env, "ESCALATE_OIDC_CLIENT_ID"), "single sign-on: the application (client) ID ($ESCALATE_OIDC_CLIENT_ID)")
	fs.StringVar(&o.ClientSecret, "oidc-client-secret", envValue(env, "ESCALATE_OIDC_CLIENT_SECRET"), "single sign-on: the client secret; set $ESCALATE_OIDC_CLIENT_SECRET instead, as other users can see a command line")
	fs.StringVar(&o.RedirectURL, "oidc-redirect-url", envValue(env, "ESCALATE_OIDC_REDIRECT_URL"), "single sign-on: the redirect URI registered with the provider (default --base-url + "+web.OIDCCallbackPath+") ($ESCALATE_OIDC_REDIRECT_URL)")
	fs.StringVar(&o.Partnership, "oidc-partnership", envValue(env, "ESCALATE_OIDC_PARTNERSHIP"), "single sign-on: the key of the partnership whose users sign in this way ($ESCALATE_OIDC_PARTNERSHIP)")
	fs.BoolVar(&o.LinkByEmail, "oidc-link-by-email", link, "single sign-on: link a first sign-in to the user with the same email when the provider has verified it ($ESCALATE_OIDC_LINK_BY_EMAIL)")
	return nil
}

// check fills in the redirect URL from baseURL and reports what is missing
// as a usage error.
func (o *oidcFlags) check(baseURL string) error {
	if o.Issuer == "" {
		if o.ClientID != "" || o.ClientSecret != "" || o.RedirectURL != "" || o.Partnership != "" || o.LinkByEmail {
			return usagef("the --oidc-* settings need --oidc-issuer (or ESCALATE_OIDC_ISSUER)")
		}
		return nil
	}
	if o.RedirectURL == "" && baseURL != "" {
		o.RedirectURL = strings.TrimSuffix(baseURL, "/") + web.OIDCCallbackPath
	}
	switch {
	case o.ClientID == "":
		return usagef("missing --oidc-client-id: the application (client) ID registered with the provider")
	case o.RedirectURL == "":
		return usagef("missing --oidc-redirect-url (or --base-url): the redirect URI registered with the provider")
	case o.Partnership == "":
		return usagef("missing --oidc-partnership: the key of the partnership whose users sign in with the provider")
	}
	return nil
}

// webConfig is the web server's single sign-on configuration, or nil when
// it is off. The partnership must exist.
func (o *oidcFlags) webConfig(ctx context.Context, db *sqlstore.DB, sessions *sqlstore.Sessions) (*web.OIDCConfig, error) {
	if o.Issuer == "" {
		return nil, nil
	}
	if _, err := db.FindPartnership(ctx, o.Partnership); escalate.ErrorCode(err) == escalate.ENOTFOUND {
		return nil, usagef("--oidc-partnership %q: there is no such partnership", o.Partnership)
	} else if err != nil {
		return nil, err
	}
	return &web.OIDCConfig{
		Issuer: o.Issuer, ClientID: o.ClientID, ClientSecret: o.ClientSecret, RedirectURL: o.RedirectURL,
		Store: &sqlstore.Identities{Sessions: sessions, Partnership: o.Partnership, LinkByEmail: o.LinkByEmail},
	}, nil
}
