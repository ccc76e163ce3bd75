package web_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/sqlstore"
	"github.com/escalate-project/escalate/web"
)

var _ web.FeedStore = (*sqlstore.DB)(nil)

// feedBase is the service's address in the feed tests' links.
const feedBase = "https://escalate.example.org"

// newFeedCases is newCases with a server that serves the calendar pages:
// they need the partnership store (*sqlstore.DB) as their FeedStore.
func newFeedCases(t *testing.T) *cases {
	t.Helper()
	c := newCases(t, "wirral")
	srv, err := web.New(web.Config{
		Auth:        &sqlstore.Sessions{DB: c.db, Idle: 30 * time.Minute, Lifetime: 12 * time.Hour},
		Logger:      slog.New(slog.NewJSONHandler(c.logs, nil)),
		Escalations: c.svc,
		Partnership: c.db,
		BaseURL:     feedBase,
	})
	if err != nil {
		t.Fatal(err)
	}
	c.srv = srv
	c.ts.Close()
	c.ts = httptest.NewServer(srv)
	t.Cleanup(c.ts.Close)
	return c
}

var feedURLPattern = regexp.MustCompile(regexp.QuoteMeta(feedBase) + `/feeds/([A-Za-z0-9_-]{43})\.ics`)

// newFeed makes a calendar link as who and returns its path on the test
// server.
func (c *cases) newFeed(t *testing.T, who string) string {
	t.Helper()
	res := c.post(t, who, "/account/calendar/link", url.Values{})
	m := feedURLPattern.FindStringSubmatch(res.body)
	if res.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("make a link as %s: %d, no feed URL in the page", who, res.StatusCode)
	}
	return "/feeds/" + m[1] + ".ics"
}

func TestCalendarFeed(t *testing.T) {
	c := newFeedCases(t)
	e := c.raise(t)
	e = c.state(t, e.Ref)
	samFeed := c.newFeed(t, "sam")

	t.Run("OK", func(t *testing.T) {
		res := c.do(t, "GET", samFeed, "", nil)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("status %d", res.StatusCode)
		}
		if ct := res.Header.Get("Content-Type"); ct != "text/calendar; charset=utf-8" {
			t.Errorf("Content-Type %q", ct)
		}
		if cc := res.Header.Get("Cache-Control"); !strings.HasPrefix(cc, "private") {
			t.Errorf("Cache-Control %q, want private", cc)
		}
		if !strings.HasPrefix(res.body, "BEGIN:VCALENDAR\r\n") || !strings.HasSuffix(res.body, "END:VCALENDAR\r\n") {
			t.Errorf("not a calendar:\n%s", res.body)
		}
		// One event for the escalation waiting on sam (who was named at the
		// receiving side): its next step at the soonest running clock of
		// sam's side, as My work lists it.
		var want []escalate.ClockState
		for _, ck := range e.Clocks {
			if ck.Status == escalate.ClockRunning && ck.By != escalate.SideRaising && (len(want) == 0 || ck.Due.Before(want[0].Due)) {
				want = []escalate.ClockState{ck}
			}
		}
		if len(want) == 0 {
			t.Fatal("the escalation has no running clock for the receiving side")
		}
		if n := strings.Count(res.body, "BEGIN:VEVENT"); n != len(want) {
			t.Errorf("%d events, want %d:\n%s", n, len(want), res.body)
		}
		for _, ck := range want {
			for _, line := range []string{
				"UID:" + e.Ref + "-next@escalate.example.org",
				"DTSTART:" + ck.Due.UTC().Format("20060102T150405Z"),
				"URL:" + feedBase + "/escalations/" + e.Ref,
			} {
				if !strings.Contains(res.body, "\r\n"+line+"\r\n") {
					t.Errorf("no line %q in\n%s", line, res.body)
				}
			}
		}
		unfolded := strings.ReplaceAll(res.body, "\r\n ", "")
		if !strings.Contains(unfolded, "SUMMARY:Escalation "+e.Ref+": ") {
			t.Errorf("no summary naming %s:\n%s", e.Ref, unfolded)
		}
		for _, child := range []string{"SCH-0042", "JS", "referral was closed", "neglect", "threshold", "duty social worker"} {
			if strings.Contains(unfolded, child) {
				t.Errorf("the feed holds child data %q", child)
			}
		}
		for _, l := range strings.Split(strings.TrimSuffix(res.body, "\r\n"), "\r\n") {
			if len(l) > 75 {
				t.Errorf("line of %d octets: %q", len(l), l)
			}
		}
		if strings.Contains(c.logs.String(), strings.TrimSuffix(strings.TrimPrefix(samFeed, "/feeds/"), ".ics")) {
			t.Error("the request log holds the feed's secret")
		}
	})
	t.Run("OnlyMine", func(t *testing.T) {
		res := c.do(t, "GET", c.newFeed(t, "stranger"), "", nil)
		if res.StatusCode != http.StatusOK || strings.Contains(res.body, "BEGIN:VEVENT") || strings.Contains(res.body, e.Ref) {
			t.Errorf("the stranger's feed: %d\n%s", res.StatusCode, res.body)
		}
	})
	t.Run("NotFound", func(t *testing.T) {
		for _, p := range []string{"/feeds/" + strings.Repeat("A", 43) + ".ics", "/feeds/abc.ics", "/feeds/x",
			strings.TrimSuffix(samFeed, ".ics")} {
			if res := c.do(t, "GET", p, "", nil); res.StatusCode != http.StatusNotFound {
				t.Errorf("GET %s: %d, want 404", p, res.StatusCode)
			}
		}
	})
	t.Run("NewLinkRevokesOld", func(t *testing.T) {
		old := c.newFeed(t, "jo")
		fresh := c.newFeed(t, "jo")
		if res := c.do(t, "GET", old, "", nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("old link: %d, want 404", res.StatusCode)
		}
		if res := c.do(t, "GET", fresh, "", nil); res.StatusCode != http.StatusOK {
			t.Errorf("new link: %d, want 200", res.StatusCode)
		}
		res := c.post(t, "jo", "/account/calendar/revoke", url.Values{})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/account/calendar?revoked=1" {
			t.Fatalf("revoke: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		if res := c.do(t, "GET", fresh, "", nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("revoked link: %d, want 404", res.StatusCode)
		}
		if page := c.get(t, "jo", "/account/calendar?revoked=1"); !strings.Contains(page.body, "You do not have a calendar link") ||
			!strings.Contains(page.body, "It no longer works") {
			t.Errorf("the page after revoking:\n%s", page.body)
		}
	})
	t.Run("Disabled", func(t *testing.T) {
		if err := c.db.DisableUser(context.Background(), c.users["sam"].ID); err != nil {
			t.Fatal(err)
		}
		if res := c.do(t, "GET", samFeed, "", nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("a disabled user's feed: %d, want 404", res.StatusCode)
		}
	})
}

func TestCalendarDigestSetting(t *testing.T) {
	c := newFeedCases(t)
	page := c.get(t, "jo", "/account/calendar")
	if page.StatusCode != http.StatusOK || !strings.Contains(page.body, `id="digest-no" name="digest" type="radio" value="no" checked`) {
		t.Fatalf("the page does not start at no: %d", page.StatusCode)
	}
	t.Run("ErrInvalid", func(t *testing.T) {
		res := c.post(t, "jo", "/account/calendar/digest", url.Values{"digest": {"maybe"}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.body, `href="#digest"`) {
			t.Errorf("an invalid choice: %d, no error summary linking #digest", res.StatusCode)
		}
		if _, _, on, _ := c.db.FeedStatus(c.as("jo")); on {
			t.Error("an invalid choice turned the digest on")
		}
	})
	t.Run("OK", func(t *testing.T) {
		res := c.post(t, "jo", "/account/calendar/digest", url.Values{"digest": {"yes"}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/account/calendar?saved=1" {
			t.Fatalf("save: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		if _, _, on, err := c.db.FeedStatus(c.as("jo")); err != nil || !on {
			t.Errorf("digest not on: %v", err)
		}
		page := c.get(t, "jo", "/account/calendar?saved=1")
		if !strings.Contains(page.body, `value="yes" checked`) || !strings.Contains(page.body, "choice has been saved") {
			t.Errorf("the page after saving does not show yes")
		}
	})
	t.Run("SignedOut", func(t *testing.T) {
		res := c.do(t, "GET", "/account/calendar", "", nil)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/sign-in?next=%2Faccount%2Fcalendar" {
			t.Errorf("signed out: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
	})
}
