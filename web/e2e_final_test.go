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

// The walks that go to the final stage with nobody named by hand: Wirral's
// conflict resolution meeting of the agencies' board representatives and
// the Chair's determination; Hounslow's stage within the raising agency,
// raised through the immediate-risk gate, and its stage 5 meeting chaired
// by a board member from an agency not involved.

const careName = "Demo Children's Social Care"

// TestE2EWirral: a school practitioner raises against children's social
// care, naming the social worker they dealt with. The practitioners, then
// the line managers, cannot agree; at stage 3 the agencies' board
// representatives and senior managers each find it from their
// notifications, and the board representatives' meeting does not resolve
// it; the school's board member takes it to the Chair, who determines.
func TestE2EWirral(t *testing.T) {
	w := newWalk(t, "wirral")
	raiser := w.email(escalate.RolePractitioner, "")
	receiver := w.email(escalate.RolePractitioner, "care")
	schoolManager := w.email(escalate.RoleManager, "school")
	careManager := w.email(escalate.RoleManager, "")
	schoolSenior := w.email(escalate.RoleSeniorManager, "school")
	careSenior := w.email(escalate.RoleSeniorManager, "")
	schoolBoard := w.email(escalate.RoleBoardMember, "school")
	careBoard := w.email(escalate.RoleBoardMember, "")
	bm := w.email(escalate.RoleBusinessManager, "")
	chair := w.email(escalate.RoleChair, "")

	w.signIn(raiser)
	ref := w.raise(raising{scope: []string{"redirect-complaints"}, agency: careName, contact: w.name(careManager),
		dealtWith: w.name(receiver) + " (Practitioner)", category: "categories"})
	w.signOut()

	w.signIn(receiver)
	w.find(ref, "An escalation was raised", true)
	w.acts("Resolve the disagreement by discussion or meeting")
	w.recordDiscussion(ref, "Alex Demo-Practitioner, teacher, Demo Primary School\nSam Demo-Practitioner, social worker",
		"The bruising referral and the threshold.", "No agreement: escalating to our line managers.", notAgreed, "")
	w.toldWhoActs("Discussion or action recorded")
	w.signOut()

	w.signIn(raiser)
	w.find(ref, "A record was added", true)
	w.acts("You could not agree")
	w.escalate(ref, "The practitioners could not agree within the working week.", "Stage 2 of 4", "stage-2")
	w.toldWhoActs("Escalated", w.name(receiver))
	w.signOut()

	w.signIn(schoolManager)
	w.find(ref, "The escalation moved to the next stage", true)
	w.acts("Contact the other professional's manager")
	w.recordDiscussion(ref, "Bryn Demo-Manager\nTamsin Demo-Manager", "Both managers reviewed the case file.",
		"Still no agreement: to the members' meeting.", notAgreed, "")
	w.toldWhoActs("Discussion or action recorded", w.name(raiser), w.name(receiver))
	w.acts("You could not agree")
	w.escalate(ref, "The line managers could not agree.", "Stage 3 of 4", "stage-3")
	w.toldWhoActs("Escalated", w.name(raiser), w.name(receiver))
	w.signOut()

	// Stage 3: the agencies' board representatives convene the meeting
	// with the senior managers; each finds it from their notification.
	meeting := "The agencies' WSCB Board representatives convene a conflict resolution meeting"
	for _, who := range []string{schoolSenior, careSenior, schoolBoard} {
		w.signIn(who)
		w.find(ref, "The escalation moved to the next stage", true)
		w.acts(meeting)
		w.signOut()
	}
	w.signIn(careBoard)
	w.find(ref, "The escalation moved to the next stage", true)
	w.acts(meeting)
	w.screens("stage-3")
	w.recordDiscussion(ref, "Cal Demo-Board-Member\nBo Demo-Board-Member\nCarys Demo-Senior-Manager\nUri Demo-Senior-Manager",
		"The conflict resolution meeting heard both agencies.", "No resolution: to the WSCB Chair.", notAgreed, "")
	w.toldWhoActs("Discussion or action recorded", w.name(raiser), w.name(receiver))
	w.signOut()

	// The board members involved take it to the Chair (stage 4).
	w.signIn(schoolBoard)
	w.find(ref, "A record was added", true)
	w.acts("You could not agree")
	w.escalate(ref, "The conflict resolution meeting did not resolve it.", "Stage 4 of 4", "stage-4")
	// The Business Manager is copied in at stage 4.
	w.toldWhoActs("Escalated", w.name(raiser), w.name(receiver), w.name(bm))
	w.signOut()

	w.signIn(chair)
	w.find(ref, "The escalation moved to the next stage", true)
	w.acts("The Chair of the WSCB makes a determination")
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
	by := w.actors(events, escalate.ActionRaise, escalate.ActionRecordAdd, escalate.ActionEscalate, escalate.ActionDetermine)
	want := map[string][]string{
		escalate.ActionRaise:     {raiser},
		escalate.ActionRecordAdd: {receiver, schoolManager, careBoard},
		escalate.ActionEscalate:  {raiser, schoolManager, schoolBoard},
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
// raises. Stage 1 is within the school: the practitioner's line manager
// acts, and children's social care is not told. From stage 2 its
// escalation contact takes it; the practitioners, managers and senior
// managers cannot agree; at stage 5 the Chair appoints the police's board
// member, from an agency not involved, to chair the meeting, who records
// it and its outcome with the report to the Serious Case Review Sub
// Committee.
func TestE2EHounslow(t *testing.T) {
	w := newWalk(t, "hounslow")
	raiser := w.email(escalate.RolePractitioner, "")
	schoolManager := w.email(escalate.RoleManager, "school")
	contact := w.email(escalate.RoleManager, "")
	careSenior := w.email(escalate.RoleSeniorManager, "")
	chair := w.email(escalate.RoleChair, "")
	meetingChair := w.email(escalate.RoleBoardMember, "police")

	w.signIn(raiser)
	ref := w.raise(raising{immediate: true, agency: careName, contact: w.name(contact), category: "categories",
		route:   []string{"call the police on 999", "Jody Demo-Head-Of-Safeguarding", "020 7946 0"},
		protect: []string{"The policy has no shorter timescale for"}})
	w.signOut()

	// Stage 1 is within the school: social care is not told yet.
	w.signIn(contact)
	w.notTold(ref)
	w.signOut()

	w.signIn(schoolManager)
	w.find(ref, "An escalation was raised", true)
	if got := w.text("#risk-tag"); got != "Immediate risk" {
		t.Errorf("the escalation raised through the immediate-risk gate is tagged %q", got)
	}
	w.acts("Consult your own supervisor or manager")
	w.screens("stage-1")
	w.escalate(ref, "Discussed with the worker: this needs the other agency.", "Stage 2 of 5", "")
	w.toldWhoActs("Escalated")
	w.signOut()

	w.signIn(contact)
	if ns := w.find(ref, "The escalation moved to the next stage", true); len(ns) != 1 {
		t.Errorf("social care's contact has %d notifications about %s, want one, from stage 2:\n%s", len(ns), ref, strings.Join(ns, "\n"))
	}
	w.take(ref)
	w.toldWhoActs("Person named to deal with it", w.name(raiser))
	w.signOut()

	w.signIn(raiser)
	w.find(ref, "Someone was named to deal with this escalation", true)
	w.acts("Discuss the problem with the worker in the other agency")
	w.recordDiscussion(ref, "Alex Demo-Practitioner\nTamsin Demo-Manager", "The threshold for a strategy discussion.",
		"No agreement.", notAgreed, "")
	w.toldWhoActs("Discussion or action recorded")
	w.escalate(ref, "The practitioners could not agree.", "Stage 3 of 5", "")
	w.toldWhoActs("Escalated")
	w.signOut()

	w.signIn(contact)
	w.find(ref, "The escalation moved to the next stage", true)
	w.acts("The two supervisors or managers discuss the problem")
	w.recordDiscussion(ref, "Tamsin Demo-Manager\nBryn Demo-Manager", "The managers discussed it.", "No agreement.", notAgreed, "")
	w.toldWhoActs("Discussion or action recorded", w.name(raiser))
	w.escalate(ref, "The managers could not agree.", "Stage 4 of 5", "")
	w.toldWhoActs("Escalated", w.name(raiser))
	w.signOut()

	w.signIn(careSenior)
	w.find(ref, "The escalation moved to the next stage", true)
	w.acts("The two operations managers or named/designated safeguarding representatives")
	w.recordDiscussion(ref, "Uri Demo-Senior-Manager\nCarys Demo-Senior-Manager", "The senior managers discussed it.", "No agreement.", notAgreed, "")
	w.toldWhoActs("Discussion or action recorded", w.name(raiser), w.name(contact))
	w.escalate(ref, "The senior managers and safeguarding leads could not agree.", "Stage 5 of 5", "stage-5")
	w.toldWhoActs("Escalated", w.name(raiser), w.name(contact))
	w.signOut()

	// The Chair appoints a board member from an agency not involved.
	w.signIn(chair)
	w.find(ref, "The escalation moved to the next stage", true)
	w.acts("Appoint a board member from an agency not involved")
	if acts := w.actions(); strings.Contains(acts, "Record the determination") {
		t.Errorf("stage 5's meeting is offered a determination:\n%s", acts)
	}
	w.screens("appoint")
	w.act(ref, "meeting-chair", "The meeting's chair has been appointed", "", chromedp.ActionFunc(func(ctx context.Context) error {
		var opts []string
		if err := chromedp.Evaluate(`Array.from(document.querySelectorAll("#user option")).map(o => o.text)`, &opts).Do(ctx); err != nil {
			return err
		}
		police := fmt.Sprintf("%s (Demo Police)", w.name(meetingChair))
		if !slices.Contains(opts, police) || slices.ContainsFunc(opts, func(o string) bool {
			return strings.Contains(o, careName) || strings.Contains(o, "Demo Primary School")
		}) {
			t.Errorf("the meeting's chair is chosen from %q: board members of agencies not involved, the police's among them", opts)
		}
		return chromedp.Evaluate(fmt.Sprintf(`(() => { const s = document.getElementById("user");
			for (const o of s.options) if (o.text === %q) s.value = o.value })()`, police), nil).Do(ctx)
	}))
	w.toldWhoActs("Meeting's chair appointed", w.name(raiser), w.name(contact))
	w.signOut()

	// The appointed chair finds it from the notification, records the
	// meeting and its outcome, with the report to the Sub Committee.
	w.signIn(meetingChair)
	w.find(ref, "A chair was appointed for the meeting", true)
	w.acts("hold the meeting")
	w.screens("meeting-chair")
	w.recordDiscussion(ref, "Drew Demo-Board-Member, chair, Demo Police\nUri Demo-Senior-Manager\nCarys Demo-Senior-Manager",
		"The meeting of the most senior managers reviewed the issues.", "A strategy discussion within two working days.", agreed, "")
	w.toldWhoActs("Discussion or action recorded", w.name(raiser), w.name(contact))
	w.acts("Record the outcome you agreed")
	w.act(ref, "agree", "Outcome agreed", "met", keys("#outcome", "The meeting agreed a strategy discussion within two working days."),
		keys("#outstanding_issues", "The chair reviews progress in a week."), choose("decision"),
		keys("#report", "Reported the issues arising to the Serious Case Review Sub Committee on 23 November."))
	if got := w.status(); got != "Resolved" {
		t.Errorf("after the meeting's outcome the status is %q", got)
	}
	w.signOut()

	e, events := w.final(ref)
	if e.Status != escalate.StatusResolved || e.Stage != 4 || e.RiskLevel != escalate.RiskImmediate ||
		e.Outcome == nil || e.Outcome.Kind != escalate.OutcomeAgreed || !strings.Contains(e.Outcome.Report, "Serious Case Review") {
		t.Errorf("in the store: status %s, stage %d, risk %s, outcome %+v", e.Status, e.Stage, e.RiskLevel, e.Outcome)
	}
	by := w.actors(events, escalate.ActionEscalate, escalate.ActionMeetingChair, escalate.ActionOutcomeAgree)
	want := map[string][]string{
		escalate.ActionEscalate:     {schoolManager, raiser, contact, careSenior},
		escalate.ActionMeetingChair: {chair},
		escalate.ActionOutcomeAgree: {meetingChair},
	}
	for a, who := range want {
		if !slices.Equal(by[a], who) {
			t.Errorf("%s by %q, want %q", a, by[a], who)
		}
	}
	for _, ev := range events {
		if ev.Action == escalate.ActionMeetingChair && fmt.Sprint(ev.Data["user"]) != fmt.Sprint(w.user(meetingChair).ID) {
			t.Errorf("the meeting's chair appointed is user %v, want the police's board member %d", ev.Data["user"], w.user(meetingChair).ID)
		}
	}
	t.Logf("%s: %d pages checked with axe-core", ref, w.pages)
}
