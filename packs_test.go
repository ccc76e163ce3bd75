package escalate_test

import (
	"slices"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
	"github.com/escalate-project/escalate/policy"
)

// journey drives one escalation through a built-in pack, an hour per step,
// checking after each step what every successful change must satisfy.
type journey struct {
	t      *testing.T
	p      *escalate.Policy
	cal    *calendar.Calendar
	e      *escalate.Escalation
	now    time.Time
	events []escalate.Event
}

func newJourney(t *testing.T, id string, mod func(*escalate.RaiseInput)) *journey {
	t.Helper()
	p, err := policy.Pack(id)
	if err != nil {
		t.Fatalf("policy.Pack(%q): %v", id, err)
	}
	cal, err := calendar.New(p.Calendar.Division)
	if err != nil {
		t.Fatal(err)
	}
	in := raiseInput()
	in.Categories = []string{p.Categories[0].Key}
	if mod != nil {
		mod(&in)
	}
	e, evs, err := escalate.Raise(t0, p, cal, raiser, in)
	if err != nil {
		t.Fatalf("Raise under %s: %v", id, err)
	}
	e.ID, e.Ref = 1, "T-1"
	for i := range evs {
		evs[i].Ref = e.Ref // as the store does
	}
	j := &journey{t: t, p: p, cal: cal, e: e, now: t0, events: evs}
	j.checkClocks()
	return j
}

// do runs one change an hour after the last and checks it succeeded, bumped
// the version, and returned events for this escalation.
func (j *journey) do(what string, f func(now time.Time, v int) ([]escalate.Event, error)) []escalate.Event {
	j.t.Helper()
	j.now = j.now.Add(time.Hour)
	v := j.e.Version
	evs, err := f(j.now, v)
	if err != nil {
		j.t.Fatalf("%s at stage %s: %v", what, j.stage(), err)
	}
	if j.e.Version != v+1 {
		j.t.Fatalf("%s: version %d, want %d", what, j.e.Version, v+1)
	}
	if len(evs) == 0 {
		j.t.Fatalf("%s recorded no event", what)
	}
	for _, ev := range evs {
		if ev.Ref != j.e.Ref || !ev.At.Equal(j.now) {
			j.t.Fatalf("%s: event %+v", what, ev)
		}
	}
	j.events = append(j.events, evs...)
	j.checkClocks()
	return evs
}

// checkClocks checks every clock explains itself and stays on its stage.
func (j *journey) checkClocks() {
	j.t.Helper()
	for _, c := range j.e.Clocks {
		if c.Explanation == "" || (!c.Immediate && c.Due.Before(c.Start)) {
			j.t.Fatalf("clock %+v", c)
		}
		if c.Status == escalate.ClockRunning && c.Stage != j.stage() && !j.e.Status.Closed() {
			j.t.Fatalf("clock %s/%s runs at stage %s", c.Stage, c.Key, j.stage())
		}
	}
}

func (j *journey) stage() string { return j.p.Stages[j.e.Stage].Key }

func (j *journey) record(actor *escalate.User, form string) []escalate.Event {
	return j.do("record", func(now time.Time, v int) ([]escalate.Event, error) {
		in := recordInput(v)
		in.At, in.Form = now.Add(-10*time.Minute), form
		return j.e.AddRecord(now, j.p, j.cal, actor, in)
	})
}

func (j *journey) escalate(actor *escalate.User) {
	from := j.e.Stage
	j.do("escalate", func(now time.Time, v int) ([]escalate.Event, error) {
		return j.e.Escalate(now, j.p, j.cal, actor, escalate.EscalateInput{Version: v, Reason: "not resolved within the timescale"})
	})
	if j.e.Stage != from+1 {
		j.t.Fatalf("escalated from %d to %d", from, j.e.Stage)
	}
}

func (j *journey) agree(actor *escalate.User) {
	j.do("agree", func(now time.Time, v int) ([]escalate.Event, error) {
		return j.e.AgreeOutcome(now, j.p, j.cal, actor, escalate.AgreeInput{Version: v, Outcome: "Assessment opened", OutstandingIssues: "Reviewed at the next core group"})
	})
}

// clockStatus returns the status of the latest clock key at stage.
func (j *journey) clockStatus(stage, key string) string {
	j.t.Helper()
	return clockByKey(j.t, j.e, stage, key).Status
}

// finished checks the escalation closed with status and outcome kind and
// left no clock running.
func (j *journey) finished(status escalate.Status, kind string) {
	j.t.Helper()
	if j.e.Status != status || j.e.Outcome == nil || j.e.Outcome.Kind != kind {
		j.t.Fatalf("status %s outcome %+v, want %s %s", j.e.Status, j.e.Outcome, status, kind)
	}
	for _, c := range j.e.Clocks {
		if c.Status == escalate.ClockRunning {
			j.t.Errorf("clock %s/%s still running", c.Stage, c.Key)
		}
	}
	// Closed means closed.
	_, err := j.e.AddRecord(j.now, j.p, j.cal, raiser, recordInput(j.e.Version))
	assertCode(j.t, err, escalate.ECONFLICT, "")
}

func TestPackClocksAreMeetable(t *testing.T) {
	for _, info := range policy.Packs() {
		p, err := policy.Pack(info.ID)
		if err != nil {
			t.Fatalf("%s: %v", info.ID, err)
		}
		for _, st := range p.Stages {
			for _, c := range st.Clocks {
				if _, ok := escalate.ClockMetBy(c.Key, c.Action); !ok {
					t.Errorf("%s %s: nothing meets clock %q (%s)", info.ID, st.Key, c.Key, c.Action)
				}
			}
		}
	}
}

func TestPackRedbridge(t *testing.T) {
	t.Run("OKAgreedAndConfirmedAtStage1", func(t *testing.T) {
		j := newJourney(t, "redbridge", nil)
		if j.clockStatus("stage-1", "raise") != escalate.ClockMet || j.clockStatus("stage-1", "respond") != escalate.ClockRunning {
			t.Fatalf("clocks after raise %+v", j.e.Clocks)
		}
		j.record(receiver, escalate.FormPhone) // speaks to the raiser within 3 working days
		if j.clockStatus("stage-1", "respond") != escalate.ClockMet {
			t.Fatal("the receiving practitioner's record did not meet the respond clock")
		}
		j.do("approve", func(now time.Time, v int) ([]escalate.Event, error) {
			return j.e.ApproveRecord(now, j.p, j.cal, recvMgr, escalate.ApproveInput{Version: v, Record: 1})
		})
		j.agree(receiver)
		if j.e.Status != escalate.StatusOpen || j.clockStatus("stage-1", "confirm") != escalate.ClockRunning {
			t.Fatal("agreement did not wait for written confirmation")
		}
		j.do("confirm", func(now time.Time, v int) ([]escalate.Event, error) {
			return j.e.ConfirmOutcome(now, j.p, j.cal, receiver, escalate.ConfirmInput{Version: v, Text: "Email to the school DSL"})
		})
		if j.clockStatus("stage-1", "confirm") != escalate.ClockMet {
			t.Error("confirm clock not met")
		}
		j.finished(escalate.StatusResolved, escalate.OutcomeAgreed)
	})
	t.Run("OKChairsRecommendations", func(t *testing.T) {
		j := newJourney(t, "redbridge", nil)
		j.escalate(raiser)
		// Line managers the same working day.
		if c := clockByKey(t, j.e, "stage-2", "escalate"); !c.Due.Equal(london(2026, 11, 2, 17, 0)) {
			t.Errorf("same-working-day clock due %v", c.Due)
		}
		j.record(raiserMgr, escalate.FormEmail)
		if j.clockStatus("stage-2", "escalate") != escalate.ClockMet || j.clockStatus("stage-2", "resolve") != escalate.ClockRunning {
			t.Fatalf("stage 2 clocks %+v", j.e.Clocks)
		}
		j.escalate(recvMgr)
		j.escalate(raiserMgr)
		if j.stage() != "stage-4" {
			t.Fatalf("at %s", j.stage())
		}
		j.record(raiserMgr, escalate.FormEmail) // referred to the Chair through the Business Manager
		if j.clockStatus("stage-4", "refer") != escalate.ClockMet || j.clockStatus("stage-4", "recommend") != escalate.ClockRunning {
			t.Fatalf("stage 4 clocks %+v", j.e.Clocks)
		}
		_, err := j.e.Determine(j.now, j.p, j.cal, chair, escalate.DetermineInput{Version: j.e.Version, Kind: escalate.OutcomeDetermination, Text: "x"})
		assertCode(t, err, escalate.EINVALID, "kind") // Redbridge's Chair recommends; the LSCB cannot direct
		j.do("recommend", func(now time.Time, v int) ([]escalate.Event, error) {
			return j.e.Determine(now, j.p, j.cal, chair, escalate.DetermineInput{Version: v, Kind: escalate.OutcomeRecommendations, Text: "Open a child and family assessment"})
		})
		j.finished(escalate.StatusResolved, escalate.OutcomeRecommendations)
		if c := clockByKey(t, j.e, "stage-4", "recommend"); c.Status != escalate.ClockMet {
			t.Errorf("recommend clock %+v", c)
		}
	})
}

func TestPackHammersmithFulham(t *testing.T) {
	t.Run("OKRiskRaisedThenAgreed", func(t *testing.T) {
		j := newJourney(t, "hammersmith-fulham", nil)
		c := clockByKey(t, j.e, "stage-1", "resolve")
		if c.Within != "1 working week" || !c.Due.Equal(london(2026, 11, 9, 17, 0)) {
			t.Fatalf("stage 1 clock %+v", c)
		}
		j.do("risk", func(now time.Time, v int) ([]escalate.Event, error) {
			return j.e.ChangeRisk(now, j.p, j.cal, raiser, escalate.RiskInput{Version: v, Level: escalate.RiskIncreased, Reason: "new bruising seen"})
		})
		if c := clockByKey(t, j.e, "stage-1", "resolve"); c.Within != "24 hours" || !c.Due.Equal(t0.Add(24*time.Hour)) {
			t.Fatalf("after risk raise %+v", c)
		}
		j.record(receiver, escalate.FormPhone)
		j.escalate(raiser)
		if c := clockByKey(t, j.e, "stage-2", "resolve"); c.Within != "24 hours" {
			t.Errorf("stage 2 at increased risk runs on %q", c.Within)
		}
		j.record(recvMgr, escalate.FormVideo)
		j.agree(recvMgr)
		j.finished(escalate.StatusResolved, escalate.OutcomeAgreed)
		if j.clockStatus("stage-2", "resolve") != escalate.ClockMet {
			t.Error("resolve clock not met by the agreement")
		}
	})
	t.Run("OKRedirectedToLADO", func(t *testing.T) {
		j := newJourney(t, "hammersmith-fulham", nil)
		j.do("redirect", func(now time.Time, v int) ([]escalate.Event, error) {
			return j.e.Redirect(now, j.p, j.cal, raiser, escalate.RedirectInput{Version: v, To: "conduct", Reason: "About a worker's conduct: reported to their manager and the LADO"})
		})
		j.finished(escalate.StatusRedirected, escalate.OutcomeRedirected)
	})
	t.Run("OKImmediateRisk", func(t *testing.T) {
		j := newJourney(t, "hammersmith-fulham", func(in *escalate.RaiseInput) {
			in.RiskLevel, in.ImmediateAction = escalate.RiskImmediate, "told my manager and ICAT at 09:40"
		})
		if j.events[0].Action != escalate.ActionRiskImmediate {
			t.Fatalf("first event %s", j.events[0].Action)
		}
		if c := clockByKey(t, j.e, "stage-1", "resolve"); c.Within != "24 hours" {
			t.Errorf("clock %+v", c)
		}
	})
}

func TestPackHounslow(t *testing.T) {
	j := newJourney(t, "hounslow", nil)
	if j.p.Stages[0].Scope != "within-agency" {
		t.Fatalf("stage 1 scope %q", j.p.Stages[0].Scope)
	}
	j.record(raiserMgr, escalate.FormMeeting) // consulted own line manager
	if j.clockStatus("stage-1", "consult") != escalate.ClockMet {
		t.Fatal("consult clock not met")
	}
	j.escalate(raiser)
	j.record(raiser, escalate.FormPhone)
	if j.clockStatus("stage-2", "discuss") != escalate.ClockMet {
		t.Fatal("discuss clock not met")
	}
	for j.e.Stage < len(j.p.Stages)-1 {
		j.escalate(raiserMgr)
	}
	if j.stage() != "stage-5" {
		t.Fatalf("at %s", j.stage())
	}
	j.record(bizMgr, escalate.FormMeeting)
	if j.clockStatus("stage-5", "meet") != escalate.ClockMet {
		t.Fatal("meeting clock not met by a meeting record")
	}
	// The meeting has no power to determine (Hounslow: Stage Five): it
	// records its outcome, and its chair's report to the Serious Case
	// Review Sub Committee, as an agreed outcome.
	in := escalate.DetermineInput{Version: j.e.Version, Kind: escalate.OutcomeDetermination, Text: "Strategy meeting to be convened", ChairAgencyID: 40}
	before := j.e.Clone()
	_, err := j.e.Determine(j.now, j.p, j.cal, bizMgr, in)
	assertCode(t, err, escalate.EINVALID, "")
	assertUnchanged(t, before, j.e)
	agree := escalate.AgreeInput{Version: j.e.Version, Outcome: "Strategy meeting to be convened", OutstandingIssues: "None"}
	_, err = j.e.AgreeOutcome(j.now, j.p, j.cal, bizMgr, agree)
	assertCode(t, err, escalate.EINVALID, "report")
	j.do("agree", func(now time.Time, v int) ([]escalate.Event, error) {
		agree.Version, agree.Report = v, "Issues arising reported to the Sub Committee on 3 March"
		return j.e.AgreeOutcome(now, j.p, j.cal, bizMgr, agree)
	})
	j.finished(escalate.StatusResolved, escalate.OutcomeAgreed)
	if j.e.Outcome.Report == "" {
		t.Error("the meeting's report is not kept")
	}
}

func TestPackSurrey(t *testing.T) {
	t.Run("OKAgreedAtStage3", func(t *testing.T) {
		j := newJourney(t, "surrey", nil)
		j.record(receiver, escalate.FormMeeting)
		j.escalate(raiser)
		j.record(recvMgr, escalate.FormPhone)
		j.escalate(raiserMgr)
		j.agree(recvMgr)
		j.finished(escalate.StatusResolved, escalate.OutcomeAgreed)
	})
	t.Run("OKWithdrawn", func(t *testing.T) {
		j := newJourney(t, "surrey", nil)
		j.do("withdraw", func(now time.Time, v int) ([]escalate.Event, error) {
			return j.e.Withdraw(now, j.p, j.cal, raiser, escalate.WithdrawInput{Version: v, Reason: "New information answered the concern"})
		})
		j.finished(escalate.StatusWithdrawn, escalate.OutcomeWithdrawn)
	})
}

func TestPackWirral(t *testing.T) {
	j := newJourney(t, "wirral", nil)
	j.escalate(raiser)
	// The manager is contacted within one working day.
	if c := clockByKey(t, j.e, "stage-2", "contact-manager"); !c.Due.Equal(london(2026, 11, 3, 17, 0)) {
		t.Errorf("contact-manager due %v", c.Due)
	}
	j.record(raiserMgr, escalate.FormPhone)
	if j.clockStatus("stage-2", "contact-manager") != escalate.ClockMet {
		t.Fatal("contact-manager clock not met")
	}
	j.escalate(raiserMgr)
	j.record(bizMgr, escalate.FormMeeting)
	if j.clockStatus("stage-3", "meet") != escalate.ClockMet {
		t.Fatal("conflict-resolution meeting clock not met")
	}
	j.escalate(raiserMgr)
	j.do("determine", func(now time.Time, v int) ([]escalate.Event, error) {
		return j.e.Determine(now, j.p, j.cal, chair, escalate.DetermineInput{Version: v, Kind: escalate.OutcomeDetermination, Text: "The referral meets the threshold"})
	})
	j.finished(escalate.StatusResolved, escalate.OutcomeDetermination)
	if got := actions(j.events); !slices.Contains(got, escalate.ActionDetermine) {
		t.Errorf("events %v", got)
	}
}
