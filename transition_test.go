package escalate_test

import (
	"slices"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
)

func TestAgreeOutcome(t *testing.T) {
	now := t0.Add(24 * time.Hour) // Tuesday 10:00
	agree := escalate.AgreeInput{Version: 1, Outcome: "Assessment to be opened", OutstandingIssues: "Review at the core group"}
	t.Run("OKWaitsForWrittenConfirmation", func(t *testing.T) {
		p := testPolicy()
		e := mustRaise(t, p, nil)
		evs, err := e.AgreeOutcome(now, p, testCal(t), receiver, agree)
		if err != nil {
			t.Fatal(err)
		}
		if e.Status != escalate.StatusOpen || e.Outcome == nil || e.Outcome.Kind != escalate.OutcomeAgreed || !e.Outcome.ConfirmedAt.IsZero() {
			t.Fatalf("status %s outcome %+v", e.Status, e.Outcome)
		}
		if got, want := actions(evs), []string{escalate.ActionOutcomeAgree, escalate.ActionClockStart}; !slices.Equal(got, want) {
			t.Fatalf("events %v, want %v", got, want)
		}
		if n, _ := evs[0].Data["notify"].([]string); !slices.Contains(n, "raiser") {
			t.Errorf("the raiser is not told: %+v", evs[0].Data)
		}
		// Agreed Tuesday: confirm by the end of Thursday.
		if c := clockByKey(t, e, "stage-1", "confirm"); c.Status != escalate.ClockRunning || !c.Due.Equal(london(2026, 11, 5, 17, 0)) {
			t.Errorf("confirm clock %+v", c)
		}

		_, err = e.AgreeOutcome(now, p, testCal(t), receiver, escalate.AgreeInput{Version: 2, Outcome: "x", OutstandingIssues: "y"})
		assertCode(t, err, escalate.ECONFLICT, "")

		later := now.Add(time.Hour)
		evs, err = e.ConfirmOutcome(later, p, testCal(t), receiver, escalate.ConfirmInput{Version: 2, Text: "Email sent 11:00"})
		if err != nil {
			t.Fatal(err)
		}
		if e.Status != escalate.StatusResolved || !e.Outcome.ConfirmedAt.Equal(later) {
			t.Errorf("status %s outcome %+v", e.Status, e.Outcome)
		}
		if c := clockByKey(t, e, "stage-1", "confirm"); c.Status != escalate.ClockMet {
			t.Errorf("confirm clock %+v", c)
		}
		for _, c := range e.Clocks {
			if c.Status == escalate.ClockRunning {
				t.Errorf("clock still running after resolution: %+v", c)
			}
		}
		if got := actions(evs); got[0] != escalate.ActionOutcomeConfirm || got[len(got)-1] != escalate.ActionResolve {
			t.Errorf("events %v", got)
		}
	})
	t.Run("OKResolvesWithoutConfirmClock", func(t *testing.T) {
		p := testPolicy()
		p.Stages[0].Clocks = p.Stages[0].Clocks[:2]
		e := mustRaise(t, p, nil)
		evs, err := e.AgreeOutcome(now, p, testCal(t), receiver, agree)
		if err != nil {
			t.Fatal(err)
		}
		if e.Status != escalate.StatusResolved {
			t.Errorf("status %s", e.Status)
		}
		if got := actions(evs); !slices.Contains(got, escalate.ActionResolve) || !slices.Contains(got, escalate.ActionClockStop) {
			t.Errorf("events %v", got)
		}
	})
	for _, tt := range []struct {
		name  string
		in    escalate.AgreeInput
		field string
	}{
		{"ErrOutcome", escalate.AgreeInput{Version: 1, OutstandingIssues: "y"}, "outcome"},
		{"ErrOutstandingIssues", escalate.AgreeInput{Version: 1, Outcome: "x"}, "outstanding_issues"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := testPolicy()
			e := mustRaise(t, p, nil)
			before := e.Clone()
			_, err := e.AgreeOutcome(now, p, testCal(t), receiver, tt.in)
			assertCode(t, err, escalate.EINVALID, tt.field)
			assertUnchanged(t, before, e)
		})
	}
	t.Run("ErrConfirmWithoutAgreement", func(t *testing.T) {
		p := testPolicy()
		e := mustRaise(t, p, nil)
		_, err := e.ConfirmOutcome(now, p, testCal(t), receiver, escalate.ConfirmInput{Version: 1, Text: "x"})
		assertCode(t, err, escalate.ECONFLICT, "")
	})
	t.Run("ErrConfirmText", func(t *testing.T) {
		p := testPolicy()
		e := mustRaise(t, p, nil)
		_, err := e.ConfirmOutcome(now, p, testCal(t), receiver, escalate.ConfirmInput{Version: 1})
		assertCode(t, err, escalate.EINVALID, "text")
	})
}

func TestEscalate(t *testing.T) {
	now := t0.Add(4 * 24 * time.Hour) // Friday 6 November 10:00
	t.Run("OKNextStage", func(t *testing.T) {
		p := testPolicy()
		e := mustRaise(t, p, nil)
		evs, err := e.Escalate(now, p, testCal(t), raiser, escalate.EscalateInput{Version: 1, Reason: "no response in 3 working days"})
		if err != nil {
			t.Fatal(err)
		}
		if e.Stage != 1 {
			t.Fatalf("stage %d", e.Stage)
		}
		want := []string{escalate.ActionEscalate, escalate.ActionClockStop, escalate.ActionClockStart}
		if got := actions(evs); !slices.Equal(got, want) {
			t.Fatalf("events %v, want %v", got, want)
		}
		if c := clockByKey(t, e, "stage-1", "respond"); c.Status != escalate.ClockStopped {
			t.Errorf("old stage clock %+v", c)
		}
		// Friday + 5 working days: the end of Friday 13 November.
		if c := clockByKey(t, e, "stage-2", "resolve"); c.Status != escalate.ClockRunning || !c.Due.Equal(london(2026, 11, 13, 17, 0)) {
			t.Errorf("new stage clock %+v", c)
		}
	})
	t.Run("OKSkipWherePolicyAllows", func(t *testing.T) {
		p := testPolicy()
		e := mustRaise(t, p, nil)
		if _, err := e.Escalate(now, p, testCal(t), raiser, escalate.EscalateInput{Version: 1, To: "stage-3", Reason: "urgent"}); err != nil {
			t.Fatal(err)
		}
		if e.Stage != 2 {
			t.Errorf("stage %d", e.Stage)
		}
	})
	t.Run("OKDropsUnconfirmedAgreement", func(t *testing.T) {
		p := testPolicy()
		e := mustRaise(t, p, nil)
		if _, err := e.AgreeOutcome(now, p, testCal(t), receiver, escalate.AgreeInput{Version: 1, Outcome: "x", OutstandingIssues: "y"}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Escalate(now, p, testCal(t), raiser, escalate.EscalateInput{Version: 2, Reason: "never confirmed"}); err != nil {
			t.Fatal(err)
		}
		if e.Outcome != nil {
			t.Errorf("outcome %+v survived escalation", e.Outcome)
		}
	})
	for _, tt := range []struct {
		name  string
		stage int
		in    escalate.EscalateInput
		code  string
		field string
	}{
		{"ErrSkip", 0, escalate.EscalateInput{Version: 1, To: "stage-4", Reason: "r"}, escalate.EINVALID, "to"},
		{"ErrBackwards", 1, escalate.EscalateInput{Version: 1, To: "stage-1", Reason: "r"}, escalate.EINVALID, "to"},
		{"ErrSameStage", 1, escalate.EscalateInput{Version: 1, To: "stage-2", Reason: "r"}, escalate.EINVALID, "to"},
		{"ErrUnknownStage", 0, escalate.EscalateInput{Version: 1, To: "stage-9", Reason: "r"}, escalate.EINVALID, "to"},
		{"ErrReason", 0, escalate.EscalateInput{Version: 1}, escalate.EINVALID, "reason"},
		{"ErrFinalStage", 3, escalate.EscalateInput{Version: 1, Reason: "r"}, escalate.EINVALID, ""},
		{"ErrVersion", 0, escalate.EscalateInput{Version: 2, Reason: "r"}, escalate.ECONFLICT, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := testPolicy()
			e := mustRaise(t, p, nil)
			e.Stage = tt.stage
			before := e.Clone()
			_, err := e.Escalate(now, p, testCal(t), raiser, tt.in)
			assertCode(t, err, tt.code, tt.field)
			assertUnchanged(t, before, e)
		})
	}
}

func TestDetermine(t *testing.T) {
	now := t0.Add(7 * 24 * time.Hour)
	atFinal := func(t *testing.T, p *escalate.Policy) *escalate.Escalation {
		e := mustRaise(t, p, nil)
		for v := 1; v <= 3; v++ {
			if _, err := e.Escalate(now, p, testCal(t), raiser, escalate.EscalateInput{Version: v, Reason: "unresolved"}); err != nil {
				t.Fatal(err)
			}
		}
		return e
	}
	t.Run("OKRecommendations", func(t *testing.T) {
		p := testPolicy()
		e := atFinal(t, p)
		evs, err := e.Determine(now, p, testCal(t), chair, escalate.DetermineInput{Version: 4, Kind: escalate.OutcomeRecommendations, Text: "Open an assessment"})
		if err != nil {
			t.Fatal(err)
		}
		if e.Status != escalate.StatusResolved || e.Outcome.Kind != escalate.OutcomeRecommendations || e.Outcome.By != chair.ID {
			t.Errorf("status %s outcome %+v", e.Status, e.Outcome)
		}
		if c := clockByKey(t, e, "stage-4", "recommend"); c.Status != escalate.ClockMet {
			t.Errorf("recommend clock %+v", c)
		}
		if got := actions(evs); got[0] != escalate.ActionDetermine {
			t.Errorf("events %v", got)
		}
	})
	t.Run("OKUninvolvedChair", func(t *testing.T) {
		p := meetingPolicy()
		e := atFinal(t, p)
		if _, err := e.Determine(now, p, testCal(t), bizMgr, escalate.DetermineInput{Version: 4, Kind: escalate.OutcomeDetermination, Text: "t", ChairAgencyID: 40}); err != nil {
			t.Fatal(err)
		}
	})
	for _, tt := range []struct {
		name  string
		p     func() *escalate.Policy
		final bool
		in    escalate.DetermineInput
		code  string
		field string
	}{
		{"ErrNotFinalStage", testPolicy, false, escalate.DetermineInput{Version: 1, Kind: escalate.OutcomeRecommendations, Text: "t"}, escalate.EINVALID, ""},
		{"ErrKind", testPolicy, true, escalate.DetermineInput{Version: 4, Kind: "verdict", Text: "t"}, escalate.EINVALID, "kind"},
		{"ErrKindNotProduced", testPolicy, true, escalate.DetermineInput{Version: 4, Kind: escalate.OutcomeDetermination, Text: "t"}, escalate.EINVALID, "kind"},
		{"ErrText", testPolicy, true, escalate.DetermineInput{Version: 4, Kind: escalate.OutcomeRecommendations}, escalate.EINVALID, "text"},
		{"ErrDecision", testPolicy, true, escalate.DetermineInput{Version: 4, Kind: escalate.OutcomeRecommendations, Text: "t", Decision: "overturned"}, escalate.EINVALID, "decision"},
		{"ErrChairMissing", meetingPolicy, true, escalate.DetermineInput{Version: 4, Kind: escalate.OutcomeDetermination, Text: "t"}, escalate.EINVALID, "chair_agency"},
		{"ErrChairFromRaisingAgency", meetingPolicy, true, escalate.DetermineInput{Version: 4, Kind: escalate.OutcomeDetermination, Text: "t", ChairAgencyID: 10}, escalate.EINVALID, "chair_agency"},
		{"ErrChairFromReceivingAgency", meetingPolicy, true, escalate.DetermineInput{Version: 4, Kind: escalate.OutcomeDetermination, Text: "t", ChairAgencyID: 20}, escalate.EINVALID, "chair_agency"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.p()
			e := mustRaise(t, p, nil)
			if tt.final {
				e = atFinal(t, p)
			}
			before := e.Clone()
			_, err := e.Determine(now, p, testCal(t), chair, tt.in)
			assertCode(t, err, tt.code, tt.field)
			assertUnchanged(t, before, e)
		})
	}
}

func TestRedirectAndWithdraw(t *testing.T) {
	now := t0.Add(time.Hour)
	t.Run("OKRedirect", func(t *testing.T) {
		p := testPolicy()
		e := mustRaise(t, p, nil)
		evs, err := e.Redirect(now, p, testCal(t), raiser, escalate.RedirectInput{Version: 1, To: "conduct", Reason: "referred to the LADO"})
		if err != nil {
			t.Fatal(err)
		}
		if e.Status != escalate.StatusRedirected || e.Outcome.RedirectTo != "conduct" || e.Outcome.Reason != "referred to the LADO" {
			t.Errorf("status %s outcome %+v", e.Status, e.Outcome)
		}
		if evs[0].Data["to"] != "LADO" {
			t.Errorf("redirect event does not say where it went: %+v", evs[0].Data)
		}
		for _, c := range e.Clocks {
			if c.Status == escalate.ClockRunning {
				t.Errorf("clock running after redirect: %+v", c)
			}
		}
	})
	t.Run("OKWithdraw", func(t *testing.T) {
		p := testPolicy()
		e := mustRaise(t, p, nil)
		if _, err := e.Withdraw(now, p, testCal(t), raiser, escalate.WithdrawInput{Version: 1, Reason: "resolved informally"}); err != nil {
			t.Fatal(err)
		}
		if e.Status != escalate.StatusWithdrawn || e.Outcome.Kind != escalate.OutcomeWithdrawn {
			t.Errorf("status %s outcome %+v", e.Status, e.Outcome)
		}
	})
	for _, tt := range []struct {
		name  string
		run   func(e *escalate.Escalation, p *escalate.Policy) error
		field string
	}{
		{"ErrRedirectUnknown", func(e *escalate.Escalation, p *escalate.Policy) error {
			_, err := e.Redirect(now, p, testCal(t), raiser, escalate.RedirectInput{Version: 1, To: "police", Reason: "r"})
			return err
		}, "to"},
		{"ErrRedirectMissing", func(e *escalate.Escalation, p *escalate.Policy) error {
			_, err := e.Redirect(now, p, testCal(t), raiser, escalate.RedirectInput{Version: 1, Reason: "r"})
			return err
		}, "to"},
		{"ErrRedirectReason", func(e *escalate.Escalation, p *escalate.Policy) error {
			_, err := e.Redirect(now, p, testCal(t), raiser, escalate.RedirectInput{Version: 1, To: "conduct"})
			return err
		}, "reason"},
		{"ErrWithdrawReason", func(e *escalate.Escalation, p *escalate.Policy) error {
			_, err := e.Withdraw(now, p, testCal(t), raiser, escalate.WithdrawInput{Version: 1})
			return err
		}, "reason"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := testPolicy()
			e := mustRaise(t, p, nil)
			before := e.Clone()
			assertCode(t, tt.run(e, p), escalate.EINVALID, tt.field)
			assertUnchanged(t, before, e)
		})
	}
}

// TestClosedChangesNothing checks that once closed, every rule refuses and
// leaves the escalation as it was.
func TestClosedChangesNothing(t *testing.T) {
	p := testPolicy()
	cal := testCal(t)
	now := t0.Add(time.Hour)
	e := mustRaise(t, p, nil)
	if _, err := e.Withdraw(now, p, cal, raiser, escalate.WithdrawInput{Version: 1, Reason: "done"}); err != nil {
		t.Fatal(err)
	}
	v := e.Version
	before := e.Clone()
	for name, run := range map[string]func() error{
		"AddRecord": func() error { _, err := e.AddRecord(now, p, cal, raiser, recordInput(v)); return err },
		"Approve": func() error {
			_, err := e.ApproveRecord(now, p, cal, raiserMgr, escalate.ApproveInput{Version: v, Record: 1})
			return err
		},
		"Agree": func() error {
			_, err := e.AgreeOutcome(now, p, cal, receiver, escalate.AgreeInput{Version: v, Outcome: "x", OutstandingIssues: "y"})
			return err
		},
		"Confirm": func() error {
			_, err := e.ConfirmOutcome(now, p, cal, receiver, escalate.ConfirmInput{Version: v, Text: "x"})
			return err
		},
		"Escalate": func() error {
			_, err := e.Escalate(now, p, cal, raiser, escalate.EscalateInput{Version: v, Reason: "r"})
			return err
		},
		"Determine": func() error {
			_, err := e.Determine(now, p, cal, chair, escalate.DetermineInput{Version: v, Kind: escalate.OutcomeRecommendations, Text: "t"})
			return err
		},
		"Redirect": func() error {
			_, err := e.Redirect(now, p, cal, raiser, escalate.RedirectInput{Version: v, To: "conduct", Reason: "r"})
			return err
		},
		"Withdraw": func() error {
			_, err := e.Withdraw(now, p, cal, raiser, escalate.WithdrawInput{Version: v, Reason: "r"})
			return err
		},
		"Shorten": func() error {
			_, err := e.ShortenClock(now, p, cal, raiser, escalate.ShortenInput{Version: v, Clock: 2, Due: now.Add(time.Hour), Reason: "r"})
			return err
		},
		"Risk": func() error {
			_, err := e.ChangeRisk(now, p, cal, raiser, escalate.RiskInput{Version: v, Level: escalate.RiskIncreased, Reason: "r"})
			return err
		},
	} {
		t.Run("Err"+name, func(t *testing.T) {
			assertCode(t, run(), escalate.ECONFLICT, "")
			assertUnchanged(t, before, e)
		})
	}
	t.Run("OKRecomputeTouchesNothing", func(t *testing.T) {
		if evs := e.RecomputeClocks(now, p, cal, admin); len(evs) != 0 {
			t.Errorf("recompute of a closed case: %v", evs)
		}
		assertUnchanged(t, before, e)
	})
}

// TestConcurrency checks that two people acting on the same version get one
// success and one clear conflict, never a lost update.
func TestConcurrency(t *testing.T) {
	p := testPolicy()
	cal := testCal(t)
	stored := mustRaise(t, p, nil)
	now := t0.Add(time.Hour)

	// Each loads the stored case at version 1.
	a, b := stored.Clone(), stored.Clone()
	if _, err := a.AddRecord(now, p, cal, receiver, recordInput(1)); err != nil {
		t.Fatal(err)
	}
	*stored = *a // the store writes the first change

	// The second acts on version 1 of the freshly stored case.
	_, err := stored.Escalate(now, p, cal, raiser, escalate.EscalateInput{Version: b.Version, Reason: "r"})
	assertCode(t, err, escalate.ECONFLICT, "")
	if msg := escalate.ErrorMessage(err); msg != escalate.MsgConflict {
		t.Errorf("message %q", msg)
	}
	if stored.Stage != 0 || len(stored.Records) != 1 || stored.Version != 2 {
		t.Errorf("stored case changed: stage %d records %d version %d", stored.Stage, len(stored.Records), stored.Version)
	}
	// Reloaded, the second succeeds.
	if _, err := stored.Escalate(now, p, cal, raiser, escalate.EscalateInput{Version: 2, Reason: "r"}); err != nil {
		t.Fatal(err)
	}
}

func TestPinnedPolicy(t *testing.T) {
	p := testPolicy()
	e := mustRaise(t, p, nil)
	q := testPolicy()
	q.Version = "2"
	_, err := e.AddRecord(t0, q, testCal(t), receiver, recordInput(1))
	assertCode(t, err, escalate.EINTERNAL, "")
	_, err = e.AddRecord(t0, p, testCal(t), stranger, recordInput(1))
	assertCode(t, err, escalate.ENOTFOUND, "")
}
