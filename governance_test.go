package escalate_test

import (
	"testing"

	"github.com/escalate-project/escalate"
)

// The Working Together 2023 roles: accounts hold them; the delegated
// safeguarding partners oversee and hear a final stage as the chair did;
// the independent scrutineer acts where a stage names them (mediating the
// final stage) and otherwise sees no case; the lead safeguarding partners
// read the board report but no case.
func TestGovernanceRoles(t *testing.T) {
	dsp := &escalate.User{ID: 31, PartnershipID: 1, AgencyID: 30, Roles: []escalate.Role{escalate.RoleDelegatedSafeguardingPartner}}
	scrutineer := &escalate.User{ID: 32, PartnershipID: 1, AgencyID: 30, Roles: []escalate.Role{escalate.RoleIndependentScrutineer}}
	lsp := &escalate.User{ID: 33, PartnershipID: 1, AgencyID: 40, Roles: []escalate.Role{escalate.RoleLeadSafeguardingPartner}}
	for _, r := range escalate.GovernanceRoles {
		if !escalate.IsUserRole(r) || !escalate.IsPartnershipRole(r) || !escalate.HoldableRole(nil, r) {
			t.Errorf("%s: an account cannot hold it, or it is not the partnership's", r)
		}
	}
	// A final stage mediated by the independent scrutineer and heard by
	// the delegated safeguarding partners.
	p := testPolicy()
	last := &p.Stages[len(p.Stages)-1]
	last.Receive = []escalate.Role{escalate.RoleDelegatedSafeguardingPartner}
	last.Meeting = &escalate.Meeting{Chair: escalate.RoleIndependentScrutineer}
	open := mustRaise(t, p, nil)
	final := mustRaise(t, p, nil)
	final.Stage = len(p.Stages) - 1
	var people []escalate.Person
	for _, u := range []*escalate.User{raiser, raiserMgr, receiver, recvMgr, dsp, scrutineer, lsp} {
		people = append(people, escalate.Person{ID: u.ID, AgencyID: u.AgencyID, Name: "P", Roles: u.Roles, ManagerID: u.ManagerID})
	}
	dir := escalate.NewDirectory(people, testAgencies, nil)
	ps := func(e *escalate.Escalation) escalate.Parties {
		return escalate.Route(p, e, dir, escalate.Involvement{})
	}
	for _, tt := range []struct {
		name   string
		actor  *escalate.User
		e      *escalate.Escalation
		action string
		want   bool
	}{
		{"DSPOversees", dsp, open, escalate.ActionView, true},
		{"DSPDeterminesAtFinalStage", dsp, final, escalate.ActionDetermine, true},
		{"ScrutineerSeesNoOtherCase", scrutineer, open, escalate.ActionView, false},
		{"ScrutineerChairsFinalStage", scrutineer, final, escalate.ActionView, true},
		{"ScrutineerMediatesFinalStage", scrutineer, final, escalate.ActionOutcomeAgree, true},
		{"ScrutineerRecommendsAtFinalStage", scrutineer, final, escalate.ActionDetermine, true},
		{"ScrutineerCannotDetermineElsewhere", scrutineer, open, escalate.ActionDetermine, false},
		{"LeadPartnerSeesNoCase", lsp, final, escalate.ActionView, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := escalate.Can(tt.actor, tt.e, ps(tt.e), tt.action); got != tt.want {
				t.Errorf("Can(%s) = %v, want %v", tt.action, got, tt.want)
			}
		})
	}
}
