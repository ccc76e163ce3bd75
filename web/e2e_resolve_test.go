package web_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/escalate-project/escalate"
)

// The walks that end before the final stage: resolved by agreement at
// stage 1 (Surrey; Redbridge with an approved record and the written
// confirmation), and redirected out of the process (Hammersmith & Fulham:
// a worker's conduct goes to the LADO).

// addParty names the receiving practitioner as a party through the
// escalation page's "Name who is dealing with this", as by, who is signed
// in: at a stage whose receiving side is practitioners, the policy brings
// in no receiving role, so without it no one at the receiving agency could
// act.
func (w *walk) addParty(ref, by, email string) {
	w.t.Helper()
	if w.who != by {
		w.t.Fatalf("addParty as %s, but %s is signed in", by, w.who)
	}
	u := w.user(email)
	w.open(ref, "")
	w.act(ref, "party", u.Name+" is now dealing with this escalation", "party",
		chromedp.SetValue("#user", strconv.FormatInt(u.ID, 10), chromedp.ByQuery))
	if tl := w.text("main"); !strings.Contains(tl, u.Name+" is now dealing with this escalation.") {
		w.t.Errorf("the timeline does not say %s is dealing with it", u.Name)
	}
}

// TestE2ERedbridge: the raiser records the stage 1 discussion, their line
// manager approves and dates the record, and the receiving practitioner
// agrees the outcome and then confirms it in writing.
func TestE2ERedbridge(t *testing.T) {
	w := newWalk(t, "redbridge")
	raiser := w.email(escalate.RolePractitioner, "")
	receiver := w.email(escalate.RolePractitioner, "care")
	w.signIn(raiser)
	ref := w.raise(raising{scope: []string{"redirect-complaints"}, agency: careName, category: "categories"})
	w.addParty(ref, raiser, receiver)
	w.open(ref, "stage-1")
	w.act(ref, "record", "Discussion recorded", "", record("Alex Demo-Practitioner, teacher\nSam Demo-Practitioner, social worker",
		"The bruising referral; the case file was read together.", "A strategy discussion is agreed."))
	w.signOut()

	schoolManager := w.email(escalate.RoleManager, "school")
	w.signIn(schoolManager)
	w.open(ref, "")
	w.act(ref, "approve", "Record approved", "approved", choose("record"))
	w.signOut()

	w.signIn(receiver)
	w.open(ref, "")
	w.act(ref, "agree", "Outcome agreed", "agreed",
		keys("#outcome", "A strategy discussion on Wednesday."), keys("#outstanding_issues", "None outstanding."), choose("decision"))
	if got := w.status(); got != "Open" {
		t.Errorf("before the written confirmation the status is %q, want Open", got)
	}
	w.act(ref, "confirm", "Outcome confirmed in writing", "confirmed",
		keys("#text", "Emailed to the school's practitioner on 23 November."))
	if got := w.status(); got != "Resolved" {
		t.Errorf("after the written confirmation the status is %q", got)
	}
	w.signOut()

	e, events := w.final(ref)
	if e.Status != escalate.StatusResolved || e.Stage != 0 || e.Outcome == nil || e.Outcome.ConfirmedAt.IsZero() ||
		len(e.Records) != 1 || e.Records[0].ApprovedBy != w.user(schoolManager).ID {
		t.Errorf("in the store: status %s, stage %d, outcome %+v, records %+v", e.Status, e.Stage, e.Outcome, e.Records)
	}
	by := w.actors(events, escalate.ActionRecordApprove, escalate.ActionOutcomeAgree, escalate.ActionOutcomeConfirm)
	for a, who := range map[string]string{escalate.ActionRecordApprove: schoolManager,
		escalate.ActionOutcomeAgree: receiver, escalate.ActionOutcomeConfirm: receiver} {
		if len(by[a]) != 1 || by[a][0] != who {
			t.Errorf("%s by %q, want %s", a, by[a], who)
		}
	}
	t.Logf("%s: %d pages checked with axe-core", ref, w.pages)
}

// TestE2ESurrey: the receiving practitioner records the discussion and
// agrees the outcome at stage 1, which resolves the escalation; the raiser
// then sees it resolved.
func TestE2ESurrey(t *testing.T) {
	w := newWalk(t, "surrey")
	raiser := w.email(escalate.RolePractitioner, "")
	receiver := w.email(escalate.RolePractitioner, "care")
	w.signIn(raiser)
	ref := w.raise(raising{scope: []string{"redirect-behaviour-towards-child", "redirect-conduct"},
		agency: careName, category: "categories"})
	w.addParty(ref, raiser, receiver)
	w.signOut()

	w.signIn(receiver)
	w.open(ref, "stage-1")
	w.act(ref, "record", "Discussion recorded", "", record("Sam Demo-Practitioner, social worker\nAlex Demo-Practitioner, teacher",
		"The level of need; the school's evidence.", "A child and family assessment will start."))
	w.act(ref, "agree", "Outcome agreed", "agreed",
		keys("#outcome", "A child and family assessment starts this week."), keys("#outstanding_issues", "Reviewed at the next core group."),
		choose("decision"))
	if got := w.status(); got != "Resolved" {
		t.Errorf("after the agreed outcome the status is %q", got)
	}
	w.signOut()

	w.signIn(raiser)
	w.open(ref, "")
	if got, acts := w.status(), w.actions(); got != "Resolved" || strings.Contains(acts, "Record a discussion") {
		t.Errorf("the raiser sees status %q, actions %q", got, acts)
	}
	w.signOut()

	e, _ := w.final(ref)
	if e.Status != escalate.StatusResolved || e.Stage != 0 || e.Outcome == nil || e.Outcome.Kind != escalate.OutcomeAgreed {
		t.Errorf("in the store: status %s, stage %d, outcome %+v", e.Status, e.Stage, e.Outcome)
	}
	t.Logf("%s: %d pages checked with axe-core", ref, w.pages)
}

// TestE2EHammersmithFulham: the raiser records a discussion that shows the
// matter is about a worker's conduct; the partnership's Business Manager
// redirects it to the LADO, and the raiser sees it closed.
func TestE2EHammersmithFulham(t *testing.T) {
	w := newWalk(t, "hammersmith-fulham")
	raiser := w.email(escalate.RolePractitioner, "")
	w.signIn(raiser)
	ref := w.raise(raising{scope: []string{"redirect-strategic-policy", "redirect-conduct"},
		agency: careName, category: "categories"})
	w.open(ref, "stage-1")
	w.act(ref, "record", "Discussion recorded", "", record("Alex Demo-Practitioner, teacher\nSam Demo-Practitioner, social worker",
		"It emerged that the concern is the social worker's conduct on a home visit.", "To be redirected to the LADO."))
	w.signOut()

	bm := w.email(escalate.RoleBusinessManager, "")
	w.signIn(bm)
	w.open(ref, "")
	w.act(ref, "redirect", "Redirected out of this process", "redirected", chromedp.ActionFunc(func(ctx context.Context) error {
		var hint string
		if err := chromedp.Evaluate(`(() => { const i = document.querySelector('input[name=to][value=conduct]');
			document.querySelector('label[for="' + i.id + '"]').click();
			return document.getElementById(i.getAttribute("aria-describedby")).textContent })()`, &hint).Do(ctx); err != nil {
			return err
		}
		if !strings.Contains(hint, "LADO") {
			t.Errorf("the conduct redirect's hint reads %q, want it to name the LADO", hint)
		}
		return keys("#reason", "Referred to the LADO by phone on 23 November.").Do(ctx)
	}))
	if got := w.status(); got != "Redirected" {
		t.Errorf("after the redirect the status is %q", got)
	}
	w.signOut()

	w.signIn(raiser)
	w.open(ref, "")
	if got := w.status(); got != "Redirected" {
		t.Errorf("the raiser sees status %q", got)
	}
	w.signOut()

	e, events := w.final(ref)
	if e.Status != escalate.StatusRedirected || e.Outcome == nil || e.Outcome.RedirectTo != "conduct" {
		t.Errorf("in the store: status %s, outcome %+v", e.Status, e.Outcome)
	}
	if by := w.actors(events, escalate.ActionRedirect); len(by[escalate.ActionRedirect]) != 1 || by[escalate.ActionRedirect][0] != bm {
		t.Errorf("redirected by %q, want %s", by[escalate.ActionRedirect], bm)
	}
	t.Logf("%s: %d pages checked with axe-core", ref, w.pages)
}
