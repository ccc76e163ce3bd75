package web_test

import (
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/escalate-project/escalate/sqlstore"
	"github.com/escalate-project/escalate/web"
)

// TestTimeoutBrowser: with a 45-second session, the timeout warning opens
// before the end (a modal dialog that passes axe-core, at 1280 and 375
// px), "Stay signed in" closes it, and when the time runs out the page
// signs out and says why; signing in again goes back to the record form
// with what was typed, which app.js kept as it was typed.
func TestTimeoutBrowser(t *testing.T) {
	b := newBrowser(t)
	axe, err := os.ReadFile(filepath.Join(repoRoot, "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		t.Fatalf("axe-core is not installed: run make vendor (%v)", err)
	}
	c := newCases(t, "wirral")
	e := c.raise(t)
	// The store's clock follows the wall clock here: the session must
	// really run out.
	c.db.Now = func() time.Time { return time.Now().UTC() }
	idle := 45 * time.Second
	srv, err := web.New(web.Config{
		Auth:        &sqlstore.Sessions{DB: c.db, Idle: idle, Lifetime: time.Hour},
		Logger:      slog.New(slog.NewJSONHandler(c.logs, nil)),
		Escalations: c.svc, Raise: c.db, IdleTimeout: idle,
	})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	u := ts.URL
	signIn := func() {
		b.run(t, chromedp.Navigate(u+"/sign-in"), waitVisible(".govuk-password-input__toggle"),
			chromedp.SendKeys("#email", testEmail, chromedp.ByID), chromedp.SendKeys("#password", testPassword, chromedp.ByID),
			chromedp.Click(submitButton, chromedp.ByQuery), waitJS(`location.pathname !== "/sign-in"`))
	}
	signIn()
	b.run(t, waitJS(`location.pathname === "/"`), chromedp.Navigate(u+"/escalations/"+e.Ref+"/record"), waitVisible("#discussion"),
		chromedp.SendKeys("#discussion", "Typed before the session ran out.", chromedp.ByID))
	// The warning opens a third of the time before the end.
	b.run(t, waitVisible("#timeout-dialog[open]"))
	var focused string
	b.run(t, chromedp.Evaluate(`document.activeElement.id`, &focused))
	if focused != "timeout-stay" {
		t.Errorf("the warning put the focus on %q, want Stay signed in", focused)
	}
	b.run(t, viewport(1280, 800))
	b.check(t, string(axe), "timeout-warning-1280")
	b.run(t, chromedp.Click("#timeout-stay", chromedp.ByID), waitJS(`!document.getElementById("timeout-dialog").open`))
	// Then nothing more: the warning comes again (checked on a phone's
	// width), and the page signs out when the time runs out.
	b.run(t, viewport(375, 800), waitVisible("#timeout-dialog[open]"))
	b.check(t, string(axe), "timeout-warning-375")
	b.run(t, viewport(1024, 900))
	var banner string
	ctxWait := chromedp.Tasks{waitJS(`location.pathname === "/sign-in" && document.querySelector(".govuk-notification-banner") !== null`),
		chromedp.Text(".govuk-notification-banner", &banner, chromedp.ByQuery)}
	b.run(t, ctxWait)
	if !strings.Contains(banner, "You were signed out because you had not used Escalate for 45 seconds") {
		t.Errorf("the sign-in page says %q", banner)
	}
	b.check(t, string(axe), "timeout-signed-out")
	var loc, text string
	// Signing in on the page it came to, which knows where to go back to.
	b.run(t, waitVisible(".govuk-password-input__toggle"),
		chromedp.SendKeys("#email", testEmail, chromedp.ByID), chromedp.SendKeys("#password", testPassword, chromedp.ByID),
		chromedp.Click(submitButton, chromedp.ByQuery), waitJS(`location.pathname !== "/sign-in"`))
	b.run(t, chromedp.Location(&loc), waitVisible("#discussion"), chromedp.Value("#discussion", &text, chromedp.ByID))
	if loc != u+"/escalations/"+e.Ref+"/record" || text != "Typed before the session ran out." {
		t.Errorf("after signing in again: %s with %q", loc, text)
	}
	b.check(t, string(axe), "timeout-kept")
}
