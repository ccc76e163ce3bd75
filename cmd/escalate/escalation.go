package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
	"github.com/escalate-project/escalate/sqlstore"
)

// Reading escalations from the console, until the web app exists. The
// commands act as a named user (--as), so need-to-know applies exactly as on
// the web, and every show is recorded in the audit log as that user's view.

func init() {
	register("escalation", "list or show escalations as a named user (list, show)", adminSubcommands("escalation", map[string]adminRun{
		"list": runEscalationList, "show": runEscalationShow,
	}))
}

// escalationSession opens the database and returns a context acting as the
// user with email --as in partnership --partnership.
func escalationSession(ctx context.Context, env *Env, dsn, key, email string) (*sqlstore.DB, context.Context, error) {
	if err := requireFlags("partnership", key, "as", email); err != nil {
		return nil, nil, err
	}
	db, err := openDB(ctx, env, dsn, false)
	if err != nil {
		return nil, nil, err
	}
	p, err := lookupPartnership(ctx, db, key)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	u, err := db.FindUserByEmail(ctx, p.ID, email)
	if err != nil {
		db.Close()
		if escalate.ErrorCode(err) == escalate.ENOTFOUND {
			return nil, nil, usagef("--as %s: no such user in partnership %s", email, key)
		}
		return nil, nil, err
	}
	return db, escalate.NewContextWithUser(ctx, u), nil
}

func runEscalationList(ctx context.Context, env *Env, args []string) error {
	fs := newCommandFlags("escalation list")
	dsn := dbFlag(fs, env)
	key := fs.String("partnership", "", "the partnership's key")
	as := fs.String("as", "", "the email of the user to act as")
	status := fs.String("status", "", "only escalations with this status (open, resolved, redirected, withdrawn)")
	mine := fs.Bool("mine", false, "only escalations the user raised, is involved in, or are in their management line")
	limit := fs.Int("limit", 50, "at most this many")
	if _, done, err := parseCommand(env, fs, args, 0); done || err != nil {
		return err
	}
	db, ctx, err := escalationSession(ctx, env, *dsn, *key, *as)
	if err != nil {
		return err
	}
	defer db.Close()
	list, total, err := sqlstore.NewEscalationService(db).List(ctx, escalate.EscalationFilter{
		Status: escalate.Status(*status), Mine: *mine, Limit: *limit})
	if err != nil {
		return cliError(err)
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "REF\tSTATUS\tSTAGE\tRISK\tNEXT DUE")
	for _, e := range list {
		due := "-"
		if t, ok := e.NextDue(); ok {
			due = london(t)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", e.Ref, e.Status, e.Stage+1, e.RiskLevel, due)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if total > len(list) {
		fmt.Fprintf(env.Stdout, "(%d of %d shown)\n", len(list), total)
	}
	return nil
}

func runEscalationShow(ctx context.Context, env *Env, args []string) error {
	fs := newCommandFlags("escalation show")
	dsn := dbFlag(fs, env)
	key := fs.String("partnership", "", "the partnership's key")
	as := fs.String("as", "", "the email of the user to act as")
	pos, done, err := parseCommand(env, fs, args, 1)
	if done || err != nil {
		return err
	}
	db, ctx, err := escalationSession(ctx, env, *dsn, *key, *as)
	if err != nil {
		return err
	}
	defer db.Close()
	e, err := sqlstore.NewEscalationService(db).Get(ctx, pos[0])
	if err != nil {
		return cliError(err)
	}
	w := env.Stdout
	fmt.Fprintf(w, "%s  %s, stage %d, %s risk  (policy %s, %s; version %d)\n", e.Ref, e.Status, e.Stage+1,
		e.RiskLevel, e.PolicyID, e.PolicyVersion, e.Version)
	if e.ChildExpected != "" {
		fmt.Fprintf(w, "child:        %s (unborn, due %s)\n", e.ChildRef, e.ChildExpected)
	} else {
		fmt.Fprintf(w, "child:        %s (%s)\n", e.ChildRef, e.ChildInitials)
	}
	fmt.Fprintf(w, "categories:   %s\n", strings.Join(e.Categories, ", "))
	fmt.Fprintf(w, "decision:     %s (%s)\n", oneLine(e.Decision), e.DecisionDate)
	if e.Immediate != nil {
		fmt.Fprintf(w, "immediate:    %s (%s)\n", oneLine(e.Immediate.Action), london(e.Immediate.At))
	}
	if o := e.Outcome; o != nil {
		fmt.Fprintf(w, "outcome:      %s: %s\n", o.Kind, oneLine(o.Text+o.RedirectTo+" "+o.Reason))
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\nCLOCK\tSTAGE\tKEY\tBY\tSTATUS\tDUE")
	for _, c := range e.Clocks {
		due := "immediately"
		if !c.Immediate {
			due = london(c.Due)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", c.ID, c.Stage, c.Key, c.By, c.Status, due)
	}
	if len(e.Records) > 0 {
		fmt.Fprintln(tw, "\nRECORD\tSTAGE\tAT\tFORM\tAPPROVED\t")
		for _, r := range e.Records {
			approved := "-"
			if r.ApprovedBy != 0 {
				approved = london(r.ApprovedAt)
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t\n", r.ID, r.Stage, london(r.At), r.Form, approved)
		}
	}
	return tw.Flush()
}

// london formats an instant on the London wall clock.
func london(t time.Time) string { return t.In(calendar.London).Format("2006-01-02 15:04") }

// oneLine shortens free text to one line for a terminal.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 100 {
		return string(r[:99]) + "…"
	}
	return s
}
