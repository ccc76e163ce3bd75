package escalate_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
)

// Monday 2 November 2026, 10:00 in London (GMT): no bank holiday near.
var t0 = time.Date(2026, 11, 2, 10, 0, 0, 0, calendar.London)

// Users of partnership 1: a raiser in agency 10 and their manager, a receiver
// in agency 20 and theirs, oversight from agencies 30 and 40, and a user of
// another partnership.
var (
	raiser    = &escalate.User{ID: 1, PartnershipID: 1, AgencyID: 10, Roles: []escalate.Role{escalate.RolePractitioner}, ManagerID: 2}
	raiserMgr = &escalate.User{ID: 2, PartnershipID: 1, AgencyID: 10, Roles: []escalate.Role{escalate.RoleManager}}
	receiver  = &escalate.User{ID: 3, PartnershipID: 1, AgencyID: 20, Roles: []escalate.Role{escalate.RolePractitioner}, ManagerID: 4}
	recvMgr   = &escalate.User{ID: 4, PartnershipID: 1, AgencyID: 20, Roles: []escalate.Role{escalate.RoleManager}}
	bizMgr    = &escalate.User{ID: 5, PartnershipID: 1, AgencyID: 30, Roles: []escalate.Role{escalate.RoleBusinessManager}}
	chair     = &escalate.User{ID: 6, PartnershipID: 1, AgencyID: 40, Roles: []escalate.Role{escalate.RoleChair}}
	stranger  = &escalate.User{ID: 7, PartnershipID: 2, AgencyID: 10, Roles: []escalate.Role{escalate.RoleBusinessManager}}
	admin     = &escalate.User{ID: 8, PartnershipID: 1, AgencyID: 30, Roles: []escalate.Role{escalate.RoleAdmin}}
	bystander = &escalate.User{ID: 9, PartnershipID: 1, AgencyID: 20, Roles: []escalate.Role{escalate.RolePractitioner}}
)

// testPolicy is a Redbridge-shaped policy: exact working-day clocks, a
// confirm-in-writing clock after agreement, approval of records, and a
// final stage of the Chair's recommendations.
func testPolicy() *escalate.Policy {
	confirm := escalate.Clock{Key: "confirm", Action: "confirm", By: "receiving",
		Starts: escalate.ClockStart{Event: escalate.StartOutcomeAgreed}, Within: "2 working days"}
	return &escalate.Policy{
		ID: "test", Name: "Test LSCB", Version: "1",
		Calendar:   escalate.PolicyClock{Division: "england-and-wales"},
		Categories: []escalate.Category{{Key: "thresholds", Name: "Thresholds"}, {Key: "communication", Name: "Communication"}},
		Immediate:  escalate.Immediate{Instruction: "Tell your manager now.", Contacts: []escalate.Role{escalate.RoleManager}, Within: "immediately"},
		Stages: []escalate.Stage{
			{
				Key: "stage-1", Name: "Stage 1", Scope: "between-agencies",
				Raising: []escalate.Role{escalate.RolePractitioner}, Receive: []escalate.Role{escalate.RolePractitioner},
				Clocks: []escalate.Clock{
					{Key: "raise", Action: "raise", By: "raising", Starts: escalate.ClockStart{Event: escalate.StartDecision}, Within: "2 working days"},
					{Key: "respond", Action: "respond", By: "receiving", Starts: escalate.ClockStart{Event: escalate.StartClockMet, Clock: "raise"}, Within: "3 working days", Increased: "1 working day"},
					confirm,
				},
				Record: []string{"date", "form", "participants", "discussion", "outcome"}, Approval: true,
				SkipTo: []string{"stage-3"},
			},
			{
				Key: "stage-2", Name: "Stage 2", Scope: "between-agencies",
				Raising: []escalate.Role{escalate.RoleManager}, Receive: []escalate.Role{escalate.RoleManager},
				Clocks: []escalate.Clock{
					{Key: "resolve", Action: "resolve", By: "receiving", Starts: escalate.ClockStart{Event: escalate.StartStageEntry}, Within: "5 working days", Increased: "24 hours"},
					confirm,
				},
				Record: []string{"discussion"},
			},
			{
				Key: "stage-3", Name: "Stage 3", Scope: "between-agencies",
				Raising: []escalate.Role{escalate.RoleSeniorManager}, Receive: []escalate.Role{escalate.RoleSeniorManager, escalate.RoleSafeguardingLead},
				Clocks: []escalate.Clock{
					{Key: "resolve", Action: "resolve", Starts: escalate.ClockStart{Event: escalate.StartStageEntry}, Within: "5 working days"},
				},
				Copy: []escalate.Role{escalate.RoleBusinessManager},
			},
			{
				Key: "stage-4", Name: "Stage 4", Scope: "between-agencies",
				Receive: []escalate.Role{escalate.RoleChair, escalate.RoleViceChair},
				Clocks: []escalate.Clock{
					{Key: "recommend", Action: "recommend", Starts: escalate.ClockStart{Event: escalate.StartStageEntry}, Within: "5 working days"},
				},
				Produces: escalate.OutcomeRecommendations,
			},
		},
		Redirects: []escalate.Redirect{
			{Key: "conduct", Matter: "A professional's conduct", To: "LADO", Contact: escalate.RoleLADO},
			{Key: "strategic", Matter: "A strategic or policy issue", To: "Business Manager", Contact: escalate.RoleBusinessManager},
		},
	}
}

// meetingPolicy is testPolicy whose final stage is Hounslow's meeting chaired
// by a board member from an uninvolved agency.
func meetingPolicy() *escalate.Policy {
	p := testPolicy()
	last := &p.Stages[len(p.Stages)-1]
	last.Produces = ""
	last.Meeting = &escalate.Meeting{Chair: escalate.RoleBoardMember, UninvolvedChair: true}
	return p
}

// hfPolicy is Hammersmith & Fulham's shape: four stages of one working week,
// 24 hours when the child is at increased risk.
func hfPolicy() *escalate.Policy {
	p := &escalate.Policy{ID: "hf", Version: "2024", Categories: []escalate.Category{{Key: "thresholds"}}}
	for _, k := range []string{"stage-1", "stage-2", "stage-3", "stage-4"} {
		p.Stages = append(p.Stages, escalate.Stage{Key: k, Name: k, Clocks: []escalate.Clock{{
			Key: "resolve", Action: "resolve", Starts: escalate.ClockStart{Event: escalate.StartStageEntry},
			Within: "1 working week", Increased: "24 hours",
		}}})
	}
	return p
}

func testCal(tb testing.TB) *calendar.Calendar {
	tb.Helper()
	c, err := calendar.New("england-and-wales")
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// raiseInput is a complete, valid raise form.
func raiseInput() escalate.RaiseInput {
	return escalate.RaiseInput{
		RaisedRole: escalate.RolePractitioner, ReceivingAgencyID: 20, ReceivingContact: "duty social worker",
		Decision: "Referral closed with no further action", DecisionDate: "2026-11-02",
		ChildRef: "SCH-2026/0042", ChildInitials: "JS", Categories: []string{"thresholds"},
		Issue: "The referral was closed", Risk: "Neglect continues", Disagreement: "Threshold is met",
		OutcomeSought: "A child and family assessment", RiskLevel: escalate.RiskStandard,
	}
}

// mustRaise raises raiseInput (changed by mod) under p at t0.
func mustRaise(tb testing.TB, p *escalate.Policy, mod func(*escalate.RaiseInput)) *escalate.Escalation {
	tb.Helper()
	in := raiseInput()
	if mod != nil {
		mod(&in)
	}
	e, _, err := escalate.Raise(t0, p, testCal(tb), raiser, in)
	if err != nil {
		tb.Fatalf("Raise: %v", err)
	}
	e.ID, e.Ref = 1, "T-1"
	return e
}

// assertCode fails unless err is an application error with code and, when
// field is not empty, naming field.
func assertCode(tb testing.TB, err error, code, field string) {
	tb.Helper()
	if got := escalate.ErrorCode(err); got != code {
		tb.Fatalf("code = %q, want %q (err %v)", got, code, err)
	}
	if field != "" {
		if got := escalate.ErrorField(err); got != field {
			tb.Fatalf("field = %q, want %q (err %v)", got, field, err)
		}
	}
}

// actions returns the actions of events, in order.
func actions(evs []escalate.Event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.Action)
	}
	return out
}

// clockByKey returns the last clock of e with stage and key, or fails.
func clockByKey(tb testing.TB, e *escalate.Escalation, stage, key string) escalate.ClockState {
	tb.Helper()
	for i := len(e.Clocks) - 1; i >= 0; i-- {
		if c := e.Clocks[i]; c.Stage == stage && c.Key == key {
			return c
		}
	}
	tb.Fatalf("no clock %s/%s in %+v", stage, key, e.Clocks)
	return escalate.ClockState{}
}

// assertUnchanged fails unless e deep-equals before.
func assertUnchanged(tb testing.TB, before, e *escalate.Escalation) {
	tb.Helper()
	if !reflect.DeepEqual(before, e) {
		tb.Fatalf("a failing rule changed the escalation:\nbefore %+v\nafter  %+v", before, e)
	}
}

// london returns the London wall-clock instant y-m-d h:m.
func london(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, calendar.London)
}
