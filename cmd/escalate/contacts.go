package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/escalate-project/escalate"
)

func init() {
	register("contacts", "the partnership's contacts directory (import, list)", adminSubcommands("contacts", map[string]adminRun{
		"import": runContactsImport, "list": runContactsList,
	}))
}

// runContactsImport adds a CSV file of contacts to a partnership's
// directory. Every bad row is reported as FILE:LINE: and then nothing at
// all is imported, so a half-loaded directory never misleads anyone.
func runContactsImport(ctx context.Context, env *Env, args []string) error {
	fs := newCommandFlags("contacts import")
	dsn := dbFlag(fs, env)
	key := fs.String("partnership", "", "the partnership's key")
	pos, done, err := parseCommand(env, fs, args, 1)
	if done || err != nil {
		return err
	}
	if err := requireFlags("partnership", *key); err != nil {
		return err
	}
	file := pos[0]
	f, err := os.Open(file)
	if err != nil {
		return usagef("%v", err)
	}
	defer f.Close()
	db, p, err := openPartnership(ctx, env, *dsn, *key)
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := db.ImportContacts(cliContext(ctx, env), p.ID, f)
	if len(res.Problems) > 0 {
		for _, pr := range res.Problems {
			// "line 7: …" becomes "contacts.csv:7: …".
			fmt.Fprintf(env.Stderr, "%s:%s\n", file, strings.TrimPrefix(pr, "line "))
		}
		fmt.Fprintf(env.Stderr, "%s: %s\n", file, escalate.ErrorMessage(err))
		return exitError{2}
	}
	if err != nil {
		return cliError(err)
	}
	fmt.Fprintf(env.Stdout, "%s: %d added, %d updated\n", p.Key, res.Added, res.Updated)
	return nil
}

func runContactsList(ctx context.Context, env *Env, args []string) error {
	db, p, err := openListed(ctx, env, "contacts list", args)
	if db == nil {
		return err
	}
	defer db.Close()
	cs, err := db.Contacts(ctx, p.ID)
	if err != nil {
		return cliError(err)
	}
	w := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "AGENCY\tROLE\tNAME\tPHONE\tEMAIL\tVERIFIED")
	for _, c := range cs {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", c.AgencyName, c.Role, c.Name, c.Phone, c.Email, c.LastVerified)
	}
	return w.Flush()
}
