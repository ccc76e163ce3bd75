package web_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/escalate-project/escalate"
)

// The walks that escalate to the final stage: Wirral's stage 4
// determination and Hounslow's stage 5 meeting chaired from an uninvolved
// agency, the latter raised through the immediate-risk gate.

const careName = "Demo Children's Social Care"

// TestE2EWirral: a school practitioner raises against children's social
// care; the school's manager escalates to the line managers, social care's
// manager to the members' meeting, the school's senior manager to the
// board, and the board's chair records the determination.
func TestE2EWirral(t *testing.T) {
	w := newWalk(t, "wirral")
	raiser := w.email(escalate.RolePractitioner, "")
	w.signIn(raiser)
	ref := w.raise(raising{scope: []string{"redirect-complaints"}, agency: careName, category: "categories"})
	w.open(ref, "stage-1")
	w.act(ref, "record", "Discussion recorded", "", record("Alex Demo-Practitioner, teacher, Demo Primary School\nSam Demo-Practitioner, social worker",
		"The bruising referral and the threshold.", "No agreement: escalating to our line managers."))
	w.signOut()

	schoolManager := w.email(escalate.RoleManager, "school")
	w.signIn(schoolManager)
	w.open(ref, "")
	w.escalate(ref, "The practitioners could not agree within the working week.", "Stage 2 of 4", "stage-2")
	w.signOut()

	careManager := w.email(escalate.RoleManager, "")
	w.signIn(careManager)
	w.open(ref, "")
	w.act(ref, "record", "Discussion recorded", "", record("Bryn Demo-Manager\nTamsin Demo-Manager",
		"Both managers reviewed the case file.", "Still no agreement: to the members' meeting."))
	w.escalate(ref, "The line managers could not agree.", "Stage 3 of 4", "")
	w.signOut()

	schoolSenior := w.email(escalate.RoleSeniorManager, "school")
	w.signIn(schoolSenior)
	w.open(ref, "")
	w.escalate(ref, "The conflict resolution meeting did not resolve it.", "Stage 4 of 4", "stage-4")
	w.signOut()

	chair := w.email(escalate.RoleChair, "")
	w.signIn(chair)
	w.open(ref, "")
	w.act(ref, "determine", "Determination or recommendations recorded", "determined",
		keys("#text", "A strategy discussion is to be held within two working days."), choose("decision"))
	if got := w.status(); got != "Resolved" {
		t.Errorf("after the determination the status is %q", got)
	}
	w.signOut()

	e, events := w.final(ref)
	if e.Status != escalate.StatusResolved || e.Stage != 3 || e.Outcome == nil || e.Outcome.Kind != escalate.OutcomeDetermination {
		t.Errorf("in the store: status %s, stage %d, outcome %+v", e.Status, e.Stage, e.Outcome)
	}
	by := w.actors(events, escalate.ActionRaise, escalate.ActionEscalate, escalate.ActionDetermine)
	want := map[string][]string{
		escalate.ActionRaise:     {raiser},
		escalate.ActionEscalate:  {schoolManager, careManager, schoolSenior},
		escalate.ActionDetermine: {chair},
	}
	for a, who := range want {
		if !slices.Equal(by[a], who) {
			t.Errorf("%s by %q, want %q", a, by[a], who)
		}
	}
	t.Logf("%s: %d pages checked with axe-core", ref, w.pages)
}

// TestE2EHounslow: a school practitioner answers yes to immediate risk,
// sees who to contact, records what was done before anything else, then
// raises. The school's manager takes it through the within-agency stage and
// to the practitioners' and managers' stages, social care's managers to the
// senior managers' and the chaired meeting, and the partnership's chair
// records the meeting's outcome with a chair from the police, an agency
// not involved.
func TestE2EHounslow(t *testing.T) {
	w := newWalk(t, "hounslow")
	raiser := w.email(escalate.RolePractitioner, "")
	w.signIn(raiser)
	ref := w.raise(raising{immediate: true, agency: careName, category: "categories",
		route: []string{"call the police on 999", "Jody Demo-Head-Of-Safeguarding", "020 7946 0"}})
	w.open(ref, "stage-1")
	if got := w.text("main"); !strings.Contains(got, "Immediate") {
		t.Errorf("the escalation raised through the immediate-risk gate does not say so:\n%s", got)
	}
	w.signOut()

	schoolManager := w.email(escalate.RoleManager, "school")
	w.signIn(schoolManager)
	w.open(ref, "")
	w.escalate(ref, "Discussed with the worker: this needs the other agency.", "Stage 2 of 5", "")
	w.escalate(ref, "The practitioners could not agree.", "Stage 3 of 5", "")
	w.signOut()

	careManager := w.email(escalate.RoleManager, "")
	w.signIn(careManager)
	w.open(ref, "")
	w.escalate(ref, "The managers could not agree.", "Stage 4 of 5", "")
	w.signOut()

	careSenior := w.email(escalate.RoleSeniorManager, "")
	w.signIn(careSenior)
	w.open(ref, "")
	w.escalate(ref, "The senior managers and safeguarding leads could not agree.", "Stage 5 of 5", "stage-5")
	w.signOut()

	chair := w.email(escalate.RoleChair, "")
	w.signIn(chair)
	w.open(ref, "")
	// Without the chair's agency the form says what is missing.
	link := `#actions a[href="/escalations/` + ref + `/determine"]`
	w.run(click(link), waitSel("#chair_agency"))
	var agencies []string
	w.run(chromedp.Evaluate(`Array.from(document.querySelectorAll("#chair_agency option")).map(o => o.text)`, &agencies))
	if slices.Contains(agencies, careName) || slices.Contains(agencies, "Demo Primary School") || !slices.Contains(agencies, "Demo Police") {
		t.Errorf("the chair's agency is chosen from %q: not the parties, and the police among them", agencies)
	}
	w.check("")
	w.run(choose("kind-1"), keys("#text", "The meeting agreed a strategy discussion within two working days."), choose("decision-1"),
		click(submitButton), waitSel(".govuk-error-summary"))
	var href string
	w.run(chromedp.Evaluate(`document.querySelector(".govuk-error-summary__list a").getAttribute("href")`, &href))
	if href != "#chair_agency" {
		t.Errorf("the error summary links to %q, want #chair_agency", href)
	}
	w.b.takeErrors() // the 400 status is reported by the browser itself
	w.check("determine-errors")
	w.selectText("chair_agency", "Demo Police")
	w.run(click(submitButton), waitSel("#done-title"))
	if got := w.text(".govuk-notification-banner__heading"); got != "Determination or recommendations recorded" {
		t.Errorf("banner %q", got)
	}
	if got := w.status(); got != "Resolved" {
		t.Errorf("after the meeting the status is %q", got)
	}
	w.check("determined")
	w.signOut()

	e, events := w.final(ref)
	if e.Status != escalate.StatusResolved || e.Stage != 4 || e.RiskLevel != escalate.RiskImmediate {
		t.Errorf("in the store: status %s, stage %d, risk %s", e.Status, e.Stage, e.RiskLevel)
	}
	by := w.actors(events, escalate.ActionEscalate, escalate.ActionDetermine)
	if want := []string{schoolManager, schoolManager, careManager, careSenior}; !slices.Equal(by[escalate.ActionEscalate], want) {
		t.Errorf("escalated by %q, want %q", by[escalate.ActionEscalate], want)
	}
	var police int64
	as, err := w.db.Agencies(context.Background(), w.part.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range as {
		if a.Name == "Demo Police" {
			police = a.ID
		}
	}
	determined := 0
	for _, ev := range events {
		if ev.Action != escalate.ActionDetermine {
			continue
		}
		determined++
		if ev.Actor != w.user(chair).ID || fmt.Sprint(ev.Data["chair_agency"]) != fmt.Sprint(police) {
			t.Errorf("determined by user %d with the chair from agency %v, want the chair (%d) and the police (%d)",
				ev.Actor, ev.Data["chair_agency"], w.user(chair).ID, police)
		}
	}
	if determined != 1 {
		t.Errorf("%d determinations in the audit trail, want 1", determined)
	}
	t.Logf("%s: %d pages checked with axe-core", ref, w.pages)
}
