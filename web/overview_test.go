package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
)

func TestOverviewPage(t *testing.T) {
	c := newOrg(t)
	first := c.raise(t)
	second := c.raise(t)
	if _, err := c.svc.ChangeRisk(c.as("jo"), second.Ref, escalate.RiskInput{Version: c.state(t, second.Ref).Version,
		Level: escalate.RiskIncreased, Reason: "The child was seen with a new injury."}); err != nil {
		t.Fatal(err)
	}
	t.Run("Access", func(t *testing.T) {
		for who, want := range map[string]int{"jo": 403, "sam": 403, "stranger": 403, "bm": 200, "chair": 200, "admin": 200} {
			if res := c.get(t, who, "/overview"); res.StatusCode != want {
				t.Errorf("%s: GET /overview = %d, want %d", who, res.StatusCode, want)
			}
		}
		if strings.Contains(c.get(t, "jo", "/contacts").body, `href="/overview"`) {
			t.Error("a practitioner is offered the overview")
		}
	})
	t.Run("OK", func(t *testing.T) {
		res := c.get(t, "bm", "/overview")
		for _, w := range []string{"2 open escalations, 0 overdue", first.Ref, second.Ref, "Seaview Primary School",
			"Oakfield Children&#39;s Services", "2 escalations"} {
			if !strings.Contains(res.body, w) {
				t.Errorf("overview lacks %q", w)
			}
		}
		// Increased risk comes first, though the other case is due no later.
		if i, j := strings.Index(res.body, `>`+second.Ref+`<`), strings.Index(res.body, `>`+first.Ref+`<`); i < 0 || j < 0 || i > j {
			t.Errorf("the increased-risk case is not listed first (%d, %d)", i, j)
		}
		// Oversight needs no child data: the child's reference stays on the case page.
		if strings.Contains(res.body, "SCH-0042") {
			t.Error("the overview shows the child's reference")
		}
	})
	t.Run("Filters", func(t *testing.T) {
		tests := []struct {
			name, query string
			want        []string
			not         []string
		}{
			{"Risk", "?risk=increased", []string{second.Ref, "1 escalation match"}, []string{first.Ref}},
			{"Stage", "?stage=stage-2", []string{"0 escalations match"}, []string{first.Ref, second.Ref}},
			{"StageOne", "?stage=stage-1", []string{first.Ref, second.Ref}, nil},
			{"AgencyPolice", "?agency=" + orgItoa(c.agencies["police"].ID), []string{"0 escalations match"}, []string{first.Ref}},
			{"AgencyCare", "?agency=" + orgItoa(c.agencies["care"].ID), []string{first.Ref, second.Ref}, nil},
			{"Category", "?category=" + c.pol.Categories[1].Key, []string{"0 escalations match"}, []string{first.Ref}},
			{"Overdue", "?overdue=1", []string{"0 escalations match"}, []string{first.Ref}},
			{"Unknown", "?risk=huge&stage=nope", []string{first.Ref, second.Ref}, []string{"Clear filters"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				res := c.get(t, "chair", "/overview"+tt.query)
				for _, w := range tt.want {
					if !strings.Contains(res.body, w) {
						t.Errorf("lacks %q", w)
					}
				}
				for _, w := range tt.not {
					if strings.Contains(res.body, w) {
						t.Errorf("shows %q", w)
					}
				}
			})
		}
	})
	t.Run("OverdueLater", func(t *testing.T) {
		c.clock.add(30 * 24 * time.Hour)
		c.signInAll(t)
		res := c.get(t, "bm", "/overview?overdue=1")
		for _, w := range []string{"2 open escalations, 2 overdue", first.Ref, second.Ref, "Overdue", "Overdue: was due by"} {
			if !strings.Contains(res.body, w) {
				t.Errorf("lacks %q", w)
			}
		}
	})
}
