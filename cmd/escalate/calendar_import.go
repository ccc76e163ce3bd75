package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/escalate-project/escalate/calendar"
)

func init() {
	calendarCommands["import"] = runCalendarImport
}

// runCalendarImport stores the holidays of a GOV.UK bank-holidays.json file,
// so a holiday announced late needs no new release. Without --partnership
// they apply to every partnership on their division; with it, only the
// partnership's own division is imported, for it alone. --local marks the
// days as the partnership's local closures.
func runCalendarImport(ctx context.Context, env *Env, args []string) error {
	fs := newCommandFlags("calendar import")
	dsn := dbFlag(fs, env)
	key := fs.String("partnership", "", "import for this partnership only (its policy's division)")
	local := fs.Bool("local", false, "the file holds the partnership's local closure days (needs --partnership)")
	pos, done, err := parseCommand(env, fs, args, 1)
	if done || err != nil {
		return err
	}
	file := pos[0]
	if *local && *key == "" {
		return usagef("--local needs --partnership: local closures belong to one partnership")
	}
	data, err := os.Open(file)
	if err != nil {
		return usagef("%v", err)
	}
	byDivision, err := calendar.ParseGOVUK(data)
	data.Close()
	if err != nil {
		var pe *calendar.ParseError
		if errors.As(err, &pe) {
			sep := ":"
			if pe.Line == 0 {
				sep = ": "
			}
			fmt.Fprintf(env.Stderr, "%s%s%v\n", file, sep, pe)
			return exitError{2}
		}
		return fmt.Errorf("%s: %w", file, err)
	}

	db, err := openDB(ctx, env, *dsn, false)
	if err != nil {
		return err
	}
	defer db.Close()
	var partnershipID int64
	source := filepath.Base(file)
	if *key != "" {
		p, err := lookupPartnership(ctx, db, *key)
		if err != nil {
			return err
		}
		v, err := db.CurrentPolicyVersion(ctx, p.ID)
		if err != nil {
			return err
		}
		hs, ok := byDivision[v.Division]
		if !ok {
			return usagef("%s has no %s holidays, the division of %s's policy", file, v.Division, p.Key)
		}
		byDivision = map[string][]calendar.Holiday{v.Division: hs}
		partnershipID = p.ID
	}
	if *local {
		source = "local:" + source
		for div, hs := range byDivision {
			for i := range hs {
				if hs[i].Notes == "" {
					hs[i].Notes = calendar.NoteLocalClosure
				}
			}
			byDivision[div] = hs
		}
	}
	if len(byDivision) == 0 {
		return usagef("%s holds no divisions", file)
	}
	results, err := db.ImportCalendar(cliContext(ctx, env), partnershipID, byDivision, source)
	if err != nil {
		return cliError(err)
	}
	divisions := make([]string, 0, len(results))
	for d := range results {
		divisions = append(divisions, d)
	}
	sort.Strings(divisions)
	for _, div := range divisions {
		res := results[div]
		fmt.Fprintf(env.Stdout, "%s: %d added, %d renamed, %d unchanged\n", div, res.Added, res.Renamed, res.Unchanged)
	}
	return nil
}
