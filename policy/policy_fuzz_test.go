package policy_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/escalate-project/escalate/calendar"
	"github.com/escalate-project/escalate/policy"
)

// FuzzLoad checks that no input makes the loader, the checker, the summary
// or the flowchart panic, and that a loaded policy always has no errors.
func FuzzLoad(f *testing.F) {
	files, _ := filepath.Glob("packs/*.yaml")
	more, _ := filepath.Glob("testdata/*.yaml")
	for _, name := range append(files, more...) {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		"", "~", "[]", "{}", "id: [", "stages: {a: b}", "stages:\n  - ~\n",
		"a: &x [*x]", "stages: *nowhere", "<<: {id: x}", "id: !!binary aGk=",
		"stages:\n- key: s\n  clocks:\n  - starts: {event: clock-met, clock: s}\n",
		"learning: {pattern_threshold: 1e9}", "calendar: {working_day_ends: '24:00'}",
		minimal, strings.Replace(minimal, "stage-1", "stage-1\n    may_skip_to: [stage-1]", 1),
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, nodes, _ := policy.Parse("f.yaml", data)
		if p == nil {
			return
		}
		policy.Check(p, nodes, calendar.NewDate(2026, 1, 1))
		_ = policy.SummaryAt(discard{}, p, calendar.NewDate(2026, 1, 1))
		_ = policy.Mermaid(discard{}, p)
		lp, probs, err := policy.Load("f.yaml", data)
		if err == nil && (lp == nil || policy.HasErrors(probs)) {
			t.Fatalf("Load returned no error with policy %v and problems %v", lp, probs)
		}
	})
}

type discard struct{}

func (discard) Write(b []byte) (int, error) { return len(b), nil }
