package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/escalate-project/escalate/calendar"
)

func init() {
	register("calendar", "bank holidays and working-day deadlines (holidays, due)", runCalendar)
}

// calendarCommands are the sub-subcommands of "escalate calendar". Another
// file may add to it from its own init(), e.g. calendarCommands["import"].
var calendarCommands = map[string]func(ctx context.Context, env *Env, args []string) error{
	"holidays": runCalendarHolidays,
	"due":      runCalendarDue,
}

func runCalendar(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		names := make([]string, 0, len(calendarCommands))
		for n := range calendarCommands {
			names = append(names, n)
		}
		sort.Strings(names)
		fmt.Fprintf(env.Stderr, "usage: escalate calendar <%s> [flags]\n", strings.Join(names, "|"))
		if len(args) == 0 {
			return exitError{2}
		}
		return nil
	}
	run, ok := calendarCommands[args[0]]
	if !ok {
		return usagef("unknown calendar command %q", args[0])
	}
	return run(ctx, env, args[1:])
}

// fileList is a repeatable string flag.
type fileList []string

func (f *fileList) String() string     { return strings.Join(*f, ",") }
func (f *fileList) Set(v string) error { *f = append(*f, v); return nil }

// calendarFlags are the flags every calendar subcommand shares.
type calendarFlags struct {
	division string
	holidays fileList
}

func (cf *calendarFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&cf.division, "division", "", "bank-holiday division: "+strings.Join(calendar.Divisions(), ", "))
	fs.Var(&cf.holidays, "holidays", "a GOV.UK bank-holidays.json file layered on the built-in rules (repeatable)")
}

// parseFlags parses args, turning flag errors and stray arguments into usage
// errors. It returns done when -h was asked for and the usage printed.
func parseFlags(env *Env, fs *flag.FlagSet, args []string) (done bool, err error) {
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(env.Stdout)
			fs.PrintDefaults()
			return true, nil
		}
		return false, usagef("%v", err)
	}
	if fs.NArg() > 0 {
		return false, usagef("unexpected argument %q", fs.Arg(0))
	}
	return false, nil
}

// open builds the calendar the flags describe. A holidays file that cannot
// be read is reported as file:line:col and exits 2.
func (cf *calendarFlags) open(env *Env) (*calendar.Calendar, error) {
	if cf.division == "" {
		return nil, usagef("missing --division (one of %s)", strings.Join(calendar.Divisions(), ", "))
	}
	cal, err := calendar.New(cf.division)
	if err != nil {
		return nil, usagef("%v", err)
	}
	for _, name := range cf.holidays {
		f, err := os.Open(name)
		if err != nil {
			return nil, usagef("--holidays: %v", err)
		}
		byDivision, err := calendar.ParseGOVUK(f)
		f.Close()
		if err != nil {
			var pe *calendar.ParseError
			if errors.As(err, &pe) {
				sep := ":"
				if pe.Line == 0 {
					sep = ": "
				}
				fmt.Fprintf(env.Stderr, "%s%s%v\n", name, sep, pe)
				return nil, exitError{2}
			}
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		cal.AddHolidays(byDivision[cf.division]...)
	}
	return cal, nil
}

func runCalendarHolidays(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("calendar holidays", flag.ContinueOnError)
	var cf calendarFlags
	cf.register(fs)
	from := fs.Int("from", 0, "first year")
	to := fs.Int("to", 0, "last year")
	if done, err := parseFlags(env, fs, args); done || err != nil {
		return err
	}
	switch {
	case *from == 0:
		return usagef("missing --from YEAR")
	case *to == 0:
		return usagef("missing --to YEAR")
	case *from > *to:
		return usagef("--from %d is after --to %d", *from, *to)
	case *from < calendar.FirstYear || *to > calendar.LastYear:
		return usagef("years %d to %d: bank holidays are known for %d to %d", *from, *to, calendar.FirstYear, calendar.LastYear)
	}
	cal, err := cf.open(env)
	if err != nil {
		return err
	}
	for _, h := range cal.Holidays(*from, *to) {
		fmt.Fprintf(env.Stdout, "%s\t%s\n", h.Date, h.Name)
	}
	return nil
}

func runCalendarDue(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("calendar due", flag.ContinueOnError)
	var cf calendarFlags
	cf.register(fs)
	startText := fs.String("start", "", "when the clock starts, London time: 2026-12-24T15:30")
	within := fs.String("within", "", `the timescale, e.g. "2 working days", "24 hours", "immediately"`)
	dayEnds := fs.String("day-ends", "17:00", "when the working day ends, London time (HH:MM)")
	if done, err := parseFlags(env, fs, args); done || err != nil {
		return err
	}
	if *startText == "" {
		return usagef("missing --start (London time, e.g. 2026-12-24T15:30)")
	}
	if *within == "" {
		return usagef(`missing --within (e.g. "2 working days")`)
	}
	cal, err := cf.open(env)
	if err != nil {
		return err
	}
	start, err := parseLondonTime(*startText)
	if err != nil {
		return usagef("--start: %v", err)
	}
	ts, err := calendar.ParseTimescale(*within)
	if err != nil {
		return usagef("%v", err)
	}
	hour, min, err := parseClock(*dayEnds)
	if err == nil {
		err = cal.SetWorkingDayEnd(hour, min)
	}
	if err != nil {
		return usagef("--day-ends %q: %v", *dayEnds, err)
	}
	dl := cal.Due(start, ts)
	if dl.Immediate {
		fmt.Fprintln(env.Stdout, "immediately")
	} else {
		fmt.Fprintln(env.Stdout, dl.Due.In(calendar.London).Format(time.RFC3339))
	}
	fmt.Fprintln(env.Stdout, dl.Explain())
	return nil
}

// parseLondonTime reads a London wall-clock time (or an RFC 3339 instant with
// its own offset). A wall-clock time the clocks skip is refused rather than
// silently moved an hour.
func parseLondonTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02 15:04:05"} {
		t, err := time.ParseInLocation(layout, s, calendar.London)
		if err != nil {
			continue
		}
		if t.Format(layout) != s {
			return time.Time{}, fmt.Errorf("%s does not exist in London: the clocks go forward then", s)
		}
		return t, nil
	}
	return time.Time{}, fmt.Errorf("cannot read %q: want London time as YYYY-MM-DDTHH:MM", s)
}

// parseClock reads HH:MM.
func parseClock(s string) (hour, min int, err error) {
	h, m, ok := strings.Cut(s, ":")
	if ok && len(m) == 2 && len(h) >= 1 && len(h) <= 2 {
		hour, err1 := strconv.Atoi(h)
		min, err2 := strconv.Atoi(m)
		if err1 == nil && err2 == nil {
			return hour, min, nil
		}
	}
	return 0, 0, fmt.Errorf("want a time of day as HH:MM")
}
