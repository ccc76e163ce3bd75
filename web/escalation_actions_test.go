package web_test

import (
	"context"
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
				"participants": {"Jo Bloggs, DSL\nSam Carter, social worker"}, "discussion": {"The referral."}, "outcome": {"A strategy discussion."}, "result": {"ongoing"}},
			banner: "Discussion recorded",
			check: func(t *testing.T, c *cases, e *escalate.Escalation) {
				if len(e.Records) != 1 || e.Records[0].Form != "meeting" || len(e.Records[0].Participants) != 2 ||
					!e.Records[0].At.Equal(time.Date(2026, 12, 24, 10, 15, 0, 0, time.UTC)) {
					t.Errorf("records %+v", e.Records)
				}
			},
			empty: []string{"at", "form", "participants", "discussion", "outcome", "result"}},
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
				"at-year": {"2026"}, "at-time": {tc.time}, "form": {"phone"}, "participants": {"Jo"}, "discussion": {"x"}, "outcome": {"y"}, "result": {"ongoing"}})
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

// TestMeetingChair uses Hounslow, whose final meeting is chaired by a board
// member from an agency not involved, whom the Chair appoints: the page
// offers only those; the meeting's chair then records its outcome and its
// report, which it must give; the meeting makes no determination.
func TestMeetingChair(t *testing.T) {
	c := newCases(t, "hounslow")
	ctx := context.Background()
	for _, p := range []struct{ key, name, agency string }{{"drew", "Drew Ward", "police"}, {"cal", "Cal Dunn", "care"}} {
		u := &escalate.User{PartnershipID: c.users["jo"].PartnershipID, AgencyID: c.agencies[p.agency].ID, Name: p.name,
			Email: p.key + "@hounslow.example", Roles: []escalate.Role{escalate.RoleBoardMember}}
		if err := c.db.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		if _, err := c.db.SetPassword(ctx, "hounslow", u.Email, testPassword); err != nil {
			t.Fatal(err)
		}
		c.users[p.key] = u
	}
	c.signInAll(t)
	e := c.raise(t)
	for v := e.Version; v < e.Version+len(c.pol.Stages)-1; v++ {
		if _, err := c.svc.Escalate(c.as("jo"), e.Ref, escalate.EscalateInput{Version: v, Reason: "Not resolved."}); err != nil {
			t.Fatal(err)
		}
	}
	page, path := "/escalations/"+e.Ref, "/escalations/"+e.Ref+"/meeting-chair"
	if res := c.get(t, "bm", page); !strings.Contains(res.body, `href="`+path+`"`) || strings.Contains(res.body, page+"/determine") {
		t.Fatalf("the Business Manager is not offered the appointment, or is offered a determination")
	}
	form := c.get(t, "bm", path)
	id := func(who string) string { return strconv.FormatInt(c.users[who].ID, 10) }
	if !strings.Contains(form.body, `value="`+id("drew")+`"`) || strings.Contains(form.body, `value="`+id("cal")+`"`) {
		t.Fatalf("choices: drew offered %v, cal (an involved agency) offered %v",
			strings.Contains(form.body, id("drew")), strings.Contains(form.body, `value="`+id("cal")+`"`))
	}
	for _, tc := range []struct{ name, user string }{{"ErrNoChoice", ""}, {"ErrInvolvedAgency", id("cal")}} {
		t.Run(tc.name, func(t *testing.T) {
			changes, _ := c.auditCounts(t)
			res := c.post(t, "bm", path, url.Values{"user": {tc.user}})
			if res.StatusCode != http.StatusBadRequest || !slices.Equal(summaryLinks(res.body), []string{"user"}) {
				t.Errorf("status %d, links %v", res.StatusCode, summaryLinks(res.body))
			}
			if after, _ := c.auditCounts(t); after != changes {
				t.Errorf("stored %d changes on bad input", after-changes)
			}
		})
	}
	if res := c.post(t, "jo", path, url.Values{"user": {id("drew")}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("the raiser appointed a meeting chair: %d", res.StatusCode)
	}
	if res := c.post(t, "bm", path, url.Values{"user": {id("drew")}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("appoint: %d\n%s", res.StatusCode, section(res.body, "govuk-error-summary", "</ul>"))
	}
	// The chair finds the case, and records the meeting's outcome.
	res := c.get(t, "drew", page)
	if res.StatusCode != http.StatusOK || !strings.Contains(res.body, "Drew Ward (Northshire Police)") {
		t.Fatalf("the meeting's chair: page %d, named as acting: %v", res.StatusCode, strings.Contains(res.body, "Drew Ward"))
	}
	agree := page + "/agree"
	answer := url.Values{"version": {formVersion(t, c.get(t, "drew", agree))}, "outcome": {"Joint visit within 5 days."},
		"outstanding_issues": {"None."}, "decision": {"changed"}}
	if res := c.post(t, "drew", agree, answer); res.StatusCode != http.StatusBadRequest || !slices.Contains(summaryLinks(res.body), "report") {
		t.Errorf("an outcome without the report: %d, links %v", res.StatusCode, summaryLinks(res.body))
	}
	answer.Set("report", "Reported to the Serious Case Review Sub Committee on 4 January.")
	if res := c.post(t, "drew", agree, answer); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the meeting's outcome: %d\n%s", res.StatusCode, section(res.body, "govuk-error-summary", "</ul>"))
	}
	if got := c.state(t, e.Ref); got.Status != escalate.StatusResolved || got.Outcome.Kind != escalate.OutcomeAgreed || got.Outcome.Report == "" {
		t.Errorf("status %s, outcome %+v", got.Status, got.Outcome)
	}
	if page := c.get(t, "bm", page); !strings.Contains(page.body, "Drew Ward of Northshire Police will chair the meeting.") {
		t.Errorf("the timeline does not say who chairs the meeting:\n%s", section(page.body, "Timeline", "</ol>"))
	}
}
