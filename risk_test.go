package escalate_test

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
)

func TestShortenClock(t *testing.T) {
	now := t0.Add(time.Hour)
	respondDue := london(2026, 11, 5, 17, 0) // clock 2
	t.Run("OK", func(t *testing.T) {
		p := testPolicy()
		e := mustRaise(t, p, nil)
		to := london(2026, 11, 3, 12, 0)
		evs, err := e.ShortenClock(now, p, testCal(t), raiser, escalate.ShortenInput{Version: 1, Clock: 2, Due: to, Reason: "child due home Tuesday"})
		if err != nil {
			t.Fatal(err)
		}
		c := e.Clock(2)
		if !c.Due.Equal(to) || c.ShortenedReason != "child due home Tuesday" || !strings.Contains(c.Explanation, "child due home Tuesday") {
			t.Errorf("clock %+v", c)
		}
		if len(evs) != 1 || evs[0].Action != escalate.ActionClockShorten || !evs[0].Data["old_due"].(time.Time).Equal(respondDue) {
			t.Errorf("events %+v", evs)
		}
	})
	for _, tt := range []struct {
		name  string
		in    escalate.ShortenInput
		code  string
		field string
	}{
		{"ErrLengthen", escalate.ShortenInput{Version: 1, Clock: 2, Due: respondDue.Add(time.Hour), Reason: "r"}, escalate.EINVALID, "due"},
		{"ErrSameDue", escalate.ShortenInput{Version: 1, Clock: 2, Due: respondDue, Reason: "r"}, escalate.EINVALID, "due"},
		{"ErrPast", escalate.ShortenInput{Version: 1, Clock: 2, Due: now.Add(-time.Minute), Reason: "r"}, escalate.EINVALID, "due"},
		{"ErrNoDue", escalate.ShortenInput{Version: 1, Clock: 2, Reason: "r"}, escalate.EINVALID, "due"},
		{"ErrReason", escalate.ShortenInput{Version: 1, Clock: 2, Due: now.Add(time.Hour)}, escalate.EINVALID, "reason"},
		{"ErrNoClock", escalate.ShortenInput{Version: 1, Clock: 9, Due: now.Add(time.Hour), Reason: "r"}, escalate.EINVALID, "clock"},
		{"ErrClockMissing", escalate.ShortenInput{Version: 1, Due: now.Add(time.Hour), Reason: "r"}, escalate.EINVALID, "clock"},
		{"ErrClockMet", escalate.ShortenInput{Version: 1, Clock: 1, Due: now.Add(time.Hour), Reason: "r"}, escalate.ECONFLICT, ""},
		{"ErrVersion", escalate.ShortenInput{Version: 3, Clock: 2, Due: now.Add(time.Hour), Reason: "r"}, escalate.ECONFLICT, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := testPolicy()
			e := mustRaise(t, p, nil)
			before := e.Clone()
			_, err := e.ShortenClock(now, p, testCal(t), raiser, tt.in)
			assertCode(t, err, tt.code, tt.field)
			if tt.name == "ErrLengthen" && !strings.Contains(escalate.ErrorMessage(err), "shortened, never lengthened") {
				t.Errorf("message %q", escalate.ErrorMessage(err))
			}
			assertUnchanged(t, before, e)
		})
	}
}

func TestChangeRisk(t *testing.T) {
	now := t0.Add(2 * time.Hour)
	t.Run("OKHFShortensToTwentyFourHours", func(t *testing.T) {
		p := hfPolicy()
		e := mustRaise(t, p, nil)
		if c := e.Clock(1); !c.Due.Equal(london(2026, 11, 9, 17, 0)) || c.Within != "1 working week" {
			t.Fatalf("standard clock %+v", c)
		}
		evs, err := e.ChangeRisk(now, p, testCal(t), raiser, escalate.RiskInput{Version: 1, Level: escalate.RiskIncreased, Reason: "new injury seen"})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := actions(evs), []string{escalate.ActionRiskRaise, escalate.ActionClockShorten}; !slices.Equal(got, want) {
			t.Fatalf("events %v, want %v", got, want)
		}
		c := e.Clock(1)
		if !c.Due.Equal(t0.Add(24*time.Hour)) || c.Within != "24 hours" || c.ShortenedReason == "" {
			t.Errorf("clock after risk raise %+v, want due 24 hours from its start", c)
		}

		// Lowering never lengthens.
		evs, err = e.ChangeRisk(now, p, testCal(t), raiser, escalate.RiskInput{Version: 2, Level: escalate.RiskStandard, Reason: "child placed with grandparents"})
		if err != nil {
			t.Fatal(err)
		}
		if got := actions(evs); !slices.Equal(got, []string{escalate.ActionRiskLower}) || !e.Clock(1).Due.Equal(c.Due) {
			t.Errorf("lowering: events %v clock %+v", got, e.Clock(1))
		}

		// Immediate records the action first.
		evs, err = e.ChangeRisk(now, p, testCal(t), raiser, escalate.RiskInput{Version: 3, Level: escalate.RiskImmediate, Reason: "r", ImmediateAction: "called 999"})
		if err != nil {
			t.Fatal(err)
		}
		if got := actions(evs); !slices.Equal(got, []string{escalate.ActionRiskImmediate, escalate.ActionRiskRaise}) {
			t.Errorf("immediate: events %v", got)
		}
		if e.Immediate == nil || e.Immediate.Action != "called 999" {
			t.Errorf("immediate action %+v", e.Immediate)
		}
	})
	t.Run("OKNeverLengthensAShorterClock", func(t *testing.T) {
		p := hfPolicy()
		e := mustRaise(t, p, nil)
		soon := t0.Add(3 * time.Hour)
		if _, err := e.ShortenClock(t0, p, testCal(t), raiser, escalate.ShortenInput{Version: 1, Clock: 1, Due: soon, Reason: "r"}); err != nil {
			t.Fatal(err)
		}
		evs, err := e.ChangeRisk(now, p, testCal(t), raiser, escalate.RiskInput{Version: 2, Level: escalate.RiskIncreased, Reason: "r"})
		if err != nil {
			t.Fatal(err)
		}
		if !e.Clock(1).Due.Equal(soon) || slices.Contains(actions(evs), escalate.ActionClockShorten) {
			t.Errorf("risk raise moved a shorter clock: %+v", e.Clock(1))
		}
	})
	for _, tt := range []struct {
		name  string
		in    escalate.RiskInput
		field string
	}{
		{"ErrSameLevel", escalate.RiskInput{Version: 1, Level: escalate.RiskStandard, Reason: "r"}, "level"},
		{"ErrLevel", escalate.RiskInput{Version: 1, Level: "severe", Reason: "r"}, "level"},
		{"ErrImmediateNoAction", escalate.RiskInput{Version: 1, Level: escalate.RiskImmediate, Reason: "r"}, "immediate_action"},
		{"ErrReason", escalate.RiskInput{Version: 1, Level: escalate.RiskIncreased}, "reason"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := hfPolicy()
			e := mustRaise(t, p, nil)
			before := e.Clone()
			_, err := e.ChangeRisk(now, p, testCal(t), raiser, tt.in)
			assertCode(t, err, escalate.EINVALID, tt.field)
			assertUnchanged(t, before, e)
		})
	}
}

// TestNeverLengthens drives random shortenings and risk changes and checks
// that no clock's deadline ever moves later, and that a refused change
// leaves the escalation as it was.
func TestNeverLengthens(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	levels := escalate.RiskLevels
	shortened := 0
	for run := 0; run < 200; run++ {
		p := testPolicy()
		if run%2 == 1 {
			p = hfPolicy()
		}
		cal := testCal(t)
		e := mustRaise(t, p, func(in *escalate.RaiseInput) { in.RiskLevel = levels[rng.IntN(2)] })
		now := t0
		for op := 0; op < 20; op++ {
			now = now.Add(time.Duration(rng.IntN(180)) * time.Minute)
			before := e.Clone()
			var err error
			switch rng.IntN(3) {
			case 0, 1:
				id := 1 + rng.IntN(len(e.Clocks)+1)
				due := now.Add(time.Duration(rng.IntN(14*24*60)-2*24*60) * time.Minute)
				_, err = e.ShortenClock(now, p, cal, raiser, escalate.ShortenInput{Version: e.Version, Clock: id, Due: due, Reason: "r"})
			case 2:
				in := escalate.RiskInput{Version: e.Version, Level: levels[rng.IntN(3)], Reason: "r", ImmediateAction: "called 999"}
				_, err = e.ChangeRisk(now, p, cal, raiser, in)
			}
			if err != nil {
				assertUnchanged(t, before, e)
				continue
			}
			for _, old := range before.Clocks {
				c := e.Clock(old.ID)
				if c.Due != old.Due || c.Immediate != old.Immediate {
					shortened++
				}
				if later(c, old) {
					t.Fatalf("run %d op %d: clock %d lengthened from %v (imm %v) to %v (imm %v)", run, op, old.ID, old.Due, old.Immediate, c.Due, c.Immediate)
				}
			}
		}
	}
	if shortened < 100 {
		t.Errorf("only %d clocks moved: the random changes do not exercise shortening", shortened)
	}
}

// later reports whether c is due after old.
func later(c *escalate.ClockState, old escalate.ClockState) bool {
	switch {
	case c.Immediate:
		return false
	case old.Immediate:
		return true
	}
	return c.Due.After(old.Due)
}

func TestRecomputeClocks(t *testing.T) {
	closure := calendar.Holiday{Date: calendar.NewDate(2026, 11, 4), Name: "Local closure", Notes: calendar.NoteLocalClosure}
	t.Run("OKOnlyRunningClocks", func(t *testing.T) {
		p := testPolicy()
		cal := testCal(t)
		e := mustRaise(t, p, nil)
		if _, err := e.Escalate(t0.Add(time.Hour), p, cal, raiser, escalate.EscalateInput{Version: 1, Reason: "r"}); err != nil {
			t.Fatal(err)
		}
		met, stopped := clockByKey(t, e, "stage-1", "raise"), clockByKey(t, e, "stage-1", "respond")
		running := clockByKey(t, e, "stage-2", "resolve")
		if met.Status != escalate.ClockMet || stopped.Status != escalate.ClockStopped || running.Status != escalate.ClockRunning {
			t.Fatalf("setup: %+v", e.Clocks)
		}
		cal.AddHolidays(closure)
		now := t0.Add(2 * time.Hour)
		evs := e.RecomputeClocks(now, p, cal, admin)
		if len(evs) != 1 || evs[0].Action != escalate.ActionClockRecompute || evs[0].Data["clock"] != running.ID {
			t.Fatalf("events %+v", evs)
		}
		d := evs[0].Data
		if !d["old_due"].(time.Time).Equal(london(2026, 11, 9, 17, 0)) || !d["due"].(time.Time).Equal(london(2026, 11, 10, 17, 0)) {
			t.Errorf("old/new due %v %v", d["old_due"], d["due"])
		}
		if d["old_explanation"] == d["explanation"] || !strings.Contains(d["explanation"].(string), "Local closure") {
			t.Errorf("explanations %q -> %q", d["old_explanation"], d["explanation"])
		}
		if c := clockByKey(t, e, "stage-2", "resolve"); c.Recomputed != 1 || !c.Due.Equal(london(2026, 11, 10, 17, 0)) {
			t.Errorf("running clock %+v", c)
		}
		if c := clockByKey(t, e, "stage-1", "raise"); c != met {
			t.Errorf("met clock changed: %+v", c)
		}
		if c := clockByKey(t, e, "stage-1", "respond"); c != stopped {
			t.Errorf("closed stage's clock changed: %+v", c)
		}
		if e.Version != 3 || evs[0].Ref != "T-1" || evs[0].Actor != admin.ID {
			t.Errorf("version %d event %+v", e.Version, evs[0])
		}
		if evs := e.RecomputeClocks(now, p, cal, admin); len(evs) != 0 || e.Version != 3 {
			t.Errorf("second recompute changed things: %v", evs)
		}
	})
	t.Run("OKShortenedNeverLater", func(t *testing.T) {
		p := testPolicy()
		cal := testCal(t)
		e := mustRaise(t, p, nil)
		short := london(2026, 11, 5, 16, 0)
		if _, err := e.ShortenClock(t0, p, cal, raiser, escalate.ShortenInput{Version: 1, Clock: 2, Due: short, Reason: "r"}); err != nil {
			t.Fatal(err)
		}
		cal.AddHolidays(closure) // the policy deadline moves to Friday: the shortened one stays
		if evs := e.RecomputeClocks(t0, p, cal, admin); len(evs) != 0 || !e.Clock(2).Due.Equal(short) {
			t.Fatalf("shortened clock moved later: %v %+v", evs, e.Clock(2))
		}
		early := testCal(t)
		if err := early.SetWorkingDayEnd(12, 0); err != nil {
			t.Fatal(err)
		}
		evs := e.RecomputeClocks(t0, p, early, admin)
		if len(evs) != 1 || !e.Clock(2).Due.Equal(london(2026, 11, 5, 12, 0)) {
			t.Errorf("an earlier policy deadline did not apply: %v %+v", evs, e.Clock(2))
		}
	})
}
