package policy_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/policy"
)

// TestTemplates checks each template: it is marked as a template (a
// warning, never an error), every rule has a cite and it records
// assumptions, and it uses each of the clock fields a new policy may need.
func TestTemplates(t *testing.T) {
	infos := policy.Templates()
	if len(infos) == 0 {
		t.Fatal("no policy templates")
	}
	for _, info := range infos {
		t.Run(info.ID, func(t *testing.T) {
			src, err := policy.TemplateSource(info.ID)
			if err != nil {
				t.Fatal(err)
			}
			p, probs, err := policy.Load(info.ID+".yaml", src)
			if err != nil {
				t.Fatal(err)
			}
			var warned bool
			for _, pr := range probs {
				warned = warned || strings.Contains(pr.Message, "this file is a template to copy")
			}
			if !p.Template || !warned || p.ID != info.ID {
				t.Errorf("template %s: Template %v, warned %v, id %q", info.ID, p.Template, warned, p.ID)
			}
			if len(p.Assumptions) == 0 || p.Immediate.Cite == "" || p.Learning.Cite == "" {
				t.Error("a template shows how to write cites and assumptions")
			}
			used := map[string]bool{}
			for _, st := range p.Stages {
				if st.Cite == "" {
					t.Errorf("stage %s has no cite", st.Key)
				}
				for _, k := range st.Clocks {
					if k.Cite == "" {
						t.Errorf("clock %s/%s has no cite", st.Key, k.Key)
					}
					if k.MetBy != "" {
						used["met_by"] = true
					}
					if k.Route != "" {
						used["route"] = true
					}
					used["starts:"+k.Starts.Event] = true
				}
				if len(st.Copy) > 0 {
					used["copy"] = true
				}
				if st.Meeting != nil {
					used["meeting"] = true
				}
				if st.Facilitated {
					used["facilitated"] = true
				}
			}
			for _, c := range p.Categories {
				if c.Cite == "" {
					t.Errorf("category %s has no cite", c.Key)
				}
			}
			for _, r := range p.Redirects {
				if r.Cite == "" {
					t.Errorf("redirect %s has no cite", r.Key)
				}
			}
			if p.GoodPractice != nil && p.GoodPractice.Cite != "" {
				used["good_practice"] = true
			}
			// The Working Together 2023 roles, built in, at its final stage.
			named := map[escalate.Role]bool{}
			for _, st := range p.Stages {
				for _, r := range append(append(slices.Clone(st.Receive), st.Copy...), st.Raising...) {
					named[r] = true
				}
				if st.Meeting != nil {
					named[st.Meeting.Chair] = true
				}
			}
			for _, r := range escalate.GovernanceRoles {
				if !named[r] {
					t.Errorf("the template names no %s", r)
				}
			}
			for _, want := range []string{"met_by", "route", "copy", "meeting", "facilitated", "good_practice", "starts:" + escalate.StartClockLapsed, "starts:" + escalate.StartNotAgreed,
				"starts:" + escalate.StartClockMet, "starts:" + escalate.StartOutcomeAgreed, "starts:" + escalate.StartStageEntry,
				"starts:" + escalate.StartDecision} {
				if !used[want] {
					t.Errorf("the template does not use %s", want)
				}
			}
		})
	}
	if _, err := policy.TemplateSource("nowhere"); escalate.ErrorCode(err) != escalate.ENOTFOUND {
		t.Errorf("an unknown template: %v", err)
	}
	if p, err := policy.Open(infos[0].ID); err != nil || !p.Template {
		t.Errorf("Open(%q) = %v, %v", infos[0].ID, p, err)
	}
}
