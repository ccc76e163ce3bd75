package escalate_test

import (
	"slices"
	"testing"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/policy"
)

// TestOpensCases checks the roles nobody may give themselves against what
// routing reaches: every role a built-in pack names for a stage, a copy, a
// meeting, the immediate-risk route or a routing rule opens cases, except
// the practitioner, whom routing reaches only as the raiser or the person
// named; the oversight and partnership roles open cases; the administrator
// never does.
func TestOpensCases(t *testing.T) {
	for _, r := range append(slices.Clone(escalate.Oversight), escalate.PartnershipRoles...) {
		if !escalate.OpensCases(r) {
			t.Errorf("OpensCases(%s) = false: it reads cases across the partnership", r)
		}
	}
	for _, r := range []escalate.Role{escalate.RoleAdmin, escalate.RolePractitioner} {
		if escalate.OpensCases(r) {
			t.Errorf("OpensCases(%s) = true", r)
		}
	}
	for _, info := range policy.Packs() {
		p, err := policy.Pack(info.ID)
		if err != nil {
			t.Fatal(err)
		}
		var named []escalate.Role
		for _, s := range p.Stages {
			named = append(named, s.Raising...)
			named = append(named, s.Receive...)
			named = append(named, s.Copy...)
			if s.Meeting != nil && s.Meeting.Chair != "" {
				named = append(named, s.Meeting.Chair)
			}
		}
		named = append(named, p.Immediate.Contacts...)
		for _, rule := range p.Routing {
			named = append(named, rule.Alert...)
		}
		for _, d := range p.Roles {
			named = append(named, d.Key)
		}
		if len(named) == 0 {
			t.Fatalf("%s names no role", info.ID)
		}
		for _, r := range named {
			if r != escalate.RolePractitioner && !escalate.OpensCases(r) {
				t.Errorf("%s names %s, which routing reaches, but OpensCases says it opens nothing", info.ID, r)
			}
		}
	}
}
