package main

import (
	"context"
	"fmt"

	"github.com/escalate-project/escalate"
)

func init() {
	register("sso-link", "link a user to their single sign-on account (--partnership, --email, --issuer, --subject)", runSSOLink)
}

// runSSOLink links a user to their subject at an OpenID Connect issuer, for
// providers (or policies) where linking by email is off. The subject is the
// ID token's sub claim. In Entra ID it is pairwise, different for each
// application, and not the user's object ID.
func runSSOLink(ctx context.Context, env *Env, args []string) error {
	fs := newCommandFlags("sso-link")
	dsn := dbFlag(fs, env)
	key := fs.String("partnership", "", "the partnership's key")
	email := fs.String("email", "", "the user's email address in Escalate")
	issuer := fs.String("issuer", envValue(env, "ESCALATE_OIDC_ISSUER"), "the OpenID Connect issuer, as serve's --oidc-issuer ($ESCALATE_OIDC_ISSUER)")
	subject := fs.String("subject", "", "the user's subject (sub) at the issuer")
	if _, done, err := parseCommand(env, fs, args, 0); done || err != nil {
		return err
	}
	if err := requireFlags("partnership", *key, "email", *email, "issuer", *issuer, "subject", *subject); err != nil {
		return err
	}
	db, err := openDB(ctx, env, *dsn, false)
	if err != nil {
		return err
	}
	defer db.Close()
	p, err := db.FindPartnership(ctx, *key)
	if escalate.ErrorCode(err) == escalate.ENOTFOUND {
		return usagef("--partnership %q: there is no such partnership", *key)
	} else if err != nil {
		return err
	}
	u, err := db.FindUserByEmail(ctx, p.ID, *email)
	if escalate.ErrorCode(err) == escalate.ENOTFOUND {
		return usagef("--email: the partnership has no user with that email address")
	} else if err != nil {
		return err
	}
	if err := db.LinkIdentity(cliContext(ctx, env), u.ID, *issuer, *subject); err != nil {
		return cliError(err)
	}
	fmt.Fprintf(env.Stdout, "Linked user %d to their account at %s.\n", u.ID, *issuer)
	return nil
}
