package web_test

import (
	"context"
	"html"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate/sqlstore"
	"github.com/escalate-project/escalate/web"
)

// withGoodPractice publishes the Wirral pack with a route for recognising
// good practice that tells the agency's manager.
func withGoodPractice(t *testing.T, c *cases) {
	t.Helper()
	_, raw := mustPackPolicy(t, "wirral")
	text := strings.Replace(string(raw), "version: chapter 7.2 (September 2015)", "version: chapter 7.2 with good practice", 1)
	text = strings.Replace(text, "\nassumptions:\n", "\ngood_practice:\n  tell: [manager]\n  help: Say what they did and the difference it made.\n  cite: test\nassumptions:\n", 1)
	if _, err := c.db.PublishPolicy(c.as("bm"), c.users["bm"].PartnershipID, []byte(text), 0); err != nil {
		t.Fatal(err)
	}
}

func TestGoodPracticePages(t *testing.T) {
	c := newReportOrg(t)
	srv, err := web.New(web.Config{
		Auth:          &sqlstore.Sessions{DB: c.db, Idle: 30 * time.Minute, Lifetime: 12 * time.Hour},
		Logger:        slog.New(slog.NewJSONHandler(c.logs, nil)),
		Escalations:   c.svc,
		Partnership:   c.db,
		Reports:       c.db,
		Notifications: c.db,
	})
	if err != nil {
		t.Fatal(err)
	}
	c.srv = srv
	c.ts.Close()
	c.ts = httptest.NewServer(srv)
	t.Cleanup(c.ts.Close)
	if res := c.get(t, "jo", "/good-practice"); res.StatusCode != 404 {
		t.Errorf("without the route: GET /good-practice = %d, want 404", res.StatusCode)
	}
	withGoodPractice(t, c)
	care := strconv.FormatInt(c.agencies["care"].ID, 10)
	t.Run("PolicyLink", func(t *testing.T) {
		if res := c.get(t, "jo", "/policy"); !strings.Contains(res.body, `href="/good-practice"`) {
			t.Error("the policy page does not link to good practice")
		}
	})
	t.Run("ErrForm", func(t *testing.T) {
		res := c.post(t, "jo", "/good-practice/new", url.Values{"agency": {""}, "what": {" "}})
		if res.StatusCode != 400 || strings.Join(summaryLinks(res.body), " ") != "agency what" {
			t.Errorf("status %d, summary %v", res.StatusCode, summaryLinks(res.body))
		}
		own := strconv.FormatInt(c.users["jo"].AgencyID, 10)
		res = c.post(t, "jo", "/good-practice/new", url.Values{"agency": {own}, "what": {"We did well."}})
		if res.StatusCode != 400 || !strings.Contains(res.body, "another agency") {
			t.Errorf("own agency: status %d", res.StatusCode)
		}
	})
	res := c.post(t, "jo", "/good-practice/new", url.Values{"agency": {care}, "what": {"Visited the same afternoon and shared the safety plan."},
		"difference": {"The school knew what to watch for."}})
	if res.StatusCode != 303 || res.Header.Get("Location") != "/good-practice?done=recorded" {
		t.Fatalf("record: status %d, location %q", res.StatusCode, res.Header.Get("Location"))
	}
	t.Run("Seen", func(t *testing.T) {
		for who, want := range map[string]bool{"jo": true, "sam": true, "bm": true, "chair": true, "stranger": false, "admin": false} {
			body := html.UnescapeString(c.get(t, who, "/good-practice").body)
			if got := strings.Contains(body, "Visited the same afternoon"); got != want {
				t.Errorf("%s sees it: %v, want %v", who, got, want)
			}
		}
	})
	t.Run("Told", func(t *testing.T) {
		ns, err := c.db.Notifications(context.Background(), c.users["sam"], 20)
		if err != nil {
			t.Fatal(err)
		}
		var found bool
		for _, n := range ns {
			found = found || n.SubjectKey == "good-practice"
		}
		if !found {
			t.Errorf("sam, the care manager, was not told: %+v", ns)
		}
		body := c.get(t, "sam", "/notifications").body
		if !strings.Contains(body, `href="/good-practice"`) {
			t.Error("the notification does not link to the good practice page")
		}
	})
	t.Run("Report", func(t *testing.T) {
		body := html.UnescapeString(c.get(t, "bm", "/reports").body)
		if !strings.Contains(body, "Good practice recognised, by agency") || !strings.Contains(body, "Oakfield Children's Services") {
			t.Errorf("the board report does not count good practice")
		}
	})
}
