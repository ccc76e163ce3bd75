package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
)

// runAuditLog prints who has seen and done what: every event about a case
// (--object REF) or everything one person did (--actor EMAIL), optionally
// within London dates --from and --to (inclusive). The reading is itself
// audited, as the console's.
func runAuditLog(ctx context.Context, env *Env, args []string) error {
	fs := newCommandFlags("audit log")
	dsn := dbFlag(fs, env)
	object := fs.String("object", "", "a case's reference: every view, download and change of it")
	actor := fs.String("actor", "", "a person's email address: everything they did")
	partnership := fs.String("partnership", "", "the partnership's key, to tell apart people with the same email in two partnerships")
	from := fs.String("from", "", "the first day, YYYY-MM-DD (London)")
	to := fs.String("to", "", "the last day, YYYY-MM-DD (London), included")
	limit := fs.Int("limit", 500, "at most this many events (up to 5000)")
	if _, done, err := parseCommand(env, fs, args, 0); done || err != nil {
		return err
	}
	if (*object == "") == (*actor == "") {
		return usagef("give one of --object REF or --actor EMAIL")
	}
	if *limit < 1 || *limit > 5000 {
		return usagef("--limit must be from 1 to 5000")
	}
	q := escalate.AuditQuery{Ref: *object, Email: *actor, Limit: *limit}
	for _, d := range []struct {
		flag, value string
		into        *time.Time
		next        int
	}{{"from", *from, &q.From, 0}, {"to", *to, &q.To, 1}} {
		if d.value == "" {
			continue
		}
		day, err := calendar.ParseDate(d.value)
		if err != nil {
			return usagef("--%s %q: want a date such as 2026-12-24", d.flag, d.value)
		}
		*d.into = day.AddDays(d.next).At(0, 0)
	}
	db, err := openDB(ctx, env, *dsn, false)
	if err != nil {
		return err
	}
	defer db.Close()
	if *partnership != "" {
		p, err := db.FindPartnership(ctx, *partnership)
		if err != nil {
			return cliError(err, "key", "partnership")
		}
		q.PartnershipID = p.ID
	}
	log, err := db.AuditLog(cliContext(ctx, env), q)
	if err != nil {
		return cliError(err, "ref", "object", "email", "actor", "from", "from", "to", "to")
	}
	fmt.Fprintf(env.Stdout, "%s: %d events\n", log.Subject, len(log.Entries))
	w := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "seq\ttime (London)\twho\twhat\taction\tobject")
	for _, e := range log.Entries {
		who := e.Actor
		if e.ActorEmail != "" {
			who = e.ActorName + " <" + e.ActorEmail + ">"
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\n", e.Seq, e.At.In(calendar.London).Format("2006-01-02 15:04:05"),
			who, e.Kind, e.Action, e.Object)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if log.Truncated {
		fmt.Fprintf(env.Stderr, "more events match: narrow the period, or raise --limit\n")
	}
	return nil
}
