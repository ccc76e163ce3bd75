package web_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/report"
)

// TestE2EDissents walks one Child Protection Conference dissent through
// the whole workflow in Surrey's demo partnership, in a real browser: the
// conference chair records it, the Business Manager takes it through the
// Dissents Group's steps, and children's social care's senior manager
// records the report review and the strategy meeting action. Every page is
// checked with axe-core; the main ones are saved as screenshots.
func TestE2EDissents(t *testing.T) {
	w := newWalk(t, "surrey")
	period := report.Quarter(report.QuarterOf(w.clock.now()))
	before, err := w.db.DissentOutcomes(context.Background(), w.part.ID, period.From, period.To)
	if err != nil {
		t.Fatal(err)
	}

	// The conference chair records a dissent from the header's link.
	w.signIn(w.email(escalate.RoleConferenceChair, ""))
	w.run(click(`header a[href="/dissents"]`), waitH1("Conference dissents"))
	w.check("dissents-list")
	if got := w.text("main table"); !strings.Contains(got, "Awaiting review") || !strings.Contains(got, "Not upheld: closed") {
		t.Errorf("the counts table reads %q", got)
	}
	w.run(click(`a[href="/dissents/new"]`), waitH1("Record a dissent"))
	w.check("dissent-new")
	w.run(click(submitButton), waitSel(".govuk-error-summary"))
	if got := w.text(".govuk-error-summary"); !strings.Contains(got, "Enter the date of the conference") {
		t.Errorf("the error summary reads %q", got)
	}
	w.check("dissent-new-errors")
	w.run(keys("#conference_date-day", "20"), keys("#conference_date-month", "11"), keys("#conference_date-year", "2026"),
		choose("conference_kind-2"), keys("#conference_ref", "RCPC-2026-0815"), keys("#professional", "Health visitor"),
		keys("#nature", "The health visitor dissented from ending the child protection plan."),
		keys("#grounds", "The baby's weight has fallen for two months."),
		keys("#chair_decision", "The plan ends; health visiting continues."))
	w.selectText("agency", "Demo Community Health Trust")
	w.run(click(submitButton), waitSel("#done-title"))
	var ref string
	w.run(chromedp.Evaluate(`document.querySelector("main h1").textContent.trim()`, &ref))
	if !strings.HasPrefix(ref, "SURREY-CPD-") {
		t.Fatalf("the dissent page's heading is %q", ref)
	}
	w.check("dissent-recorded")
	if got := w.text("main"); !strings.Contains(got, "How this deadline was worked out") || !strings.Contains(got, "RCPC-2026-0815") {
		t.Errorf("the dissent page lacks its clock or conference: %q", got)
	}
	w.signOut()

	// The Business Manager services the Dissents Group.
	w.signIn(w.email(escalate.RoleBusinessManager, ""))
	w.run(chromedp.Navigate(w.u+"/dissents"), waitH1("Conference dissents"),
		click(`main a[href="/dissents/`+ref+`"]`), waitH1(ref))
	w.check("")
	w.dissentStep(ref, "schedule", "Dissent scheduled for the meeting.", "dissent-scheduled",
		keys("#date-day", "23"), keys("#date-month", "11"), keys("#date-year", "2026"), keys("#text", "November meeting."))
	w.dissentStep(ref, "evaluate", "Evaluation recorded.", "",
		keys("#people", "Taylor Demo-Business-Manager\nFrankie Demo-Designated-Nurse"),
		keys("#text", "The chair gave little weight to the health evidence."))
	w.dissentStep(ref, "decide", "Decision recorded; the chair and the dissenting agency have been told.", "dissent-upheld",
		choose("outcome"), keys("#people", "Taylor Demo-Business-Manager\nFrankie Demo-Designated-Nurse"),
		keys("#text", "Minute the weight given to each agency's evidence."),
		keys("#feedback", "Upheld: children's services will investigate the decision."))
	w.signOut()

	// Children's social care's senior manager takes the investigation on.
	w.signIn(w.email(escalate.RoleSeniorManager, ""))
	w.run(chromedp.Navigate(w.u+"/dissents/"+ref), waitH1(ref))
	w.check("")
	w.dissentStep(ref, "report", "Review of the report recorded.", "",
		keys("#date-day", "23"), keys("#date-month", "11"), keys("#date-year", "2026"),
		keys("#people", "Jody Demo-Head-Of-Safeguarding"), keys("#text", "A further strategy meeting is recommended."))
	w.dissentStep(ref, "strategy", "Strategy meeting action recorded; the dissent is closed.", "dissent-closed",
		keys("#date-day", "30"), keys("#date-month", "11"), keys("#date-year", "2026"),
		keys("#text", "A strategy meeting with health and police on 30 November."))
	if got := w.text("main .govuk-tag"); got != escalate.StandingClosedUpheld {
		t.Errorf("the closed dissent's tag reads %q", got)
	}
	w.signOut()

	// The quarter's board report counts the dissent where it now stands,
	// for the quality-assurance subgroup.
	w.signIn(w.email(escalate.RoleBusinessManager, ""))
	w.run(chromedp.Navigate(w.u+"/reports"), waitH1("Reports for the board"))
	w.check("")
	var rows []string
	w.run(chromedp.Evaluate(`[...document.querySelectorAll("main table")].filter(t => t.caption && t.caption.textContent.includes(`+
		fmt.Sprintf("%q", report.CaptionDissents)+`)).flatMap(t => [...t.tBodies[0].rows].map(r => r.innerText.replace(/\t/g, "=")))`, &rows))
	want := fmt.Sprintf("%s=%d", escalate.StandingClosedUpheld, before[escalate.StandingClosedUpheld]+1)
	if !slices.Contains(rows, want) {
		t.Errorf("the report's dissent outcomes read %q, want a row %q", rows, want)
	}
	w.signOut()
	t.Logf("%d pages checked with axe-core", w.pages)
}

// dissentStep takes a step from the dissent page's buttons: the link must
// be offered, its form is checked with axe-core, fill answers it, and the
// dissent page comes back with banner.
func (w *walk) dissentStep(ref, path, banner, shot string, fill ...chromedp.Action) {
	w.t.Helper()
	link := `main a[href="/dissents/` + ref + `/` + path + `"]`
	var n int
	w.run(chromedp.Evaluate(fmt.Sprintf(`document.querySelectorAll(%q).length`, link), &n))
	if n != 1 {
		w.t.Fatalf("%s is not offered %q on %s", w.who, path, ref)
	}
	w.run(click(link), waitSel(`form[action="/dissents/`+ref+`/`+path+`"]`))
	formShot := ""
	if shot != "" {
		formShot = shot + "-form"
	}
	w.check(formShot)
	w.run(fill...)
	w.run(click(submitButton), waitSel("#done-title"))
	if got := w.text(".govuk-notification-banner__heading"); got != banner {
		w.t.Errorf("after %s the banner reads %q, want %q", path, got, banner)
	}
	w.check(shot)
}
