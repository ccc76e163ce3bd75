package web_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/escalate-project/escalate"
)

// The walks that end by agreement before the final stage, with nobody
// named by hand: Surrey at stage 1, the escalation contact naming their
// practitioner; Hammersmith & Fulham at stage 2, raised against the health
// trust with the person the raiser dealt with, alerting the Designated
// Nurse, and with a strategic or policy issue referred to the Business
// Manager alongside.

// TestE2ESurrey: a school practitioner raises against children's social
// care and leaves it to the agency's escalation contact, who names their
// practitioner from the list the page offers. That practitioner finds it
// from the notification, records a discussion that settled it, and records
// the agreed outcome; the raiser is told it is resolved.
func TestE2ESurrey(t *testing.T) {
	w := newWalk(t, "surrey")
	raiser := w.email(escalate.RolePractitioner, "")
	contact := w.email(escalate.RoleManager, "")
	receiver := w.email(escalate.RolePractitioner, "care")
	w.signIn(raiser)
	ref := w.raise(raising{scope: []string{"redirect-behaviour-towards-child", "redirect-conduct"},
		agency: careName, contact: w.name(contact), category: "categories"})
	w.signOut()

	w.signIn(contact)
	w.find(ref, "An escalation was raised", true)
	w.acts("Take this escalation, or name who at " + careName + " deals with it")
	w.nameOne(ref, w.name(receiver)+" ("+careName+")")
	w.toldWhoActs("Person named to deal with it")
	if acts := w.whoActs(); slices.Contains(acts, w.name(contact)) || !slices.Contains(acts, w.name(receiver)) {
		t.Errorf("after naming %s, who acts now is %q", w.name(receiver), acts)
	}
	w.signOut()

	w.signIn(receiver)
	w.find(ref, "You were named as dealing with this escalation", true)
	w.acts("The practitioners discuss the disagreement and try to resolve it")
	w.screens("stage-1")
	w.recordDiscussion(ref, "Sam Demo-Practitioner, social worker\nAlex Demo-Practitioner, teacher",
		"The level of need; the school's evidence.", "A child and family assessment will start.", agreed, "")
	w.toldWhoActs("Discussion or action recorded")
	w.acts("Record the outcome you agreed")
	w.act(ref, "agree", "Outcome agreed", "agreed",
		keys("#outcome", "A child and family assessment starts this week."), keys("#outstanding_issues", "Reviewed at the next core group."),
		choose("decision"))
	if got := w.status(); got != "Resolved" {
		t.Errorf("after the agreed outcome the status is %q", got)
	}
	w.toldWhoActs("Outcome agreed", w.name(raiser))
	w.signOut()

	w.signIn(raiser)
	w.find(ref, "An outcome was agreed", false)
	if got, acts := w.status(), w.actions(); got != "Resolved" || strings.Contains(acts, "Record a discussion") {
		t.Errorf("the raiser sees status %q, actions %q", got, acts)
	}
	w.signOut()

	e, events := w.final(ref)
	if e.Status != escalate.StatusResolved || e.Stage != 0 || e.Outcome == nil || e.Outcome.Kind != escalate.OutcomeAgreed {
		t.Errorf("in the store: status %s, stage %d, outcome %+v", e.Status, e.Stage, e.Outcome)
	}
	by := w.actors(events, escalate.ActionPartyName, escalate.ActionRecordAdd, escalate.ActionOutcomeAgree)
	for a, who := range map[string]string{escalate.ActionPartyName: contact, escalate.ActionRecordAdd: receiver, escalate.ActionOutcomeAgree: receiver} {
		if !slices.Equal(by[a], []string{who}) {
			t.Errorf("%s by %q, want %s", a, by[a], who)
		}
	}
	t.Logf("%s: %d pages checked with axe-core", ref, w.pages)
}

// TestE2EHammersmithFulham: a school practitioner raises against the
// health trust, at increased risk (24 hours a stage), naming the health
// practitioner they dealt with, and says it also raises a policy issue
// while the disagreement about the child carries on. The Designated Nurse
// is told and can read it but is offered nothing to do; the policy issue
// is in the Business Manager's learning log. The practitioners cannot
// agree; the raiser escalates; the health trust's manager, told, records
// the discussion that settled it and the agreed outcome.
func TestE2EHammersmithFulham(t *testing.T) {
	w := newWalk(t, "hammersmith-fulham")
	const health = "Demo Community Health Trust"
	raiser := w.email(escalate.RolePractitioner, "")
	receiver := w.email(escalate.RolePractitioner, "health")
	healthManager := w.email(escalate.RoleManager, "health")
	nurse := w.email(escalate.RoleDesignatedNurse, "")
	bm := w.email(escalate.RoleBusinessManager, "")

	w.signIn(raiser)
	ref := w.raise(raising{scope: []string{"redirect-conduct"}, yes: []string{"redirect-strategic-policy"},
		agency: health, contact: w.name(healthManager), dealtWith: w.name(receiver) + " (Practitioner)",
		increased: true, protect: []string{"24 hours instead of 1 working week"}, category: "categories",
		informed: []string{w.name(nurse)}})
	w.signOut()

	// The Designated Nurse is alerted to a health provider's case: they
	// can read it, and are offered nothing to do but what anyone who can
	// see a case may: record an immediate-risk action.
	w.signIn(nurse)
	w.find(ref, "An escalation was raised", false)
	if acts, take := w.actions(), w.text("#take"); acts != "Record an immediate-risk action" || take != "" {
		t.Errorf("the Designated Nurse is offered %q (take: %q)", acts, take)
	}
	if acts := w.whoActs(); slices.Contains(acts, w.name(nurse)) {
		t.Errorf("the Designated Nurse acts now: %q", acts)
	}
	w.screens("designated-nurse")
	w.signOut()

	// The policy issue went to the Business Manager, the disagreement
	// carrying on.
	w.signIn(bm)
	w.run(click(`a.govuk-service-navigation__link[href="/contacts"]`), waitSel(`.app-org-nav a[href="/learning"]`),
		click(`.app-org-nav a[href="/learning"]`), waitH1("Learning log"))
	w.check("learning-log")
	if got := w.text("main"); !strings.Contains(got, "Referred when escalation "+ref+" was raised") {
		t.Errorf("the learning log has no policy item for %s:\n%s", ref, got)
	}
	w.signOut()

	w.signIn(receiver)
	w.find(ref, "An escalation was raised", true)
	w.acts("Resolve the dispute")
	w.recordDiscussion(ref, "Robin Demo-Practitioner, health visitor\nAlex Demo-Practitioner, teacher",
		"The health visitor's assessment and the school's concerns.", "No agreement: to the front line managers.", notAgreed, "")
	w.toldWhoActs("Discussion or action recorded")
	w.signOut()

	w.signIn(raiser)
	w.find(ref, "A record was added", true)
	w.acts("You could not agree")
	w.escalate(ref, "The front line workers could not agree within 24 hours.", "Stage 2 of 4", "stage-2")
	w.toldWhoActs("Escalated", w.name(receiver), w.name(nurse))
	w.signOut()

	w.signIn(healthManager)
	w.find(ref, "The escalation moved to the next stage", true)
	w.acts("The front line managers negotiate a settlement")
	w.recordDiscussion(ref, "Sasha Demo-Manager\nBryn Demo-Manager", "The managers negotiated.",
		"Agreed: a joint visit this week.", agreed, "")
	w.toldWhoActs("Discussion or action recorded", w.name(raiser), w.name(receiver))
	w.act(ref, "agree", "Outcome agreed", "agreed",
		keys("#outcome", "A joint visit this week, then a strategy discussion if needed."), keys("#outstanding_issues", "None."),
		choose("decision"))
	if got := w.status(); got != "Resolved" {
		t.Errorf("after the agreed outcome the status is %q", got)
	}
	if told := w.told("Outcome agreed"); !slices.Contains(told, w.name(raiser)) || !slices.Contains(told, w.name(nurse)) {
		t.Errorf("told of the outcome: %q; want the raiser and the Designated Nurse among them", told)
	}
	w.signOut()

	e, events := w.final(ref)
	if e.Status != escalate.StatusResolved || e.Stage != 1 || e.Outcome == nil || e.Outcome.Kind != escalate.OutcomeAgreed ||
		e.RiskLevel != escalate.RiskIncreased {
		t.Errorf("in the store: status %s, stage %d, risk %s, outcome %+v", e.Status, e.Stage, e.RiskLevel, e.Outcome)
	}
	by := w.actors(events, escalate.ActionRecordAdd, escalate.ActionEscalate, escalate.ActionOutcomeAgree, escalate.ActionPartyName)
	want := map[string][]string{
		escalate.ActionRecordAdd:    {receiver, healthManager},
		escalate.ActionEscalate:     {raiser},
		escalate.ActionOutcomeAgree: {healthManager},
		escalate.ActionPartyName:    nil, // the raiser named who they dealt with when raising
	}
	for a, who := range want {
		if !slices.Equal(by[a], who) {
			t.Errorf("%s by %q, want %q", a, by[a], who)
		}
	}
	t.Logf("%s: %d pages checked with axe-core", ref, w.pages)
}
