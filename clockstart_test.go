package escalate_test

import (
	"slices"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
)

// twoRoutePolicy has one stage with two ways through it: agree, then
// confirm in writing within 2 working days; or meet, then confirm by letter
// within 48 hours. A meeting that cannot agree within 5 working days lapses
// into a further 5 working days for the senior managers.
func twoRoutePolicy() *escalate.Policy {
	p := testPolicy()
	entry := escalate.ClockStart{Event: escalate.StartStageEntry}
	p.Stages[1].Clocks = []escalate.Clock{
		{Key: "agree", Action: "Agree a way forward", By: "receiving", Starts: entry, Within: "5 working days", Route: "agree"},
		{Key: "confirm", Action: "Confirm the agreed outcome in writing", By: "receiving",
			Starts: escalate.ClockStart{Event: escalate.StartOutcomeAgreed}, Within: "2 working days", Route: "agree"},
		{Key: "hold-meeting", Action: "Hold a meeting of both agencies", By: "receiving", Starts: entry, Within: "5 working days",
			MetBy: "meeting", Route: "meet"},
		{Key: "letter", Action: "Send a letter confirming what the meeting agreed", By: "receiving",
			Starts: escalate.ClockStart{Event: escalate.StartClockMet, Clock: "hold-meeting"}, Within: "48 hours",
			MetBy: "written-confirmation", Route: "meet"},
		{Key: "further", Action: "Senior managers meet", By: "receiving",
			Starts: escalate.ClockStart{Event: escalate.StartClockLapsed, Clock: "agree"}, Within: "5 working days", MetBy: "meeting"},
	}
	return p
}

// atStage2 raises under p and escalates to stage 2 at t0 + 1 hour.
func atStage2(t *testing.T, p *escalate.Policy) *escalate.Escalation {
	t.Helper()
	e := mustRaise(t, p, nil)
	if _, err := e.Escalate(t0.Add(time.Hour), p, testCal(t), raiser, escalate.EscalateInput{Version: e.Version, Reason: "Not resolved"}); err != nil {
		t.Fatal(err)
	}
	return e
}

func clockStatus(e *escalate.Escalation, stage string) map[string]string {
	m := map[string]string{}
	for _, c := range e.Clocks {
		if c.Stage == stage {
			m[c.Key] = c.Status
		}
	}
	return m
}

func TestClockRoutes(t *testing.T) {
	now := t0.Add(24 * time.Hour)
	t.Run("OKMeetThenLetter", func(t *testing.T) {
		p := twoRoutePolicy()
		e := atStage2(t, p)
		if got := clockStatus(e, "stage-2"); got["agree"] != escalate.ClockRunning || got["hold-meeting"] != escalate.ClockRunning {
			t.Fatalf("stage 2 clocks %v", got)
		}
		in := escalate.RecordInput{Version: e.Version, At: now.Add(-time.Hour), Form: escalate.FormMeeting,
			Participants: []string{"Both managers"}, Discussion: "Met about the referral.", Outcome: "Assessment agreed."}
		if _, err := e.AddRecord(now, p, testCal(t), recvMgr, in); err != nil {
			t.Fatal(err)
		}
		got := clockStatus(e, "stage-2")
		if got["hold-meeting"] != escalate.ClockMet || got["agree"] != escalate.ClockStopped || got["letter"] != escalate.ClockRunning {
			t.Fatalf("after the meeting: %v, want the meeting met, the other route stopped, the letter running", got)
		}
		if c := clockByKey(t, e, "stage-2", "letter"); !c.Due.Equal(now.Add(48 * time.Hour)) {
			t.Errorf("letter due %v, want 48 hours after the meeting's record", c.Due)
		}
		// Agreeing on the meeting's route starts no "confirm" clock of the
		// other route, and waits for the letter.
		if _, err := e.AgreeOutcome(now, p, testCal(t), recvMgr, escalate.AgreeInput{Version: e.Version, Outcome: "Assessment", OutstandingIssues: "None"}); err != nil {
			t.Fatal(err)
		}
		if e.Status != escalate.StatusOpen || clockStatus(e, "stage-2")["confirm"] != "" {
			t.Fatalf("after agreeing: status %s, clocks %v", e.Status, clockStatus(e, "stage-2"))
		}
		if _, err := e.ConfirmOutcome(now.Add(time.Hour), p, testCal(t), recvMgr, escalate.ConfirmInput{Version: e.Version, Text: "Letter sent"}); err != nil {
			t.Fatal(err)
		}
		if e.Status != escalate.StatusResolved || clockStatus(e, "stage-2")["letter"] != escalate.ClockMet {
			t.Errorf("after the letter: status %s, clocks %v", e.Status, clockStatus(e, "stage-2"))
		}
	})
	t.Run("OKAgreeThenConfirm", func(t *testing.T) {
		p := twoRoutePolicy()
		e := atStage2(t, p)
		if _, err := e.AgreeOutcome(now, p, testCal(t), recvMgr, escalate.AgreeInput{Version: e.Version, Outcome: "Assessment", OutstandingIssues: "None"}); err != nil {
			t.Fatal(err)
		}
		got := clockStatus(e, "stage-2")
		if got["agree"] != escalate.ClockMet || got["hold-meeting"] != escalate.ClockStopped || got["confirm"] != escalate.ClockRunning || e.Status != escalate.StatusOpen {
			t.Fatalf("after agreeing: %v (status %s)", got, e.Status)
		}
		// A meeting record now meets nothing of the other route.
		in := escalate.RecordInput{Version: e.Version, At: now, Form: escalate.FormMeeting, Participants: []string{"Both"}, Discussion: "Met.", Outcome: "Fine."}
		if _, err := e.AddRecord(now.Add(time.Minute), p, testCal(t), recvMgr, in); err != nil {
			t.Fatal(err)
		}
		if got := clockStatus(e, "stage-2"); got["letter"] != "" || got["hold-meeting"] != escalate.ClockStopped {
			t.Errorf("the other route came back: %v", got)
		}
	})
}

func TestClockLapsed(t *testing.T) {
	p := twoRoutePolicy()
	e := atStage2(t, p)
	agree := clockByKey(t, e, "stage-2", "agree")
	now := agree.Due.Add(3 * 24 * time.Hour) // the scheduler runs late
	sys := &escalate.User{PartnershipID: e.PartnershipID}
	v := e.Version
	evs, err := e.ClockLapsed(now, p, testCal(t), sys, agree.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := actions(evs); !slices.Equal(got, []string{escalate.ActionClockLapse, escalate.ActionClockStart}) || e.Version != v+1 {
		t.Fatalf("events %v, version %d", got, e.Version)
	}
	further := clockByKey(t, e, "stage-2", "further")
	// Counted from the lapsed clock's deadline, not from when the scheduler
	// noticed: a further 5 working days.
	if !further.Start.Equal(agree.Due) {
		t.Errorf("further starts %v, want the lapse at %v", further.Start, agree.Due)
	}
	if want := testCal(t).Due(agree.Due, mustTS(t, "5 working days")).Due; !further.Due.Equal(want) {
		t.Errorf("further due %v, want %v", further.Due, want)
	}
	if clockByKey(t, e, "stage-2", "agree").Status != escalate.ClockRunning {
		t.Errorf("the lapsed clock stopped: a lapse only starts the next")
	}
	// Once only, and nothing for a clock nothing starts from.
	before := e.Clone()
	for _, id := range []int{agree.ID, further.ID} {
		if evs, err := e.ClockLapsed(now, p, testCal(t), sys, id); err != nil || evs != nil {
			t.Errorf("clock %d: events %v, err %v", id, actions(evs), err)
		}
	}
	assertUnchanged(t, before, e)
}

func TestClockMetByField(t *testing.T) {
	now := t0.Add(24 * time.Hour)
	t.Run("OKEscalation", func(t *testing.T) {
		p := testPolicy()
		p.Stages[0].Clocks = append(p.Stages[0].Clocks, escalate.Clock{Key: "refer-on", Action: "Refer it to the managers the same working day",
			By: "raising", Starts: escalate.ClockStart{Event: escalate.StartStageEntry}, Within: "same working day", MetBy: "escalation"})
		e := mustRaise(t, p, nil)
		if _, err := e.Escalate(now, p, testCal(t), raiser, escalate.EscalateInput{Version: e.Version, Reason: "No reply"}); err != nil {
			t.Fatal(err)
		}
		got := clockStatus(e, "stage-1")
		if got["refer-on"] != escalate.ClockMet || got["respond"] != "" && got["respond"] != escalate.ClockStopped {
			t.Errorf("stage 1 clocks after escalating: %v", got)
		}
	})
	t.Run("OKTwoConfirmationClocks", func(t *testing.T) {
		p := testPolicy()
		p.Stages[0].Clocks = append(p.Stages[0].Clocks, escalate.Clock{Key: "copy-letter", Action: "Send a copy of the letter to the Business Manager",
			By: "receiving", Starts: escalate.ClockStart{Event: escalate.StartOutcomeAgreed}, Within: "2 working days", MetBy: "written-confirmation"})
		e := mustRaise(t, p, nil)
		if _, err := e.AgreeOutcome(now, p, testCal(t), receiver, escalate.AgreeInput{Version: e.Version, Outcome: "x", OutstandingIssues: "y"}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.ConfirmOutcome(now, p, testCal(t), receiver, escalate.ConfirmInput{Version: e.Version, Text: "Sent"}); err != nil {
			t.Fatal(err)
		}
		if got := clockStatus(e, "stage-1"); got["confirm"] != escalate.ClockMet || got["copy-letter"] != escalate.ClockMet {
			t.Errorf("both confirmation clocks: %v", got)
		}
	})
	t.Run("Meets", func(t *testing.T) {
		for _, tt := range []struct {
			c    escalate.Clock
			want string
			ok   bool
		}{
			{escalate.Clock{Key: "respond", Action: "Reply"}, escalate.MetByRecord, true},
			{escalate.Clock{Key: "letter", Action: "Send a letter"}, "", false},
			{escalate.Clock{Key: "letter", Action: "Send a letter", MetBy: "written-confirmation"}, escalate.MetByConfirm, true},
			{escalate.Clock{Key: "respond", Action: "Reply", MetBy: "meeting"}, escalate.MetByMeeting, true},
			{escalate.Clock{Key: "x", Action: "Decide", MetBy: "determination"}, escalate.MetByDetermine, true},
			{escalate.Clock{Key: "x", Action: "y", MetBy: "agreed-outcome"}, escalate.MetByAgree, true},
			{escalate.Clock{Key: "x", Action: "y", MetBy: "escalation"}, escalate.MetByEscalation, true},
			{escalate.Clock{Key: "x", Action: "y", MetBy: "a phone call"}, "", false},
		} {
			if got, ok := tt.c.Meets(); got != tt.want || ok != tt.ok {
				t.Errorf("%+v: Meets() = %q, %v; want %q, %v", tt.c, got, ok, tt.want, tt.ok)
			}
		}
	})
}

func mustTS(t *testing.T, s string) calendar.Timescale {
	t.Helper()
	ts, err := calendar.ParseTimescale(s)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

// TestFacilitatedConversation: at a stage that is a facilitated
// conversation, a record names the independent facilitator.
func TestFacilitatedConversation(t *testing.T) {
	p := testPolicy()
	p.Stages[0].Facilitated = true
	e := mustRaise(t, p, nil)
	in := escalate.RecordInput{Version: e.Version, At: t0, Form: escalate.FormMeeting, Participants: []string{"Both practitioners"},
		Discussion: "Talked it through with the facilitator.", Outcome: "An assessment will start."}
	before := e.Clone()
	_, err := e.AddRecord(t0.Add(time.Hour), p, testCal(t), raiser, in)
	assertCode(t, err, escalate.EINVALID, "facilitator")
	assertUnchanged(t, before, e)
	in.Facilitator = "  Alex Doe, partnership facilitator "
	evs, err := e.AddRecord(t0.Add(time.Hour), p, testCal(t), raiser, in)
	if err != nil {
		t.Fatal(err)
	}
	if r := e.Records[len(e.Records)-1]; r.Facilitator != "Alex Doe, partnership facilitator" {
		t.Errorf("record facilitator %q", r.Facilitator)
	}
	if evs[0].Data["facilitator"] != "Alex Doe, partnership facilitator" {
		t.Errorf("event %+v", evs[0].Data)
	}
	// Elsewhere a facilitator is not asked for.
	q := testPolicy()
	f := mustRaise(t, q, nil)
	in.Facilitator, in.Version = "", f.Version
	if _, err := f.AddRecord(t0.Add(time.Hour), q, testCal(t), raiser, in); err != nil {
		t.Errorf("a stage that is not facilitated: %v", err)
	}
}
