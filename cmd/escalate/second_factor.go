package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/escalate-project/escalate"
)

// secondFactorFlag adds --second-factor: required (the default) or
// optional, whether password sign-in needs a second factor.
func secondFactorFlag(fs *flag.FlagSet) *string {
	return fs.String("second-factor", "required", "whether password sign-in needs a second factor: required, or optional (as in the demo)")
}

// parseSecondFactor reads --second-factor: true for optional.
func parseSecondFactor(s string) (bool, error) {
	switch s {
	case "required":
		return false, nil
	case "optional":
		return true, nil
	}
	return false, usagef("--second-factor %q: want required or optional", s)
}

// runPartnershipSet changes a partnership's sign-in setting.
func runPartnershipSet(ctx context.Context, env *Env, args []string) error {
	fs := newCommandFlags("partnership set")
	dsn := dbFlag(fs, env)
	key := fs.String("partnership", "", "the partnership's key")
	factor := fs.String("second-factor", "", "required or optional: whether password sign-in needs a second factor")
	if _, done, err := parseCommand(env, fs, args, 0); done || err != nil {
		return err
	}
	if err := requireFlags("partnership", *key, "second-factor", *factor); err != nil {
		return err
	}
	optional, err := parseSecondFactor(*factor)
	if err != nil {
		return err
	}
	db, p, err := openPartnership(ctx, env, *dsn, *key)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.SetSecondFactorOptional(cliContext(ctx, env), p.ID, optional); err != nil {
		return cliError(err)
	}
	fmt.Fprintf(env.Stdout, "%s: a second factor for password sign-in is now %s\n", p.Key, *factor)
	return nil
}

// runUserResetFactors removes a person's second factors, for someone who
// lost theirs (doc/web.md, "Runbook: a lost second factor"). The
// administrator says who they are with --as; they cannot reset their own.
func runUserResetFactors(ctx context.Context, env *Env, args []string) error {
	fs := newCommandFlags("user reset-second-factors")
	dsn := dbFlag(fs, env)
	key := fs.String("partnership", "", "the partnership's key")
	email := fs.String("email", "", "the email address of the person who lost their second factor")
	as := asFlag(fs)
	if _, done, err := parseCommand(env, fs, args, 0); done || err != nil {
		return err
	}
	if err := requireFlags("partnership", *key, "email", *email, "as", *as); err != nil {
		return err
	}
	ch, err := openAdminChange(ctx, env, *dsn, *key, *as, *email)
	if err != nil {
		return err
	}
	defer ch.db.Close()
	if err := ch.db.ResetSecondFactors(escalate.NewContextWithUser(ctx, ch.admin), ch.user.ID); err != nil {
		return cliError(err)
	}
	fmt.Fprintf(env.Stdout, "reset the second factors of user %d: they are signed out and emailed, and set one up at their next sign-in\n", ch.user.ID)
	return nil
}
