package web_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/policy"
	"github.com/escalate-project/escalate/sqlstore"
	"github.com/escalate-project/escalate/web"
)

// newNoticeCases is the cast of newCases served with the notification
// pages, plus admin (an administrator at the police) and outsider (the
// Business Manager of another partnership).
func newNoticeCases(t *testing.T) *cases {
	t.Helper()
	ctx := context.Background()
	c := newCases(t, "wirral")
	pid := c.users["jo"].PartnershipID
	admin := &escalate.User{PartnershipID: pid, AgencyID: c.agencies["police"].ID, Name: "Kim Admin",
		Email: "admin@wirral.example", Roles: []escalate.Role{escalate.RoleAdmin}}
	if err := c.db.CreateUser(ctx, admin); err != nil {
		t.Fatal(err)
	}
	if _, err := c.db.SetPassword(ctx, "wirral", admin.Email, testPassword); err != nil {
		t.Fatal(err)
	}
	c.users["admin"] = admin
	other := &escalate.Partnership{Key: "elsewhere", Name: "Elsewhere partnership"}
	raw, _ := policy.PackSource("wirral")
	if err := c.db.CreatePartnership(ctx, other, c.pol, raw); err != nil {
		t.Fatal(err)
	}
	relaxSecondFactor(t, c.db, other)
	oa := &escalate.Agency{PartnershipID: other.ID, Name: "Elsewhere Police", Kind: "police"}
	if err := c.db.CreateAgency(ctx, oa); err != nil {
		t.Fatal(err)
	}
	out := &escalate.User{PartnershipID: other.ID, AgencyID: oa.ID, Name: "Pat Outsider", Email: "bm@elsewhere.example",
		Roles: []escalate.Role{escalate.RoleBusinessManager, escalate.RoleAdmin, escalate.RoleManager}}
	if err := c.db.CreateUser(ctx, out); err != nil {
		t.Fatal(err)
	}
	if _, err := c.db.SetPassword(ctx, "elsewhere", out.Email, testPassword); err != nil {
		t.Fatal(err)
	}
	c.users["outsider"] = out
	var err error
	c.srv, err = web.New(web.Config{
		Auth:          &sqlstore.Sessions{DB: c.db, Idle: 30 * time.Minute, Lifetime: 12 * time.Hour},
		Logger:        slog.New(slog.NewJSONHandler(c.logs, nil)),
		Escalations:   c.svc,
		Partnership:   c.db,
		Notifications: c.db,
	})
	if err != nil {
		t.Fatal(err)
	}
	c.ts.Close()
	c.ts = httptest.NewServer(c.srv)
	t.Cleanup(c.ts.Close)
	c.signInAll(t)
	return c
}

var unreadRE = regexp.MustCompile(`href="/notifications"[^>]*>Notifications(?: \((\d+\+?)<span class="govuk-visually-hidden"> unread</span>\))?</a>`)

// headerCount is the unread count in a page's header: "" for none; it
// fails when the header has no Notifications item.
func headerCount(t *testing.T, res *response) string {
	t.Helper()
	m := unreadRE.FindStringSubmatch(res.body)
	if m == nil {
		t.Fatalf("no Notifications item in the header (status %d)", res.StatusCode)
	}
	return m[1]
}

func TestNotificationsPage(t *testing.T) {
	c := newNoticeCases(t)
	if got := headerCount(t, c.get(t, "sam", "/")); got != "" {
		t.Fatalf("sam has %s unread before anything happened", got)
	}
	e := c.raise(t)

	t.Run("OK", func(t *testing.T) {
		home := c.get(t, "sam", "/")
		if n := headerCount(t, home); n == "" || n == "0" {
			t.Fatalf("after a raise against sam's agency, sam's header count is %q", n)
		}
		res := c.get(t, "sam", "/notifications")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("status %d", res.StatusCode)
		}
		for _, want := range []string{`href="/escalations/` + e.Ref + `"`, "An escalation was raised", "Action needed",
			"Deadline", "Unread", "Mark all as read", `aria-current="page">Notifications`} {
			if !strings.Contains(res.body, want) {
				t.Errorf("the page lacks %q", want)
			}
		}
		for _, child := range []string{"SCH-0042", "Continued neglect", "threshold was applied"} {
			if strings.Contains(res.body, child) {
				t.Errorf("the page shows child data %q", child)
			}
		}
	})

	t.Run("NothingForOthers", func(t *testing.T) {
		for _, who := range []string{"stranger", "outsider"} {
			res := c.get(t, who, "/notifications")
			if res.StatusCode != http.StatusOK || strings.Contains(res.body, e.Ref) || headerCount(t, res) != "" {
				t.Errorf("%s: status %d, shows %s: %v, count %q", who, res.StatusCode, e.Ref,
					strings.Contains(res.body, e.Ref), headerCount(t, res))
			}
		}
	})

	t.Run("MarkAllRead", func(t *testing.T) {
		if _, err := c.db.EnqueueOutbox(context.Background(), "clock.reminder", e.ID, escalate.Recipient{User: c.users["bm"].ID},
			"clock-reminder", map[string]any{"ref": e.Ref}); err != nil {
			t.Fatal(err)
		}
		if n := headerCount(t, c.get(t, "bm", "/")); n != "1" {
			t.Fatalf("the Business Manager's unread count is %q, want 1", n)
		}
		page := c.get(t, "sam", "/notifications")
		m := regexp.MustCompile(`name="upto" value="(\d+)"`).FindStringSubmatch(page.body)
		if m == nil {
			t.Fatal("no upto field")
		}
		res := c.post(t, "sam", "/notifications/read", url.Values{"upto": {m[1]}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/notifications?done=read" {
			t.Fatalf("mark read: %d %q", res.StatusCode, res.Header.Get("Location"))
		}
		after := c.get(t, "sam", "/notifications?done=read")
		if got := headerCount(t, after); got != "" {
			t.Errorf("after marking all read, the count is %q", got)
		}
		if strings.Contains(after.body, ">Unread<") || !strings.Contains(after.body, ">Read<") ||
			!strings.Contains(after.body, "All notifications are marked as read.") || strings.Contains(after.body, "Mark all as read") {
			t.Errorf("the page does not show everything read")
		}
		// Read state is each person's own: marking sam's moved nothing of
		// the Business Manager's.
		if n := headerCount(t, c.get(t, "bm", "/")); n != "1" {
			t.Errorf("the Business Manager's unread count is %q after sam marked theirs, want 1", n)
		}
		bad := c.post(t, "sam", "/notifications/read", url.Values{"upto": {"many"}})
		if bad.StatusCode != http.StatusBadRequest {
			t.Errorf("upto=many: status %d, want 400", bad.StatusCode)
		}
	})

	t.Run("SignedOut", func(t *testing.T) {
		res := c.do(t, "GET", "/notifications", "", nil)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/sign-in?next=%2Fnotifications" {
			t.Errorf("signed out: %d %q", res.StatusCode, res.Header.Get("Location"))
		}
	})
}

// deadRow marks the first outbox row of e dead and returns its id.
func deadRow(t *testing.T, c *cases, e *escalate.Escalation) int64 {
	t.Helper()
	ctx := context.Background()
	rows, err := c.db.Outbox(ctx, e.ID)
	if err != nil || len(rows) == 0 {
		t.Fatalf("outbox of %s: %d rows, %v", e.Ref, len(rows), err)
	}
	if err := c.db.MarkDead(ctx, rows[0].ID, "550 5.1.1 mailbox unavailable"); err != nil {
		t.Fatal(err)
	}
	return rows[0].ID
}

func outboxStatus(t *testing.T, c *cases, e *escalate.Escalation, id int64) string {
	t.Helper()
	rows, err := c.db.Outbox(context.Background(), e.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.ID == id {
			return r.Status
		}
	}
	t.Fatalf("no outbox row %d", id)
	return ""
}

func TestUndeliveredPage(t *testing.T) {
	c := newNoticeCases(t)
	e := c.raise(t)
	id := deadRow(t, c, e)
	retry := "/admin/undelivered/" + strconv.FormatInt(id, 10) + "/retry"

	t.Run("OK", func(t *testing.T) {
		res := c.get(t, "admin", "/admin/undelivered")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("status %d", res.StatusCode)
		}
		for _, want := range []string{e.Ref, "550 5.1.1 mailbox unavailable", "An escalation was raised", `action="` + retry + `"`} {
			if !strings.Contains(res.body, want) {
				t.Errorf("the page lacks %q", want)
			}
		}
		if admin := c.get(t, "admin", "/admin"); !strings.Contains(admin.body, `href="/admin/undelivered"`) {
			t.Error("the administration page does not link to it")
		}
	})

	t.Run("BusinessManagerReadsOnly", func(t *testing.T) {
		res := c.get(t, "bm", "/admin/undelivered")
		if res.StatusCode != http.StatusOK || !strings.Contains(res.body, e.Ref) || strings.Contains(res.body, retry) {
			t.Errorf("bm: status %d, lists it %v, offers retry %v", res.StatusCode, strings.Contains(res.body, e.Ref), strings.Contains(res.body, retry))
		}
		if res := c.post(t, "bm", retry, url.Values{}); res.StatusCode != http.StatusForbidden {
			t.Errorf("bm retry: status %d, want 403", res.StatusCode)
		}
	})

	t.Run("ErrForbidden", func(t *testing.T) {
		for _, who := range []string{"sam", "jo", "stranger"} {
			if res := c.get(t, who, "/admin/undelivered"); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s: status %d, want 403", who, res.StatusCode)
			}
			if res := c.post(t, who, retry, url.Values{}); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s retry: status %d, want 403", who, res.StatusCode)
			}
		}
		if got := outboxStatus(t, c, e, id); got != "dead" {
			t.Fatalf("refused retries left the row %s", got)
		}
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		// The outsider administers another partnership: the row is not theirs.
		if res := c.get(t, "outsider", "/admin/undelivered"); res.StatusCode != http.StatusOK || strings.Contains(res.body, e.Ref) {
			t.Errorf("outsider: status %d, lists %s %v", res.StatusCode, e.Ref, strings.Contains(res.body, e.Ref))
		}
		for _, path := range []string{retry, "/admin/undelivered/999999/retry", "/admin/undelivered/x/retry"} {
			if res := c.post(t, "outsider", path, url.Values{}); res.StatusCode != http.StatusNotFound {
				t.Errorf("outsider POST %s: status %d, want 404", path, res.StatusCode)
			}
		}
		if got := outboxStatus(t, c, e, id); got != "dead" {
			t.Fatalf("a refused retry left the row %s", got)
		}
	})

	t.Run("Retry", func(t *testing.T) {
		before, _ := c.auditCounts(t)
		res := c.post(t, "admin", retry, url.Values{})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/undelivered?done=retried" {
			t.Fatalf("retry: %d %q", res.StatusCode, res.Header.Get("Location"))
		}
		if got := outboxStatus(t, c, e, id); got != "pending" {
			t.Errorf("after retry the row is %s, want pending", got)
		}
		if after, _ := c.auditCounts(t); after != before+1 {
			t.Errorf("retry wrote %d audit events, want 1", after-before)
		}
		page := c.get(t, "admin", "/admin/undelivered?done=retried")
		if strings.Contains(page.body, retry) || !strings.Contains(page.body, "will be sent again") {
			t.Error("after retry the page still lists the row, or says nothing")
		}
		if again := c.post(t, "admin", retry, url.Values{}); again.StatusCode != http.StatusConflict {
			t.Errorf("second retry: status %d, want 409", again.StatusCode)
		}
	})
}
