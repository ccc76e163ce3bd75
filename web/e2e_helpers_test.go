package web_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/demo"
	"github.com/escalate-project/escalate/sqlstore"
	"github.com/escalate-project/escalate/web"
)

// The end-to-end tests walk one escalation of each demo partnership from
// raise to its end in a real browser, signing in and out as each person who
// acts. The demo package seeds the people; every step of the walk goes
// through the pages, and nobody is named by hand: each person reaches the
// case only from their Notifications or My work (e2e_routing_test.go), and
// takes each action from the links the case page offers. Every page visited
// is checked with axe-core.

// e2eNow is the demo's present: a Monday afternoon on the London clock.
var e2eNow = time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC)

// e2ePassword is every demo account's password.
const e2ePassword = "e2e demo password for tests"

// walk is one end-to-end test: a browser, the real server over a seeded
// SQLite file, and the pack whose demo partnership it walks.
type walk struct {
	t     *testing.T
	b     *browser
	axe   string
	pack  string
	db    *sqlstore.DB
	svc   *sqlstore.EscalationService
	clock *testClock
	u     string
	part  *escalate.Partnership
	who   string // the signed-in email, "" when signed out
	pages int    // pages checked with axe-core

	signInChecked, signedOutChecked bool
}

func newWalk(t *testing.T, pack string) *walk {
	t.Helper()
	b := newBrowser(t)
	axeJS, err := os.ReadFile(filepath.Join(repoRoot, "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		t.Fatalf("axe-core is not installed: run make vendor (%v)", err)
	}
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "e2e.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	w := &walk{t: t, b: b, axe: string(axeJS), pack: pack, db: db, clock: &testClock{t: e2eNow}}
	db.Now = w.clock.now
	start := time.Now()
	if _, err := demo.Seed(ctx, db, e2eNow, e2ePassword); err != nil {
		t.Fatal(err)
	}
	t.Logf("demo seeded in %v", time.Since(start).Round(time.Millisecond))
	ps, err := db.Partnerships(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.Key == pack {
			w.part = p
		}
	}
	if w.part == nil {
		t.Fatalf("the demo has no %s partnership", pack)
	}
	w.svc = sqlstore.NewEscalationService(db)
	// Wired as escalate serve wires it, without single sign-on.
	srv, err := web.New(web.Config{
		Auth:        &sqlstore.Sessions{DB: db, Idle: 30 * time.Minute, Lifetime: 12 * time.Hour},
		Logger:      slog.New(slog.NewJSONHandler(&syncBuffer{}, nil)),
		Raise:       db,
		Partnership: db,
		Reports:     db,
		Learning:    db,
		Escalations: w.svc,
		Dissents:    db,
		// The Notifications page is how people find what needs them.
		Notifications: db,
		API:           web.APIConfig{Tokens: sqlstore.NewTokenService(db), Store: db},
	})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv) // on 127.0.0.1:0
	t.Cleanup(ts.Close)
	w.u = ts.URL
	return w
}

// email is the demo address of role at agency ("" for the headline account
// of the role: the school's practitioner, children's social care's
// managers, the partnership team).
func (w *walk) email(role escalate.Role, agency string) string {
	if agency == "" {
		return fmt.Sprintf("%s@%s.example", role, w.pack)
	}
	return fmt.Sprintf("%s.%s@%s.example", role, agency, w.pack)
}

// user finds a demo account by its email.
func (w *walk) user(email string) *escalate.User {
	w.t.Helper()
	u, err := w.db.FindUserByEmail(context.Background(), w.part.ID, email)
	if err != nil {
		w.t.Fatalf("demo user %s: %v", email, err)
	}
	return u
}

// run runs actions, each call given 20 seconds: a page that never comes
// fails the test with a screenshot of where it stuck, not a hang.
func (w *walk) run(actions ...chromedp.Action) {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(w.b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Run(ctx, actions...); err != nil {
		var loc, main string
		var png []byte
		_ = chromedp.Run(w.b.ctx, chromedp.Location(&loc), chromedp.Text("body", &main, chromedp.ByQuery),
			chromedp.FullScreenshot(&png, 100))
		name := filepath.Join(repoRoot, "testdata", "screens", "e2e-"+w.pack+"-failure.png")
		_ = os.WriteFile(name, png, 0o644)
		w.t.Fatalf("%v at %s (as %s; screenshot %s):\n%s", err, loc, w.who, name, main)
	}
}

// waitH1 waits for the page whose h1 holds text.
func waitH1(text string) chromedp.Action {
	return waitJS(fmt.Sprintf(`Array.from(document.querySelectorAll("h1")).some(h => h.textContent.replace(/\s+/g, " ").includes(%q))`, text))
}

// waitSel waits for a page with an element sel matches.
func waitSel(sel string) chromedp.Action {
	return waitJS(fmt.Sprintf(`document.querySelector(%q) !== null`, sel))
}

// waitJS polls cond on the loaded page until it is true. Unlike
// chromedp's node queries it cannot be caught between two documents by a
// navigation: an evaluation the navigation interrupts is tried again.
func waitJS(cond string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		for {
			var ok bool
			err := chromedp.Evaluate(`document.readyState === "complete" && (`+cond+`)`, &ok).Do(ctx)
			if err == nil && ok {
				return nil
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("waiting for %s: %w (last error: %v)", cond, ctx.Err(), err)
			case <-time.After(50 * time.Millisecond):
			}
		}
	})
}

func keys(sel, text string) chromedp.Action { return chromedp.SendKeys(sel, text, chromedp.ByQuery) }
func click(sel string) chromedp.Action      { return chromedp.Click(sel, chromedp.ByQuery) }

// choose clicks the label of a radio or checkbox.
func choose(id string) chromedp.Action { return click(`label[for="` + id + `"]`) }

// selectText picks the option of select id whose text is text.
func (w *walk) selectText(id, text string) {
	w.t.Helper()
	var ok bool
	w.run(chromedp.Evaluate(fmt.Sprintf(`(() => { const s = document.getElementById(%q);
		for (const o of s.options) if (o.text === %q) { s.value = o.value; return true }
		return false })()`, id, text), &ok))
	if !ok {
		w.t.Fatalf("#%s has no option %q", id, text)
	}
}

// submit sends the page's form and waits for the page whose h1 holds h1.
func (w *walk) submit(h1 string) {
	w.t.Helper()
	w.run(click(submitButton), waitH1(h1))
}

// text returns the text of the first element sel matches, read in one
// evaluation so that it cannot straddle two documents.
func (w *walk) text(sel string) string {
	w.t.Helper()
	var s string
	w.run(chromedp.Evaluate(fmt.Sprintf(`(() => { const e = document.querySelector(%q); return e ? e.innerText : "" })()`, sel), &s))
	return s
}

// check runs axe-core on the page: a WCAG 2.2 AA violation or a browser
// error fails the test. A step named shot is also saved as
// testdata/screens/e2e-<pack>-<shot>.png; "" saves nothing.
func (w *walk) check(shot string) {
	w.t.Helper()
	w.pages++
	if shot != "" {
		w.b.check(w.t, w.axe, "e2e-"+w.pack+"-"+shot)
		return
	}
	var loc string
	w.run(chromedp.Location(&loc))
	a11yCheck(w.t, w.b.ctx, w.axe, loc, nil)
	for _, e := range w.b.takeErrors() {
		w.t.Errorf("%s: browser error: %s", loc, e)
	}
}

// signIn signs in through the sign-in page as email and lands on My work.
func (w *walk) signIn(email string) {
	w.t.Helper()
	if w.who != "" {
		w.t.Fatalf("sign in as %s: %s is still signed in", email, w.who)
	}
	w.clock.add(time.Minute) // each person acts a little later
	// A fresh sign-in page: the signed-out page's banner takes the focus
	// when govuk-frontend starts, which could swallow keys typed meanwhile.
	// Typing waits for the password toggle, which govuk-frontend adds.
	w.run(chromedp.Navigate(w.u+"/sign-in"), waitSel(".govuk-password-input__toggle"))
	// It is the same page each time, so axe-core checks it once a walk.
	if !w.signInChecked {
		w.check("")
		w.signInChecked = true
	}
	w.run(keys("#email", email), keys("#password", e2ePassword))
	w.submit("My work")
	w.who = email
	w.check("")
}

// signOut signs out with the header's button.
func (w *walk) signOut() {
	w.t.Helper()
	w.run(click(".app-sign-out__button"), waitH1("Sign in to Escalate"))
	if b := w.text(".govuk-notification-banner"); !strings.Contains(b, "You have signed out") {
		w.t.Errorf("after signing out %s the banner reads %q", w.who, b)
	}
	if !w.signedOutChecked {
		w.check("")
		w.signedOutChecked = true
	}
	w.who = ""
}

// immediateActions counts the immediate-risk actions in the audit chain,
// with or without an escalation.
func (w *walk) immediateActions() int {
	w.t.Helper()
	var n int
	err := w.db.WithTx(context.Background(), func(tx *sqlstore.Tx) error {
		return tx.QueryRowContext(context.Background(),
			`SELECT count(*) FROM audit_events WHERE action = $1`, escalate.ActionRiskImmediate).Scan(&n)
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return n
}

// final reads the escalation from the store, as the oversight would.
func (w *walk) final(ref string) (*escalate.Escalation, []escalate.Event) {
	w.t.Helper()
	ctx := escalate.NewContextWithUser(context.Background(), w.user(w.email(escalate.RoleBusinessManager, "")))
	_, _, events, err := w.svc.Timeline(ctx, ref)
	if err != nil {
		w.t.Fatal(err)
	}
	e, err := w.svc.Get(ctx, ref)
	if err != nil {
		w.t.Fatal(err)
	}
	// The child as typed on the raise journey, as stored.
	if !strings.HasPrefix(e.ChildRef, "E2E ") || e.ChildInitials != "AB" {
		w.t.Errorf("%s: child %q %q, want the reference with its space and initials AB", ref, e.ChildRef, e.ChildInitials)
	}
	return e, events
}

// actors returns who did each of the actions, in order, by email.
func (w *walk) actors(events []escalate.Event, actions ...string) map[string][]string {
	w.t.Helper()
	emails := map[int64]string{}
	us, err := w.db.Users(context.Background(), w.part.ID)
	if err != nil {
		w.t.Fatal(err)
	}
	for _, u := range us {
		emails[u.ID] = u.Email
	}
	out := map[string][]string{}
	for _, ev := range events {
		for _, a := range actions {
			if ev.Action == a {
				out[a] = append(out[a], emails[ev.Actor])
			}
		}
	}
	return out
}
