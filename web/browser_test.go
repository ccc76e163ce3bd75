package web_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/escalate-project/escalate/internal/testenv"
)

// The repository root, where make puts node_modules and where
// testdata/screens/ is git-ignored.
const repoRoot = ".."

// submitButton is the form's submit button, not the password's Show button.
const submitButton = `form button.govuk-button[type=submit]`

// axeTags are the rule sets for WCAG 2.2 level AA.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"}

// browser is a headless Debian Chromium on a fresh profile, with every
// console error, uncaught exception and CSP report collected.
type browser struct {
	ctx    context.Context
	mu     sync.Mutex
	errors []string
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	path := testenv.Chromium(t)
	// Not t.TempDir: Chromium's helper processes may still be writing the
	// profile when the test ends, which fails TempDir's own cleanup.
	profile, err := os.MkdirTemp("", "escalate-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for range 20 {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1024, 900),
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	// Long enough for the longest end-to-end walk on a shared machine.
	ctx, cancel3 := context.WithTimeout(ctx, 10*time.Minute)
	t.Cleanup(cancel3)
	b := &browser{ctx: ctx}
	chromedp.ListenTarget(ctx, func(ev any) {
		b.mu.Lock()
		defer b.mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			b.errors = append(b.errors, "exception: "+ev.ExceptionDetails.Error())
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.APITypeError {
				b.errors = append(b.errors, "console.error")
			}
		case *log.EventEntryAdded:
			// A page's own 4xx status is reported as a network error; only
			// a failed static file is a fault.
			if ev.Entry.Source == log.SourceNetwork && !strings.Contains(ev.Entry.URL, "/static/") &&
				!strings.Contains(ev.Entry.URL, "/assets/") && !strings.Contains(ev.Entry.URL, "favicon") {
				return
			}
			if ev.Entry.Level == log.LevelError {
				b.errors = append(b.errors, fmt.Sprintf("%s: %s (%s)", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL))
			}
		}
	})
	if err := chromedp.Run(ctx, log.Enable()); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return b
}

// takeErrors returns and clears the errors seen so far.
func (b *browser) takeErrors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	errs := b.errors
	b.errors = nil
	return errs
}

func (b *browser) run(t *testing.T, actions ...chromedp.Action) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, time.Minute)
	defer cancel()
	if err := chromedp.Run(ctx, actions...); err != nil {
		t.Fatal(err)
	}
}

// waitVisible waits until the loaded page shows an element sel matches.
// Unlike chromedp.WaitVisible, which may resolve a node of the document a
// form's submission is leaving and then fail with "No node with given id
// found", it polls the page with waitJS, which an interrupted evaluation
// only makes try again.
func waitVisible(sel string) chromedp.Action {
	return waitJS(fmt.Sprintf(`(e => e !== null && e.getClientRects().length > 0)(document.querySelector(%q))`, sel))
}

// axeViolation is the part of an axe-core result a failure report needs.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any  `json:"target"`
		HTML   string `json:"html"`
	} `json:"nodes"`
}

// check runs axe-core and the WCAG 2.2 checks axe lacks on the page at
// 1280 and 375 pixels wide (a11yCheck), fails on any violation or on any
// script, CSP or console error since the last check, and saves full-page
// screenshots as testdata/screens/NAME.png (1280) and NAME-375.png.
func (b *browser) check(t *testing.T, axe, name string) {
	t.Helper()
	dir := filepath.Join(repoRoot, "testdata", "screens")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	a11yCheck(t, b.ctx, axe, name, func(width int64) {
		var png []byte
		b.run(t, chromedp.FullScreenshot(&png, 100)) // quality 100 makes a PNG
		file := name + ".png"
		if width != checkWidths[0] {
			file = fmt.Sprintf("%s-%d.png", name, width)
		}
		if err := os.WriteFile(filepath.Join(dir, file), png, 0o644); err != nil {
			t.Fatal(err)
		}
	})
	for _, e := range b.takeErrors() {
		t.Errorf("%s: browser error: %s", name, e)
	}
}

// TestBrowser signs in and out in a real browser against the real server:
// the empty form's error summary, the home page, a 404 and sign-out, each
// checked with axe-core and saved as a screenshot.
func TestBrowser(t *testing.T) {
	b := newBrowser(t)
	axe, err := os.ReadFile(filepath.Join(repoRoot, "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		t.Fatalf("axe-core is not installed: run make vendor (%v)", err)
	}
	e := newEnv(t, false) // plain http on loopback, as in the demo
	if res := e.do(t, "GET", "/static/vendor/govuk-frontend.min.css", "", nil); res.StatusCode != 200 {
		t.Fatalf("govuk-frontend is not in web/static/vendor: run make vendor (status %d)", res.StatusCode)
	}
	u := e.ts.URL

	t.Run("SignInPage", func(t *testing.T) {
		var jsOn bool
		b.run(t, chromedp.Navigate(u+"/"), waitVisible("#email"),
			// app.js ran under the CSP: the password toggle is shown.
			waitVisible(".govuk-password-input__toggle"),
			chromedp.Evaluate(`document.body.classList.contains("govuk-frontend-supported")`, &jsOn))
		if !jsOn {
			t.Error("govuk-frontend did not start")
		}
		var font string
		b.run(t, chromedp.Evaluate(`getComputedStyle(document.querySelector("h1")).fontFamily`, &font))
		if !strings.HasPrefix(strings.ToLower(font), "arial") {
			t.Errorf("the heading's font is %q, want Arial", font)
		}
		b.check(t, string(axe), "sign-in")
	})
	t.Run("EmptyFormErrors", func(t *testing.T) {
		var links []*cdp.Node
		var focused string
		b.run(t, chromedp.Click(submitButton, chromedp.ByQuery),
			waitVisible(".govuk-error-summary"),
			chromedp.Nodes(".govuk-error-summary__list a", &links, chromedp.ByQueryAll),
			chromedp.Evaluate(`document.activeElement.className`, &focused))
		var hrefs []string
		for _, n := range links {
			hrefs = append(hrefs, n.AttributeValue("href"))
		}
		if strings.Join(hrefs, " ") != "#email #password" {
			t.Errorf("error summary links %q, want #email #password", hrefs)
		}
		if !strings.Contains(focused, "govuk-error-summary") {
			t.Errorf("focus is on %q, want the error summary", focused)
		}
		b.check(t, string(axe), "sign-in-errors")
		// The summary's link moves focus to the field.
		var active string
		b.run(t, chromedp.Click(`.govuk-error-summary__list a[href="#password"]`, chromedp.ByQuery),
			chromedp.Evaluate(`document.activeElement.id`, &active))
		if active != "password" {
			t.Errorf("after the summary link focus is on %q, want password", active)
		}
	})
	t.Run("WrongPassword", func(t *testing.T) {
		var msg string
		b.run(t, chromedp.Navigate(u+"/sign-in"),
			chromedp.SendKeys("#email", testEmail, chromedp.ByID),
			chromedp.SendKeys("#password", "not my password", chromedp.ByID),
			chromedp.Click(submitButton, chromedp.ByQuery),
			waitVisible(".govuk-error-summary"),
			chromedp.Text(".govuk-error-summary__list", &msg, chromedp.ByQuery))
		if !strings.Contains(msg, "not right") {
			t.Errorf("error summary says %q", msg)
		}
	})
	t.Run("SignIn", func(t *testing.T) {
		var h1, body string
		b.run(t, chromedp.Navigate(u+"/sign-in"),
			chromedp.SendKeys("#email", testEmail, chromedp.ByID),
			chromedp.SendKeys("#password", testPassword, chromedp.ByID),
			chromedp.Click(submitButton, chromedp.ByQuery),
			waitVisible(".govuk-summary-list"),
			chromedp.Text("h1", &h1, chromedp.ByQuery),
			chromedp.Text("main", &body, chromedp.ByQuery))
		if h1 != "My work" || !strings.Contains(body, "Jo Bloggs") || !strings.Contains(body, "Wirral Safeguarding Children Partnership") {
			t.Errorf("home page: h1 %q, main %q", h1, body)
		}
		b.check(t, string(axe), "home")
		// A phone-sized window, loaded at that size: check fails it if the
		// page does not reflow (WCAG 1.4.10).
		b.run(t, viewport(375, 740), chromedp.Reload(), waitVisible(".app-sign-out__button"))
		b.check(t, string(axe), "home-narrow")
		b.run(t, viewport(1024, 900))
	})
	t.Run("NotFound", func(t *testing.T) {
		var h1 string
		b.run(t, chromedp.Navigate(u+"/no-such-page"), chromedp.Text("h1", &h1, chromedp.ByQuery))
		if h1 != "Page not found" {
			t.Errorf("h1 %q", h1)
		}
		b.takeErrors() // the browser reports the 404 status itself
		b.check(t, string(axe), "not-found")
	})
	t.Run("SignOut", func(t *testing.T) {
		var banner string
		b.run(t, chromedp.Navigate(u+"/"), waitVisible(".app-sign-out__button"),
			chromedp.Click(".app-sign-out__button", chromedp.ByQuery),
			waitVisible(".govuk-notification-banner"),
			chromedp.Text(".govuk-notification-banner", &banner, chromedp.ByQuery))
		if !strings.Contains(banner, "You have signed out") {
			t.Errorf("banner %q", banner)
		}
		b.check(t, string(axe), "signed-out")
		var loc string
		b.run(t, chromedp.Navigate(u+"/"), waitVisible("#email"), chromedp.Location(&loc))
		if loc != u+"/sign-in" {
			t.Errorf("after sign-out / went to %q, want the sign-in page", loc)
		}
	})
}
