package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/escalate-project/escalate/calendar"
)

// runPartnershipSetPolicy publishes a new version of a partnership's policy:
// escalate partnership set-policy --partnership KEY --policy FILE. New
// escalations follow it; open ones stay on theirs. A file with errors is
// printed as file:line:col problems and never published (exit status 2).
func runPartnershipSetPolicy(ctx context.Context, env *Env, args []string) error {
	fs := newCommandFlags("partnership set-policy")
	dsn := dbFlag(fs, env)
	key := fs.String("partnership", "", "the partnership's key")
	pol := fs.String("policy", "", "the new policy: a policy file, or a built-in policy pack id")
	if _, done, err := parseCommand(env, fs, args, 0); done || err != nil {
		return err
	}
	if err := requireFlags("partnership", *key, "policy", *pol); err != nil {
		return err
	}
	p, raw, err := loadPartnershipPolicy(env, *pol)
	if err != nil {
		return err
	}
	db, part, err := openPartnership(ctx, env, *dsn, *key)
	if err != nil {
		return err
	}
	defer db.Close()
	before, err := db.PolicyHistory(ctx, part.ID)
	if err != nil {
		return err
	}
	pub, err := db.PublishPolicy(cliContext(ctx, env), part.ID, raw, 0)
	if err != nil {
		return cliError(err)
	}
	fmt.Fprintf(env.Stdout, "published policy %s version %s for partnership %s: new escalations follow it\n", p.ID, pub.Version, part.Key)
	if len(before) > 0 && before[0].OpenEscalations > 0 {
		fmt.Fprintf(env.Stdout, "%d open escalations stay on version %s\n", before[0].OpenEscalations, before[0].Version)
	}
	return nil
}

// runPartnershipHistory prints a partnership's policy version history, the
// version in force first: escalate partnership history --partnership KEY.
func runPartnershipHistory(ctx context.Context, env *Env, args []string) error {
	db, part, err := openListed(ctx, env, "partnership history", args)
	if db == nil {
		return err
	}
	defer db.Close()
	hist, err := db.PolicyHistory(ctx, part.ID)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "PUBLISHED\tPOLICY\tVERSION\tBY\tOPEN ESCALATIONS\t")
	for _, h := range hist {
		by := h.PublisherName
		switch {
		case by != "":
		case h.Actor == "":
			by = "(before the history was kept)"
		default:
			by = h.Actor
		}
		version := h.Version
		if h.Current {
			version += " (in force)"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%d\t\n", h.PublishedAt.In(calendar.London).Format("2006-01-02 15:04"), h.PolicyID, version, by, h.OpenEscalations)
	}
	return w.Flush()
}
