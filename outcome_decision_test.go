package escalate_test

import (
	"testing"
	"time"

	"github.com/escalate-project/escalate"
)

// TestOutcomeDecision checks an agreed outcome and a determination record
// what they did to the decision disagreed about, in the outcome and in the
// audit event; that a value other than changed or upheld is refused with
// nothing changed; and that the question stays optional in the domain.
func TestOutcomeDecision(t *testing.T) {
	now := t0.Add(24 * time.Hour)
	agree := func(d string) escalate.AgreeInput {
		return escalate.AgreeInput{Version: 1, Outcome: "The decision stands", OutstandingIssues: "None", Decision: d}
	}
	for _, d := range []string{escalate.DecisionChanged, escalate.DecisionUpheld, ""} {
		t.Run("OKAgree"+d, func(t *testing.T) {
			p := testPolicy()
			e := mustRaise(t, p, nil)
			evs, err := e.AgreeOutcome(now, p, testCal(t), receiver, agree(d))
			if err != nil {
				t.Fatal(err)
			}
			if e.Outcome.Decision != d {
				t.Errorf("outcome decision %q, want %q", e.Outcome.Decision, d)
			}
			if evs[0].Action != escalate.ActionOutcomeAgree || evs[0].Data["decision"] != d {
				t.Errorf("event %s data %+v, want decision %q", evs[0].Action, evs[0].Data, d)
			}
		})
	}
	t.Run("ErrAgreeDecision", func(t *testing.T) {
		p := testPolicy()
		e := mustRaise(t, p, nil)
		before := e.Clone()
		_, err := e.AgreeOutcome(now, p, testCal(t), receiver, agree("overturned"))
		assertCode(t, err, escalate.EINVALID, "decision")
		assertUnchanged(t, before, e)
	})
	t.Run("OKDetermineUpheld", func(t *testing.T) {
		p := testPolicy()
		e := mustRaise(t, p, nil)
		for v := 1; v <= 3; v++ {
			if _, err := e.Escalate(now, p, testCal(t), raiser, escalate.EscalateInput{Version: v, Reason: "unresolved"}); err != nil {
				t.Fatal(err)
			}
		}
		evs, err := e.Determine(now, p, testCal(t), chair, escalate.DetermineInput{Version: 4, Kind: escalate.OutcomeRecommendations,
			Text: "No change to the plan", Decision: escalate.DecisionUpheld})
		if err != nil {
			t.Fatal(err)
		}
		if e.Outcome.Decision != escalate.DecisionUpheld || evs[0].Data["decision"] != escalate.DecisionUpheld {
			t.Errorf("outcome %+v, event data %+v", e.Outcome, evs[0].Data)
		}
	})
}
