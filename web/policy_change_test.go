package web_test

import (
	"context"
	"html"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// wirralV8 is the Wirral pack as a new version whose stage 2 manager
// contact clock runs 2 working days instead of 1.
func wirralV8(t *testing.T) string {
	t.Helper()
	_, raw := mustPackPolicy(t, "wirral")
	text := strings.Replace(string(raw), "version: chapter 7.2 (September 2015)", "version: chapter 7.2 (December 2026)", 1)
	text = strings.Replace(text, "within: 1 working day", "within: 2 working days", 1)
	if text == string(raw) {
		t.Fatal("the Wirral pack changed")
	}
	return text
}

var baseRE = regexp.MustCompile(`name="base" value="(\d+)"`)

func TestPolicyChange(t *testing.T) {
	c := newOrg(t)
	ctx := context.Background()
	pid := c.users["bm"].PartnershipID
	history := func() int {
		t.Helper()
		h, err := c.db.PolicyHistory(ctx, pid)
		if err != nil {
			t.Fatal(err)
		}
		return len(h)
	}

	t.Run("Links", func(t *testing.T) {
		for who, want := range map[string]bool{"bm": true, "admin": true, "jo": false, "chair": false} {
			res := c.get(t, who, "/policy")
			if got := strings.Contains(res.body, `href="/policy/change"`); got != want {
				t.Errorf("%s: link to change the policy shown %v, want %v", who, got, want)
			}
		}
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		for _, path := range []string{"/policy/change", "/policy/history"} {
			if res := c.get(t, "jo", path); res.StatusCode != 403 {
				t.Errorf("jo: GET %s = %d, want 403", path, res.StatusCode)
			}
		}
		if res := c.post(t, "chair", "/policy/publish", url.Values{"text": {wirralV8(t)}}); res.StatusCode != 403 || history() != 1 {
			t.Errorf("chair: publish = %d, history %d", res.StatusCode, history())
		}
	})
	form := c.get(t, "bm", "/policy/change")
	if form.StatusCode != 200 || !strings.Contains(form.body, "chapter 7.2 (September 2015)") {
		t.Fatalf("GET /policy/change = %d", form.StatusCode)
	}
	base := baseRE.FindStringSubmatch(form.body)[1]

	t.Run("ErrLintEveryProblem", func(t *testing.T) {
		bad := strings.Replace(wirralV8(t), "within: 2 working days", "within: 48 hrs", 1)
		bad = strings.Replace(bad, "    scope: between-agencies\n", "    scope: everywhere\n", 1)
		res := c.post(t, "bm", "/policy/change", url.Values{"text": {bad}, "base": {base}})
		if res.StatusCode != 400 {
			t.Fatalf("status %d", res.StatusCode)
		}
		links := summaryLinks(res.body)
		if len(links) != 2 || links[0] != "policy-text" {
			t.Errorf("error summary links %v, want both problems, to the text", links)
		}
		body := html.UnescapeString(res.body)
		for _, want := range []string{
			`cannot read timescale "48 hrs"; did you mean "48 hours"?`,
			`unknown value "everywhere"`,
			"Problems, by line", "within: 48 hrs",
		} {
			if !strings.Contains(body, want) {
				t.Errorf("the page lacks %q", want)
			}
		}
		if !strings.Contains(body, "Line 91, column 17:") {
			t.Errorf("the timescale's problem is not given by line and column")
		}
		// The text comes back as typed, to be corrected.
		if !strings.Contains(body, "within: 48 hrs") || history() != 1 {
			t.Errorf("history %d after a refused policy", history())
		}
	})
	t.Run("ErrSameText", func(t *testing.T) {
		_, raw := mustPackPolicy(t, "wirral")
		res := c.post(t, "bm", "/policy/change", url.Values{"text": {string(raw)}, "base": {base}})
		if res.StatusCode != 400 || !strings.Contains(res.body, "already in force") {
			t.Errorf("the same text: status %d", res.StatusCode)
		}
	})
	t.Run("ErrPublishBypassingCheck", func(t *testing.T) {
		bad := strings.Replace(wirralV8(t), "within: 2 working days", "within: soon", 1)
		res := c.post(t, "bm", "/policy/publish", url.Values{"text": {bad}, "base": {base}})
		if res.StatusCode != 400 || !strings.Contains(html.UnescapeString(res.body), `cannot read timescale "soon"`) || history() != 1 {
			t.Errorf("publishing a broken policy: status %d, history %d", res.StatusCode, history())
		}
	})

	old := c.raise(t)
	t.Run("OK", func(t *testing.T) {
		res := c.post(t, "bm", "/policy/change", url.Values{"text": {wirralV8(t)}, "base": {base}})
		body := html.UnescapeString(res.body)
		if res.StatusCode != 200 || !strings.Contains(body, "Check the changes before you publish") {
			t.Fatalf("check: status %d", res.StatusCode)
		}
		for _, want := range []string{
			"Version chapter 7.2 (December 2026) replaces version chapter 7.2 (September 2015).",
			"is now within 2 working days (was within 1 working day).",
			"The 1 open escalation on version chapter 7.2 (September 2015) stays on it until it closes.",
			"Publish version chapter 7.2 (December 2026)",
		} {
			if !strings.Contains(body, want) {
				t.Errorf("the comparison lacks %q", want)
			}
		}
		res = c.post(t, "bm", "/policy/publish", url.Values{"text": {wirralV8(t)}, "base": {base}})
		if res.StatusCode != 303 || !strings.HasPrefix(res.Header.Get("Location"), "/policy/history?published=") {
			t.Fatalf("publish: status %d, location %q", res.StatusCode, res.Header.Get("Location"))
		}
		page := c.get(t, "bm", res.Header.Get("Location"))
		body = html.UnescapeString(page.body)
		for _, want := range []string{"Version chapter 7.2 (December 2026) of the policy is in force", "Alex Moss", "In force",
			"Open escalations on earlier versions (1) stay on the version they started under."} {
			if !strings.Contains(body, want) {
				t.Errorf("the history lacks %q", want)
			}
		}
		if history() != 2 {
			t.Errorf("history %d, want 2", history())
		}
		if e := c.state(t, old.Ref); e.PolicyVersion != "chapter 7.2 (September 2015)" {
			t.Errorf("the open escalation moved to %q", e.PolicyVersion)
		}
		if e := c.raise(t); e.PolicyVersion != "chapter 7.2 (December 2026)" {
			t.Errorf("a new escalation follows %q", e.PolicyVersion)
		}
	})
	t.Run("ErrStaleBase", func(t *testing.T) {
		text := strings.Replace(wirralV8(t), "(December 2026)", "(January 2027)", 1)
		res := c.post(t, "bm", "/policy/publish", url.Values{"text": {text}, "base": {base}})
		if res.StatusCode != 409 || !strings.Contains(res.body, "while you were checking yours") || history() != 2 {
			t.Errorf("stale: status %d, history %d", res.StatusCode, history())
		}
		// The page compares against the version now in force.
		if !strings.Contains(html.UnescapeString(res.body), "replaces version chapter 7.2 (December 2026)") {
			t.Errorf("the comparison is not against the version in force")
		}
		if m := baseRE.FindStringSubmatch(res.body); m == nil || m[1] == base {
			t.Errorf("the form still carries the stale base")
		} else if _, err := strconv.Atoi(m[1]); err != nil {
			t.Error(err)
		}
	})
}
