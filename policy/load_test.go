package policy_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/policy"
)

// minimal is the smallest policy that passes the checker.
const minimal = `id: tiny
name: Tiny Partnership
version: "1"
review_date: "2030-01-01"
immediate_risk:
  instruction: Call the front door.
  contacts: [front-door]
stages:
  - key: stage-1
    name: Practitioners
    scope: between-agencies
    raising: [practitioner]
    receiving: [practitioner]
`

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"OK", minimal, nil},
		{"OKNullValue", minimal + "redirects:\nrouting: ~\n", nil},
		{"OKAlias", strings.Replace(minimal, "raising: [practitioner]\n    receiving: [practitioner]",
			"raising: &both [practitioner]\n    receiving: *both", 1), nil},
		{"ErrEmpty", "", []string{"t.yaml:1:1: the file is empty"}},
		{"ErrOnlyComment", "# nothing\n", []string{"t.yaml:1:1: the file is empty"}},
		{"ErrSyntax", "id: tiny\nname: [unclosed\n", []string{"t.yaml:1:1: YAML syntax: did not find expected ',' or ']'"}},
		{"ErrTab", "id: tiny\n\tname: x\n", []string{"t.yaml:2:1: a tab character: YAML indents with spaces, not tabs; replace it with spaces"}},
		// The YAML reader names line 3 for a tab on line 4, and names no tab
		// at all for one mid-file or after spaces.
		{"ErrTabNearTop", "id: tiny\nname: Tiny\nversion: \"1\"\n\tapproved: \"2026-01-01\"\n", []string{"t.yaml:4:1: a tab character: YAML indents with spaces, not tabs; replace it with spaces"}},
		{"ErrTabMidFile", strings.Replace(minimal, "    raising: [practitioner]", "\t\traising: [practitioner]", 1), []string{"t.yaml:12:1: a tab character: YAML indents with spaces, not tabs; replace it with spaces"}},
		{"ErrTabAfterSpaces", strings.Replace(minimal, "    raising: [practitioner]", "  \traising: [practitioner]", 1), []string{"t.yaml:12:3: a tab character: YAML indents with spaces, not tabs; replace it with spaces"}},
		{"OKTabInValue", strings.Replace(minimal, "name: Tiny Partnership", "name:\tTiny Partnership", 1), nil},
		{"ErrTwoDocuments", minimal + "---\nid: other\n", []string{`t.yaml:14:1: a policy file holds one YAML document; remove the second "---"`}},
		{"ErrNotMapping", "- id: tiny\n", []string{"t.yaml:1:1: a policy file must be a mapping of keys such as id, name and stages"}},
		{"ErrScalar", "just words\n", []string{"t.yaml:1:1: a policy file must be a mapping of keys such as id, name and stages"}},
		{"ErrNoStages", strings.Split(minimal, "stages:")[0], []string{"t.yaml:1:1: stages is missing: a policy needs at least one stage"}},
		{"ErrEmptyImmediate", strings.Replace(minimal, "immediate_risk:\n  instruction: Call the front door.\n  contacts: [front-door]\n", "", 1),
			[]string{"t.yaml:1:1: immediate_risk is empty: every policy must say what to do first when a child is at immediate risk"}},
		{"ErrImmediateNoInstruction", strings.Replace(minimal, "  instruction: Call the front door.\n", "", 1),
			[]string{"t.yaml:6:3: immediate_risk.instruction is missing"}},
		{"ErrStagesNotList", strings.Split(minimal, "stages:")[0] + "stages: one\n",
			[]string{`t.yaml:8:9: stages must be a list (lines starting with "- ")`}},
		{"ErrStageNotMapping", strings.Split(minimal, "stages:")[0] + "stages:\n  - stage-1\n",
			[]string{`t.yaml:9:5: stages[0] must be a mapping of keys (key, name, scope, raising, receiving, clocks, record, approval, copy, meeting, produces, proforma, on_lapse, may_skip_to, help, cite, facilitated), not a single value`}},
		{"ErrNameIsList", strings.Replace(minimal, "name: Tiny Partnership", "name: [a, b]", 1),
			[]string{"t.yaml:2:7: name must be a single value, not a list"}},
		{"ErrKeyNotScalar", minimal + "? [a]\n: b\n", []string{"t.yaml:14:3: the policy: a key must be a plain word"}},
		{"ErrRepeatedTopKey", minimal + "id: again\n", []string{`t.yaml:14:1: the policy: key "id" appears twice (first on line 1)`}},
		{"ErrHugeInt", minimal + "learning:\n  pattern_threshold: 99999999999999999999999\n",
			[]string{"t.yaml:15:22: learning.pattern_threshold must be a whole number"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := check(t, "t.yaml", []byte(tt.src))
			if !slices.Equal(got, tt.want) {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// TestParseAliasBomb checks that aliases which expand to far more values
// than the file holds are refused instead of walked.
func TestParseAliasBomb(t *testing.T) {
	src := "x-clock: &k {key: k, action: a, by: raising, starts: {event: decision}, within: 1 hour}\n" +
		"x-clocks: &c [" + strings.Repeat("*k, ", 399) + "*k]\n" +
		"x-stage: &s {key: s, name: n, scope: within-agency, raising: [manager], receiving: [manager], clocks: *c}\n" +
		"stages: [" + strings.Repeat("*s, ", 399) + "*s]\n"
	_, probs, err := policy.Load("bomb.yaml", []byte(src))
	if err == nil {
		t.Fatal("Load accepted an alias bomb")
	}
	found := false
	for _, p := range probs {
		found = found || strings.Contains(p.Message, "too large or uses too many aliases")
	}
	if !found {
		t.Errorf("no problem says the file has too many aliases: %v", probs)
	}
}

func TestLoad(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		p, probs, err := policy.Load("t.yaml", []byte(minimal))
		if err != nil || len(probs) != 0 {
			t.Fatalf("Load: %v, %v", probs, err)
		}
		if p.ID != "tiny" || len(p.Stages) != 1 || p.Stages[0].Receive[0] != escalate.RolePractitioner {
			t.Errorf("decoded %+v", p)
		}
	})
	t.Run("WarningOnly", func(t *testing.T) {
		src := strings.Replace(minimal, `review_date: "2030-01-01"`, `review_date: "2001-01-01"`, 1)
		p, probs, err := policy.Load("t.yaml", []byte(src))
		if err != nil || p == nil {
			t.Fatalf("a warning must not stop a policy loading: %v", err)
		}
		if len(probs) != 1 || probs[0].Severity != policy.Warning ||
			probs[0].String() != "t.yaml:4:14: warning: this policy was due for review on 1 January 2001" {
			t.Errorf("problems %v", probs)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		src := strings.Replace(minimal, "scope: between-agencies", "scope: everywhere", 1)
		p, probs, err := policy.Load("t.yaml", []byte(src))
		if p != nil {
			t.Error("Load returned a policy with errors")
		}
		var pe *policy.ProblemsError
		if !errors.As(err, &pe) || len(pe.Problems) != 1 || len(probs) != 1 {
			t.Fatalf("err %v, problems %v", err, probs)
		}
		if code := escalate.ErrorCode(err); code != escalate.EINVALID {
			t.Errorf("code %q, want %q", code, escalate.EINVALID)
		}
		if want := "t.yaml:11:12: stages[0].scope: unknown value \"everywhere\"; use one of: within-agency, between-agencies"; err.Error() != want {
			t.Errorf("err %q, want %q", err, want)
		}
	})
}

func TestProblemString(t *testing.T) {
	tests := []struct {
		p    policy.Problem
		want string
	}{
		{policy.Problem{File: "a.yaml", Line: 3, Col: 7, Message: "bad"}, "a.yaml:3:7: bad"},
		{policy.Problem{File: "a.yaml", Line: 3, Col: 7, Severity: policy.Warning, Message: "old"}, "a.yaml:3:7: warning: old"},
		{policy.Problem{File: "built-in", Message: "no position"}, "built-in: no position"},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}
