package web_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/escalate-project/escalate"
)

// TestE2ERedbridge walks Redbridge's four stages with nobody named by
// hand. A school practitioner raises against children's social care, at
// increased risk, with a deadline that protects the child, and leaves it
// to the agency's escalation contact, who takes it. Their discussion does
// not settle it, so the raiser must escalate the same working day (4.5);
// the school's line manager approves the record (4.3), and the line
// managers, then the senior managers, cannot agree either; the
// school's senior manager refers it to the Chair, the Business Manager
// records the referral (4.9), and only then is the Chair told, who makes
// recommendations. Each person finds the case from their notifications.
func TestE2ERedbridge(t *testing.T) {
	w := newWalk(t, "redbridge")
	raiser := w.email(escalate.RolePractitioner, "")
	contact := w.email(escalate.RoleManager, "") // children's social care's escalation contact
	schoolManager := w.email(escalate.RoleManager, "school")
	schoolSenior := w.email(escalate.RoleSeniorManager, "school")
	careSenior := w.email(escalate.RoleSeniorManager, "")
	bm := w.email(escalate.RoleBusinessManager, "")
	chair := w.email(escalate.RoleChair, "")

	w.signIn(raiser)
	ref := w.raise(raising{scope: []string{"redirect-complaints"}, agency: careName, contact: w.name(contact),
		increased: true, protect: []string{"The policy has no shorter timescale for", "whichever is shorter"},
		protectBy: [3]string{"25", "11", "2026"}, category: "categories"})
	w.signOut()

	// The contact finds it in My work and from the notification, and
	// takes it.
	w.signIn(contact)
	w.find(ref, "An escalation was raised", true)
	w.acts("Take this escalation")
	if tag := w.text("#risk-tag"); tag != "Increased risk" {
		t.Errorf("the risk tag reads %q", tag)
	}
	if got := w.text("main"); !strings.Contains(got, "Brought forward because") {
		t.Errorf("no deadline was brought forward to the protective deadline:\n%s", got)
	}
	w.screens("take")
	w.take(ref)
	w.toldWhoActs("Person named to deal with it", w.name(raiser))
	w.acts("Read and review the case file")
	// Their discussion does not settle it: the raiser must escalate the
	// same working day (4.5).
	w.recordDiscussion(ref, "Tamsin Demo-Manager, children's social care\nAlex Demo-Practitioner, teacher",
		"The bruising referral and the threshold; the case file was read together.", "No agreement.", notAgreed, "")
	w.toldWhoActs("Discussion or action recorded")
	w.screens("not-agreed")
	w.signOut()

	w.signIn(raiser)
	w.find(ref, "A record was added", true)
	if row := w.acts("escalate to your line manager the same working day"); !strings.Contains(row, "today") {
		t.Errorf("the not-agreed clock is not due today: %q", row)
	}
	w.escalate(ref, "We could not agree at stage 1.", "Stage 2 of 4", "stage-2")
	w.toldWhoActs("Escalated")
	w.signOut()

	w.signIn(schoolManager)
	w.find(ref, "The escalation moved to the next stage", true)
	w.acts("Escalate the concern to both agencies' line managers")
	// Every record is approved and dated (4.3): the line manager approves
	// stage 1's.
	w.act(ref, "approve", "Record approved", "approved", choose("record"))
	w.recordDiscussion(ref, "Bryn Demo-Manager\nTamsin Demo-Manager", "Both managers reviewed the case file.",
		"Still no agreement: to the senior managers.", notAgreed, "")
	w.toldWhoActs("Discussion or action recorded", w.name(raiser))
	w.acts("You could not agree")
	w.escalate(ref, "The line managers could not agree.", "Stage 3 of 4", "")
	// The Business Manager is copied in from stage 3; the raiser and who
	// took it are kept informed.
	w.toldWhoActs("Escalated", w.name(raiser), w.name(contact), w.name(bm))
	w.signOut()

	w.signIn(careSenior)
	w.find(ref, "The escalation moved to the next stage", true)
	w.acts("The senior managers resolve the matter")
	w.recordDiscussion(ref, "Uri Demo-Senior-Manager\nCarys Demo-Senior-Manager", "The senior managers met.",
		"No agreement: to the LSCB Chair.", notAgreed, "")
	w.toldWhoActs("Discussion or action recorded", w.name(raiser), w.name(contact), w.name(bm))
	w.signOut()

	w.signIn(schoolSenior)
	w.find(ref, "A record was added", true)
	w.acts("refer the matter to the LSCB Chair through the LSCB Business Manager")
	w.escalate(ref, "The senior managers could not agree: to the Chair through the Business Manager.", "Stage 4 of 4", "stage-4")
	w.toldWhoActs("Escalated", w.name(raiser), w.name(contact))
	if acts := w.whoActs(); slices.Contains(acts, w.name(chair)) {
		t.Errorf("the Chair acts before the Business Manager's referral: %q", acts)
	}
	w.signOut()

	// Redbridge 4.9: the Business Manager refers it to the Chair; their
	// record of the referral counts.
	w.signIn(bm)
	w.fromMyWork(ref)
	w.acts("Refer the matter to the LSCB Chair (or Vice Chair)")
	w.recordDiscussion(ref, "Taylor Demo-Business-Manager\nQuinn Demo-Chair",
		"Referred the disagreement to the Chair with both agencies' records.", "The Chair makes recommendations within 5 working days.", ongoing, "referred")
	w.toldWhoActs("Discussion or action recorded", w.name(raiser), w.name(contact))
	w.signOut()

	// The Chair is told only now, and finds it from that notification.
	w.signIn(chair)
	if ns := w.find(ref, "A record was added", true); len(ns) != 1 {
		t.Errorf("the Chair has %d notifications about %s, want only the referral's:\n%s", len(ns), ref, strings.Join(ns, "\n"))
	}
	w.acts("The LSCB Chair makes recommendations")
	w.screens("chair")
	w.act(ref, "determine", "Determination or recommendations recorded", "recommended",
		keys("#text", "A strategy discussion is to be held within two working days."), choose("decision"))
	if got := w.status(); got != "Resolved" {
		t.Errorf("after the recommendations the status is %q", got)
	}
	if told := w.told("Determination or recommendations made"); !slices.Contains(told, w.name(raiser)) || !slices.Contains(told, w.name(bm)) {
		t.Errorf("told of the recommendations: %q; want the raiser and the Business Manager among them", told)
	}
	w.signOut()

	e, events := w.final(ref)
	if e.Status != escalate.StatusResolved || e.Stage != 3 || e.Outcome == nil || e.Outcome.Kind != escalate.OutcomeRecommendations ||
		len(e.Records) != 4 || e.Records[0].ApprovedBy != w.user(schoolManager).ID {
		t.Errorf("in the store: status %s, stage %d, outcome %+v, records %+v", e.Status, e.Stage, e.Outcome, e.Records)
	}
	by := w.actors(events, escalate.ActionPartyName, escalate.ActionRecordAdd, escalate.ActionEscalate, escalate.ActionDetermine)
	want := map[string][]string{
		escalate.ActionPartyName: {contact},
		escalate.ActionRecordAdd: {contact, schoolManager, careSenior, bm},
		escalate.ActionEscalate:  {raiser, schoolManager, schoolSenior},
		escalate.ActionDetermine: {chair},
	}
	for a, who := range want {
		if !slices.Equal(by[a], who) {
			t.Errorf("%s by %q, want %q", a, by[a], who)
		}
	}
	t.Logf("%s: %d pages checked with axe-core", ref, w.pages)
}
