package sqlstore

import (
	"context"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
)

// TestOutcomeDecisionStored checks an outcome's decision (migration 00015)
// round-trips on both engines, reaches the board report's CaseFacts, and
// that a bad value writes nothing; an outcome without one reads back empty.
func TestOutcomeDecisionStored(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := newWorld(t, db, "wirral")

		up := climb(t, w, w.mustRaise(t, escalate.RiskStandard))
		_, err := w.svc.Determine(w.as("chair"), up.Ref, escalate.DetermineInput{Version: up.Version,
			Kind: escalate.OutcomeDetermination, Text: "The plan stands.", Decision: "overturned"})
		wantEscErr(t, err, escalate.EINVALID, "decision")
		if got := mustGet(t, w, "prac", up); got.Outcome != nil {
			t.Fatalf("a refused determination stored an outcome: %+v", got.Outcome)
		}
		up, err = w.svc.Determine(w.as("chair"), up.Ref, escalate.DetermineInput{Version: up.Version,
			Kind: escalate.OutcomeDetermination, Text: "The plan stands.", Decision: escalate.DecisionUpheld})
		if err != nil {
			t.Fatalf("Determine: %v", err)
		}

		none := climb(t, w, w.mustRaise(t, escalate.RiskStandard))
		none, err = w.svc.Determine(w.as("chair"), none.Ref, escalate.DetermineInput{Version: none.Version,
			Kind: escalate.OutcomeDetermination, Text: "An assessment within 10 working days."})
		if err != nil {
			t.Fatalf("Determine: %v", err)
		}

		want := map[string]string{up.Ref: escalate.DecisionUpheld, none.Ref: ""}
		for ref, d := range want {
			got, err := w.svc.Get(w.as("prac"), ref)
			if err != nil {
				t.Fatal(err)
			}
			if got.Outcome == nil || got.Outcome.Decision != d {
				t.Errorf("%s: stored outcome %+v, want decision %q", ref, got.Outcome, d)
			}
		}

		facts, err := db.ReportCases(ctx, w.p.ID, testNow.Add(-24*time.Hour), testNow.Add(365*24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		var decisions []string
		for _, f := range facts {
			decisions = append(decisions, f.Decision)
		}
		if len(facts) != 2 || facts[0].Decision != escalate.DecisionUpheld || facts[1].Decision != "" {
			t.Errorf("report decisions %q, want [upheld, \"\"]", decisions)
		}
	})
}
