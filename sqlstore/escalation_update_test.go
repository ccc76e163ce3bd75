package sqlstore

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
)

// TestEscalationUpdateSetsWhatChanged checks that the UPDATE of a change
// sets an indexed column only when its value changed, and every other
// column always, with one argument per placeholder.
func TestEscalationUpdateSetsWhatChanged(t *testing.T) {
	due := time.Date(2026, 12, 1, 17, 0, 0, 0, time.UTC)
	old := &escalate.Escalation{ID: 7, Version: 3, Status: escalate.StatusOpen, Stage: 0,
		Clocks: []escalate.ClockState{{ID: 1, Status: escalate.ClockRunning, Due: due}}}
	indexed := escalationCols[:escalationIndexed]
	for _, c := range []struct {
		name   string
		change func(e *escalate.Escalation)
		want   []string // indexed columns set
	}{
		{"record", func(e *escalate.Escalation) {}, nil},
		{"stage", func(e *escalate.Escalation) {
			e.Stage = 1
			e.Clocks = append(e.Clocks, escalate.ClockState{ID: 2, Status: escalate.ClockRunning, Due: due.Add(-time.Hour)})
		}, []string{"next_due"}},
		{"close", func(e *escalate.Escalation) {
			e.Status = escalate.StatusWithdrawn
			e.Clocks[0].Status = escalate.ClockStopped
			e.Outcome = &escalate.Outcome{Kind: "withdrawn", At: due, By: 4}
		}, []string{"status", "next_due", "outcome_at", "outcome_by"}},
	} {
		e := old.Clone()
		e.Version++
		c.change(e)
		query, args := escalationUpdate(old, e, old.Version)
		var set []string
		for _, col := range indexed {
			if strings.Contains(query, " "+col+" = $") {
				set = append(set, col)
			}
		}
		if !slices.Equal(set, c.want) {
			t.Errorf("%s: sets indexed columns %v, want %v\n%s", c.name, set, c.want, query)
		}
		for _, col := range escalationCols[escalationIndexed:] {
			if !strings.Contains(query, " "+col+" = $") {
				t.Errorf("%s: does not set %s", c.name, col)
			}
		}
		if n := strings.Count(query, "$"); n != len(args) {
			t.Errorf("%s: %d placeholders, %d arguments", c.name, n, len(args))
		}
		if args[len(args)-2] != e.ID || args[len(args)-1] != old.Version {
			t.Errorf("%s: WHERE arguments %v, want id %d and version %d", c.name, args[len(args)-2:], e.ID, old.Version)
		}
	}
}
