package web_test

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
)

// actionCase is one action form: who uses it, a valid answer, the banner
// it ends with and what it must have changed; and the fields an empty
// form's error summary must link to.
type actionCase struct {
	path   string
	who    string
	setup  func(t *testing.T, c *cases, e *escalate.Escalation)
	form   url.Values
	banner string
	check  func(t *testing.T, c *cases, e *escalate.Escalation)
	empty  []string
}

func wirralActions() map[string]actionCase {
	return map[string]actionCase{
		"Record": {path: "record", who: "jo",
			form: url.Values{"at-day": {"24"}, "at-month": {"12"}, "at-year": {"2026"}, "at-time": {"10.15am"}, "form": {"meeting"},
				"participants": {"Jo Bloggs, DSL\nSam Carter, social worker"}, "discussion": {"The referral."}, "outcome": {"A strategy discussion."}},
			banner: "Discussion recorded",
			check: func(t *testing.T, c *cases, e *escalate.Escalation) {
				if len(e.Records) != 1 || e.Records[0].Form != "meeting" || len(e.Records[0].Participants) != 2 ||
					!e.Records[0].At.Equal(time.Date(2026, 12, 24, 10, 15, 0, 0, time.UTC)) {
					t.Errorf("records %+v", e.Records)
				}
			},
			empty: []string{"at", "form", "participants", "discussion", "outcome"}},
		"Approve": {path: "approve", who: "jo",
			setup: func(t *testing.T, c *cases, e *escalate.Escalation) {
				if _, err := c.svc.AddRecord(c.as("sam"), e.Ref, escalate.RecordInput{Version: e.Version, At: c.clock.now().Add(-time.Hour),
					Form: escalate.FormEmail, Participants: []string{"Sam Carter"}, Discussion: "Read the file.", Outcome: "Call booked."}); err != nil {
					t.Fatal(err)
				}
			},
			form: url.Values{"record": {"1"}}, banner: "Record approved",
			check: func(t *testing.T, c *cases, e *escalate.Escalation) {
				if e.Records[0].ApprovedBy != c.users["jo"].ID {
					t.Errorf("record approved by %d", e.Records[0].ApprovedBy)
				}
			},
			empty: []string{"record"}},
		"Agree": {path: "agree", who: "sam",
			form: url.Values{"outcome": {"An assessment will start."}, "outstanding_issues": {"Reviewed at the next core group."},
				"decision": {"changed"}},
			banner: "Outcome agreed",
			check: func(t *testing.T, c *cases, e *escalate.Escalation) {
				if e.Status != escalate.StatusResolved || e.Outcome == nil || e.Outcome.Text != "An assessment will start." ||
					e.Outcome.Decision != escalate.DecisionChanged {
					t.Errorf("status %s, outcome %+v", e.Status, e.Outcome)
				}
			},
			empty: []string{"outcome", "outstanding_issues", "decision"}},
		"Escalate": {path: "escalate", who: "jo", form: url.Values{"to": {"stage-2"}, "reason": {"No reply in a week."}},
			banner: "Escalated to the next stage",
			check: func(t *testing.T, c *cases, e *escalate.Escalation) {
				if e.Stage != 1 {
					t.Errorf("stage %d", e.Stage)
				}
			},
			empty: []string{"reason"}},
		"Redirect": {path: "redirect", who: "jo", form: url.Values{"to": {"complaints"}, "reason": {"Sent to the complaints team."}},
			banner: "Redirected out of this process",
			check: func(t *testing.T, c *cases, e *escalate.Escalation) {
				if e.Status != escalate.StatusRedirected || e.Outcome.RedirectTo != "complaints" {
					t.Errorf("status %s", e.Status)
				}
			},
			empty: []string{"to", "reason"}},
		"Withdraw": {path: "withdraw", who: "jo", form: url.Values{"reason": {"Resolved informally."}},
			banner: "Escalation withdrawn",
			check: func(t *testing.T, c *cases, e *escalate.Escalation) {
				if e.Status != escalate.StatusWithdrawn {
					t.Errorf("status %s", e.Status)
				}
			},
			empty: []string{"reason"}},
		"Risk": {path: "risk", who: "jo", form: url.Values{"level": {"increased"}, "reason": {"New bruising seen."}},
			banner: "Risk level raised",
			check: func(t *testing.T, c *cases, e *escalate.Escalation) {
				if e.RiskLevel != escalate.RiskIncreased {
					t.Errorf("risk %s", e.RiskLevel)
				}
			},
			empty: []string{"level", "reason"}},
		"Shorten": {path: "shorten", who: "jo",
			form: url.Values{"clock": {"1"}, "due-day": {"29"}, "due-month": {"12"}, "due-year": {"2026"}, "due-time": {"12:00"},
				"reason": {"The child is to be discharged."}},
			banner: "Deadline brought forward",
			check: func(t *testing.T, c *cases, e *escalate.Escalation) {
				if cl := e.Clock(1); cl == nil || !cl.Due.Equal(time.Date(2026, 12, 29, 12, 0, 0, 0, time.UTC)) || cl.ShortenedReason == "" {
					t.Errorf("clock %+v", cl)
				}
			},
			empty: []string{"clock", "due", "reason"}},
		"Immediate": {path: "immediate", who: "jo", form: url.Values{"immediate_action": {"Called 999 at 16:10."}},
			banner: "Immediate-risk action recorded",
			check: func(t *testing.T, c *cases, e *escalate.Escalation) {
				if e.Immediate == nil || e.Immediate.Action != "Called 999 at 16:10." {
					t.Errorf("immediate %+v", e.Immediate)
				}
			},
			empty: []string{"immediate_action"}},
		"Determine": {path: "determine", who: "bm",
			setup: func(t *testing.T, c *cases, e *escalate.Escalation) {
				for v := e.Version; v < e.Version+3; v++ {
					if _, err := c.svc.Escalate(c.as("jo"), e.Ref, escalate.EscalateInput{Version: v, Reason: "Not resolved."}); err != nil {
						t.Fatal(err)
					}
				}
			},
			form:   url.Values{"kind": {"determination"}, "text": {"The assessment goes ahead."}, "decision": {"upheld"}},
			banner: "Determination or recommendations recorded",
			check: func(t *testing.T, c *cases, e *escalate.Escalation) {
				if e.Status != escalate.StatusResolved || e.Outcome.Kind != escalate.OutcomeDetermination ||
					e.Outcome.Decision != escalate.DecisionUpheld {
					t.Errorf("status %s, outcome %+v", e.Status, e.Outcome)
				}
			},
			empty: []string{"text", "decision"}},
	}
}

func TestEscalationActions(t *testing.T) {
	c := newCases(t, "wirral")
	for name, tc := range wirralActions() {
		t.Run(name, func(t *testing.T) { runAction(t, c, tc) })
	}
}

// TestConfirmOutcome uses Redbridge, whose agreed outcome must be
// confirmed in writing within 2 working days.
func TestConfirmOutcome(t *testing.T) {
	c := newCases(t, "redbridge")
	runAction(t, c, actionCase{path: "confirm", who: "sam",
		setup: func(t *testing.T, c *cases, e *escalate.Escalation) {
			if _, err := c.svc.AgreeOutcome(c.as("sam"), e.Ref, escalate.AgreeInput{Version: e.Version,
				Outcome: "An assessment will start.", OutstandingIssues: "None."}); err != nil {
				t.Fatal(err)
			}
		},
		form: url.Values{"text": {"Letter sent to Jo Bloggs on 24 December."}}, banner: "Outcome confirmed in writing",
		check: func(t *testing.T, c *cases, e *escalate.Escalation) {
			if e.Status != escalate.StatusResolved || e.Outcome.ConfirmedAt.IsZero() {
				t.Errorf("status %s, outcome %+v", e.Status, e.Outcome)
			}
		},
		empty: []string{"text"}})
}

// runAction raises a fresh case, posts the empty form (an error summary,
// nothing stored), then the valid one (a redirect to the case with a
// banner, and the change made).
func runAction(t *testing.T, c *cases, tc actionCase) {
	e := c.raise(t)
	if tc.setup != nil {
		tc.setup(t, c, e)
	}
	path := "/escalations/" + e.Ref + "/" + tc.path
	before := c.state(t, e.Ref)
	form := c.get(t, tc.who, path)
	if form.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d\n%s", path, form.StatusCode, section(form.body, "<main", "</main>"))
	}
	version := formVersion(t, form)
	if version != strconv.Itoa(before.Version) {
		t.Errorf("form carries version %s, want %d", version, before.Version)
	}

	t.Run("ErrEmpty", func(t *testing.T) {
		res := c.post(t, tc.who, path, url.Values{"version": {version}, "at-day": {""}})
		if res.StatusCode != http.StatusBadRequest {
			t.Fatalf("status %d", res.StatusCode)
		}
		if links := summaryLinks(res.body); !slices.Equal(links, tc.empty) {
			t.Errorf("error summary links %v, want %v", links, tc.empty)
		}
		for _, id := range tc.empty {
			if !strings.Contains(res.body, `id="`+id+`"`) {
				t.Errorf("the summary links to #%s, which is not on the page", id)
			}
		}
		if after := c.state(t, e.Ref); after.Version != before.Version {
			t.Errorf("an invalid form changed the case: version %d → %d", before.Version, after.Version)
		}
	})
	t.Run("OK", func(t *testing.T) {
		form := url.Values{"version": {version}}
		for k, v := range tc.form {
			form[k] = v
		}
		res := c.post(t, tc.who, path, form)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/escalations/"+e.Ref+"?done="+tc.path {
			t.Fatalf("status %d to %q\n%s", res.StatusCode, res.Header.Get("Location"), section(res.body, "govuk-error-summary", "</ul>"))
		}
		page := c.get(t, tc.who, res.Header.Get("Location"))
		if !strings.Contains(page.body, "govuk-notification-banner--success") || !strings.Contains(page.body, tc.banner) {
			t.Errorf("no banner %q", tc.banner)
		}
		tc.check(t, c, c.state(t, e.Ref))
	})
}

// TestActionDomainError shows a rule's own refusal against its field: a
// discussion dated in the future is refused by the lifecycle, not the form.
func TestActionDomainError(t *testing.T) {
	c := newCases(t, "wirral")
	e := c.raise(t)
	path := "/escalations/" + e.Ref + "/record"
	for name, tc := range map[string]struct {
		day, time, want string
	}{
		"ErrFuture":  {"25", "10:00", "cannot be in the future"},
		"ErrNotDate": {"32", "10:00", "Enter a real date"},
		"ErrNotTime": {"24", "25:99", "like 09:30, 14:30 or 10.15am"},
	} {
		t.Run(name, func(t *testing.T) {
			res := c.post(t, "jo", path, url.Values{"version": {strconv.Itoa(e.Version)}, "at-day": {tc.day}, "at-month": {"12"},
				"at-year": {"2026"}, "at-time": {tc.time}, "form": {"phone"}, "participants": {"Jo"}, "discussion": {"x"}, "outcome": {"y"}})
			if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.body, tc.want) {
				t.Errorf("status %d; body lacks %q", res.StatusCode, tc.want)
			}
			if links := summaryLinks(res.body); !slices.Equal(links, []string{"at"}) {
				t.Errorf("links %v", links)
			}
		})
	}
	if n := len(c.state(t, e.Ref).Records); n != 0 {
		t.Errorf("%d records stored", n)
	}
}

// TestDetermineUninvolvedChair uses Hounslow, whose final meeting must be
// chaired from an agency not involved: the form asks for the chair's
// agency, and the rule refuses one of the parties'.
func TestDetermineUninvolvedChair(t *testing.T) {
	c := newCases(t, "hounslow")
	e := c.raise(t)
	for v := e.Version; v < e.Version+len(c.pol.Stages)-1; v++ {
		if _, err := c.svc.Escalate(c.as("jo"), e.Ref, escalate.EscalateInput{Version: v, Reason: "Not resolved."}); err != nil {
			t.Fatal(err)
		}
	}
	path := "/escalations/" + e.Ref + "/determine"
	form := c.get(t, "bm", path)
	if !strings.Contains(form.body, `<select class="govuk-select" id="chair_agency"`) || !strings.Contains(form.body, "Northshire Police") {
		t.Fatalf("no choice of the chair's agency (status %d)", form.StatusCode)
	}
	version := formVersion(t, form)
	answer := func(chair int64) url.Values {
		return url.Values{"version": {version}, "kind": {"recommendations"}, "text": {"Joint visit within 5 days."},
			"decision": {"changed"}, "chair_agency": {strconv.FormatInt(chair, 10)}}
	}
	t.Run("ErrInvolvedChair", func(t *testing.T) {
		res := c.post(t, "bm", path, answer(c.agencies["care"].ID))
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.body, "not involved in the disagreement") ||
			!slices.Equal(summaryLinks(res.body), []string{"chair_agency"}) {
			t.Errorf("status %d, links %v", res.StatusCode, summaryLinks(res.body))
		}
	})
	t.Run("OK", func(t *testing.T) {
		res := c.post(t, "bm", path, answer(c.agencies["police"].ID))
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("status %d\n%s", res.StatusCode, section(res.body, "govuk-error-summary", "</ul>"))
		}
		if got := c.state(t, e.Ref); got.Status != escalate.StatusResolved || got.Outcome.Kind != escalate.OutcomeRecommendations {
			t.Errorf("status %s, outcome %+v", got.Status, got.Outcome)
		}
		// The timeline says where the uninvolved chair came from.
		if page := c.get(t, "bm", "/escalations/"+e.Ref); !strings.Contains(page.body, "chaired from Northshire Police, an agency not involved") {
			t.Errorf("the timeline does not name the chair's agency:\n%s", section(page.body, "Timeline", "</ol>"))
		}
	})
}
