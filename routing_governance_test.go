package escalate_test

import (
	"slices"
	"testing"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
	"github.com/escalate-project/escalate/policy"
)

// TestRoutingWorkingTogether walks the Working Together 2023 template with
// nobody named by hand but the receiving practitioner: the roles it names
// (the delegated safeguarding partners, the independent scrutineer who
// chairs its final stage, the lead safeguarding partners copied in) are
// routed like the other partnership roles, and a clock met by a meeting
// (met_by, whatever its key) is the two sides' joint action.
func TestRoutingWorkingTogether(t *testing.T) {
	const dsp, scrutineer, lsp = 701, 702, 703
	p, err := policy.Template("working-together-2023")
	if err != nil {
		t.Fatal(err)
	}
	cal, err := calendar.New(p.Calendar.Division)
	if err != nil {
		t.Fatal(err)
	}
	c := &routeCase{t: t, p: p, cal: cal, now: t0, dir: routeDir(
		escalate.Person{ID: dsp, AgencyID: team, Name: "DSP", Roles: []escalate.Role{escalate.RoleDelegatedSafeguardingPartner}},
		escalate.Person{ID: scrutineer, AgencyID: team, Name: "Scrutineer", Roles: []escalate.Role{escalate.RoleIndependentScrutineer}},
		escalate.Person{ID: lsp, AgencyID: care, Name: "LSP", Roles: []escalate.Role{escalate.RoleLeadSafeguardingPartner}},
	)}
	in := raiseInput()
	in.Categories, in.ReceivingAgencyID = []string{p.Categories[0].Key}, care
	if c.e, _, err = escalate.Raise(t0, p, cal, c.user(pid(school, 1)), in); err != nil {
		t.Fatalf("Raise: %v", err)
	}
	c.e.ID, c.e.Ref = 1, "T-1"
	c.inv.Named = ids(pid(care, 1))
	person := func(id int64) *escalate.Person { return c.dir.Person(id) }

	// The delegated safeguarding partners oversee every case; the
	// scrutineer and the lead partners are not yet on this one.
	ps := c.parties()
	if !ps.MayOpen(person(dsp)) || ps.MayOpen(person(scrutineer)) || ps.MayOpen(person(lsp)) {
		t.Errorf("stage 1: DSP %v, scrutineer %v, lead partner %v may open it; want true, false, false",
			ps.MayOpen(person(dsp)), ps.MayOpen(person(scrutineer)), ps.MayOpen(person(lsp)))
	}
	if escalate.MayBeNamed(p, c.e, person(scrutineer)) == nil {
		t.Error("the scrutineer may be named at stage 1, which does not name them")
	}

	// Re-think: the facilitated conversation's clock (key facilitate,
	// met_by: meeting) is both sides' joint action.
	c.escalate(pid(school, 1))
	wantPeople(t, "facilitated conversation", c.clockStep("facilitate").People,
		ids(pid(school, 1), pid(school, 2), pid(care, 1), pid(care, 2)))

	c.escalate(pid(school, 1))
	c.escalate(pid(school, 2))
	// Stage 3 copies the Business Manager in: told of everything at the
	// stage, the escalation, records, agreements and each clock's prompts.
	ps = c.parties()
	resolve := c.clockStep("resolve")
	for _, n := range []struct {
		action string
		actor  int64
		clock  int
	}{
		{escalate.ActionEscalate, pid(school, 2), 0},
		{escalate.ActionRecordAdd, pid(care, 3), 0},
		{escalate.ActionOutcomeAgree, pid(care, 3), 0},
		{escalate.NoticeReminder, 0, resolve.Clock},
		{escalate.NoticeOverdue, 0, resolve.Clock},
	} {
		if told := ps.Told(p, c.e, n.action, n.actor, int64(n.clock)); !slices.Contains(told, 501) {
			t.Errorf("%s: the Business Manager, copied in at stage 3, is not told: %v", n.action, told)
		}
	}
	c.escalate(pid(school, 3))
	if st := c.e.CurrentStage(p); st.Key != "stage-4" {
		t.Fatalf("at %s, want stage-4", st.Key)
	}
	// The final stage: heard by the delegated safeguarding partners,
	// chaired and mediated by the scrutineer, copied to the lead partners.
	ps = c.parties()
	convene := c.clockStep("convene")
	for _, id := range ids(dsp, scrutineer) {
		if !slices.Contains(convene.People, id) {
			t.Errorf("%d does not act on the final stage: %v", id, convene.People)
		}
	}
	told := ps.Told(p, c.e, escalate.ActionEscalate, pid(school, 3), 0)
	for _, id := range ids(dsp, scrutineer, lsp, 501) {
		if !slices.Contains(told, id) {
			t.Errorf("%d is not told of the referral to the final stage: %v", id, told)
		}
		if !ps.MayOpen(person(id)) {
			t.Errorf("%d is told but may not open the case", id)
		}
	}
	if err := escalate.MayBeNamed(p, c.e, person(scrutineer)); err != nil {
		t.Errorf("the scrutineer, whom the final stage names, cannot be named: %v", err)
	}
	if !escalate.Can(c.user(scrutineer), c.e, ps, escalate.ActionDetermine) || !escalate.Can(c.user(dsp), c.e, ps, escalate.ActionDetermine) {
		t.Error("the scrutineer or the delegated safeguarding partner cannot make the final stage's determination")
	}
	if escalate.Can(c.user(lsp), c.e, ps, escalate.ActionDetermine) {
		t.Error("a lead safeguarding partner, copied in, can determine")
	}
}
