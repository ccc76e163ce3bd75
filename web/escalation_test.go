package web_test

import (
	"html"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
)

func TestMyWork(t *testing.T) {
	c := newCases(t, "wirral")
	late := c.raise(t)
	c.clock.add(14 * 24 * time.Hour) // late's working week has passed
	soon := c.raise(t)
	c.signInAll(t)

	t.Run("OverdueFirst", func(t *testing.T) {
		res := c.get(t, "sam", "/")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("status %d", res.StatusCode)
		}
		needs := section(res.body, "What needs you", "What you raised")
		i, j := strings.Index(needs, late.Ref), strings.Index(needs, soon.Ref)
		if i < 0 || j < 0 || i > j {
			t.Errorf("want %s (overdue) before %s in what needs sam; at %d and %d:\n%s", late.Ref, soon.Ref, i, j, needs)
		}
		for _, want := range []string{`<strong class="app-due">overdue: was due by end of Tue 5 Jan 2027</strong>`, "due by end of Thu 14 Jan 2027 — 5 working days left"} {
			if !strings.Contains(needs, want) {
				t.Errorf("what needs sam lacks %q:\n%s", want, needs)
			}
		}
	})
	t.Run("Raised", func(t *testing.T) {
		res := c.get(t, "jo", "/")
		raised := section(res.body, "What you raised", "</main>")
		for _, want := range []string{late.Ref, soon.Ref, "Stage 1 of 4: Professionals resolving the disagreement", "Open", "Oakfield Children&#39;s Services"} {
			if !strings.Contains(raised, want) {
				t.Errorf("what jo raised lacks %q:\n%s", want, raised)
			}
		}
		// Wirral stage 1's clock is the receiving side's, but the
		// professionals resolve it together: jo's turn too.
		needs := section(res.body, "What needs you", "What you raised")
		if !strings.Contains(needs, late.Ref) || !strings.Contains(needs, "Resolve the disagreement by discussion or meeting between the professionals") {
			t.Errorf("what needs jo lacks %s, resolved together:\n%s", late.Ref, needs)
		}
		if !strings.Contains(res.body, `href="/raise"`) {
			t.Errorf("no link to raise a disagreement")
		}
	})
	t.Run("Empty", func(t *testing.T) {
		res := c.get(t, "stranger", "/")
		if strings.Contains(res.body, late.Ref) || !strings.Contains(res.body, "You have not raised any disagreements") {
			t.Errorf("the stranger's My work shows a case or lacks the empty state:\n%s", section(res.body, "<main", "</main>"))
		}
	})
}

// section is the part of body from the first from to the next to after it.
func section(body, from, to string) string {
	i := strings.Index(body, from)
	if i < 0 {
		return ""
	}
	j := strings.Index(body[i:], to)
	if j < 0 {
		return body[i:]
	}
	return body[i : i+j]
}

func TestEscalationPage(t *testing.T) {
	c := newCases(t, "wirral")
	e := c.raise(t)
	path := "/escalations/" + e.Ref

	t.Run("OK", func(t *testing.T) {
		res := c.get(t, "jo", path)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("status %d", res.StatusCode)
		}
		if len(e.Clocks) == 0 || e.Clocks[0].Explanation == "" {
			t.Fatal("the raised case has no explained clock")
		}
		for _, want := range []string{
			"How this deadline was worked out", html.EscapeString(e.Clocks[0].Explanation),
			"due by end of Tue 5 Jan 2027 — 5 working days left",
			"Stage 1 of 4: Professionals resolving the disagreement", // where it is now
			"Stage 2 of 4: Team managers and safeguarding leads",     // what happens next
			"line manager or named or designated safeguarding lead",  // who acts next, in words
			"SCH-0042", "JS", "The threshold was applied wrongly.", "A child and family assessment.",
			"Seaview Primary School", "Oakfield Children&#39;s Services", "Tue 22 Dec 2026",
			"Disagreement raised", // the chronology, in plain words
			`href="/escalations/` + e.Ref + `/record"`, `href="/escalations/` + e.Ref + `/withdraw"`,
		} {
			if !strings.Contains(res.body, want) {
				t.Errorf("page lacks %q", want)
			}
		}
		// The chronology says nothing in the service's own terms.
		if chron := section(res.body, `id="chronology"`, "</main>"); strings.Contains(chron, "Clock") || strings.Contains(chron, "stage-") {
			t.Errorf("the chronology uses internal names:\n%s", chron)
		}
		// The child's reference is on the page, never in its title.
		if title := section(res.body, "<title>", "</title>"); strings.Contains(title, "SCH-0042") || strings.Contains(title, "JS") {
			t.Errorf("title %q holds child data", title)
		}
	})
	t.Run("OnlyAllowedActions", func(t *testing.T) {
		res := c.get(t, "sam", path)
		if !strings.Contains(res.body, "/record\"") || !strings.Contains(res.body, "/agree\"") {
			t.Errorf("sam, the receiving side, is not offered record and agree")
		}
		if strings.Contains(res.body, "/withdraw\"") || strings.Contains(res.body, "/determine\"") {
			t.Errorf("sam is offered withdraw or determine, which only the raiser's side and the chair may do")
		}
		if r := c.get(t, "sam", path+"/withdraw"); r.StatusCode != http.StatusForbidden {
			t.Errorf("sam's withdraw form: status %d, want 403", r.StatusCode)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		for _, p := range []string{path, path + "/record", "/escalations/NO-SUCH-REF"} {
			if res := c.get(t, "stranger", p); res.StatusCode != http.StatusNotFound || strings.Contains(res.body, "SCH-0042") {
				t.Errorf("GET %s as a stranger: status %d", p, res.StatusCode)
			}
		}
		if res := c.post(t, "stranger", path+"/record", url.Values{"version": {"1"}}); res.StatusCode != http.StatusNotFound {
			t.Errorf("POST record as a stranger: status %d", res.StatusCode)
		}
	})
	t.Run("SignInFirst", func(t *testing.T) {
		if res := c.do(t, "GET", path, "", nil); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/sign-in?next="+url.QueryEscape(path) {
			t.Errorf("signed out: status %d to %q", res.StatusCode, res.Header.Get("Location"))
		}
	})
}

// TestEscalationGetChangesNothing opens every page of a case as each party: only
// view events are written.
func TestEscalationGetChangesNothing(t *testing.T) {
	c := newCases(t, "wirral")
	e := c.raise(t)
	changes, views := c.auditCounts(t)
	for _, who := range []string{"jo", "sam", "bm"} {
		for _, p := range []string{"/", "", "/record", "/approve", "/agree", "/confirm", "/escalate", "/determine",
			"/redirect", "/withdraw", "/risk", "/shorten", "/immediate"} {
			path := "/escalations/" + e.Ref + p
			if p == "/" {
				path = p
			}
			c.get(t, who, path)
			c.do(t, "HEAD", path, c.tokens[who], nil)
		}
	}
	changes2, views2 := c.auditCounts(t)
	if changes2 != changes {
		t.Errorf("GET wrote %d audit events other than views", changes2-changes)
	}
	if views2 <= views {
		t.Errorf("opening the case recorded no view")
	}
	if now := c.state(t, e.Ref); now.Version != e.Version {
		t.Errorf("version moved from %d to %d", e.Version, now.Version)
	}
}

func TestEscalationConflict(t *testing.T) {
	c := newCases(t, "wirral")
	e := c.raise(t)
	path := "/escalations/" + e.Ref + "/record"
	version := formVersion(t, c.get(t, "jo", path))
	// Sam records a discussion while jo's form is open.
	if _, err := c.svc.AddRecord(c.as("sam"), e.Ref, escalate.RecordInput{Version: e.Version, At: c.clock.now().Add(-time.Hour),
		Form: escalate.FormPhone, Participants: []string{"Sam Carter"}, Discussion: "Read the case file.", Outcome: "Will call back."}); err != nil {
		t.Fatal(err)
	}
	res := c.post(t, "jo", path, url.Values{"version": {version}, "at-day": {"24"}, "at-month": {"12"}, "at-year": {"2026"},
		"at-time": {"10:00"}, "form": {"phone"}, "participants": {"Jo Bloggs"}, "discussion": {"Talked."}, "outcome": {"Agreed."}, "result": {"agreed"}})
	if res.StatusCode != http.StatusConflict || !strings.Contains(res.body, "Someone else changed this escalation") {
		t.Fatalf("status %d, body lacks the conflict message", res.StatusCode)
	}
	if links := summaryLinks(res.body); !slices.Equal(links, []string{"conflict"}) || !strings.Contains(res.body, `id="conflict"`) {
		t.Errorf("error summary links %v, or no #conflict target", links)
	}
	if !strings.Contains(res.body, "Talked.") {
		t.Errorf("what jo typed is lost")
	}
	if n := len(c.state(t, e.Ref).Records); n != 1 {
		t.Errorf("%d records, want only sam's", n)
	}
}
