package main

import (
	"context"
	"fmt"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/sqlstore"
)

// Escalation contacts on the command line: each agency's single point of
// contact for disagreements raised against it, as the administration page
// sets them.

// contactTarget reads --partnership, --agency and (withEmail) --email and
// --as, and returns the open database, the agency, the person and the
// context to change them in: as the administrator --as names, or else as
// the command line (cli:$USER); the caller closes the database.
func contactTarget(ctx context.Context, env *Env, name string, args []string, withEmail bool) (*sqlstore.DB, *escalate.Agency, *escalate.User, context.Context, error) {
	fs := newCommandFlags("agency " + name)
	dsn := dbFlag(fs, env)
	key := fs.String("partnership", "", "the partnership's key")
	agency := fs.String("agency", "", "the agency's name")
	email := fs.String("email", "", "the email address of the person at the agency")
	var as *string
	if withEmail {
		as = fs.String("as", "", "your own email address: the administrator making the change (else the change is recorded as the command line's)")
	}
	if _, done, err := parseCommand(env, fs, args, 0); done || err != nil {
		return nil, nil, nil, nil, err
	}
	flags := []string{"partnership", *key, "agency", *agency}
	if withEmail {
		flags = append(flags, "email", *email)
	}
	if err := requireFlags(flags...); err != nil {
		return nil, nil, nil, nil, err
	}
	db, p, err := openPartnership(ctx, env, *dsn, *key)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	actx := cliContext(ctx, env)
	if as != nil && *as != "" {
		admin, err := actingAdmin(ctx, db, p, *as)
		if err != nil {
			db.Close()
			return nil, nil, nil, nil, err
		}
		actx = escalate.NewContextWithUser(ctx, admin)
	}
	a, err := db.FindAgency(ctx, p.ID, *agency)
	if escalate.ErrorCode(err) == escalate.ENOTFOUND {
		db.Close()
		return nil, nil, nil, nil, usagef("--agency %s: no such agency in %s (see escalate agency list)", *agency, p.Key)
	} else if err != nil {
		db.Close()
		return nil, nil, nil, nil, err
	}
	if !withEmail {
		return db, a, nil, actx, nil
	}
	u, err := db.FindUserByEmail(ctx, p.ID, *email)
	if escalate.ErrorCode(err) == escalate.ENOTFOUND {
		db.Close()
		return nil, nil, nil, nil, usagef("--email %s: no such user in %s (see escalate user list)", *email, p.Key)
	} else if err != nil {
		db.Close()
		return nil, nil, nil, nil, err
	}
	return db, a, u, actx, nil
}

func runAgencyContactAdd(ctx context.Context, env *Env, args []string) error {
	db, a, u, actx, err := contactTarget(ctx, env, "contact-add", args, true)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.AddEscalationContact(actx, a.ID, u.ID); err != nil {
		if escalate.ErrorField(err) == "user" {
			err = escalate.FieldErrorf("email", "%s", escalate.ErrorMessage(err))
		}
		return cliError(err)
	}
	fmt.Fprintf(env.Stdout, "%s is now an escalation contact of %s\n", u.Email, a.Name)
	return nil
}

func runAgencyContactRemove(ctx context.Context, env *Env, args []string) error {
	db, a, u, actx, err := contactTarget(ctx, env, "contact-remove", args, true)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.RemoveEscalationContact(actx, a.ID, u.ID); err != nil {
		return cliError(err)
	}
	fmt.Fprintf(env.Stdout, "%s is no longer an escalation contact of %s\n", u.Email, a.Name)
	return nil
}

func runAgencyContacts(ctx context.Context, env *Env, args []string) error {
	db, a, _, _, err := contactTarget(ctx, env, "contacts", args, false)
	if err != nil {
		return err
	}
	defer db.Close()
	cs, err := db.EscalationContacts(ctx, a.PartnershipID)
	if err != nil {
		return err
	}
	if len(cs[a.ID]) == 0 {
		fmt.Fprintf(env.Stdout, "%s has no escalation contact: new disagreements against it go to the Business Manager\n", a.Name)
	}
	for _, u := range cs[a.ID] {
		fmt.Fprintf(env.Stdout, "%s\t%s\n", u.Name, u.Email)
	}
	return nil
}
