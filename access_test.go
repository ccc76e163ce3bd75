package escalate_test

import (
	"testing"

	"github.com/escalate-project/escalate"
)

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

	lead := &escalate.User{ID: 20, PartnershipID: 1, AgencyID: 20, Roles: []escalate.Role{escalate.RoleSafeguardingLead}}
	viceChair := &escalate.User{ID: 21, PartnershipID: 1, AgencyID: 40, Roles: []escalate.Role{escalate.RoleViceChair}}
	disabled := &escalate.User{ID: 1, PartnershipID: 1, AgencyID: 10, Disabled: true, Roles: []escalate.Role{escalate.RolePractitioner}}
	grandMgr := &escalate.User{ID: 22, PartnershipID: 1, AgencyID: 10, Roles: []escalate.Role{escalate.RoleSeniorManager}}

	parties := func(e *escalate.Escalation, pol *escalate.Policy, involved ...int64) escalate.Parties {
		return escalate.NewParties(pol, e, []int64{raiserMgr.ID, grandMgr.ID}, involved)
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
		{"InvolvedReceiverViews", receiver, open, parties(open, p, receiver.ID), escalate.ActionView, true},
		{"ReceivingManagerNotYetAtStage1", recvMgr, open, parties(open, p), escalate.ActionView, false},
		{"ReceivingLeadBroughtInAtStage3", lead, atStage3, parties(atStage3, p), escalate.ActionView, true},
		{"ReceivingManagerStillSeesAtStage3", recvMgr, atStage3, parties(atStage3, p), escalate.ActionView, true},
		{"ClosedStillViewable", raiser, closed, parties(closed, p), escalate.ActionView, true},
		{"ClosedNoRecord", raiser, closed, parties(closed, p), escalate.ActionRecordAdd, false},
		{"ClosedImmediateStillRecorded", raiser, closed, parties(closed, p), escalate.ActionRiskImmediate, true},
		{"RaiserAddsRecord", raiser, open, parties(open, p), escalate.ActionRecordAdd, true},
		{"BystanderNoRecord", bystander, open, parties(open, p), escalate.ActionRecordAdd, false},
		{"RaiserCannotApprove", raiser, open, parties(open, p), escalate.ActionRecordApprove, false},
		{"ManagerApproves", raiserMgr, open, parties(open, p), escalate.ActionRecordApprove, true},
		{"ReceiverAgrees", receiver, open, parties(open, p, receiver.ID), escalate.ActionOutcomeAgree, true},
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
		{"UnknownAction", raiser, open, parties(open, p), "escalation.delete", false},
		{"AnyoneRaises", raiser, nil, escalate.Parties{}, escalate.ActionRaise, true},
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

func TestNewParties(t *testing.T) {
	p := testPolicy()
	e := mustRaise(t, p, nil)
	e.Stage = 2
	ps := escalate.NewParties(p, e, nil, nil)
	for _, r := range ps.ReceivingRoles {
		if r == escalate.RolePractitioner {
			t.Error("practitioners brought in by role")
		}
	}
	if len(ps.ReceivingRoles) != 3 || len(ps.RaisingRoles) != 2 {
		t.Errorf("roles %v / %v", ps.RaisingRoles, ps.ReceivingRoles)
	}
}

func TestViewEvent(t *testing.T) {
	e := mustRaise(t, testPolicy(), nil)
	ev := escalate.ViewEvent(t0, bizMgr, e)
	if ev.Action != escalate.ActionView || ev.Ref != "T-1" || ev.Actor != bizMgr.ID || !ev.At.Equal(t0) {
		t.Errorf("event %+v", ev)
	}
}
