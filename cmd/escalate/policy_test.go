package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/escalate-project/escalate/policy"
)

// runPolicyCLI runs "escalate policy args..." in-process.
func runPolicyCLI(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &Env{Stdout: &out, Stderr: &errb, Stdin: strings.NewReader(""), Getenv: func(string) string { return "" }}
	code = Run(context.Background(), env, append([]string{"policy"}, args...))
	return out.String(), errb.String(), code
}

const (
	examplePolicy = "../../policy/testdata/example.yaml"
	brokenPolicy  = "../../policy/testdata/broken.yaml"
)

func TestPolicyList(t *testing.T) {
	out, errs, code := runPolicyCLI(t, "list")
	if code != 0 || errs != "" {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	packs := policy.Packs()
	if len(lines) != len(packs) || len(packs) < 5 {
		t.Fatalf("%d lines for %d packs:\n%s", len(lines), len(packs), out)
	}
	for i, info := range packs {
		want := info.ID + "\t" + info.Name + "\t" + info.Version + "\t" + info.ReviewDate
		if lines[i] != want {
			t.Errorf("line %d = %q, want %q", i+1, lines[i], want)
		}
		if info.Name == "" || info.ReviewDate == "" {
			t.Errorf("pack %s lists no name or review date", info.ID)
		}
	}
	if !strings.HasPrefix(out, "hammersmith-fulham\t") {
		t.Errorf("packs are not sorted by id:\n%s", out)
	}
}

func TestPolicyLint(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		out, errs, code := runPolicyCLI(t, "lint", examplePolicy)
		if code != 0 || out != "" || errs != "" {
			t.Errorf("exit %d, stdout %q, stderr %q", code, out, errs)
		}
	})
	t.Run("OKWarning", func(t *testing.T) {
		dir := t.TempDir()
		f := filepath.Join(dir, "old.yaml")
		src := strings.Replace(string(readTestFile(t, examplePolicy)), `review_date: "2028-04-01"`, `review_date: "2026-04-02"`, 1)
		if err := os.WriteFile(f, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		_, errs, code := runPolicyCLI(t, "lint", f)
		want := f + ":11:14: warning: this policy was due for review on 2 April 2026\n"
		if code != 0 || errs != want {
			t.Errorf("exit %d, stderr %q; want 0, %q", code, errs, want)
		}
	})
	t.Run("ErrAdminActs", func(t *testing.T) {
		// A policy that names the administrator or the data protection
		// officer at a stage is refused: neither deals with cases.
		f := filepath.Join(t.TempDir(), "admin.yaml")
		src := strings.Replace(string(readTestFile(t, examplePolicy)), "raising: [safeguarding-lead]", "raising: [admin, data-protection-officer]", 1)
		if err := os.WriteFile(f, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		_, errs, code := runPolicyCLI(t, "lint", f)
		const why = " never deals with cases: an administrator or data protection officer may not act on, be told of or open a case; name a role that does\n"
		want := f + `:102:15: role "admin" in stages[2].raising[0]` + why + f + `:102:22: role "data-protection-officer" in stages[2].raising[1]` + why
		if code != 1 || errs != want {
			t.Errorf("exit %d, stderr %q; want 1, %q", code, errs, want)
		}
	})
	t.Run("ErrBroken", func(t *testing.T) {
		_, errs, code := runPolicyCLI(t, "lint", examplePolicy, brokenPolicy)
		if code != 1 {
			t.Errorf("exit %d, want 1", code)
		}
		// Every problem is printed, in file order, each at its line and column.
		for _, want := range []string{
			brokenPolicy + `:2:5: id "Broken Policy" must be lower-case letters and digits joined by hyphens, e.g. "redbridge"`,
			brokenPolicy + `:5:14: warning: this policy was due for review on 1 January 2020`,
			brokenPolicy + `:7:13: calendar.division: unknown division "wales"; use one of: england-and-wales, scotland, northern-ireland`,
			brokenPolicy + `:11:14: unknown role "front-dor" in immediate_risk.contacts[0]: it is not built in and not declared under roles; did you mean "front-door"?`,
			brokenPolicy + `:23:17: stages[0].clocks[0].within: cannot read timescale "5 wrking days"; did you mean "5 working days"? A timescale is "N working days", "N working weeks", "same working day", "N hours" or "immediately" (see doc/deadlines.md)`,
			brokenPolicy + `:24:14: stages[0].clocks[1]: nothing can meet clock "reply": Escalate knows neither its key nor the first word of its action ("reply"); say what meets it with met_by, one of: agreed-outcome, written-confirmation, record, meeting, escalation, determination, raise`,
			brokenPolicy + `:27:43: stages[0].clocks[1].starts.stage: no stage has key "stage-9"`,
			brokenPolicy + `:31:10: duplicate stage key "stage-1"`,
			brokenPolicy + `:37:7: stages[1].meeting has no chair: name the role that chairs it`,
			brokenPolicy + `:40:1: unknown key "colour" in the policy; known keys: id, name, version, source, approved, review_date, calendar, roles, categories, immediate_risk, stages, redirects, routing, learning, workflows, assumptions, good_practice, template`,
		} {
			if !strings.Contains(errs, want+"\n") {
				t.Errorf("stderr lacks %q", want)
			}
		}
		if n := strings.Count(errs, "\n"); n != 16 {
			t.Errorf("%d problems printed, want 16:\n%s", n, errs)
		}
		if strings.Index(errs, ":2:5:") > strings.Index(errs, ":40:1:") {
			t.Errorf("problems are not in file order:\n%s", errs)
		}
	})
	t.Run("ErrMissingFile", func(t *testing.T) {
		_, errs, code := runPolicyCLI(t, "lint", "no/such.yaml")
		if code != 2 || errs != "no/such.yaml: no such file\n" {
			t.Errorf("exit %d, stderr %q", code, errs)
		}
	})
	t.Run("ErrNoArgs", func(t *testing.T) {
		_, errs, code := runPolicyCLI(t, "lint")
		if code != 2 || !strings.Contains(errs, "needs at least one FILE") {
			t.Errorf("exit %d, stderr %q", code, errs)
		}
	})
}

func TestPolicyShow(t *testing.T) {
	t.Run("OKPack", func(t *testing.T) {
		out, errs, code := runPolicyCLI(t, "show", "redbridge")
		if code != 0 || errs != "" {
			t.Fatalf("exit %d, stderr %q", code, errs)
		}
		p, err := policy.Pack("redbridge")
		if err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer
		if err := policy.Summary(&want, p); err != nil {
			t.Fatal(err)
		}
		if out != want.String() {
			t.Errorf("show redbridge differs from policy.Summary")
		}
		for _, s := range []string{"IF A CHILD IS AT IMMEDIATE RISK", "Stage 4 of 4: LSCB Chair", "This policy was due for review on 1 May 2019"} {
			if !strings.Contains(out, s) {
				t.Errorf("summary lacks %q", s)
			}
		}
		if strings.Index(out, "IMMEDIATE RISK") > strings.Index(out, "Stage 1 of") {
			t.Error("the immediate-risk route must come before the stages")
		}
	})
	t.Run("OKFileMermaid", func(t *testing.T) {
		for _, args := range [][]string{
			{"show", "--format", "mermaid", examplePolicy},
			{"show", examplePolicy, "--format=mermaid"},
		} {
			out, errs, code := runPolicyCLI(t, args...)
			if code != 0 || errs != "" {
				t.Fatalf("%v: exit %d, stderr %q", args, code, errs)
			}
			want := readTestFile(t, "../../policy/testdata/golden/northshire.mmd")
			if out != string(want) {
				t.Errorf("%v: output differs from the golden flowchart:\n%s", args, out)
			}
		}
	})
	t.Run("ErrBroken", func(t *testing.T) {
		out, errs, code := runPolicyCLI(t, "show", brokenPolicy)
		if code != 1 || out != "" || !strings.Contains(errs, brokenPolicy+":31:10: duplicate stage key \"stage-1\"\n") {
			t.Errorf("exit %d, stdout %q, stderr %q", code, out, errs)
		}
	})
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"ErrUnknownPack", []string{"show", "atlantis"}, `"atlantis" is neither a built-in policy pack`},
		{"ErrMissingFile", []string{"show", "no/such.yaml"}, "no/such.yaml: no such file"},
		{"ErrFormat", []string{"show", "--format", "pdf", "redbridge"}, `unknown format "pdf"`},
		{"ErrTwoNames", []string{"show", "redbridge", "wirral"}, "exactly one ID or FILE"},
		{"ErrNoName", []string{"show"}, "exactly one ID or FILE"},
		{"ErrUnknownCommand", []string{"frobnicate"}, `unknown policy command "frobnicate"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, errs, code := runPolicyCLI(t, tt.args...)
			if code != 2 || out != "" || !strings.Contains(errs, tt.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want 2 and %q", code, out, errs, tt.want)
			}
		})
	}
}

func readTestFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
