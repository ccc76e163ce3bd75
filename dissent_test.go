package escalate_test

import (
	"testing"
	"time"

	"github.com/escalate-project/escalate"
)

// dissentPolicy is testPolicy with the dissent workflow switched on.
func dissentPolicy() *escalate.Policy {
	p := testPolicy()
	p.Workflows.CPDissents = &escalate.CPDissents{Group: "Dissents Group", Meets: "monthly",
		ReviewWithin: "20 working days", InvestigateWithin: "10 working days"}
	return p
}

var cpChair = &escalate.User{ID: 11, PartnershipID: 1, AgencyID: 20, Roles: []escalate.Role{escalate.RoleConferenceChair}}

func dissentInput() escalate.DissentInput {
	return escalate.DissentInput{ConferenceDate: "2026-10-30", ConferenceKind: escalate.ConferenceInitial,
		ConferenceRef: "ICPC/2026/17", AgencyID: 10, Professional: "Health visitor",
		Nature: "Dissent from no plan.", Grounds: "Neglect.", ChairDecision: "No plan."}
}

func TestNewDissent(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		d, evs, err := escalate.NewDissent(t0, dissentPolicy(), testCal(t), cpChair, dissentInput())
		if err != nil {
			t.Fatal(err)
		}
		if d.Step != escalate.DissentAwaitingReview || d.RecordedBy != cpChair.ID || d.Version != 1 || len(d.Entries) != 1 {
			t.Fatalf("dissent %+v", d)
		}
		// 20 working days from Monday 2 November 2026: Monday 30 November.
		if got := d.Clocks[0].Due.In(time.UTC).Format(time.DateOnly); got != "2026-11-30" || d.Clocks[0].Explanation == "" {
			t.Errorf("review due %s (%s)", got, d.Clocks[0].Explanation)
		}
		want := []string{escalate.DissentActionRecord, escalate.DissentActionRefer, escalate.ActionClockStart}
		if len(evs) != len(want) {
			t.Fatalf("%d events, want %v", len(evs), want)
		}
		for i, ev := range evs {
			if ev.Action != want[i] {
				t.Errorf("event %d is %s, want %s", i, ev.Action, want[i])
			}
			for k, v := range ev.Data {
				if s, ok := v.(string); ok && s == "ICPC/2026/17" {
					t.Errorf("event %s holds the conference reference in %s", ev.Action, k)
				}
			}
		}
	})
	t.Run("NoTimescaleNoClock", func(t *testing.T) {
		p := dissentPolicy()
		p.Workflows.CPDissents.ReviewWithin = ""
		d, _, err := escalate.NewDissent(t0, p, testCal(t), cpChair, dissentInput())
		if err != nil || len(d.Clocks) != 0 {
			t.Fatalf("%v, clocks %+v", err, d.Clocks)
		}
	})
	t.Run("ErrOff", func(t *testing.T) {
		_, _, err := escalate.NewDissent(t0, testPolicy(), testCal(t), cpChair, dissentInput())
		if escalate.ErrorCode(err) != escalate.ENOTFOUND {
			t.Errorf("without the workflow: %v", err)
		}
	})
	t.Run("ErrNotChair", func(t *testing.T) {
		_, _, err := escalate.NewDissent(t0, dissentPolicy(), testCal(t), bizMgr, dissentInput())
		if escalate.ErrorCode(err) != escalate.EFORBIDDEN {
			t.Errorf("as the Business Manager: %v", err)
		}
	})
	for _, tt := range []struct {
		name, field string
		mod         func(in *escalate.DissentInput)
	}{
		{"ErrFuture", "conference_date", func(in *escalate.DissentInput) { in.ConferenceDate = "2026-11-03" }},
		{"ErrBadDate", "conference_date", func(in *escalate.DissentInput) { in.ConferenceDate = "2026-02-30" }},
		{"ErrKind", "conference_kind", func(in *escalate.DissentInput) { in.ConferenceKind = "core group" }},
		{"ErrRefName", "conference_ref", func(in *escalate.DissentInput) { in.ConferenceRef = "Baby Smith" }},
		{"ErrRefLong", "conference_ref", func(in *escalate.DissentInput) { in.ConferenceRef = "ICPC-0123456789-0123456789-0123456789-012" }},
		{"ErrAgency", "agency", func(in *escalate.DissentInput) { in.AgencyID = 0 }},
		{"ErrProfessional", "professional", func(in *escalate.DissentInput) { in.Professional = " " }},
		{"ErrGrounds", "grounds", func(in *escalate.DissentInput) { in.Grounds = "" }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := dissentInput()
			tt.mod(&in)
			_, _, err := escalate.NewDissent(t0, dissentPolicy(), testCal(t), cpChair, in)
			if escalate.ErrorCode(err) != escalate.EINVALID || escalate.ErrorField(err) != tt.field {
				t.Errorf("got %v, want EINVALID on %s", err, tt.field)
			}
		})
	}
}

func TestDissentApply(t *testing.T) {
	p, cal := dissentPolicy(), testCal(t)
	fresh := func(t *testing.T) *escalate.Dissent {
		d, _, err := escalate.NewDissent(t0, p, cal, cpChair, dissentInput())
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	apply := func(d *escalate.Dissent, at time.Time, action string, in escalate.DissentStepInput) error {
		in.Version = d.Version
		_, _, err := d.Apply(at, p, cal, bizMgr, action, in)
		return err
	}
	sched := escalate.DissentStepInput{Date: "2026-11-02"}
	eval := escalate.DissentStepInput{People: []string{"BM", " ", "Nurse"}, Text: "Thin."}
	decide := func(o string) escalate.DissentStepInput {
		return escalate.DissentStepInput{Outcome: o, People: []string{"BM"}, Text: "To the chair.", Feedback: "To the professional."}
	}

	t.Run("Upheld", func(t *testing.T) {
		d := fresh(t)
		for _, s := range []struct {
			action string
			in     escalate.DissentStepInput
			step   escalate.DissentStep
		}{
			{escalate.DissentActionSchedule, sched, escalate.DissentScheduled},
			{escalate.DissentActionEvaluate, eval, escalate.DissentEvaluated},
			{escalate.DissentActionDecide, decide(escalate.DissentUpheld), escalate.DissentInvestigating},
			{escalate.DissentActionReport, escalate.DissentStepInput{Date: "2026-11-02", People: []string{"HoS"}, Text: "Reviewed."}, escalate.DissentReportReviewed},
			{escalate.DissentActionStrategy, escalate.DissentStepInput{Date: "2026-11-20", Text: "Meet."}, escalate.DissentClosed},
		} {
			if err := apply(d, t0.Add(time.Hour), s.action, s.in); err != nil {
				t.Fatalf("%s: %v", s.action, err)
			}
			if d.Step != s.step {
				t.Fatalf("after %s: %s, want %s", s.action, d.Step, s.step)
			}
		}
		if d.Standing() != escalate.StandingClosedUpheld || len(d.Entries) != 6 || d.Version != 6 {
			t.Errorf("closed: %s, %d entries, version %d", d.Standing(), len(d.Entries), d.Version)
		}
		if got := d.Entries[2].People; len(got) != 2 {
			t.Errorf("blank attendees kept: %q", got)
		}
		if len(d.Clocks) != 2 || d.Clocks[0].Status != escalate.ClockMet || d.Clocks[1].Status != escalate.ClockMet {
			t.Errorf("clocks %+v", d.Clocks)
		}
		if _, ok := d.NextDue(); ok {
			t.Error("a closed dissent has a next deadline")
		}
	})
	t.Run("NotUpheld", func(t *testing.T) {
		d := fresh(t)
		for _, s := range []struct {
			action string
			in     escalate.DissentStepInput
		}{{escalate.DissentActionSchedule, sched}, {escalate.DissentActionEvaluate, eval},
			{escalate.DissentActionDecide, decide(escalate.DissentNotUpheld)}} {
			if err := apply(d, t0.Add(time.Hour), s.action, s.in); err != nil {
				t.Fatal(err)
			}
		}
		if d.Step != escalate.DissentClosed || d.Standing() != escalate.StandingNotUpheld || len(d.Clocks) != 1 {
			t.Errorf("not upheld: %s, %s, %d clocks", d.Step, d.Standing(), len(d.Clocks))
		}
	})
	t.Run("Errors", func(t *testing.T) {
		for _, tt := range []struct {
			name, action, code, field string
			in                        escalate.DissentStepInput
			before                    []string // steps taken first
		}{
			{"ErrOrder", escalate.DissentActionEvaluate, escalate.ECONFLICT, "", eval, nil},
			{"ErrHoliday", escalate.DissentActionSchedule, escalate.EINVALID, "date", escalate.DissentStepInput{Date: "2026-12-25"}, nil},
			{"ErrWeekend", escalate.DissentActionSchedule, escalate.EINVALID, "date", escalate.DissentStepInput{Date: "2026-11-07"}, nil},
			{"ErrBeforeConference", escalate.DissentActionSchedule, escalate.EINVALID, "date", escalate.DissentStepInput{Date: "2026-10-29"}, nil},
			{"ErrEvaluateEarly", escalate.DissentActionEvaluate, escalate.EINVALID, "", eval, []string{"future"}},
			{"ErrNoAttendees", escalate.DissentActionEvaluate, escalate.EINVALID, "people", escalate.DissentStepInput{Text: "x"}, []string{"schedule"}},
			{"ErrNoOutcome", escalate.DissentActionDecide, escalate.EINVALID, "outcome", decide(""), []string{"schedule", "evaluate"}},
			{"ErrNoFeedback", escalate.DissentActionDecide, escalate.EINVALID, "feedback",
				escalate.DissentStepInput{Outcome: escalate.DissentUpheld, People: []string{"BM"}, Text: "x"}, []string{"schedule", "evaluate"}},
			{"ErrNotStep", "dissent.delete", escalate.EINVALID, "", sched, nil},
		} {
			t.Run(tt.name, func(t *testing.T) {
				d := fresh(t)
				for _, b := range tt.before {
					var err error
					switch b {
					case "schedule":
						err = apply(d, t0, escalate.DissentActionSchedule, sched)
					case "future":
						err = apply(d, t0, escalate.DissentActionSchedule, escalate.DissentStepInput{Date: "2026-11-10"})
					case "evaluate":
						err = apply(d, t0, escalate.DissentActionEvaluate, eval)
					}
					if err != nil {
						t.Fatal(err)
					}
				}
				was := *d
				err := apply(d, t0.Add(time.Hour), tt.action, tt.in)
				if escalate.ErrorCode(err) != tt.code || tt.field != "" && escalate.ErrorField(err) != tt.field {
					t.Fatalf("got %v, want %s on %q", err, tt.code, tt.field)
				}
				if d.Version != was.Version || d.Step != was.Step || len(d.Entries) != len(was.Entries) {
					t.Error("a refused step changed the dissent")
				}
			})
		}
	})
	t.Run("ErrStale", func(t *testing.T) {
		d := fresh(t)
		_, _, err := d.Apply(t0, p, cal, bizMgr, escalate.DissentActionSchedule, escalate.DissentStepInput{Version: 0, Date: "2026-11-02"})
		if escalate.ErrorCode(err) != escalate.ECONFLICT {
			t.Errorf("stale version: %v", err)
		}
	})
}

func TestCanDissent(t *testing.T) {
	d := &escalate.Dissent{ID: 1, PartnershipID: 1, RecordedBy: cpChair.ID, AgencyID: 10}
	u := func(id, agency int64, roles ...escalate.Role) *escalate.User {
		return &escalate.User{ID: id, PartnershipID: 1, AgencyID: agency, Roles: roles}
	}
	otherChair := u(12, 20, escalate.RoleConferenceChair)
	dissentingDSL := u(13, 10, escalate.RoleSafeguardingLead)
	cscSenior := u(14, 20, escalate.RoleSeniorManager)
	otherSenior := u(15, 30, escalate.RoleSeniorManager)
	vice := u(16, 40, escalate.RoleViceChair)
	disabledBM := u(17, 30, escalate.RoleBusinessManager)
	disabledBM.Disabled = true
	for _, tt := range []struct {
		who    *escalate.User
		kind   string
		action string
		want   bool
	}{
		{cpChair, "childrens-social-care", escalate.DissentActionRecord, true},
		{bizMgr, "", escalate.DissentActionRecord, false},
		{cpChair, "childrens-social-care", escalate.DissentActionView, true},
		{otherChair, "childrens-social-care", escalate.DissentActionView, false},
		{bizMgr, "", escalate.DissentActionView, true},
		{chair, "", escalate.DissentActionView, true},
		{vice, "", escalate.DissentActionView, true},
		{dissentingDSL, "school", escalate.DissentActionView, true},
		{raiserMgr, "school", escalate.DissentActionView, true}, // agency 10's manager
		{raiser, "school", escalate.DissentActionView, false},   // a practitioner
		{cscSenior, "childrens-social-care", escalate.DissentActionView, true},
		{cscSenior, "police", escalate.DissentActionView, false}, // the same user at another kind of agency
		{otherSenior, "police", escalate.DissentActionView, false},
		{admin, "", escalate.DissentActionView, false},
		{disabledBM, "", escalate.DissentActionView, false},
		{bizMgr, "", escalate.DissentActionSchedule, true},
		{chair, "", escalate.DissentActionDecide, false},
		{cpChair, "childrens-social-care", escalate.DissentActionEvaluate, false},
		{cscSenior, "childrens-social-care", escalate.DissentActionDecide, false},
		{cscSenior, "childrens-social-care", escalate.DissentActionReport, true},
		{cscSenior, "childrens-social-care", escalate.DissentActionStrategy, true},
		{bizMgr, "", escalate.DissentActionStrategy, true},
		{dissentingDSL, "school", escalate.DissentActionReport, false},
	} {
		if got := escalate.CanDissent(tt.who, tt.kind, d, tt.action); got != tt.want {
			t.Errorf("CanDissent(user %d %v at a %q agency, %s) = %v, want %v", tt.who.ID, tt.who.Roles, tt.kind, tt.action, got, tt.want)
		}
	}
}
