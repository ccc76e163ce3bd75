package web_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/escalate-project/escalate"
)

// TestOutcomeDecisionForm checks the agree form requires the question of
// whether the decision disagreed about changes: without an answer, or with
// one the form does not offer, it stores nothing; with one, the case page
// shows it.
func TestOutcomeDecisionForm(t *testing.T) {
	c := newCases(t, "wirral")
	e := c.raise(t)
	path := "/escalations/" + e.Ref + "/agree"
	form := c.get(t, "sam", path)
	if !strings.Contains(form.body, "Does this outcome change the decision you disagreed about?") ||
		!strings.Contains(form.body, `id="decision"`) || !strings.Contains(form.body, `id="decision-1"`) {
		t.Fatalf("the agree form does not ask about the decision (status %d)", form.StatusCode)
	}
	version := formVersion(t, form)
	answer := func(decision string) url.Values {
		v := url.Values{"version": {version}, "outcome": {"The referral decision stands."}, "outstanding_issues": {"None."}}
		if decision != "" {
			v.Set("decision", decision)
		}
		return v
	}
	for name, d := range map[string]string{"ErrMissing": "", "ErrBadValue": "maybe"} {
		t.Run(name, func(t *testing.T) {
			res := c.post(t, "sam", path, answer(d))
			if res.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d", res.StatusCode)
			}
			if links := summaryLinks(res.body); !slices.Equal(links, []string{"decision"}) {
				t.Errorf("error summary links %v, want [decision]", links)
			}
			if after := c.state(t, e.Ref); after.Version != e.Version || after.Outcome != nil {
				t.Errorf("an invalid form changed the case: version %d → %d, outcome %+v", e.Version, after.Version, after.Outcome)
			}
		})
	}
	t.Run("OK", func(t *testing.T) {
		res := c.post(t, "sam", path, answer(escalate.DecisionUpheld))
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("status %d\n%s", res.StatusCode, section(res.body, "govuk-error-summary", "</ul>"))
		}
		if got := c.state(t, e.Ref); got.Outcome == nil || got.Outcome.Decision != escalate.DecisionUpheld {
			t.Fatalf("outcome %+v, want the decision upheld", got.Outcome)
		}
		page := c.get(t, "sam", "/escalations/"+e.Ref)
		if !strings.Contains(section(page.body, "Outcome</h2>", "</dl>"), "Stands (upheld)") {
			t.Errorf("the case page does not show the decision upheld")
		}
	})
}
