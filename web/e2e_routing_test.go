package web_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/chromedp/chromedp"
)

// How people find a case and what the case page says about who acts. A
// walk reaches an escalation only from what the signed-in person is shown:
// the Notifications page (the header's link) or My work's "What needs you";
// never by typing its address. After each change it checks that the people
// "Who acts now" names are the people the timeline says were told.

// demoName matches a demo person's name: "Vic Demo-Safeguarding-Lead".
var demoName = regexp.MustCompile(`\b[A-Z][a-z]+ Demo-[A-Z][A-Za-z-]*[a-z]`)

// names returns the demo names in s, sorted, each once.
func names(s string) []string {
	out := demoName.FindAllString(s, -1)
	slices.Sort(out)
	return slices.Compact(out)
}

// name is the demo account's name.
func (w *walk) name(email string) string { w.t.Helper(); return w.user(email).Name }

// me is the signed-in person's name.
func (w *walk) me() string { w.t.Helper(); return w.name(w.who) }

// needsMe returns what My work's "What needs you" says must be done on
// ref, "" when it does not list it. My work must be open.
func (w *walk) needsMe(ref string) string {
	w.t.Helper()
	var s string
	w.run(chromedp.Evaluate(fmt.Sprintf(`(() => {
		const a = document.querySelector('#needs-me-table a[href="/escalations/%s"]');
		return a ? a.closest("tr").innerText : "" })()`, ref), &s))
	return s
}

// notices returns the Notifications page's items about ref, newest first,
// each as its text. The page must be open.
func (w *walk) notices(ref string) []string {
	w.t.Helper()
	var out []string
	w.run(chromedp.Evaluate(fmt.Sprintf(`Array.from(document.querySelectorAll(".app-notifications__item"))
		.filter(li => li.querySelector('a[href="/escalations/%s"]')).map(li => li.innerText)`, ref), &out))
	return out
}

// openNotifications opens the Notifications page from the header.
func (w *walk) openNotifications() {
	w.t.Helper()
	w.run(click(`a.govuk-service-navigation__link[href="/notifications"]`), waitH1("Notifications"))
	w.check("")
}

// find opens escalation ref as the signed-in person finds it: My work
// (where they land on signing in) must list it under "What needs you" when
// mine is true, and not when it is false; and one of their unread
// notifications about it must say happened. They open the case from that
// notification. It returns the person's notifications about ref, newest
// first.
func (w *walk) find(ref, happened string, mine bool) []string {
	w.t.Helper()
	if got := w.needsMe(ref); mine && got == "" {
		w.t.Errorf("My work does not list %s for %s", ref, w.who)
	} else if !mine && got != "" {
		w.t.Errorf("My work lists %s for %s, who has nothing to do on it: %q", ref, w.who, got)
	}
	w.openNotifications()
	ns := w.notices(ref)
	at := slices.IndexFunc(ns, func(n string) bool { return strings.Contains(n, happened) && strings.Contains(n, "Unread") })
	if at < 0 {
		w.t.Fatalf("%s has no unread notification about %s saying %q; they have:\n%s", w.who, ref, happened, strings.Join(ns, "\n"))
	}
	var ok bool
	w.run(chromedp.Evaluate(fmt.Sprintf(`(() => {
		const a = Array.from(document.querySelectorAll(".app-notifications__item"))
			.map(li => li.querySelector('a[href="/escalations/%s"]')).filter(a => a)[%d];
		if (!a) return false; a.click(); return true })()`, ref, at), &ok), waitH1(ref))
	if !ok {
		w.t.Fatalf("no link to %s on the Notifications page", ref)
	}
	w.check("")
	return ns
}

// fromMyWork opens escalation ref from My work's "What needs you".
func (w *walk) fromMyWork(ref string) {
	w.t.Helper()
	w.run(click(`a.govuk-service-navigation__link[href="/"]`), waitH1("My work"))
	if w.needsMe(ref) == "" {
		w.t.Fatalf("My work does not list %s for %s", ref, w.who)
	}
	w.run(click(`#needs-me-table a[href="/escalations/`+ref+`"]`), waitH1(ref))
	w.check("")
}

// notTold checks that the signed-in person has neither a notification
// about ref nor it on My work.
func (w *walk) notTold(ref string) {
	w.t.Helper()
	if got := w.needsMe(ref); got != "" {
		w.t.Errorf("My work lists %s for %s: %q", ref, w.who, got)
	}
	w.openNotifications()
	if ns := w.notices(ref); len(ns) > 0 {
		w.t.Errorf("%s was told about %s: %q", w.who, ref, ns)
	}
}

// whoActs returns the names in the escalation page's "Who acts now".
func (w *walk) whoActs() []string { w.t.Helper(); return names(w.text("#who-acts")) }

// acts checks that the signed-in person is named in "Who acts now" on a
// step whose words hold what, and returns that step's text.
func (w *walk) acts(what string) string {
	w.t.Helper()
	var rows []string
	w.run(chromedp.Evaluate(`Array.from(document.querySelectorAll("#who-acts > li")).map(r => r.innerText)`, &rows))
	me := w.me()
	for _, r := range rows {
		if strings.Contains(r, what) && slices.Contains(names(r), me) {
			return r
		}
	}
	w.t.Errorf("%s is not named in Who acts now for %q:\n%s", me, what, strings.Join(rows, "\n"))
	return ""
}

// told returns the names the timeline's latest event titled title says
// were told. The timeline lists the latest first, the older ones folded
// under "Earlier".
func (w *walk) told(title string) []string {
	w.t.Helper()
	var s string
	var found bool
	w.run(chromedp.Evaluate(fmt.Sprintf(`(() => {
		const li = Array.from(document.querySelectorAll("#timeline > li, #earlier-events li"))
			.find(li => li.querySelector(".app-event-title").textContent.trim() === %q);
		if (!li) return [false, ""];
		const t = li.querySelector(".app-told");
		return [true, t ? t.textContent : ""] })()`, title), &[]any{&found, &s}))
	if !found {
		w.t.Fatalf("the timeline has no %q event", title)
	}
	return names(s)
}

// toldWhoActs checks that the people told of the latest event titled title
// are the people "Who acts now" names, and besides them exactly informed
// (the raiser, who was named, who is copied in or alerted: told but with
// nothing to do now), never the signed-in person, who made the change.
func (w *walk) toldWhoActs(title string, informed ...string) {
	w.t.Helper()
	me := w.me()
	want := slices.DeleteFunc(append(w.whoActs(), informed...), func(n string) bool { return n == me })
	slices.Sort(want)
	want = slices.Compact(want)
	got := w.told(title)
	if slices.Contains(got, me) {
		w.t.Errorf("%q: %s was told of their own action", title, me)
	}
	if !slices.Equal(got, want) {
		w.t.Errorf("%q: told %q; want who acts now %q and informed %q (not %s)", title, got, w.whoActs(), informed, me)
	}
}

// screens saves the page's first screenful, as a person first sees it, as
// testdata/screens/e2e-<pack>-<name>-1280.png and -375.png, and checks
// the narrow page does not scroll sideways.
func (w *walk) screens(name string) {
	w.t.Helper()
	dir := filepath.Join(repoRoot, "testdata", "screens")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		w.t.Fatal(err)
	}
	for _, width := range []int64{1280, 375} {
		var png []byte
		var scrollW, clientW int
		w.run(viewport(width, 900), settle,
			chromedp.Evaluate(`document.documentElement.scrollWidth`, &scrollW),
			chromedp.Evaluate(`document.documentElement.clientWidth`, &clientW),
			chromedp.CaptureScreenshot(&png))
		if scrollW > clientW {
			w.t.Errorf("%s at %dpx scrolls sideways: %d > %d", name, width, scrollW, clientW)
		}
		file := filepath.Join(dir, fmt.Sprintf("e2e-%s-%s-%d.png", w.pack, name, width))
		if err := os.WriteFile(file, png, 0o644); err != nil {
			w.t.Fatal(err)
		}
	}
	w.run(viewport(1024, 900), settle)
}

// take takes escalation ref with the page's "Take this escalation".
func (w *walk) take(ref string) {
	w.t.Helper()
	w.acts("Take this escalation")
	w.run(click("#take"), waitSel("#done-title"))
	if got := w.text(".govuk-notification-banner__heading"); got != "You are now dealing with this escalation" {
		w.t.Errorf("after taking %s the banner reads %q", ref, got)
	}
	w.check("")
}

// nameOne names who deals with ref from the list "Name who is dealing
// with this" offers, by the option's text (name and team).
func (w *walk) nameOne(ref, option string) {
	w.t.Helper()
	link := `#actions a[href="/escalations/` + ref + `/party"]`
	w.run(click(link), waitSel(`form[action="/escalations/`+ref+`/party"]`))
	w.check("party")
	w.selectText("user", option)
	who := option[:strings.Index(option, " (")]
	w.run(click(`form[action="/escalations/`+ref+`/party"] button[type=submit]`), waitSel("#done-title"))
	if got := w.text(".govuk-notification-banner__heading"); got != who+" is now dealing with this escalation" {
		w.t.Errorf("after naming %s the banner reads %q", who, got)
	}
	w.check("")
}

// escalate takes the next stage from the escalation page and wants the
// page to say it is now at stage.
func (w *walk) escalate(ref, reason, stage, shot string) {
	w.t.Helper()
	w.act(ref, "escalate", "Escalated to the next stage", shot, chromedp.ActionFunc(func(ctx context.Context) error {
		// Where the policy lets a stage be skipped the form asks where
		// to; the walk goes to the next stage, always the first choice.
		var radios int
		if err := chromedp.Evaluate(`document.querySelectorAll("input#to[type=radio]").length`, &radios).Do(ctx); err != nil {
			return err
		}
		if radios > 0 {
			if err := choose("to").Do(ctx); err != nil {
				return err
			}
		}
		return keys("#reason", reason).Do(ctx)
	}))
	if got := w.stage(); !strings.HasPrefix(got, stage) {
		w.t.Errorf("after escalating %s is at %q, want %q", ref, got, stage)
	}
}

// act takes an action from the escalation page's "What you can do" list:
// the link must be offered, its form is checked with axe-core, fill
// answers it, and the escalation page comes back with banner. The
// escalation page must already be open.
func (w *walk) act(ref, path, banner, shot string, fill ...chromedp.Action) {
	w.t.Helper()
	link := `#actions a[href="/escalations/` + ref + `/` + path + `"]`
	var n int
	w.run(chromedp.Evaluate(fmt.Sprintf(`document.querySelectorAll(%q).length`, link), &n))
	if n != 1 {
		w.t.Fatalf("%s is not offered %q on %s; the page offers:\n%s", w.who, path, ref, w.text("#current-stage")+"\n"+w.actions())
	}
	w.run(click(link), waitSel(`form[action="/escalations/`+ref+`/`+path+`"]`))
	w.check("")
	w.run(fill...)
	w.run(click(`form[action="/escalations/`+ref+`/`+path+`"] button[type=submit]`), waitSel("#done-title"))
	if got := w.text(".govuk-notification-banner__heading"); got != banner {
		w.t.Errorf("after %s the banner reads %q, want %q", path, got, banner)
	}
	w.check(shot)
}

// actions lists the links the escalation page offers, one a line.
func (w *walk) actions() string {
	var s string
	w.run(chromedp.Evaluate(`Array.from(document.querySelectorAll("#actions a")).map(a => a.textContent).join("\n")`, &s))
	return s
}

// stage is the escalation page's "Where it is now".
func (w *walk) stage() string { w.t.Helper(); return w.text("#current-stage") }

// status is the escalation page's status tag.
func (w *walk) status() string { w.t.Helper(); return w.text("main .govuk-tag") }

// Results of a recorded discussion: did it settle the disagreement?
const (
	agreed    = "result"   // "Yes, we agreed an outcome"
	notAgreed = "result-1" // "No, we could not agree"
	ongoing   = "result-2" // "Not yet: we are still discussing it"
)

// record fills the record form: at 13:00 today, in a meeting, and what it
// came to (agreed, notAgreed or ongoing).
func record(participants, discussion, outcome, result string) chromedp.Action {
	return chromedp.Tasks{keys("#at-time", "13:00"), choose("form-1"),
		keys("#participants", participants), keys("#discussion", discussion), keys("#outcome", outcome), choose(result)}
}

// recordDiscussion records a discussion on ref from its page.
func (w *walk) recordDiscussion(ref, participants, discussion, outcome, result, shot string) {
	w.t.Helper()
	w.act(ref, "record", "Discussion recorded", shot, record(participants, discussion, outcome, result))
}
