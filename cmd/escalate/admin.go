package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/policy"
	"github.com/escalate-project/escalate/sqlstore"
)

// The administration commands, until the web app exists: partnerships,
// agencies and users. Each change is one transaction with its audit events.

func init() {
	register("partnership", "add, list or set up partnerships, change their policy (add, list, set, set-policy, history)", adminSubcommands("partnership", map[string]adminRun{
		"add": runPartnershipAdd, "list": runPartnershipList, "set": runPartnershipSet,
		"set-policy": runPartnershipSetPolicy, "history": runPartnershipHistory,
	}))
	register("agency", "add or list a partnership's agencies, and set their escalation contacts (add, list, contact-add, contact-remove, contacts)", adminSubcommands("agency", map[string]adminRun{
		"add": runAgencyAdd, "list": runAgencyList,
		"contact-add": runAgencyContactAdd, "contact-remove": runAgencyContactRemove, "contacts": runAgencyContacts,
	}))
	register("user", "add, list or change a partnership's users (add, list, invite, passwd, roles, manager, reset-second-factors)", adminSubcommands("user", map[string]adminRun{
		"add": runUserAdd, "list": runUserList, "passwd": runUserPasswd, "roles": runUserRoles, "manager": runUserManager,
		"invite": runUserInvite, "reset-second-factors": runUserResetFactors,
	}))
}

type adminRun = func(ctx context.Context, env *Env, args []string) error

// adminSubcommands returns a command that dispatches on its first argument.
func adminSubcommands(name string, subs map[string]adminRun) adminRun {
	return func(ctx context.Context, env *Env, args []string) error {
		names := make([]string, 0, len(subs))
		for n := range subs {
			names = append(names, n)
		}
		sort.Strings(names)
		if len(args) == 0 {
			return usagef("usage: escalate %s <%s> [flags]", name, strings.Join(names, "|"))
		}
		if args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
			fmt.Fprintf(env.Stdout, "usage: escalate %s <%s> [flags]\n", name, strings.Join(names, "|"))
			return nil
		}
		run, ok := subs[args[0]]
		if !ok {
			return usagef("unknown %s command %q (want %s)", name, args[0], strings.Join(names, ", "))
		}
		return run(ctx, env, args[1:])
	}
}

// requireFlags returns a usage error naming the first empty flag.
func requireFlags(flags ...string) error {
	for i := 0; i+1 < len(flags); i += 2 {
		if strings.TrimSpace(flags[i+1]) == "" {
			return usagef("missing --%s", flags[i])
		}
	}
	return nil
}

// loadPartnershipPolicy loads a built-in pack by id or a policy file, with its text.
// Problems in a file are printed as file:line:col and exit status 2;
// warnings (such as a review date in the past) are printed and let through.
func loadPartnershipPolicy(env *Env, idOrFile string) (*escalate.Policy, []byte, error) {
	isFile := strings.ContainsAny(idOrFile, `/\`) || strings.HasSuffix(idOrFile, ".yaml") || strings.HasSuffix(idOrFile, ".yml")
	if !isFile {
		if data, err := policy.PackSource(idOrFile); err == nil {
			pol, err := policy.Pack(idOrFile)
			return pol, data, err
		}
		if _, err := policy.TemplateSource(idOrFile); err == nil {
			return nil, nil, usagef("--policy %s is a template to copy, not a policy to follow: escalate policy template %s > my.yaml, change its values to your policy's, delete \"template: true\", and give --policy my.yaml", idOrFile, idOrFile)
		}
	}
	data, err := os.ReadFile(idOrFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, usagef("--policy %s: neither a built-in policy pack (see escalate policy list) nor a file", idOrFile)
	} else if err != nil {
		return nil, nil, usagef("--policy: %v", err)
	}
	pol, probs, err := policy.Load(idOrFile, data)
	for _, p := range probs {
		fmt.Fprintln(env.Stderr, p)
	}
	if err != nil {
		return nil, nil, exitError{2}
	}
	return pol, data, nil
}

func runPartnershipAdd(ctx context.Context, env *Env, args []string) error {
	fs := newCommandFlags("partnership add")
	dsn := dbFlag(fs, env)
	pol := fs.String("policy", "", "a built-in policy pack id (escalate policy list) or a policy file")
	name := fs.String("name", "", "the partnership's name (default: the policy's)")
	key := fs.String("key", "", "short URL-safe key, e.g. redbridge (default: the policy's id)")
	factor := secondFactorFlag(fs)
	if _, done, err := parseCommand(env, fs, args, 0); done || err != nil {
		return err
	}
	if err := requireFlags("policy", *pol); err != nil {
		return err
	}
	optional, err := parseSecondFactor(*factor)
	if err != nil {
		return err
	}
	p, raw, err := loadPartnershipPolicy(env, *pol)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, env, *dsn, false)
	if err != nil {
		return err
	}
	defer db.Close()
	part := &escalate.Partnership{Key: *key, Name: *name}
	if part.Key == "" {
		part.Key = p.ID
	}
	if part.Name == "" {
		part.Name = p.Name
	}
	if err := db.CreatePartnership(cliContext(ctx, env), part, p, raw); err != nil {
		return cliError(err)
	}
	if optional {
		if err := db.SetSecondFactorOptional(cliContext(ctx, env), part.ID, true); err != nil {
			return err
		}
	}
	fmt.Fprintf(env.Stdout, "added partnership %s (%s) following policy %s %s\n", part.Key, part.Name, p.ID, p.Version)
	return nil
}

func runPartnershipList(ctx context.Context, env *Env, args []string) error {
	fs := newCommandFlags("partnership list")
	dsn := dbFlag(fs, env)
	if _, done, err := parseCommand(env, fs, args, 0); done || err != nil {
		return err
	}
	db, err := openDB(ctx, env, *dsn, false)
	if err != nil {
		return err
	}
	defer db.Close()
	ps, err := db.Partnerships(ctx)
	if err != nil {
		return err
	}
	for _, p := range ps {
		fmt.Fprintf(env.Stdout, "%s\t%s\t%s\n", p.Key, p.Name, p.PolicyID)
	}
	return nil
}

// lookupPartnership looks up --partnership KEY.
func lookupPartnership(ctx context.Context, db *sqlstore.DB, key string) (*escalate.Partnership, error) {
	p, err := db.FindPartnership(ctx, key)
	if escalate.ErrorCode(err) == escalate.ENOTFOUND {
		return nil, usagef("--partnership %s: no such partnership (see escalate partnership list)", key)
	}
	return p, err
}

// openPartnership opens the database dsn names and finds partnership key
// in it, for the commands that work on one partnership; the caller closes db.
func openPartnership(ctx context.Context, env *Env, dsn, key string) (*sqlstore.DB, *escalate.Partnership, error) {
	db, err := openDB(ctx, env, dsn, false)
	if err != nil {
		return nil, nil, err
	}
	p, err := lookupPartnership(ctx, db, key)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, p, nil
}

// openListed runs the start of a command whose only flags are --db and
// --partnership (the lists): it parses args, and opens the database and the
// partnership. A nil db means stop and return err, which is nil when the
// command printed its help; otherwise the caller closes db.
func openListed(ctx context.Context, env *Env, name string, args []string) (*sqlstore.DB, *escalate.Partnership, error) {
	fs := newCommandFlags(name)
	dsn := dbFlag(fs, env)
	key := fs.String("partnership", "", "the partnership's key")
	if _, done, err := parseCommand(env, fs, args, 0); done || err != nil {
		return nil, nil, err
	}
	if err := requireFlags("partnership", *key); err != nil {
		return nil, nil, err
	}
	return openPartnership(ctx, env, *dsn, *key)
}

func runAgencyAdd(ctx context.Context, env *Env, args []string) error {
	fs := newCommandFlags("agency add")
	dsn := dbFlag(fs, env)
	key := fs.String("partnership", "", "the partnership's key")
	name := fs.String("name", "", "the agency's name")
	kind := fs.String("kind", "", "the kind policies route on, one of: "+strings.Join(escalate.AgencyKindKeys(), ", "))
	if _, done, err := parseCommand(env, fs, args, 0); done || err != nil {
		return err
	}
	if err := requireFlags("partnership", *key, "name", *name, "kind", *kind); err != nil {
		return err
	}
	db, p, err := openPartnership(ctx, env, *dsn, *key)
	if err != nil {
		return err
	}
	defer db.Close()
	a := &escalate.Agency{PartnershipID: p.ID, Name: *name, Kind: *kind}
	if err := db.CreateAgency(cliContext(ctx, env), a); err != nil {
		return cliError(err)
	}
	fmt.Fprintf(env.Stdout, "added agency %q (%s) to %s\n", a.Name, a.Kind, p.Key)
	return nil
}

func runAgencyList(ctx context.Context, env *Env, args []string) error {
	db, p, err := openListed(ctx, env, "agency list", args)
	if db == nil {
		return err
	}
	defer db.Close()
	as, err := db.Agencies(ctx, p.ID)
	if err != nil {
		return err
	}
	for _, a := range as {
		fmt.Fprintf(env.Stdout, "%s\t%s\n", a.Name, a.Kind)
	}
	return nil
}

func runUserAdd(ctx context.Context, env *Env, args []string) error {
	fs := newCommandFlags("user add")
	dsn := dbFlag(fs, env)
	key := fs.String("partnership", "", "the partnership's key")
	agency := fs.String("agency", "", "the name of the user's agency")
	name := fs.String("name", "", "the user's name")
	email := fs.String("email", "", "the user's email address, unique in the partnership")
	roles := fs.String("role", "", "comma-separated roles: "+roleNames())
	manager := fs.String("manager", "", "the email address of the user's line manager")
	if _, done, err := parseCommand(env, fs, args, 0); done || err != nil {
		return err
	}
	if err := requireFlags("partnership", *key, "agency", *agency, "name", *name, "email", *email, "role", *roles); err != nil {
		return err
	}
	rs, err := sqlstore.ParseRoles(*roles)
	if err != nil {
		return cliError(err, "roles", "role")
	}
	db, p, err := openPartnership(ctx, env, *dsn, *key)
	if err != nil {
		return err
	}
	defer db.Close()
	a, err := db.FindAgency(ctx, p.ID, *agency)
	if escalate.ErrorCode(err) == escalate.ENOTFOUND {
		return usagef("--agency %q: no such agency in %s (see escalate agency list)", *agency, p.Key)
	} else if err != nil {
		return err
	}
	u := &escalate.User{PartnershipID: p.ID, AgencyID: a.ID, Name: *name, Email: *email, Roles: rs}
	if *manager != "" {
		m, err := db.FindUserByEmail(ctx, p.ID, *manager)
		if escalate.ErrorCode(err) == escalate.ENOTFOUND {
			return usagef("--manager %s: no such user in %s", *manager, p.Key)
		} else if err != nil {
			return err
		}
		u.ManagerID = m.ID
	}
	if err := db.CreateUser(cliContext(ctx, env), u); err != nil {
		return cliError(err, "roles", "role")
	}
	fmt.Fprintf(env.Stdout, "added user %s (%s) to %s, %s\n", u.Email, strings.Join(roleStrings(u.Roles), ","), p.Key, a.Name)
	return nil
}

func runUserList(ctx context.Context, env *Env, args []string) error {
	db, p, err := openListed(ctx, env, "user list", args)
	if db == nil {
		return err
	}
	defer db.Close()
	us, err := db.Users(ctx, p.ID)
	if err != nil {
		return err
	}
	as, err := db.Agencies(ctx, p.ID)
	if err != nil {
		return err
	}
	agencies, emails := map[int64]string{}, map[int64]string{}
	for _, a := range as {
		agencies[a.ID] = a.Name
	}
	for _, u := range us {
		emails[u.ID] = u.Email
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "EMAIL\tNAME\tAGENCY\tROLES\tMANAGER")
	for _, u := range us {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.Email, u.Name, agencies[u.AgencyID],
			strings.Join(roleStrings(u.Roles), ","), emails[u.ManagerID])
	}
	return tw.Flush()
}

func roleStrings(rs []escalate.Role) []string {
	ss := make([]string, len(rs))
	for i, r := range rs {
		ss[i] = string(r)
	}
	return ss
}

func roleNames() string { return strings.Join(roleStrings(escalate.UserRoles), ", ") }
