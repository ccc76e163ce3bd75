package web_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/policy"
	"github.com/escalate-project/escalate/sqlstore"
)

func TestPolicyPage(t *testing.T) {
	c := newOrg(t)
	ctx := sqlstore.WithActor(context.Background(), "test")
	pid := c.users["bm"].PartnershipID
	door := &escalate.Contact{PartnershipID: pid, AgencyID: c.agencies["care"].ID, Role: escalate.RoleFrontDoor,
		Name: "Integrated Front Door", Phone: "0151 606 2008", LastVerified: "2026-12-01"}
	if err := c.db.CreateContact(ctx, door); err != nil {
		t.Fatal(err)
	}
	t.Run("OK", func(t *testing.T) {
		pol, _ := policy.Pack("wirral")
		for _, who := range []string{"jo", "stranger", "bm", "chair", "admin"} {
			res := c.get(t, who, "/policy")
			if res.StatusCode != 200 {
				t.Fatalf("%s: GET /policy = %d", who, res.StatusCode)
			}
		}
		res := c.get(t, "jo", "/policy")
		var svg bytes.Buffer
		if err := policy.FlowchartSVG(&svg, pol, "flowchart"); err != nil {
			t.Fatal(err)
		}
		want := []string{pol.Name, "If a child is at immediate risk", "Integrated Front Door", `href="tel:01516062008"`,
			// The flowchart is our own SVG, inline and unchanged by the template.
			strings.TrimSpace(svg.String()),
			"Matters this process does not handle",
			// Wirral's review date passed long before the test clock's 24 Dec 2026.
			"govuk-warning-text", "This policy was due for review on 1 September 2017"}
		for _, st := range pol.Stages {
			want = append(want, st.Name)
		}
		for _, w := range want {
			if !strings.Contains(res.body, strings.ReplaceAll(w, "'", "&#39;")) {
				t.Errorf("policy page lacks %.80q", w)
			}
		}
	})
	t.Run("ReviewNotDue", func(t *testing.T) {
		_, raw := mustPackPolicy(t, "wirral")
		raw = bytes.Replace(raw, []byte(`review_date: "2017-09-01"`), []byte(`review_date: "2027-09-01"`), 1)
		pol, _, err := policy.Load("wirral.yaml", raw)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.db.SetPolicy(ctx, pid, pol, raw); err != nil {
			t.Fatal(err)
		}
		res := c.get(t, "jo", "/policy")
		if res.StatusCode != 200 || strings.Contains(res.body, "govuk-warning-text") || !strings.Contains(res.body, "1 September 2027") {
			t.Errorf("a policy not yet due for review: status %d, warning shown %v", res.StatusCode, strings.Contains(res.body, "govuk-warning-text"))
		}
	})
}
