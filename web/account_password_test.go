package web_test

import (
	"context"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/notify"
)

// mailedLinks claims the pending outbox and composes each message as the
// sender would, returning the links (path and query) in the emails to user.
func (c *cases) mailedLinks(t *testing.T, user *escalate.User) []string {
	t.Helper()
	ds, err := c.db.ClaimOutbox(context.Background(), "test", c.clock.now().Add(time.Hour), c.clock.now().Add(time.Hour+escalate.OutboxLease), 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range ds {
		if d.Recipient.User != user.ID {
			continue
		}
		e, err := notify.Composer{BaseURL: "https://escalate.example.org", Domain: "example.org"}.Compose(d)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`https://escalate\.example\.org(/account/[a-z]+\?token=[A-Za-z0-9_-]+)`).FindAllStringSubmatch(e.Body, -1) {
			out = append(out, m[1])
		}
	}
	return out
}

func (c *cases) notices(t *testing.T, who, subject string) int {
	t.Helper()
	ns, err := c.db.Notifications(context.Background(), c.users[who], 100)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, x := range ns {
		if x.SubjectKey == subject {
			n++
		}
	}
	return n
}

func TestPasswordPages(t *testing.T) {
	c := newOrg(t)

	t.Run("AccountPage", func(t *testing.T) {
		res := c.get(t, "jo", "/account")
		if res.StatusCode != 200 || !strings.Contains(res.body, `href="/account/password"`) || !strings.Contains(res.body, `href="/account"`) {
			t.Errorf("GET /account: %d", res.StatusCode)
		}
	})
	t.Run("ErrChange", func(t *testing.T) {
		for _, c2 := range []struct {
			form url.Values
			want []string
		}{
			{url.Values{}, []string{"current", "password"}},
			{url.Values{"current": {"not my password"}, "password": {"a brand new passphrase"}}, []string{"current"}},
			{url.Values{"current": {testPassword}, "password": {"password1234"}}, []string{"password"}},
			{url.Values{"current": {testPassword}, "password": {"Wirral forever and ever"}}, []string{"password"}},
		} {
			res := c.post(t, "jo", "/account/password", c2.form)
			if res.StatusCode != 400 || !slices.Equal(summaryLinks(res.body), c2.want) {
				t.Errorf("%v: %d %v, want 400 %v", c2.form, res.StatusCode, summaryLinks(res.body), c2.want)
			}
			if strings.Contains(res.body, "not my password") || strings.Contains(res.body, "brand new") {
				t.Error("the form shows a password typed")
			}
		}
		if !c.signedIn(t, c.tokens["jo"]) {
			t.Fatal("a refused change ended the session")
		}
	})
	t.Run("Change", func(t *testing.T) {
		res := c.post(t, "jo", "/account/password", url.Values{"current": {testPassword}, "password": {"a brand new passphrase"}})
		if res.StatusCode != 303 || res.Header.Get("Location") != "/sign-in?done=changed" {
			t.Fatalf("change: %d %q", res.StatusCode, res.Header.Get("Location"))
		}
		if c.signedIn(t, c.tokens["jo"]) {
			t.Error("the session survived the change")
		}
		if n := c.notices(t, "jo", "account-password-changed"); n != 1 {
			t.Errorf("%d 'password changed' messages, want 1", n)
		}
		page := c.do(t, "GET", "/sign-in?done=changed", "", nil)
		if !strings.Contains(page.body, "signed out everywhere") {
			t.Error("the sign-in page does not say what happened")
		}
	})
	t.Run("ErrForgotten", func(t *testing.T) {
		res := c.do(t, "POST", "/sign-in/forgotten", "", url.Values{"email": {""}})
		if res.StatusCode != 400 || !slices.Equal(summaryLinks(res.body), []string{"email"}) {
			t.Errorf("empty email: %d %v", res.StatusCode, summaryLinks(res.body))
		}
		if n := c.notices(t, "stranger", "account-reset"); n != 0 {
			t.Errorf("%d reset messages after a refused form", n)
		}
	})
	t.Run("Reset", func(t *testing.T) {
		signIn := c.do(t, "GET", "/sign-in", "", nil)
		if !strings.Contains(signIn.body, `href="/sign-in/forgotten"`) {
			t.Error("the sign-in page does not offer 'Forgotten your password?'")
		}
		res := c.do(t, "POST", "/sign-in/forgotten", "", url.Values{"email": {c.users["stranger"].Email}})
		if res.StatusCode != 200 || !strings.Contains(res.body, "Check your email") {
			t.Fatalf("forgotten: %d", res.StatusCode)
		}
		links := c.mailedLinks(t, c.users["stranger"])
		if len(links) != 1 || !strings.HasPrefix(links[0], "/account/reset?token=") {
			t.Fatalf("reset links mailed: %q", links)
		}
		form := c.do(t, "GET", links[0], "", nil)
		tok := regexp.MustCompile(`name="token" value="([^"]+)"`).FindStringSubmatch(form.body)
		if form.StatusCode != 200 || tok == nil {
			t.Fatalf("the link's page: %d", form.StatusCode)
		}
		bad := c.do(t, "POST", "/account/reset", "", url.Values{"token": {tok[1]}, "password": {"abcdefghijklmnop"}})
		if bad.StatusCode != 400 || !slices.Equal(summaryLinks(bad.body), []string{"password"}) {
			t.Errorf("a sequence as password: %d %v", bad.StatusCode, summaryLinks(bad.body))
		}
		ok := c.do(t, "POST", "/account/reset", "", url.Values{"token": {tok[1]}, "password": {"river stones and moss"}})
		if ok.StatusCode != 303 || ok.Header.Get("Location") != "/sign-in?done=reset" {
			t.Fatalf("reset: %d %q", ok.StatusCode, ok.Header.Get("Location"))
		}
		again := c.do(t, "POST", "/account/reset", "", url.Values{"token": {tok[1]}, "password": {"river stones and moss"}})
		if again.StatusCode != 410 || !strings.Contains(again.body, "already been used") {
			t.Errorf("the link again: %d", again.StatusCode)
		}
		if res := c.do(t, "GET", "/account/reset?token=nonsense", "", nil); res.StatusCode != 410 {
			t.Errorf("a made-up link: %d", res.StatusCode)
		}
	})
	t.Run("Invite", func(t *testing.T) {
		person := "/admin/people/" + orgItoa(c.users["sam"].ID)
		if res := c.post(t, "bm", person+"/invite", nil); res.StatusCode != 403 {
			t.Errorf("the Business Manager inviting: %d", res.StatusCode)
		}
		res := c.post(t, "admin", person+"/invite", nil)
		if res.StatusCode != 303 || res.Header.Get("Location") != "/admin?done=invited" {
			t.Fatalf("invite: %d %q", res.StatusCode, res.Header.Get("Location"))
		}
		if links := c.mailedLinks(t, c.users["sam"]); len(links) != 1 || !strings.HasPrefix(links[0], "/account/invitation?token=") {
			t.Errorf("invitation links mailed: %q", links)
		}
		// Adding a person invites them at once.
		res = c.post(t, "admin", "/admin/people/new", url.Values{"name": {"Nia New"}, "email": {"nia@wirral.example"},
			"agency": {orgItoa(c.users["sam"].AgencyID)}, "roles": {"practitioner"}})
		if res.StatusCode != 303 || res.Header.Get("Location") != "/admin?done=person-invited" {
			t.Fatalf("add a person: %d %q", res.StatusCode, res.Header.Get("Location"))
		}
		nia, err := c.db.FindUserByEmail(context.Background(), c.users["sam"].PartnershipID, "nia@wirral.example")
		if err != nil {
			t.Fatal(err)
		}
		if links := c.mailedLinks(t, nia); len(links) != 1 {
			t.Errorf("the new person's invitation: %q", links)
		}
	})
}
