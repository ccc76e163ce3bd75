package main

import (
	"bytes"
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// runCalendarCLI runs "escalate calendar args..." in-process.
func runCalendarCLI(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &Env{Stdout: &out, Stderr: &errb, Stdin: strings.NewReader(""), Getenv: func(string) string { return "" }}
	code = Run(context.Background(), env, append([]string{"calendar"}, args...))
	return out.String(), errb.String(), code
}

func TestCalendarDue(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{
			"OK",
			[]string{"due", "--division", "england-and-wales", "--start", "2026-12-24T15:30", "--within", "2 working days"},
			"2026-12-30T17:00:00Z\n2 working days from Thu 24 Dec 2026, counted from the next working day, Tue 29 Dec 2026; skipped Fri 25 Dec (Christmas Day), Sat 26, Sun 27, Mon 28 Dec (Boxing Day, substitute day); due by the end of Wed 30 Dec 2026\n",
		},
		{
			"OKSummer",
			[]string{"due", "--division", "scotland", "--start", "2026-07-31T09:00", "--within", "one working day"},
			"2026-08-04T17:00:00+01:00\n1 working day from Fri 31 Jul 2026, counted from the next working day, Tue 4 Aug 2026; skipped Sat 1, Sun 2, Mon 3 Aug (Summer bank holiday); due by the end of Tue 4 Aug 2026\n",
		},
		{
			"OKDayEnds",
			[]string{"due", "--division", "england-and-wales", "--start", "2026-03-02T16:30", "--within", "same working day", "--day-ends", "16:00"},
			"2026-03-03T16:00:00Z\nsame working day from Mon 2 Mar 2026 16:30: started after 16:00, the end of the working day, so counted from Tue 3 Mar 2026; due by the end of Tue 3 Mar 2026\n",
		},
		{
			"OKHours",
			[]string{"due", "--division", "northern-ireland", "--start", "2026-03-28T12:00", "--within", "24 hours"},
			"2026-03-29T13:00:00+01:00\n24 hours from Sat 28 Mar 2026 12:00: due by Sun 29 Mar 2026 13:00 (the clocks go forward in between)\n",
		},
		{
			"OKImmediately",
			[]string{"due", "--division", "england-and-wales", "--start", "2026-12-24T15:30", "--within", "immediately"},
			"immediately\nimmediately from Thu 24 Dec 2026 15:30: no clock runs; act at once\n",
		},
		{
			"OKOffsetStart",
			[]string{"due", "--division", "england-and-wales", "--start", "2026-12-24T15:30:00Z", "--within", "2 working days"},
			"2026-12-30T17:00:00Z\n2 working days from Thu 24 Dec 2026, counted from the next working day, Tue 29 Dec 2026; skipped Fri 25 Dec (Christmas Day), Sat 26, Sun 27, Mon 28 Dec (Boxing Day, substitute day); due by the end of Wed 30 Dec 2026\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := runCalendarCLI(t, tt.args...)
			if code != 0 || errOut != "" {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
			if out != tt.want {
				t.Errorf("stdout:\n%s\nwant:\n%s", out, tt.want)
			}
		})
	}
}

// calendarUsage is the usage line, which lists the subcommands registered,
// including those other files add.
func calendarUsage() string {
	names := slices.Sorted(maps.Keys(calendarCommands))
	if !slices.Contains(names, "due") || !slices.Contains(names, "holidays") {
		panic("due and holidays are not registered")
	}
	return "usage: escalate calendar <" + strings.Join(names, "|") + "> [flags]\n"
}

// writeHolidays writes a GOV.UK-format file for the test.
func writeHolidays(t *testing.T, body string) string {
	t.Helper()
	name := filepath.Join(t.TempDir(), "holidays.json")
	if err := os.WriteFile(name, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return name
}

func TestCalendarHolidaysFile(t *testing.T) {
	closures := writeHolidays(t, `{"england-and-wales": {"division": "england-and-wales", "events": [
		{"title": "Office closed", "date": "2026-12-24", "notes": "Local closure", "bunting": false},
		{"title": "Christmas Day", "date": "2026-12-25", "notes": "", "bunting": true}
	]}, "scotland": {"division": "scotland", "events": [
		{"title": "Scottish closure", "date": "2026-12-23", "notes": "Local closure", "bunting": false}
	]}}`)
	more := writeHolidays(t, `{"england-and-wales": {"events": [{"title": "Staff day", "date": "2026-12-29"}]}}`)

	t.Run("OKHolidays", func(t *testing.T) {
		out, errOut, code := runCalendarCLI(t, "holidays", "--division", "england-and-wales", "--from", "2026", "--to", "2026", "--holidays", closures, "--holidays", more)
		if code != 0 || errOut != "" {
			t.Fatalf("exit %d, stderr %q", code, errOut)
		}
		want := "2026-01-01\tNew Year’s Day\n2026-04-03\tGood Friday\n2026-04-06\tEaster Monday\n" +
			"2026-05-04\tEarly May bank holiday\n2026-05-25\tSpring bank holiday\n2026-08-31\tSummer bank holiday\n" +
			"2026-12-24\tOffice closed\n2026-12-25\tChristmas Day\n2026-12-28\tBoxing Day\n2026-12-29\tStaff day\n"
		if out != want {
			t.Errorf("stdout:\n%s\nwant:\n%s", out, want)
		}
	})
	t.Run("OKDue", func(t *testing.T) {
		out, errOut, code := runCalendarCLI(t, "due", "--division", "england-and-wales", "--start", "2026-12-23T10:00", "--within", "1 working day", "--holidays", closures)
		if code != 0 || errOut != "" {
			t.Fatalf("exit %d, stderr %q", code, errOut)
		}
		want := "2026-12-29T17:00:00Z\n1 working day from Wed 23 Dec 2026, counted from the next working day, Tue 29 Dec 2026; skipped Thu 24 Dec (Office closed, local closure), Fri 25 Dec (Christmas Day), Sat 26, Sun 27, Mon 28 Dec (Boxing Day, substitute day); due by the end of Tue 29 Dec 2026\n"
		if out != want {
			t.Errorf("stdout:\n%s\nwant:\n%s", out, want)
		}
	})
}

func TestCalendarHelp(t *testing.T) {
	out, errOut, code := runCalendarCLI(t, "due", "-h")
	if code != 0 || errOut != "" || !strings.Contains(out, "-within") || !strings.Contains(out, "-day-ends") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	_, errOut, code = runCalendarCLI(t, "help")
	if code != 0 || errOut != calendarUsage() {
		t.Errorf("help: exit %d, stderr %q", code, errOut)
	}
}

func TestCalendarHolidays(t *testing.T) {
	out, errOut, code := runCalendarCLI(t, "holidays", "--division", "northern-ireland", "--from", "2023", "--to", "2023")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	want := "2023-01-02\tNew Year’s Day\n2023-03-17\tSt Patrick’s Day\n2023-04-07\tGood Friday\n2023-04-10\tEaster Monday\n" +
		"2023-05-01\tEarly May bank holiday\n2023-05-08\tBank holiday for the coronation of King Charles III\n" +
		"2023-05-29\tSpring bank holiday\n2023-07-12\tBattle of the Boyne (Orangemen’s Day)\n2023-08-28\tSummer bank holiday\n" +
		"2023-12-25\tChristmas Day\n2023-12-26\tBoxing Day\n"
	if out != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", out, want)
	}
}

func TestCalendarErrors(t *testing.T) {
	badJSON := writeHolidays(t, "{\n \"scotland\": {\"events\": [\n  {\"title\": \"X\", \"date\": \"2026-02-30\"}]}}")
	due := func(extra ...string) []string {
		return append([]string{"due", "--division", "england-and-wales", "--start", "2026-12-24T15:30", "--within", "2 working days"}, extra...)
	}
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"ErrNoSubcommand", nil, 2, calendarUsage()},
		{"ErrUnknownSubcommand", []string{"explode"}, 2, "escalate calendar: unknown calendar command \"explode\"\n"},
		{"ErrDivision", []string{"due", "--division", "wales", "--start", "2026-12-24T15:30", "--within", "2 wrking days"}, 2,
			"escalate calendar: unknown division \"wales\"\n"},
		{"ErrTimescale", []string{"due", "--division", "scotland", "--start", "2026-12-24T15:30", "--within", "2 wrking days"}, 2,
			"escalate calendar: cannot read timescale \"2 wrking days\"; did you mean \"2 working days\"? A timescale is \"N working days\", \"N working weeks\", \"same working day\", \"N hours\" or \"immediately\"\n"},
		{"ErrStart", []string{"due", "--division", "scotland", "--start", "24/12/2026 15:30", "--within", "2 working days"}, 2,
			"escalate calendar: --start: cannot read \"24/12/2026 15:30\": want London time as YYYY-MM-DDTHH:MM\n"},
		{"ErrStartInClockGap", []string{"due", "--division", "scotland", "--start", "2026-03-29T01:30", "--within", "2 working days"}, 2,
			"escalate calendar: --start: 2026-03-29T01:30 does not exist in London: the clocks go forward then\n"},
		{"ErrMissingStart", []string{"due", "--division", "scotland", "--within", "2 working days"}, 2,
			"escalate calendar: missing --start (London time, e.g. 2026-12-24T15:30)\n"},
		{"ErrMissingWithin", []string{"due", "--division", "scotland", "--start", "2026-12-24T15:30"}, 2,
			"escalate calendar: missing --within (e.g. \"2 working days\")\n"},
		{"ErrMissingDivision", []string{"due", "--start", "2026-12-24T15:30", "--within", "2 working days"}, 2,
			"escalate calendar: missing --division (one of england-and-wales, scotland, northern-ireland)\n"},
		{"ErrDayEnds", due("--day-ends", "25:00"), 2,
			"escalate calendar: --day-ends \"25:00\": working day end 25:00 is not a time of day between 00:01 and 23:59\n"},
		{"ErrDayEndsText", due("--day-ends", "5pm"), 2,
			"escalate calendar: --day-ends \"5pm\": want a time of day as HH:MM\n"},
		{"ErrUnknownFlag", due("--bogus"), 2, "escalate calendar: flag provided but not defined: -bogus\n"},
		{"ErrStray", due("extra"), 2, "escalate calendar: unexpected argument \"extra\"\n"},
		{"ErrHolidaysMissingFile", due("--holidays", "/nonexistent/h.json"), 2,
			"escalate calendar: --holidays: open /nonexistent/h.json: no such file or directory\n"},
		{"ErrHolidaysBadFile", due("--holidays", badJSON), 2,
			badJSON + ":3:3: scotland event 1: cannot read date \"2026-02-30\": want YYYY-MM-DD\n"},
		{"ErrFromAfterTo", []string{"holidays", "--division", "scotland", "--from", "2027", "--to", "2026"}, 2,
			"escalate calendar: --from 2027 is after --to 2026\n"},
		{"ErrYearsRange", []string{"holidays", "--division", "scotland", "--from", "1990", "--to", "2026"}, 2,
			"escalate calendar: years 1990 to 2026: bank holidays are known for 1995 to 2040\n"},
		{"ErrMissingFrom", []string{"holidays", "--division", "scotland", "--to", "2026"}, 2,
			"escalate calendar: missing --from YEAR\n"},
		{"ErrMissingTo", []string{"holidays", "--division", "scotland", "--from", "2026"}, 2,
			"escalate calendar: missing --to YEAR\n"},
		{"ErrFromNotNumber", []string{"holidays", "--division", "scotland", "--from", "next", "--to", "2026"}, 2,
			"escalate calendar: invalid value \"next\" for flag -from: parse error\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := runCalendarCLI(t, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d", code, tt.code)
			}
			if out != "" {
				t.Errorf("stdout %q, want nothing", out)
			}
			if errOut != tt.stderr {
				t.Errorf("stderr:\n%q\nwant:\n%q", errOut, tt.stderr)
			}
		})
	}
}
