package escalate

import (
	"strings"
	"testing"
)

// TestCaseWords checks every status, risk level, record form and built-in
// role reads as words, never as its code.
func TestCaseWords(t *testing.T) {
	for _, s := range []Status{StatusOpen, StatusResolved, StatusRedirected, StatusWithdrawn} {
		if w := s.Words(); w == string(s) || w == "" {
			t.Errorf("status %q reads %q", s, w)
		}
	}
	for _, r := range RiskLevels {
		if w := r.Words(); w == string(r) || w == "" {
			t.Errorf("risk level %q reads %q", r, w)
		}
	}
	for _, f := range RecordForms {
		if w := FormWords(f); w == f || w == "" {
			t.Errorf("form %q reads %q", f, w)
		}
	}
	for _, r := range []Role{RoleAdmin, RoleBoardMember, RoleBusinessManager, RoleChair, RoleConferenceChair,
		RoleDataProtectionOfficer, RoleDelegatedSafeguardingPartner, RoleDesignatedDoctor, RoleDesignatedNurse,
		RoleFrontDoor, RoleHeadOfSafeguard, RoleHeadOfService, RoleIndependentScrutineer, RoleLADO,
		RoleLeadSafeguardingPartner, RoleManager, RoleNamedDoctor, RoleNamedGP, RoleNamedNurse, RolePolice,
		RolePractitioner, RoleSafeguardingLead, RoleSeniorManager, RoleViceChair} {
		if w := BuiltinRoleName(r); w == "" || strings.Contains(w, "-") {
			t.Errorf("role %q reads %q", r, w)
		}
	}
	if w := Status("odd").Words(); w != "odd" {
		t.Errorf("an unknown status reads %q, want its code", w)
	}
}
