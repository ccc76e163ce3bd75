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

// TestGoodPracticeTold: the people the policy names at the agency
// recognised are told, else the Business Managers; only people who may read
// the recognition, never an account that only administers or is disabled.
func TestGoodPracticeTold(t *testing.T) {
	p := testPolicy()
	p.GoodPractice = &escalate.GoodPracticeRoute{Tell: []escalate.Role{escalate.RoleManager, escalate.RoleAdmin}}
	dir := escalate.NewDirectory([]escalate.Person{
		{ID: 1, AgencyID: 10, Roles: []escalate.Role{escalate.RolePractitioner}},
		{ID: 2, AgencyID: 20, Roles: []escalate.Role{escalate.RoleManager}},
		{ID: 3, AgencyID: 20, Roles: []escalate.Role{escalate.RoleManager}, Disabled: true},
		{ID: 4, AgencyID: 30, Roles: []escalate.Role{escalate.RoleManager}},
		{ID: 5, AgencyID: 20, Roles: []escalate.Role{escalate.RolePractitioner}},
		{ID: 6, AgencyID: 40, Roles: []escalate.Role{escalate.RoleBusinessManager}},
		{ID: 7, AgencyID: 20, Roles: []escalate.Role{escalate.RoleAdmin}},
		{ID: 8, AgencyID: 40, Roles: []escalate.Role{escalate.RoleBusinessManager}, Disabled: true},
	}, testAgencies, nil)
	for _, tt := range []struct {
		name   string
		agency int64
		want   []int64
	}{
		{"TheManagersThere", 20, []int64{2}},
		{"NobodyThereTheBusinessManager", 50, []int64{6}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			g := &escalate.GoodPractice{PartnershipID: 1, By: 1, FromAgencyID: 10, AgencyID: tt.agency}
			got := escalate.GoodPracticeTold(p, g, dir)
			if !slices.Equal(got, tt.want) {
				t.Errorf("told %v, want %v", got, tt.want)
			}
			for _, id := range got {
				pp := dir.Person(id)
				if !escalate.CanSeeGoodPractice(&escalate.User{ID: id, PartnershipID: 1, AgencyID: pp.AgencyID, Roles: pp.Roles}, g) {
					t.Errorf("%d is told but may not read it", id)
				}
			}
		})
	}
	// An administrator at the agency recognised reads none of it.
	g := &escalate.GoodPractice{PartnershipID: 1, By: 1, FromAgencyID: 10, AgencyID: 20}
	if escalate.CanSeeGoodPractice(&escalate.User{ID: 7, PartnershipID: 1, AgencyID: 20, Roles: []escalate.Role{escalate.RoleAdmin}}, g) {
		t.Error("an account that only administers may read a recognition")
	}
}
