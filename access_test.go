package escalate_test

import (
	"testing"

	"github.com/escalate-project/escalate"
)

// Agencies of the access tests: 10 raises, 20 receives, 30 is the
// partnership's team, 40 a third agency.
var testAgencies = []escalate.Agency{
	{ID: 10, Name: "School", Kind: "school"}, {ID: 20, Name: "Social care", Kind: "childrens-social-care"},
	{ID: 30, Name: "Partnership team", Kind: "partnership"}, {ID: 40, Name: "Police", Kind: "police"},
}

// More users of partnership 1 for the access tests.
var (
	lead       = &escalate.User{ID: 20, PartnershipID: 1, AgencyID: 20, Roles: []escalate.Role{escalate.RoleSafeguardingLead}}
	viceChair  = &escalate.User{ID: 21, PartnershipID: 1, AgencyID: 40, Roles: []escalate.Role{escalate.RoleViceChair}}
	grandMgr   = &escalate.User{ID: 22, PartnershipID: 1, AgencyID: 10, Roles: []escalate.Role{escalate.RoleSeniorManager}}
	recvSenior = &escalate.User{ID: 23, PartnershipID: 1, AgencyID: 20, Roles: []escalate.Role{escalate.RoleSeniorManager}}
	contact    = &escalate.User{ID: 24, PartnershipID: 1, AgencyID: 20, Roles: []escalate.Role{escalate.RoleManager}}
)

// testDir is the directory of the access tests' people; contact is social
// care's escalation contact, and the raiser's line runs up to grandMgr.
func testDir() *escalate.Directory {
	var people []escalate.Person
	mgr := map[int64]int64{raiserMgr.ID: grandMgr.ID, recvMgr.ID: recvSenior.ID}
	for _, u := range []*escalate.User{raiser, raiserMgr, receiver, recvMgr, bizMgr, chair, admin, bystander,
		lead, viceChair, grandMgr, recvSenior, contact} {
		m := u.ManagerID
		if m == 0 {
			m = mgr[u.ID]
		}
		people = append(people, escalate.Person{ID: u.ID, AgencyID: u.AgencyID, Name: "P" + string(rune('A'+u.ID)), Roles: u.Roles, ManagerID: m, Disabled: u.Disabled})
	}
	return escalate.NewDirectory(people, testAgencies, []escalate.EscalationContact{{AgencyID: 20, UserID: contact.ID}})
}

func TestCan(t *testing.T) {
	p := testPolicy()
	open := mustRaise(t, p, nil)
	atStage3 := mustRaise(t, p, nil)
	atStage3.Stage = 2
	closed := mustRaise(t, p, nil)
	if _, err := closed.Withdraw(t0, p, testCal(t), raiser, escalate.WithdrawInput{Version: 1, Reason: "r"}); err != nil {
		t.Fatal(err)
	}
	within := testPolicy()
	within.Stages[0].Scope = "within-agency"
	disabled := &escalate.User{ID: 1, PartnershipID: 1, AgencyID: 10, Disabled: true, Roles: []escalate.Role{escalate.RolePractitioner}}
	dir := testDir()
	parties := func(e *escalate.Escalation, pol *escalate.Policy, named ...int64) escalate.Parties {
		return escalate.Route(pol, e, dir, escalate.Involvement{Named: named})
	}
	involved := func(e *escalate.Escalation, ids ...int64) escalate.Parties {
		return escalate.Route(p, e, dir, escalate.Involvement{Involved: ids})
	}
	for _, tt := range []struct {
		name   string
		actor  *escalate.User
		e      *escalate.Escalation
		ps     escalate.Parties
		action string
		want   bool
	}{
		{"RaiserViews", raiser, open, parties(open, p), escalate.ActionView, true},
		{"LineManagerViews", raiserMgr, open, parties(open, p), escalate.ActionView, true},
		{"LineManagersManagerViews", grandMgr, open, parties(open, p), escalate.ActionView, true},
		{"BusinessManagerViews", bizMgr, open, parties(open, p), escalate.ActionView, true},
		{"ChairViews", chair, open, parties(open, p), escalate.ActionView, true},
		{"OtherPartnershipNever", stranger, open, parties(open, p), escalate.ActionView, false},
		{"DisabledNever", disabled, open, parties(open, p), escalate.ActionView, false},
		{"AdminDoesNotReadCases", admin, open, parties(open, p), escalate.ActionView, false},
		{"UninvolvedPractitionerInReceivingAgency", bystander, open, parties(open, p), escalate.ActionView, false},
		{"EscalationContactViews", contact, open, parties(open, p), escalate.ActionView, true},
		{"EscalationContactTakes", contact, open, parties(open, p), escalate.ActionPartyName, true},
		{"NamedReceiverViews", receiver, open, parties(open, p, receiver.ID), escalate.ActionView, true},
		{"NamedReceiversManagerViews", recvMgr, open, parties(open, p, receiver.ID), escalate.ActionView, true},
		{"ReceivingManagerNotYetAtStage1", recvMgr, open, parties(open, p), escalate.ActionView, false},
		{"ReceivingLeadBroughtInAtStage3", lead, atStage3, parties(atStage3, p), escalate.ActionView, true},
		{"ReceivingLineManagerAtStage3", recvMgr, atStage3, parties(atStage3, p, receiver.ID), escalate.ActionView, true},
		{"ClosedStillViewable", raiser, closed, parties(closed, p), escalate.ActionView, true},
		{"ClosedNoRecord", raiser, closed, parties(closed, p), escalate.ActionRecordAdd, false},
		{"ClosedImmediateStillRecorded", raiser, closed, parties(closed, p), escalate.ActionRiskImmediate, true},
		{"RaiserAddsRecord", raiser, open, parties(open, p), escalate.ActionRecordAdd, true},
		{"BystanderNoRecord", bystander, open, parties(open, p), escalate.ActionRecordAdd, false},
		{"RaiserCannotApprove", raiser, open, parties(open, p), escalate.ActionRecordApprove, false},
		{"ManagerApproves", raiserMgr, open, parties(open, p), escalate.ActionRecordApprove, true},
		{"ReceiverAgrees", receiver, open, parties(open, p, receiver.ID), escalate.ActionOutcomeAgree, true},
		{"InvolvedReceiverAgrees", receiver, open, involved(open, receiver.ID), escalate.ActionOutcomeAgree, true},
		{"RaiserCannotAgreeOwnDisagreement", raiser, open, parties(open, p), escalate.ActionOutcomeAgree, false},
		{"WithinAgencyLineManagerAgrees", raiserMgr, open, parties(open, within), escalate.ActionOutcomeAgree, true},
		{"WithinAgencyReceiverCannot", receiver, open, parties(open, within, receiver.ID), escalate.ActionOutcomeAgree, false},
		{"ReceiverEscalates", receiver, open, parties(open, p, receiver.ID), escalate.ActionEscalate, true},
		{"BusinessManagerEscalates", bizMgr, open, parties(open, p), escalate.ActionEscalate, true},
		{"ChairCannotEscalate", chair, open, parties(open, p), escalate.ActionEscalate, false},
		{"RaiserRedirects", raiser, open, parties(open, p), escalate.ActionRedirect, true},
		{"ReceiverCannotRedirect", receiver, open, parties(open, p, receiver.ID), escalate.ActionRedirect, false},
		{"RaiserWithdraws", raiser, open, parties(open, p), escalate.ActionWithdraw, true},
		{"ReceiverCannotWithdraw", receiver, open, parties(open, p, receiver.ID), escalate.ActionWithdraw, false},
		{"ChairDetermines", chair, open, parties(open, p), escalate.ActionDetermine, true},
		{"ViceChairDetermines", viceChair, open, parties(open, p), escalate.ActionDetermine, true},
		{"ManagerCannotDetermine", raiserMgr, open, parties(open, p), escalate.ActionDetermine, false},
		{"AdminRecomputes", admin, open, parties(open, p), escalate.ActionClockRecompute, true},
		{"RaiserCannotRecompute", raiser, open, parties(open, p), escalate.ActionClockRecompute, false},
		{"ReceiverShortens", receiver, open, parties(open, p, receiver.ID), escalate.ActionClockShorten, true},
		{"ChairCannotNameParties", chair, open, parties(open, p), escalate.ActionPartyName, false},
		{"ChairAppointsMeetingChair", chair, open, parties(open, p), escalate.ActionMeetingChair, true},
		{"RaiserCannotAppointMeetingChair", raiser, open, parties(open, p), escalate.ActionMeetingChair, false},
		{"UnknownAction", raiser, open, parties(open, p), "escalation.delete", false},
		{"AnyoneRaises", raiser, nil, escalate.Parties{}, escalate.ActionRaise, true},
		{"AdminOnlyCannotRaise", admin, nil, escalate.Parties{}, escalate.ActionRaise, false},
		{"DisabledCannotRaise", disabled, nil, escalate.Parties{}, escalate.ActionRaise, false},
		{"NilActor", nil, open, parties(open, p), escalate.ActionView, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := escalate.Can(tt.actor, tt.e, tt.ps, tt.action); got != tt.want {
				t.Errorf("Can = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestImmediateActionGrantsNothing: recording an immediate action is open to
// anyone who can see the case and makes nobody a party: the view-only Chair
// who records one still cannot lower the risk, escalate or name anyone.
func TestImmediateActionGrantsNothing(t *testing.T) {
	p := testPolicy()
	e := mustRaise(t, p, nil)
	dir := testDir()
	ps := escalate.Route(p, e, dir, escalate.Involvement{})
	if !escalate.Can(chair, e, ps, escalate.ActionRiskImmediate) {
		t.Fatal("the Chair, who can see the case, cannot record an immediate action")
	}
	if _, err := e.RecordImmediateAction(t0, p, testCal(t), chair, escalate.ImmediateInput{Action: "called 999"}); err != nil {
		t.Fatal(err)
	}
	// The store involves nobody for an immediate action: routing again
	// with the same involvement gives the Chair no more than before.
	ps = escalate.Route(p, e, dir, escalate.Involvement{})
	for _, a := range []string{escalate.ActionRiskLower, escalate.ActionEscalate, escalate.ActionPartyName, escalate.ActionRecordAdd} {
		if escalate.Can(chair, e, ps, a) {
			t.Errorf("after an immediate action the Chair may %s", a)
		}
	}
}

func TestViewEvent(t *testing.T) {
	e := mustRaise(t, testPolicy(), nil)
	ev := escalate.ViewEvent(t0, bizMgr, e)
	if ev.Action != escalate.ActionView || ev.Ref != "T-1" || ev.Actor != bizMgr.ID || !ev.At.Equal(t0) {
		t.Errorf("event %+v", ev)
	}
}
