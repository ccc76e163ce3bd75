package main

import (
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestGenCLI(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "scale.db")
		out := mustRun(t, db, "gen", "-q", "--escalations", "300", "--events-per", "6", "--seed", "3")
		m := regexp.MustCompile(`^generated 1 partnerships, 10 agencies, \d+ users, 300 escalations, \d+ clocks, \d+ records, 300 parties, (\d+) audit events in `).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("gen printed %q", out)
		}
		events, _ := strconv.Atoi(m[1])
		if events < 300*6 {
			t.Errorf("%d audit events, want at least %d", events, 300*6)
		}
		// The organisations' own events come on top of the generated ones.
		verify := mustRun(t, db, "audit", "verify")
		// Its first line counts the chain's events; the next is the replay's.
		first, rest, _ := strings.Cut(verify, "\n")
		n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(first, "ok: "), " events"))
		if err != nil || n <= events || !strings.HasPrefix(rest, "ok: the record is what the events say: 300 escalations") {
			t.Errorf("audit verify = %q, want ok with more than %d events", verify, events)
		}
	})
	t.Run("ErrNotEmpty", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "scale.db")
		mustRun(t, db, "gen", "-q", "--escalations", "10", "--events-per", "2")
		wantExit(t, db, 2, "the database is not empty (partnerships: 1)", "gen", "--escalations", "10")
	})
	t.Run("ErrUsage", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "scale.db")
		for _, args := range [][]string{
			{"gen", "--escalations", "0"},
			{"gen", "--events-per", "-1"},
			{"gen", "--years", "0"},
			{"gen", "--batch", "0"},
			{"gen", "extra"},
		} {
			wantExit(t, db, 2, "escalate gen:", args...)
		}
		wantExit(t, "", 2, "missing --db", "gen")
	})
}
