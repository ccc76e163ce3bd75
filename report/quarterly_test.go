package report_test

import (
	"slices"
	"testing"
	"time"

	"github.com/escalate-project/escalate/calendar"
	"github.com/escalate-project/escalate/report"
)

var (
	agencies = []string{"Police", "Health", "Children's Services", "Education"}
	quarter  = report.Quarter(2026, 3)
)

func day(m time.Month, d int) time.Time { return time.Date(2026, m, d, 9, 0, 0, 0, time.UTC) }

const cs = "Children's Services"

// demoCases has five cases in the quarter and two outside it; the expected
// figures in the tests below are counted by hand from this list.
func demoCases() []report.Case {
	return []report.Case{
		{RaisingAgency: "Police", ReceivingAgency: cs, Categories: []string{"threshold"},
			Raised: day(7, 1), StageReached: 2, StageResolved: 2, Outcome: "agreed", Decision: "changed",
			ResolvedAt: day(7, 11), WorkingDays: 7, ChildKey: "a", Clocks: []report.ClockResult{{Stage: 1, Agency: cs, Met: true}, {Stage: 2, Agency: cs, Met: false}}},
		{RaisingAgency: "Police", ReceivingAgency: cs, Categories: []string{"threshold", "plan"},
			Raised: day(7, 10), StageReached: 1, StageResolved: 1, Outcome: "withdrawn", ResolvedAt: day(7, 12), WorkingDays: 0,
			ChildKey: "b", Clocks: []report.ClockResult{{Stage: 1, Agency: cs, Met: true}}},
		{RaisingAgency: "Health", ReceivingAgency: cs, Categories: []string{"plan"},
			Raised: day(8, 1), StageReached: 3, StageResolved: 3, Outcome: "determination", Decision: "upheld",
			ResolvedAt: day(8, 31), WorkingDays: 20,
			Immediate: true, ChildKey: "a",
			Clocks: []report.ClockResult{{Stage: 1, Agency: cs, Met: false}, {Stage: 2, Agency: cs, Met: true}, {Stage: 3, Agency: cs, Met: true}}},
		{RaisingAgency: cs, ReceivingAgency: "Health", Categories: []string{"closure"},
			Raised: time.Date(2026, 9, 30, 23, 59, 0, 0, calendar.London), StageReached: 1, Outcome: "open",
			ChildKey: "c", Clocks: []report.ClockResult{{Stage: 1, Agency: "Health", Met: true}}},
		{RaisingAgency: "Health", ReceivingAgency: "Police", Categories: []string{"threshold"},
			Raised: day(8, 15), StageReached: 1, StageResolved: 1, Outcome: "redirected", ResolvedAt: day(8, 19), WorkingDays: 3,
			Clocks: []report.ClockResult{{Stage: 1, Agency: "Police", Met: false}}},
		// Outside the quarter: To is exclusive, and June is before From.
		{RaisingAgency: "Education", ReceivingAgency: "Police", Categories: []string{"threshold"},
			Raised: quarter.To, StageReached: 1, Outcome: "open", ChildKey: "b"},
		{RaisingAgency: "Education", ReceivingAgency: cs, Categories: []string{"plan"},
			Raised: day(6, 30), StageReached: 1, Outcome: "open", ChildKey: "c"},
	}
}

type rowWant struct {
	label string
	n     int
}

func checkRows(t *testing.T, name string, got []report.Row, want []rowWant) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d rows %v, want %d", name, len(got), got, len(want))
	}
	for i, w := range want {
		if got[i].Label != w.label || got[i].Count.N != w.n {
			t.Errorf("%s row %d = %s %d, want %s %d", name, i, got[i].Label, got[i].Count.N, w.label, w.n)
		}
	}
}

func TestBuild(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		q := report.Build(quarter, demoCases(), agencies, false)
		if q.Raised.N != 5 {
			t.Errorf("Raised = %d, want 5", q.Raised.N)
		}
		checkRows(t, "ByRaising", q.ByRaising, []rowWant{{"Police", 2}, {"Health", 2}, {cs, 1}, {"Education", 0}})
		checkRows(t, "ByReceiving", q.ByReceiving, []rowWant{{"Police", 1}, {"Health", 1}, {cs, 3}, {"Education", 0}})
		checkRows(t, "ByCategory", q.ByCategory, []rowWant{{"closure", 1}, {"plan", 2}, {"threshold", 3}})
		checkRows(t, "StageReached", q.StageReached, []rowWant{{"Stage 1", 3}, {"Stage 2", 1}, {"Stage 3", 1}})
		checkRows(t, "StageResolved", q.StageResolved, []rowWant{{"Stage 1", 2}, {"Stage 2", 1}, {"Stage 3", 1}})
		// The agreed case changed the decision, the determination upheld it;
		// none lacks the answer, so that row is left out.
		checkRows(t, "Outcomes", q.Outcomes, []rowWant{{"Decision changed", 1}, {"Decision upheld", 1},
			{"Redirected", 1}, {"Withdrawn", 1}, {"Still open", 1}})

		// Rows raised by, columns received by, in the order of agencies.
		wantPairs := [][]int{{0, 0, 2, 0}, {1, 0, 1, 0}, {0, 1, 0, 0}, {0, 0, 0, 0}}
		if !slices.Equal(q.Pairs.Agencies, agencies) {
			t.Fatalf("Pairs.Agencies = %v, want %v", q.Pairs.Agencies, agencies)
		}
		for i := range wantPairs {
			for j := range wantPairs[i] {
				if q.Pairs.Cells[i][j].N != wantPairs[i][j] {
					t.Errorf("Pairs[%s][%s] = %d, want %d", agencies[i], agencies[j], q.Pairs.Cells[i][j].N, wantPairs[i][j])
				}
			}
		}

		// Stage 1 took 0 and 3 working days: median 1.5, 90th percentile
		// (nearest rank 2 of 2) 3. Working days, not calendar days: stage 3
		// took 30 days but 20 working days (31 August was a bank holiday).
		wantTiming := []struct {
			stage, n    int
			median, p90 float64
		}{{1, 2, 1.5, 3}, {2, 1, 7, 7}, {3, 1, 20, 20}}
		if len(q.Resolution) != len(wantTiming) {
			t.Fatalf("Resolution = %+v, want %d stages", q.Resolution, len(wantTiming))
		}
		for i, w := range wantTiming {
			g := q.Resolution[i]
			if g.Stage != w.stage || g.Cases.N != w.n || g.Median != w.median || g.P90 != w.p90 {
				t.Errorf("Resolution[%d] = %+v, want %+v", i, g, w)
			}
		}

		type compWant struct {
			label      string
			met, total int
			share      string
		}
		checkComp := func(name string, got []report.Compliance, want []compWant) {
			t.Helper()
			if len(got) != len(want) {
				t.Fatalf("%s = %+v, want %d rows", name, got, len(want))
			}
			for i, w := range want {
				g := got[i]
				if g.Label != w.label || g.Met.N != w.met || g.Total.N != w.total || g.Share() != w.share {
					t.Errorf("%s[%d] = %s %d/%d %s, want %+v", name, i, g.Label, g.Met.N, g.Total.N, g.Share(), w)
				}
			}
		}
		checkComp("ComplianceByStage", q.ComplianceByStage, []compWant{
			{"Stage 1", 3, 5, "60%"}, {"Stage 2", 1, 2, "50%"}, {"Stage 3", 1, 1, "100%"}})
		checkComp("ComplianceByAgency", q.ComplianceByAgency, []compWant{
			{"Police", 0, 1, "0%"}, {"Health", 1, 1, "100%"}, {cs, 4, 6, "67%"}})

		if q.Immediate.N != 1 {
			t.Errorf("Immediate = %d, want 1", q.Immediate.N)
		}
		// Child "a" has two escalations in the quarter; "b" and "c" have one
		// each inside it (their others are outside).
		if q.RepeatChildren.N != 1 || q.RepeatCases.N != 2 {
			t.Errorf("repeats = %d children, %d cases; want 1, 2", q.RepeatChildren.N, q.RepeatCases.N)
		}
		if !slices.Equal(q.Silent, []string{"Education"}) {
			t.Errorf("Silent = %v, want [Education]", q.Silent)
		}
	})

	t.Run("Sharing", func(t *testing.T) {
		q := report.Build(quarter, demoCases(), agencies, true)
		if got := q.Raised.String(); got != "5" {
			t.Errorf("Raised = %q, want 5", got)
		}
		if got := q.ByReceiving[2].Count.String(); got != "fewer than 5" {
			t.Errorf("ByReceiving[%s] = %q, want fewer than 5", cs, got)
		}
		if got := q.Immediate.String(); got != "fewer than 5" {
			t.Errorf("Immediate = %q, want fewer than 5", got)
		}
		if got := q.Pairs.Cells[3][3].String(); got != "fewer than 5" {
			t.Errorf("empty pair = %q, want fewer than 5", got)
		}
		if got := q.ComplianceByAgency[2].Share(); got != "not shown" {
			t.Errorf("share of 4 of 6 = %q, want not shown", got)
		}
		if got := q.Resolution[0].Days(q.Resolution[0].Median); got != "not shown" {
			t.Errorf("median of 2 cases = %q, want not shown", got)
		}
		for _, tb := range q.Tables() {
			for _, r := range tb.Rows {
				for _, c := range r[1:] {
					if c == "1" || c == "2" || c == "3" || c == "4" {
						t.Errorf("table %q row %v shows a count under 5", tb.Caption, r)
					}
				}
			}
		}
	})

	t.Run("UnknownAgency", func(t *testing.T) {
		cases := []report.Case{
			{RaisingAgency: "Youth Justice", ReceivingAgency: "Probation", Raised: day(7, 2), StageReached: 1},
		}
		q := report.Build(quarter, cases, []string{"Police"}, false)
		want := []string{"Police", "Probation", "Youth Justice"}
		if !slices.Equal(q.Pairs.Agencies, want) {
			t.Errorf("Agencies = %v, want %v", q.Pairs.Agencies, want)
		}
		if !slices.Equal(q.Silent, []string{"Police", "Probation"}) {
			t.Errorf("Silent = %v, want [Police Probation]", q.Silent)
		}
		checkRows(t, "Outcomes", q.Outcomes[4:], []rowWant{{"Still open", 1}})
	})

	t.Run("DecisionNotRecorded", func(t *testing.T) {
		// Two outcomes recorded without the decision (before the question
		// was asked, or by an API client that omitted it), one upheld
		// recommendations; the redirect has no decision and counts as
		// redirected, not as "not recorded".
		cases := []report.Case{
			{RaisingAgency: "Police", ReceivingAgency: cs, Raised: day(7, 2), StageReached: 1, StageResolved: 1, Outcome: "agreed"},
			{RaisingAgency: "Police", ReceivingAgency: cs, Raised: day(7, 3), StageReached: 3, StageResolved: 3, Outcome: "determination"},
			{RaisingAgency: "Police", ReceivingAgency: cs, Raised: day(7, 4), StageReached: 3, StageResolved: 3, Outcome: "recommendations", Decision: "upheld"},
			{RaisingAgency: "Police", ReceivingAgency: cs, Raised: day(7, 5), StageReached: 1, StageResolved: 1, Outcome: "redirected"},
		}
		q := report.Build(quarter, cases, agencies, false)
		checkRows(t, "Outcomes", q.Outcomes, []rowWant{{"Decision changed", 0}, {"Decision upheld", 1},
			{"Resolved, not recorded whether the decision changed", 2}, {"Redirected", 1}, {"Withdrawn", 0}, {"Still open", 0}})
	})

	t.Run("Empty", func(t *testing.T) {
		q := report.Build(quarter, nil, agencies, false)
		if q.Raised.N != 0 || len(q.Resolution) != 0 || len(q.Silent) != 4 {
			t.Errorf("empty quarter = %+v", q)
		}
	})
}

func TestNearestRankPercentile(t *testing.T) {
	// Ten cases resolved at stage 1 after 1..10 days: median 5.5, and the 90th
	// percentile by nearest rank is the 9th value, 9.
	var cases []report.Case
	for d := 1; d <= 10; d++ {
		cases = append(cases, report.Case{RaisingAgency: "Police", ReceivingAgency: "Health",
			Raised: day(7, 1), StageReached: 1, StageResolved: 1, Outcome: "agreed", ResolvedAt: day(7, 1+d), WorkingDays: d})
	}
	q := report.Build(quarter, cases, agencies, false)
	if r := q.Resolution[0]; r.Median != 5.5 || r.P90 != 9 {
		t.Errorf("median, p90 = %v, %v; want 5.5, 9", r.Median, r.P90)
	}
}

func TestCountString(t *testing.T) {
	tests := []struct {
		c    report.Count
		want string
	}{
		{report.Count{N: 0}, "0"},
		{report.Count{N: 3}, "3"},
		{report.Count{N: 0, Shared: true}, "fewer than 5"},
		{report.Count{N: 4, Shared: true}, "fewer than 5"},
		{report.Count{N: 5, Shared: true}, "5"},
		{report.Count{N: 12, Shared: true}, "12"},
	}
	for _, tt := range tests {
		if got := tt.c.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.c, got, tt.want)
		}
	}
}
