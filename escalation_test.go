package escalate_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
)

func TestRaise(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		p := testPolicy()
		e, evs, err := escalate.Raise(t0, p, testCal(t), raiser, raiseInput())
		if err != nil {
			t.Fatal(err)
		}
		if e.Status != escalate.StatusOpen || e.Stage != 0 || e.Version != 1 {
			t.Errorf("status %s stage %d version %d, want open 0 1", e.Status, e.Stage, e.Version)
		}
		if e.PartnershipID != 1 || e.RaisedBy != 1 || e.RaisingAgencyID != 10 || e.ReceivingAgencyID != 20 {
			t.Errorf("parties wrong: %+v", e)
		}
		if e.PolicyID != "test" || e.PolicyVersion != "1" {
			t.Errorf("policy pinned as %s/%s", e.PolicyID, e.PolicyVersion)
		}
		if e.Immediate != nil {
			t.Errorf("standard risk recorded an immediate action %+v", e.Immediate)
		}
		want := []string{escalate.ActionRaise, escalate.ActionClockStart, escalate.ActionClockMet, escalate.ActionClockStart}
		if got := actions(evs); !slices.Equal(got, want) {
			t.Fatalf("events %v, want %v", got, want)
		}
		for _, ev := range evs {
			if !ev.At.Equal(t0) || ev.Actor != raiser.ID {
				t.Errorf("event %s at %v by %d", ev.Action, ev.At, ev.Actor)
			}
		}
		raise := clockByKey(t, e, "stage-1", "raise")
		// Decided Monday: day 0 is Monday, due at the end of Wednesday.
		if raise.Status != escalate.ClockMet || !raise.Due.Equal(london(2026, 11, 4, 17, 0)) || !raise.MetAt.Equal(t0) {
			t.Errorf("raise clock %+v", raise)
		}
		if !raise.Start.Equal(london(2026, 11, 2, 0, 0)) {
			t.Errorf("decision clock starts %v, want the start of the decision day", raise.Start)
		}
		respond := clockByKey(t, e, "stage-1", "respond")
		if respond.Status != escalate.ClockRunning || !respond.Due.Equal(london(2026, 11, 5, 17, 0)) || respond.Within != "3 working days" {
			t.Errorf("respond clock %+v", respond)
		}
		if !strings.Contains(respond.Explanation, "3 working days") {
			t.Errorf("explanation %q does not say how it was computed", respond.Explanation)
		}
		if next, ok := e.NextDue(); !ok || !next.Equal(respond.Due) {
			t.Errorf("NextDue = %v %v", next, ok)
		}
	})
	t.Run("OKIncreasedRiskStartsShorterClocks", func(t *testing.T) {
		e := mustRaise(t, testPolicy(), func(in *escalate.RaiseInput) { in.RiskLevel = escalate.RiskIncreased })
		respond := clockByKey(t, e, "stage-1", "respond")
		if respond.Within != "1 working day" || !respond.Due.Equal(london(2026, 11, 3, 17, 0)) {
			t.Errorf("respond clock at increased risk %+v", respond)
		}
	})
	t.Run("OKLateRaise", func(t *testing.T) {
		e, evs, err := escalate.Raise(t0, testPolicy(), testCal(t), raiser, func() escalate.RaiseInput {
			in := raiseInput()
			in.DecisionDate = "2026-10-20"
			return in
		}())
		if err != nil {
			t.Fatal(err)
		}
		if c := clockByKey(t, e, "stage-1", "raise"); c.Status != escalate.ClockMet {
			t.Errorf("raise clock %+v", c)
		}
		i := slices.IndexFunc(evs, func(ev escalate.Event) bool { return ev.Action == escalate.ActionClockMet })
		if i < 0 || evs[i].Data["late"] != true {
			t.Errorf("late raise not marked late: %+v", evs)
		}
	})

	long := strings.Repeat("x", escalate.MaxText+1)
	for _, tt := range []struct {
		name  string
		actor *escalate.User
		mod   func(*escalate.RaiseInput)
		code  string
		field string
	}{
		{"ErrNoActor", nil, nil, escalate.EUNAUTHORIZED, ""},
		{"ErrDisabled", &escalate.User{ID: 1, PartnershipID: 1, AgencyID: 10, Disabled: true, Roles: []escalate.Role{"practitioner"}}, nil, escalate.EFORBIDDEN, ""},
		{"ErrRiskLevel", raiser, func(in *escalate.RaiseInput) { in.RiskLevel = "" }, escalate.EINVALID, "risk_level"},
		{"ErrRiskLevelUnknown", raiser, func(in *escalate.RaiseInput) { in.RiskLevel = "high" }, escalate.EINVALID, "risk_level"},
		{"ErrImmediateNoAction", raiser, func(in *escalate.RaiseInput) { in.RiskLevel = escalate.RiskImmediate }, escalate.EINVALID, "immediate_action"},
		{"ErrRole", raiser, func(in *escalate.RaiseInput) { in.RaisedRole = "" }, escalate.EINVALID, "raised_role"},
		{"ErrRoleUnknown", raiser, func(in *escalate.RaiseInput) { in.RaisedRole = "wizard" }, escalate.EINVALID, "raised_role"},
		{"ErrRoleNotHeld", raiser, func(in *escalate.RaiseInput) { in.RaisedRole = escalate.RoleManager }, escalate.EINVALID, "raised_role"},
		{"ErrReceivingAgency", raiser, func(in *escalate.RaiseInput) { in.ReceivingAgencyID = 0 }, escalate.EINVALID, "receiving_agency"},
		{"ErrReceivingOwnAgency", raiser, func(in *escalate.RaiseInput) { in.ReceivingAgencyID = 10 }, escalate.EINVALID, "receiving_agency"},
		{"ErrContactTooLong", raiser, func(in *escalate.RaiseInput) { in.ReceivingContact = long }, escalate.EINVALID, "receiving_contact"},
		{"ErrDecision", raiser, func(in *escalate.RaiseInput) { in.Decision = "  " }, escalate.EINVALID, "decision"},
		{"ErrDecisionDate", raiser, func(in *escalate.RaiseInput) { in.DecisionDate = "" }, escalate.EINVALID, "decision_date"},
		{"ErrDecisionDateFormat", raiser, func(in *escalate.RaiseInput) { in.DecisionDate = "2/11/2026" }, escalate.EINVALID, "decision_date"},
		{"ErrDecisionDateFuture", raiser, func(in *escalate.RaiseInput) { in.DecisionDate = "2026-11-03" }, escalate.EINVALID, "decision_date"},
		{"ErrChildRef", raiser, func(in *escalate.RaiseInput) { in.ChildRef = "" }, escalate.EINVALID, "child_ref"},
		{"ErrChildRefTooLong", raiser, func(in *escalate.RaiseInput) { in.ChildRef = strings.Repeat("A", 41) }, escalate.EINVALID, "child_ref"},
		{"ErrChildRefLooksLikeName", raiser, func(in *escalate.RaiseInput) { in.ChildRef = "John Smith 12 High St" }, escalate.EINVALID, "child_ref"},
		{"ErrChildInitials", raiser, func(in *escalate.RaiseInput) { in.ChildInitials = "" }, escalate.EINVALID, "child_initials"},
		{"ErrChildInitialsName", raiser, func(in *escalate.RaiseInput) { in.ChildInitials = "Jonny" }, escalate.EINVALID, "child_initials"},
		{"ErrChildInitialsDigits", raiser, func(in *escalate.RaiseInput) { in.ChildInitials = "J1" }, escalate.EINVALID, "child_initials"},
		{"ErrCategories", raiser, func(in *escalate.RaiseInput) { in.Categories = nil }, escalate.EINVALID, "categories"},
		{"ErrCategoryUnknown", raiser, func(in *escalate.RaiseInput) { in.Categories = []string{"parking"} }, escalate.EINVALID, "categories"},
		{"ErrCategoryTwice", raiser, func(in *escalate.RaiseInput) { in.Categories = []string{"thresholds", "thresholds"} }, escalate.EINVALID, "categories"},
		{"ErrIssue", raiser, func(in *escalate.RaiseInput) { in.Issue = "" }, escalate.EINVALID, "issue"},
		{"ErrRisk", raiser, func(in *escalate.RaiseInput) { in.Risk = "" }, escalate.EINVALID, "risk"},
		{"ErrDisagreement", raiser, func(in *escalate.RaiseInput) { in.Disagreement = "" }, escalate.EINVALID, "disagreement"},
		{"ErrOutcomeSought", raiser, func(in *escalate.RaiseInput) { in.OutcomeSought = "" }, escalate.EINVALID, "outcome_sought"},
		{"ErrIssueTooLong", raiser, func(in *escalate.RaiseInput) { in.Issue = long }, escalate.EINVALID, "issue"},
		{"ErrIssueControl", raiser, func(in *escalate.RaiseInput) { in.Issue = "bad\x00byte" }, escalate.EINVALID, "issue"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := raiseInput()
			if tt.mod != nil {
				tt.mod(&in)
			}
			e, evs, err := escalate.Raise(t0, testPolicy(), testCal(t), tt.actor, in)
			assertCode(t, err, tt.code, tt.field)
			if e != nil || evs != nil {
				t.Errorf("failed raise returned %v and %d events", e, len(evs))
			}
			if escalate.ErrorMessage(err) == "" {
				t.Error("no message for the user")
			}
		})
	}
}

// TestImmediateRiskGate checks that a child at immediate risk is never held
// up: the action is required, recorded first, and can be recorded on its own
// whatever else is missing.
func TestImmediateRiskGate(t *testing.T) {
	t.Run("OKRecordedFirst", func(t *testing.T) {
		in := raiseInput()
		in.RiskLevel, in.ImmediateAction = escalate.RiskImmediate, "called 999 at 09:50"
		e, evs, err := escalate.Raise(t0, testPolicy(), testCal(t), raiser, in)
		if err != nil {
			t.Fatal(err)
		}
		if evs[0].Action != escalate.ActionRiskImmediate || evs[0].Data["action"] != "called 999 at 09:50" {
			t.Fatalf("first event %+v, want the immediate action", evs[0])
		}
		if e.Immediate == nil || e.Immediate.Action != "called 999 at 09:50" || !e.Immediate.At.Equal(t0) || e.Immediate.By != raiser.ID {
			t.Errorf("immediate action %+v", e.Immediate)
		}
		if c := clockByKey(t, e, "stage-1", "respond"); c.Within != "1 working day" {
			t.Errorf("immediate risk did not use the increased-risk timescale: %+v", c)
		}
	})
	t.Run("ErrActionReportedBeforeAnythingElse", func(t *testing.T) {
		// Everything else is missing too: the form points at the immediate
		// action first.
		_, _, err := escalate.Raise(t0, testPolicy(), testCal(t), raiser, escalate.RaiseInput{RiskLevel: escalate.RiskImmediate})
		assertCode(t, err, escalate.EINVALID, "immediate_action")
	})
	t.Run("OKStandaloneWithEmptyForm", func(t *testing.T) {
		a, ev, err := escalate.RecordImmediateAction(t0, raiser, escalate.ImmediateInput{Action: "referred to the front door at 10:20"})
		if err != nil {
			t.Fatal(err)
		}
		if a.Action != "referred to the front door at 10:20" || !a.At.Equal(t0) || a.By != raiser.ID {
			t.Errorf("action %+v", a)
		}
		if ev.Action != escalate.ActionRiskImmediate || ev.Ref != "" || ev.Actor != raiser.ID || ev.Data["action"] != a.Action {
			t.Errorf("event %+v", ev)
		}
	})
	t.Run("ErrStandaloneEmpty", func(t *testing.T) {
		_, _, err := escalate.RecordImmediateAction(t0, raiser, escalate.ImmediateInput{Action: " "})
		assertCode(t, err, escalate.EINVALID, "immediate_action")
	})
	t.Run("ErrStandaloneNoActor", func(t *testing.T) {
		_, _, err := escalate.RecordImmediateAction(t0, nil, escalate.ImmediateInput{Action: "called 999"})
		assertCode(t, err, escalate.EUNAUTHORIZED, "")
	})
	t.Run("OKOnOpenCaseNeedsNoVersion", func(t *testing.T) {
		p := testPolicy()
		e := mustRaise(t, p, nil)
		e.Version = 7 // someone else changed it meanwhile: must not matter
		before := clockByKey(t, e, "stage-1", "respond")
		evs, err := e.RecordImmediateAction(t0.Add(time.Hour), p, testCal(t), receiver, escalate.ImmediateInput{Action: "called 999"})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{escalate.ActionRiskImmediate, escalate.ActionRiskRaise, escalate.ActionClockShorten}
		if got := actions(evs); !slices.Equal(got, want) {
			t.Fatalf("events %v, want %v", got, want)
		}
		if evs[0].Ref != "T-1" {
			t.Errorf("ref %q", evs[0].Ref)
		}
		after := clockByKey(t, e, "stage-1", "respond")
		if e.RiskLevel != escalate.RiskImmediate || e.Version != 8 || !after.Due.Before(before.Due) {
			t.Errorf("risk %s version %d due %v (was %v)", e.RiskLevel, e.Version, after.Due, before.Due)
		}
	})
	t.Run("OKOnClosedCaseRecordsOnly", func(t *testing.T) {
		p := testPolicy()
		e := mustRaise(t, p, nil)
		if _, err := e.Withdraw(t0, p, testCal(t), raiser, escalate.WithdrawInput{Version: 1, Reason: "resolved informally"}); err != nil {
			t.Fatal(err)
		}
		before := e.Clone()
		evs, err := e.RecordImmediateAction(t0, p, testCal(t), raiser, escalate.ImmediateInput{Action: "called 999"})
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 1 || evs[0].Action != escalate.ActionRiskImmediate || evs[0].Ref != "T-1" {
			t.Errorf("events %+v", evs)
		}
		assertUnchanged(t, before, e)
	})
}

func TestClockStateOverdue(t *testing.T) {
	due := london(2026, 11, 4, 17, 0)
	for _, tt := range []struct {
		name string
		c    escalate.ClockState
		now  time.Time
		want bool
	}{
		{"RunningBefore", escalate.ClockState{Status: escalate.ClockRunning, Due: due}, due.Add(-time.Minute), false},
		{"RunningAtDue", escalate.ClockState{Status: escalate.ClockRunning, Due: due}, due, false},
		{"RunningAfter", escalate.ClockState{Status: escalate.ClockRunning, Due: due}, due.Add(time.Minute), true},
		{"MetAfter", escalate.ClockState{Status: escalate.ClockMet, Due: due}, due.Add(time.Hour), false},
		{"StoppedAfter", escalate.ClockState{Status: escalate.ClockStopped, Due: due}, due.Add(time.Hour), false},
		{"Immediate", escalate.ClockState{Status: escalate.ClockRunning, Immediate: true}, due, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.c.Overdue(tt.now); got != tt.want {
				t.Errorf("Overdue = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestClockMetBy(t *testing.T) {
	for _, k := range escalate.ClockKeys() {
		if _, ok := escalate.ClockMetBy(k, ""); !ok {
			t.Errorf("listed key %q is not met by anything", k)
		}
	}
	for _, tt := range []struct {
		key, action, want string
		ok                bool
	}{
		{"respond", "", escalate.MetByRecord, true},
		{"confirm", "Confirm the agreed outcome", escalate.MetByConfirm, true},
		{"r1", "Resolve the dispute", escalate.MetByAgree, true},
		{"x", "Dance", "", false},
		{"x", "", "", false},
	} {
		if got, ok := escalate.ClockMetBy(tt.key, tt.action); got != tt.want || ok != tt.ok {
			t.Errorf("ClockMetBy(%q, %q) = %q %v, want %q %v", tt.key, tt.action, got, ok, tt.want, tt.ok)
		}
	}
}

func TestRecordImmediateActionErrors(t *testing.T) {
	p := testPolicy()
	for _, tt := range []struct {
		name  string
		actor *escalate.User
		in    escalate.ImmediateInput
		code  string
	}{
		{"ErrEmpty", raiser, escalate.ImmediateInput{}, escalate.EINVALID},
		{"ErrNoActor", nil, escalate.ImmediateInput{Action: "called 999"}, escalate.EUNAUTHORIZED},
		{"ErrOtherPartnership", stranger, escalate.ImmediateInput{Action: "called 999"}, escalate.ENOTFOUND},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := mustRaise(t, p, nil)
			before := e.Clone()
			evs, err := e.RecordImmediateAction(t0, p, testCal(t), tt.actor, tt.in)
			assertCode(t, err, tt.code, "")
			if evs != nil {
				t.Errorf("events %v", evs)
			}
			assertUnchanged(t, before, e)
		})
	}
}

func TestNextDueNoneRunning(t *testing.T) {
	p := testPolicy()
	e := mustRaise(t, p, nil)
	if _, err := e.Withdraw(t0, p, testCal(t), raiser, escalate.WithdrawInput{Version: 1, Reason: "r"}); err != nil {
		t.Fatal(err)
	}
	if d, ok := e.NextDue(); ok {
		t.Errorf("NextDue = %v on a closed case", d)
	}
}
