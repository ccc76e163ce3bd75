package main

import (
	"context"
	"fmt"
	"strconv"
	"text/tabwriter"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
	"github.com/escalate-project/escalate/sqlstore"
)

func init() {
	register("retention", "retention periods, legal holds and the erasure job (show, set, hold, lift, run, report)",
		adminSubcommands("retention", map[string]adminRun{
			"show": runRetentionShow, "set": runRetentionSet, "hold": runRetentionHold, "lift": runRetentionLift,
			"run": runRetentionRun, "report": runRetentionReport,
		}))
}

// retentionDB opens the database and finds --partnership (required unless
// optional), for a retention subcommand at the console.
func retentionDB(ctx context.Context, env *Env, dsn, key string, optional bool) (*sqlstore.DB, int64, error) {
	if key == "" && !optional {
		return nil, 0, usagef("missing --partnership")
	}
	db, err := openDB(ctx, env, dsn, false)
	if err != nil {
		return nil, 0, err
	}
	if key == "" {
		return db, 0, nil
	}
	p, err := db.FindPartnership(ctx, key)
	if err != nil {
		db.Close()
		return nil, 0, cliError(err, "key", "partnership")
	}
	return db, p.ID, nil
}

func runRetentionShow(ctx context.Context, env *Env, args []string) error {
	fs := newCommandFlags("retention show")
	dsn := dbFlag(fs, env)
	key := fs.String("partnership", "", "the partnership's key")
	if _, done, err := parseCommand(env, fs, args, 0); done || err != nil {
		return err
	}
	db, p, err := retentionDB(ctx, env, *dsn, *key, false)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx = cliContext(ctx, env)
	days, own, err := db.RetentionPeriods(ctx, p)
	if err != nil {
		return cliError(err)
	}
	w := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "class\tdays after it ends\t")
	for _, c := range escalate.RetentionClasses {
		note := "(default)"
		if own[c] {
			note = fmt.Sprintf("(default %d)", escalate.DefaultRetentionDays[c])
		}
		fmt.Fprintf(w, "%s\t%d\t%s\n", c, days[c], note)
	}
	w.Flush()
	holds, err := db.LegalHolds(ctx, p)
	if err != nil {
		return cliError(err)
	}
	fmt.Fprintf(env.Stdout, "\nlegal holds: %d\n", len(holds))
	for _, h := range holds {
		state := "standing"
		if !h.Active() {
			state = "lifted " + h.Lifted.In(calendar.London).Format("2006-01-02")
		}
		fmt.Fprintf(env.Stdout, "hold %d: %s, placed %s, %s: %s\n", h.ID, h.Covers(),
			h.Placed.In(calendar.London).Format("2006-01-02"), state, h.Reason)
	}
	return nil
}

func runRetentionSet(ctx context.Context, env *Env, args []string) error {
	fs := newCommandFlags("retention set")
	dsn := dbFlag(fs, env)
	key := fs.String("partnership", "", "the partnership's key")
	class := fs.String("class", "", "the class of data, e.g. closed-escalations")
	days := fs.Int("days", 0, "how many days after it ends to keep it")
	if _, done, err := parseCommand(env, fs, args, 0); done || err != nil {
		return err
	}
	c, err := escalate.ParseRetentionClass(*class)
	if err != nil {
		return cliError(err)
	}
	db, p, err := retentionDB(ctx, env, *dsn, *key, false)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.SetRetentionPeriod(cliContext(ctx, env), p, c, *days); err != nil {
		return cliError(err)
	}
	fmt.Fprintf(env.Stdout, "%s: kept %d days after it ends\n", c, *days)
	return nil
}

func runRetentionHold(ctx context.Context, env *Env, args []string) error {
	fs := newCommandFlags("retention hold")
	dsn := dbFlag(fs, env)
	key := fs.String("partnership", "", "the partnership's key")
	ref := fs.String("escalation", "", "the escalation to hold; without it, the whole partnership")
	reason := fs.String("reason", "", "why, e.g. the order of a public inquiry and its date")
	if _, done, err := parseCommand(env, fs, args, 0); done || err != nil {
		return err
	}
	db, p, err := retentionDB(ctx, env, *dsn, *key, false)
	if err != nil {
		return err
	}
	defer db.Close()
	h, err := db.PlaceHold(cliContext(ctx, env), p, *ref, *reason)
	if err != nil {
		return cliError(err, "ref", "escalation")
	}
	fmt.Fprintf(env.Stdout, "hold %d placed: %s\n", h.ID, h.Covers())
	return nil
}

func runRetentionLift(ctx context.Context, env *Env, args []string) error {
	fs := newCommandFlags("retention lift")
	dsn := dbFlag(fs, env)
	key := fs.String("partnership", "", "the partnership's key")
	id := fs.Int64("hold", 0, "the hold's number, from retention show")
	reason := fs.String("reason", "", "why it may be lifted")
	if _, done, err := parseCommand(env, fs, args, 0); done || err != nil {
		return err
	}
	db, p, err := retentionDB(ctx, env, *dsn, *key, false)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.LiftHold(cliContext(ctx, env), p, *id, *reason); err != nil {
		return cliError(err, "lift_reason", "reason")
	}
	fmt.Fprintf(env.Stdout, "hold %d lifted\n", *id)
	return nil
}

func runRetentionRun(ctx context.Context, env *Env, args []string) error {
	fs := newCommandFlags("retention run")
	dsn := dbFlag(fs, env)
	key := fs.String("partnership", "", "only this partnership (default every one)")
	dry := fs.Bool("dry-run", false, "list what would be erased, and what a legal hold keeps; erase nothing")
	if _, done, err := parseCommand(env, fs, args, 0); done || err != nil {
		return err
	}
	db, p, err := retentionDB(ctx, env, *dsn, *key, true)
	if err != nil {
		return err
	}
	defer db.Close()
	run, err := db.RunRetention(cliContext(ctx, env), escalate.RetentionOptions{PartnershipID: p, DryRun: *dry})
	if err != nil {
		return cliError(err)
	}
	verb := "erased"
	if *dry {
		verb = "would erase"
	}
	printRetention(env, run.Items, verb)
	return nil
}

func runRetentionReport(ctx context.Context, env *Env, args []string) error {
	fs := newCommandFlags("retention report")
	dsn := dbFlag(fs, env)
	key := fs.String("partnership", "", "only this partnership (default every one)")
	limit := fs.Int("limit", 500, "at most this many entries, newest first")
	if _, done, err := parseCommand(env, fs, args, 0); done || err != nil {
		return err
	}
	db, p, err := retentionDB(ctx, env, *dsn, *key, true)
	if err != nil {
		return err
	}
	defer db.Close()
	items, err := db.RetentionLog(cliContext(ctx, env), p, *limit)
	if err != nil {
		return cliError(err)
	}
	printRetention(env, items, "erased")
	return nil
}

// printRetention lists items: what went (verb), and what a hold kept.
func printRetention(env *Env, items []escalate.RetentionItem, verb string) {
	w := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "when (London)\tpartnership\tclass\twhat\tended\toutcome")
	for _, it := range items {
		when := "-"
		if !it.At.IsZero() {
			when = it.At.In(calendar.London).Format("2006-01-02 15:04")
		}
		outcome := verb
		if it.Held {
			outcome = "kept: legal hold " + strconv.FormatInt(it.HoldID, 10)
		}
		fmt.Fprintf(w, "%s\t%d\t%s\t%s\t%s\t%s\n", when, it.PartnershipID, it.Class, it.String(),
			it.Ended.In(calendar.London).Format("2006-01-02"), outcome)
	}
	w.Flush()
	fmt.Fprintf(env.Stdout, "%d entries\n", len(items))
}
