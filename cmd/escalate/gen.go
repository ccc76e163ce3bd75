package main

import (
	"context"
	"fmt"
	"time"

	"github.com/escalate-project/escalate/sqlstore"
)

func init() {
	register("gen", "fill a new database with synthetic escalations for scale tests", runGen)
}

// runGen creates (or migrates) the database --db names and fills it with
// sqlstore.GenerateScale. It refuses a database that already holds
// partnerships, so synthetic cases never land among real ones.
func runGen(ctx context.Context, env *Env, args []string) error {
	fs := newCommandFlags("gen")
	dsn := dbFlag(fs, env)
	n := fs.Int("escalations", 10000, "how many escalations to make")
	per := fs.Int("events-per", 20, "audit events per escalation, on average")
	parts := fs.Int("partnerships", 0, "how many partnerships (default one per 50,000 escalations, 1 to 20)")
	years := fs.Int("years", 3, "how many years of history, ending now")
	seed := fs.Uint64("seed", 1, "random seed: the same seed makes the same cases")
	batch := fs.Int("batch", 2000, "escalations per transaction")
	quiet := fs.Bool("q", false, "print only the summary, not progress")
	if _, done, err := parseCommand(env, fs, args, 0); done || err != nil {
		return err
	}
	switch {
	case *n < 1:
		return usagef("--escalations must be at least 1")
	case *per < 0:
		return usagef("--events-per cannot be negative")
	case *parts < 0 || *parts > 1000:
		return usagef("--partnerships must be from 0 (automatic) to 1000")
	case *years < 1 || *years > 50:
		return usagef("--years must be from 1 to 50")
	case *batch < 1:
		return usagef("--batch must be at least 1")
	}
	db, err := openDB(ctx, env, *dsn, true)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	began := time.Now()
	last := began
	opt := sqlstore.ScaleOptions{Escalations: *n, EventsPer: *per, Partnerships: *parts, Years: *years,
		Seed: *seed, BatchSize: *batch}
	if !*quiet {
		opt.Progress = func(r sqlstore.ScaleResult) {
			if time.Since(last) < 5*time.Second && r.Escalations != int64(*n) {
				return
			}
			last = time.Now()
			s := time.Since(began).Seconds()
			fmt.Fprintf(env.Stderr, "%d escalations, %d events in %.0fs (%.0f escalations/s, %.0f events/s)\n",
				r.Escalations, r.Events, s, float64(r.Escalations)/s, float64(r.Events)/s)
		}
	}
	res, err := db.GenerateScale(ctx, opt)
	if err != nil {
		return cliError(err)
	}
	fmt.Fprintf(env.Stdout, "generated %d partnerships, %d agencies, %d users, %d escalations, %d clocks, %d records, %d parties, %d audit events in %s\n",
		res.Partnerships, res.Agencies, res.Users, res.Escalations, res.Clocks, res.Records, res.Parties, res.Events,
		time.Since(began).Round(time.Second))
	return nil
}
