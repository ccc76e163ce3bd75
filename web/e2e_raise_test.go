package web_test

import (
	"fmt"
	"slices"
	"strings"

	"github.com/chromedp/chromedp"
)

// The raise journey as a practitioner walks it, with the questions
// routing added: who they dealt with at the other agency, whether a
// strategic or policy issue also has a disagreement about the child, and a
// deadline that protects a child at greater risk.

// raising is what the raise journey answers.
type raising struct {
	immediate bool     // answer yes to immediate risk
	route     []string // what the immediate-risk route must show
	scope     []string // names of scope questions that must be asked
	yes       []string // scope questions answered yes; each is referred alongside, the disagreement carrying on
	agency    string   // the receiving agency's name
	dealtWith string   // the person dealt with there, as the list shows them ("" leaves it to the contact)
	contact   string   // the receiving agency's escalation contact, whom the who page names
	increased bool     // answer increased risk
	protect   []string // what the protective deadline page must say
	protectBy [3]string
	category  string   // the id of the category's checkbox
	informed  []string // told at raise besides who acts now (H&F's Designated Nurse)
}

// raise walks the raise journey from the service navigation as the
// signed-in user and returns the new escalation's ref. The confirmation
// page's "Who has been told" must be the people it says act now.
func (w *walk) raise(r raising) string {
	w.t.Helper()
	w.run(click(`a.govuk-service-navigation__link[href="/raise"]`),
		waitH1("Is a child at immediate risk of significant harm?"))
	w.check("raise")
	if r.immediate {
		w.run(choose("immediate"))
		w.submit("Protect the child first")
		route := w.text("main")
		for _, want := range r.route {
			if !strings.Contains(route, want) {
				w.t.Errorf("the immediate-risk route lacks %q:\n%s", want, route)
			}
		}
		w.check("protect")
		// What was done is recorded before any other question.
		before := w.immediateActions()
		w.run(keys("#immediate_action", "Told our safeguarding lead at 13:05; the front door took a referral by phone."))
		w.submit("Check this is the right process")
		if got := w.immediateActions(); got != before+1 {
			w.t.Errorf("immediate-risk actions on record: %d before the protect page, %d after, want one more", before, got)
		}
		if b := w.text(".govuk-notification-banner"); !strings.Contains(b, "What you did to protect the child was recorded at") {
			w.t.Errorf("the scope page's banner reads %q", b)
		}
		w.check("recorded")
	} else {
		w.run(choose("immediate-2"))
		w.submit("Check this is the right process")
		w.check("")
	}
	// Every question is answered no but those the walk answers yes.
	var asked []string
	yes := fmt.Sprintf("%q", r.yes)
	if r.yes == nil {
		yes = "[]"
	}
	w.run(chromedp.Evaluate(`Array.from(document.querySelectorAll("main input[type=radio][value=no]")).map(i => {
		const pick = `+yes+`.includes(i.name) ? document.querySelector('input[name="' + i.name + '"][value=yes]') : i;
		document.querySelector('label[for="' + pick.id + '"]').click(); return i.name })`, &asked))
	for _, id := range slices.Concat(r.scope, r.yes) {
		if !slices.Contains(asked, id) {
			w.t.Errorf("the scope page does not ask %s; it asks %q", id, asked)
		}
	}
	if len(r.yes) > 0 {
		// A matter referred alongside: there is also a disagreement about
		// the child, so the raise carries on.
		w.submit("Is there also a disagreement about the child?")
		w.check("alongside")
		for _, id := range r.yes {
			w.run(choose("alongside-" + strings.TrimPrefix(id, "redirect-")))
		}
	}
	w.submit("The decision you disagree with")
	w.check("")
	w.selectText("receiving_agency", r.agency)
	w.run(keys("#receiving_contact", "duty manager"),
		keys("#decision", "Closed the referral without a strategy discussion."),
		keys("#decision_date", "20"), keys("#decision_date-month", "11"), keys("#decision_date-year", "2026"))
	w.submit("Who did you deal with at " + r.agency + "?")
	if lead := w.text("main"); r.contact != "" && !strings.Contains(lead, r.contact) {
		w.t.Errorf("the who page does not say %s is the escalation contact:\n%s", r.contact, lead)
	}
	w.check("who")
	if r.dealtWith != "" {
		w.selectText("dealt_with", r.dealtWith)
	}
	w.submit("The child")
	w.check("")
	// As people type them: a local reference with a space, initials with dots.
	w.run(keys("#child_ref", "E2E "+strings.ToUpper(w.pack[:3])+"-1"), keys("#child_initials", "a.b."))
	w.submit("What is the disagreement about?")
	w.check("")
	w.run(choose(r.category))
	w.submit("Describe the disagreement")
	w.check("")
	w.run(keys("#issue", "A referral about bruising was closed."), keys("#risk", "Further injury at home."),
		keys("#disagreement", "Whether the threshold for a strategy discussion is met."),
		keys("#outcome_sought", "A strategy discussion this week."))
	if !r.immediate {
		w.submit("How great is the risk to the child?")
		w.check("")
		if r.increased {
			w.run(choose("risk_level-2"))
		} else {
			w.run(choose("risk_level"))
		}
	}
	if r.immediate || r.increased {
		w.submit("A deadline that protects the child")
		page := w.text("main")
		for _, want := range r.protect {
			if !strings.Contains(page, want) {
				w.t.Errorf("the protective deadline page lacks %q:\n%s", want, page)
			}
		}
		w.check("protect-by")
		if r.protectBy[0] != "" {
			w.run(keys("#protect_by", r.protectBy[0]), keys("#protect_by-month", r.protectBy[1]), keys("#protect_by-year", r.protectBy[2]))
		}
	}
	w.submit("Check your answers")
	w.check("check")
	w.submit("Disagreement raised")
	var loc string
	w.run(chromedp.Location(&loc))
	ref := strings.TrimPrefix(loc, w.u+"/raise/raised/")
	if ref == loc || ref == "" || !strings.Contains(w.text(".govuk-panel"), ref) {
		w.t.Fatalf("after raising: at %q, panel %q", loc, w.text(".govuk-panel"))
	}
	w.check("raised")
	w.screens("raised")
	// Who has been told is who acts now, and besides them only those
	// informed; never the raiser.
	me := w.me()
	want := slices.DeleteFunc(append(w.whoActs(), r.informed...), func(n string) bool { return n == me })
	slices.Sort(want)
	if told := names(w.text("#told")); !slices.Equal(told, slices.Compact(want)) {
		w.t.Errorf("the confirmation page says %q were told; want who acts now %q and informed %q (not %s)", told, w.whoActs(), r.informed, me)
	}
	return ref
}
