package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/sqlstore"
)

// The command-line counterparts of the web's role and line-manager forms.
// The administrator at the keyboard says who they are with --as, and the
// store applies the same rules as on the web: nobody gives themselves an
// oversight role or makes themselves anyone's line manager, and every grant
// of an oversight role is recorded and emailed to the partnership's
// Business Manager and Chair.

// asFlag adds --as, the acting administrator's email.
func asFlag(fs *flag.FlagSet) *string {
	return fs.String("as", "", "your own email address: the administrator making the change")
}

// actingAdmin finds --as in the partnership: an enabled administrator.
func actingAdmin(ctx context.Context, db *sqlstore.DB, p *escalate.Partnership, email string) (*escalate.User, error) {
	a, err := db.FindUserByEmail(ctx, p.ID, strings.TrimSpace(email))
	if escalate.ErrorCode(err) == escalate.ENOTFOUND {
		return nil, usagef("--as %s: no such user in %s", email, p.Key)
	} else if err != nil {
		return nil, err
	}
	if a.Disabled || !a.HasRole(escalate.RoleAdmin) {
		return nil, usagef("--as %s: not an enabled administrator of %s", email, p.Key)
	}
	return a, nil
}

// adminChange is what a change by an administrator at the command line
// works on.
type adminChange struct {
	db    *sqlstore.DB
	p     *escalate.Partnership
	admin *escalate.User // --as
	user  *escalate.User // --email
}

// openAdminChange opens the partnership and finds the acting administrator
// and the person to change; the caller closes db.
func openAdminChange(ctx context.Context, env *Env, dsn, key, as, email string) (*adminChange, error) {
	db, p, err := openPartnership(ctx, env, dsn, key)
	if err != nil {
		return nil, err
	}
	ch := &adminChange{db: db, p: p}
	if ch.admin, err = actingAdmin(ctx, db, p, as); err == nil {
		ch.user, err = db.FindUserByEmail(ctx, p.ID, email)
		if escalate.ErrorCode(err) == escalate.ENOTFOUND {
			err = usagef("--email %s: no such user in %s", email, p.Key)
		}
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return ch, nil
}

func runUserRoles(ctx context.Context, env *Env, args []string) error {
	fs := newCommandFlags("user roles")
	dsn := dbFlag(fs, env)
	key := fs.String("partnership", "", "the partnership's key")
	email := fs.String("email", "", "the email address of the person whose roles change")
	roles := fs.String("role", "", "their roles from now on, comma-separated: "+roleNames())
	as := asFlag(fs)
	if _, done, err := parseCommand(env, fs, args, 0); done || err != nil {
		return err
	}
	if err := requireFlags("partnership", *key, "email", *email, "role", *roles, "as", *as); err != nil {
		return err
	}
	rs, err := sqlstore.ParseRoles(*roles)
	if err != nil {
		return cliError(err, "roles", "role")
	}
	ch, err := openAdminChange(ctx, env, *dsn, *key, *as, *email)
	if err != nil {
		return err
	}
	defer ch.db.Close()
	db, admin, u := ch.db, ch.admin, ch.user
	if err := db.SetRoles(escalate.NewContextWithUser(ctx, admin), u.ID, rs); err != nil {
		return cliError(err, "roles", "role")
	}
	fmt.Fprintf(env.Stdout, "user %d now has the roles %s\n", u.ID, strings.Join(roleStrings(rs), ","))
	return nil
}

func runUserManager(ctx context.Context, env *Env, args []string) error {
	fs := newCommandFlags("user manager")
	dsn := dbFlag(fs, env)
	key := fs.String("partnership", "", "the partnership's key")
	email := fs.String("email", "", "the email address of the person whose line manager changes")
	manager := fs.String("manager", "", "the line manager's email address; \"none\" for none")
	as := asFlag(fs)
	if _, done, err := parseCommand(env, fs, args, 0); done || err != nil {
		return err
	}
	if err := requireFlags("partnership", *key, "email", *email, "manager", *manager, "as", *as); err != nil {
		return err
	}
	ch, err := openAdminChange(ctx, env, *dsn, *key, *as, *email)
	if err != nil {
		return err
	}
	defer ch.db.Close()
	db, p, admin, u := ch.db, ch.p, ch.admin, ch.user
	var managerID int64
	if *manager != "none" {
		m, err := db.FindUserByEmail(ctx, p.ID, *manager)
		if escalate.ErrorCode(err) == escalate.ENOTFOUND {
			return usagef("--manager %s: no such user in %s", *manager, p.Key)
		} else if err != nil {
			return err
		}
		managerID = m.ID
	}
	if err := db.SetManager(escalate.NewContextWithUser(ctx, admin), u.ID, managerID); err != nil {
		return cliError(err)
	}
	fmt.Fprintf(env.Stdout, "changed the line manager of user %d\n", u.ID)
	return nil
}

// runUserInvite emails a person a single-use link to set their password
// (and then their second factor): the administrator never chooses or knows
// it. The email is sent by the outbox (escalate serve --smtp-host, or
// escalate worker).
func runUserInvite(ctx context.Context, env *Env, args []string) error {
	fs := newCommandFlags("user invite")
	dsn := dbFlag(fs, env)
	key := fs.String("partnership", "", "the partnership's key")
	email := fs.String("email", "", "the email address of the person to invite")
	if _, done, err := parseCommand(env, fs, args, 0); done || err != nil {
		return err
	}
	if err := requireFlags("partnership", *key, "email", *email); err != nil {
		return err
	}
	db, p, err := openPartnership(ctx, env, *dsn, *key)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := db.FindUserByEmail(ctx, p.ID, *email)
	if escalate.ErrorCode(err) == escalate.ENOTFOUND {
		return usagef("--email %s: no such user in %s", *email, p.Key)
	} else if err != nil {
		return err
	}
	expires, err := db.Invite(cliContext(ctx, env), u.ID)
	if err != nil {
		return cliError(err)
	}
	fmt.Fprintf(env.Stdout, "invited user %d; the link works once, until %s\n", u.ID, expires.UTC().Format("2006-01-02 15:04 UTC"))
	return nil
}
