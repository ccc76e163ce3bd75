package escalate_test

import (
	"slices"
	"testing"

	"github.com/escalate-project/escalate"
)

// withDPOs is routeDir with a data protection officer at children's
// social care (808, the role alone) and one who is also a practitioner
// there (809): the role looks after data and grants nothing on a case.
func withDPOs(d *escalate.Directory) *escalate.Directory {
	var people []escalate.Person
	for _, p := range d.People() {
		people = append(people, *p)
	}
	dpo := []escalate.Role{escalate.RoleDataProtectionOfficer}
	people = append(people,
		escalate.Person{ID: 808, AgencyID: care, Name: "DPO", Roles: dpo},
		escalate.Person{ID: 809, AgencyID: care, Name: "DPO and practitioner", Roles: append(dpo, escalate.RolePractitioner), ManagerID: pid(care, 2)})
	var agencies []escalate.Agency
	for _, a := range []int64{school, care, health, gp, team, police, housing} {
		agencies = append(agencies, escalate.Agency{ID: a, Name: d.AgencyName(a), Kind: d.AgencyKind(a)})
	}
	var contacts []escalate.EscalationContact
	for _, a := range agencies {
		for _, u := range d.Contacts(a.ID) {
			contacts = append(contacts, escalate.EscalationContact{AgencyID: a.ID, UserID: u})
		}
	}
	return escalate.NewDirectory(people, agencies, contacts)
}

// TestDataProtectionOfficerAccess: the data protection officer's role
// respects routing. On its own it raises nothing, is never named to deal
// with a case, is not offered as someone to name, is tied to no case and
// opens none: a DPO reads what the law needs through the privacy pages
// (audited), not the case pages. Held beside a role that deals with cases,
// that role counts as it would alone.
func TestDataProtectionOfficerAccess(t *testing.T) {
	c := newRouteCase(t, "redbridge", care, nil)
	c.dir = withDPOs(c.dir)
	dpo, both := c.user(808), c.user(809)
	if escalate.Can(dpo, nil, escalate.Parties{}, escalate.ActionRaise) {
		t.Error("the data protection officer alone may raise")
	}
	if !escalate.Can(both, nil, escalate.Parties{}, escalate.ActionRaise) {
		t.Error("a practitioner who is also the DPO may not raise")
	}
	if err := escalate.MayBeNamed(c.p, c.e, c.dir.Person(808)); err == nil {
		t.Error("the data protection officer alone may be named to deal with a case")
	} else {
		assertCode(t, err, escalate.EINVALID, "user")
	}
	if err := escalate.MayBeNamed(c.p, c.e, c.dir.Person(809)); err != nil {
		t.Errorf("a practitioner at the receiving agency who is also the DPO cannot be named: %v", err)
	}
	ps := c.parties()
	if slices.ContainsFunc(escalate.NameChoices(c.p, c.e, ps), func(p *escalate.Person) bool { return p.ID == 808 }) {
		t.Error("the data protection officer alone is offered as someone to name")
	}
	if ps.MayOpen(c.dir.Person(808)) || escalate.Can(dpo, c.e, ps, escalate.ActionView) {
		t.Error("the data protection officer opens a case routing does not tie them to")
	}
	// Named as the practitioner they also are, they act as one.
	c.inv.Named = ids(809)
	ps = c.parties()
	if !escalate.Can(both, c.e, ps, escalate.ActionView) || !escalate.Can(both, c.e, ps, escalate.ActionRecordAdd) {
		t.Error("a named practitioner who is also the DPO cannot open and record on the case")
	}
	if escalate.Can(dpo, c.e, ps, escalate.ActionView) {
		t.Error("the DPO alone opens the case once a colleague is named")
	}
}
