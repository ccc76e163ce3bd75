package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/escalate-project/escalate"
)

// escalate sso: a partnership's OpenID Connect providers, each for one or
// more email domains (doc/web.md, "Single sign-on"). The client secret is
// never given here: --secret-env or --secret-file say where escalate serve
// reads it.

func init() {
	register("sso", "a partnership's sign-in providers (add, list, remove)", adminSubcommands("sso", map[string]adminRun{
		"add": runSSOAdd, "list": runSSOList, "remove": runSSORemove,
	}))
}

func runSSOAdd(ctx context.Context, env *Env, args []string) error {
	fs := newCommandFlags("sso add")
	dsn := dbFlag(fs, env)
	key := fs.String("partnership", "", "the partnership's key")
	name := fs.String("name", "", "what the sign-in page calls it, e.g. \"Wirral Council\"")
	issuer := fs.String("issuer", "", "the OpenID Connect issuer, e.g. https://login.microsoftonline.com/TENANT-ID/v2.0")
	clientID := fs.String("client-id", "", "the application (client) ID")
	secretEnv := fs.String("secret-env", "", "the environment variable of escalate serve that holds the client secret")
	secretFile := fs.String("secret-file", "", "or the file escalate serve reads the client secret from")
	domains := fs.String("domains", "", "comma-separated email domains whose people sign in with it, e.g. wirral.gov.uk")
	link := fs.Bool("link-by-email", false, "link a first sign-in to the user with the same verified email (of these domains)")
	if _, done, err := parseCommand(env, fs, args, 0); done || err != nil {
		return err
	}
	if err := requireFlags("partnership", *key, "name", *name, "issuer", *issuer, "client-id", *clientID, "domains", *domains); err != nil {
		return err
	}
	ref := ""
	switch {
	case *secretEnv != "" && *secretFile != "":
		return usagef("give --secret-env or --secret-file, not both")
	case *secretEnv != "":
		ref = "env:" + *secretEnv
	case *secretFile != "":
		ref = "file:" + *secretFile
	}
	db, p, err := openPartnership(ctx, env, *dsn, *key)
	if err != nil {
		return err
	}
	defer db.Close()
	prov := &escalate.OIDCProvider{PartnershipID: p.ID, Name: *name, Issuer: *issuer, ClientID: *clientID, SecretRef: ref,
		Domains: []string{*domains}, LinkByEmail: *link}
	if err := db.AddProvider(cliContext(ctx, env), prov); err != nil {
		return cliError(err, "client_id", "client-id", "secret_ref", "secret-env")
	}
	fmt.Fprintf(env.Stdout, "added provider %d (%s) to %s for %s\n", prov.ID, prov.Name, p.Key, strings.Join(prov.Domains, ", "))
	return nil
}

func runSSOList(ctx context.Context, env *Env, args []string) error {
	db, p, err := openListed(ctx, env, "sso list", args)
	if db == nil {
		return err
	}
	defer db.Close()
	ps, err := db.Providers(ctx, p.ID)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tDOMAINS\tISSUER\tCLIENT ID\tSECRET FROM\tLINK BY EMAIL")
	for _, x := range ps {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%v\n", x.ID, x.Name, strings.Join(x.Domains, ","), x.Issuer, x.ClientID,
			x.SecretRef, x.LinkByEmail)
	}
	return tw.Flush()
}

func runSSORemove(ctx context.Context, env *Env, args []string) error {
	fs := newCommandFlags("sso remove")
	dsn := dbFlag(fs, env)
	key := fs.String("partnership", "", "the partnership's key")
	id := fs.String("id", "", "the provider's ID (escalate sso list)")
	if _, done, err := parseCommand(env, fs, args, 0); done || err != nil {
		return err
	}
	if err := requireFlags("partnership", *key, "id", *id); err != nil {
		return err
	}
	n, err := strconv.ParseInt(*id, 10, 64)
	if err != nil {
		return usagef("--id %q: want a provider's number", *id)
	}
	db, p, err := openPartnership(ctx, env, *dsn, *key)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.RemoveProvider(cliContext(ctx, env), p.ID, n); err != nil {
		return cliError(err, "", "id")
	}
	fmt.Fprintf(env.Stdout, "removed provider %d from %s\n", n, p.Key)
	return nil
}
