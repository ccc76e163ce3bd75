package escalate_test

import (
	"slices"
	"testing"

	"github.com/escalate-project/escalate"
)

func TestRecogniseGoodPractice(t *testing.T) {
	p := testPolicy()
	p.GoodPractice = &escalate.GoodPracticeRoute{Tell: []escalate.Role{escalate.RoleManager, escalate.RoleSafeguardingLead}}
	in := escalate.GoodPracticeInput{AgencyID: 20, What: "Children's social care visited the same day and shared the plan.", Difference: "The child was safe that night."}
	t.Run("OK", func(t *testing.T) {
		g, ev, err := escalate.RecogniseGoodPractice(t0, p, raiser, in)
		if err != nil {
			t.Fatal(err)
		}
		if g.AgencyID != 20 || g.FromAgencyID != 10 || g.By != raiser.ID || g.PartnershipID != 1 || !g.At.Equal(t0) || g.What != in.What {
			t.Errorf("good practice %+v", g)
		}
		if ev.Action != escalate.ActionGoodPractice || ev.Data["agency"] != int64(20) || ev.Actor != raiser.ID {
			t.Errorf("event %+v", ev)
		}
		if got := escalate.GoodPracticeTell(p); !slices.Equal(got, p.GoodPractice.Tell) {
			t.Errorf("told %v", got)
		}
	})
	for _, tt := range []struct {
		name        string
		p           *escalate.Policy
		actor       *escalate.User
		in          escalate.GoodPracticeInput
		code, field string
	}{
		{"ErrNoRoute", testPolicy(), raiser, in, escalate.EINVALID, ""},
		{"ErrOwnAgency", p, raiser, escalate.GoodPracticeInput{AgencyID: 10, What: "x"}, escalate.EINVALID, "agency"},
		{"ErrNoAgency", p, raiser, escalate.GoodPracticeInput{What: "x"}, escalate.EINVALID, "agency"},
		{"ErrNoWhat", p, raiser, escalate.GoodPracticeInput{AgencyID: 20, What: "  "}, escalate.EINVALID, "what"},
		{"ErrSignedOut", p, nil, in, escalate.EUNAUTHORIZED, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := escalate.RecogniseGoodPractice(t0, tt.p, tt.actor, tt.in)
			assertCode(t, err, tt.code, tt.field)
		})
	}
	if got := escalate.GoodPracticeTell(testPolicy()); !slices.Equal(got, []escalate.Role{escalate.RoleManager}) {
		t.Errorf("default told %v, want the manager", got)
	}
}

func TestCanSeeGoodPractice(t *testing.T) {
	g := &escalate.GoodPractice{PartnershipID: 1, By: raiser.ID, FromAgencyID: 10, AgencyID: 20}
	for _, tt := range []struct {
		u    *escalate.User
		want bool
	}{
		{raiser, true},    // recorded it
		{recvMgr, true},   // at the agency recognised
		{bystander, true}, // also at that agency
		{raiserMgr, false},
		{bizMgr, true}, // oversight
		{chair, true},
		{admin, false},
		{stranger, false}, // another partnership
		{nil, false},
	} {
		if got := escalate.CanSeeGoodPractice(tt.u, g); got != tt.want {
			t.Errorf("%+v: %v, want %v", tt.u, got, tt.want)
		}
	}
}
