package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPartnershipSetPolicy(t *testing.T) {
	db := newMigratedDB(t)
	example := filepath.Join("..", "..", "policy", "testdata", "example.yaml")
	mustRun(t, db, "partnership", "add", "--policy", example)
	src, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	v22 := strings.Replace(strings.Replace(string(src), `version: "2.1"`, `version: "2.2"`, 1),
		"within: 3 working days", "within: 4 working days", 1)

	t.Run("ErrLint", func(t *testing.T) {
		bad := write("bad.yaml", strings.Replace(v22, "within: 4 working days", "within: 4 business days", 1))
		wantExit(t, db, 2, `bad.yaml:84:17: stages[1].clocks[1].within: cannot read timescale "4 business days"; did you mean "4 working days"?`,
			"partnership", "set-policy", "--partnership", "northshire", "--policy", bad)
	})
	t.Run("ErrMissingFlag", func(t *testing.T) {
		wantExit(t, db, 2, "missing --policy", "partnership", "set-policy", "--partnership", "northshire")
	})
	t.Run("ErrNoPartnership", func(t *testing.T) {
		wantExit(t, db, 2, "--partnership nowhere: no such partnership", "partnership", "set-policy", "--partnership", "nowhere", "--policy", example)
	})
	t.Run("ErrSameText", func(t *testing.T) {
		wantExit(t, db, 2, "This is the policy already in force", "partnership", "set-policy", "--partnership", "northshire", "--policy", example)
	})
	t.Run("OK", func(t *testing.T) {
		out := mustRun(t, db, "partnership", "set-policy", "--partnership", "northshire", "--policy", write("v22.yaml", v22))
		if want := "published policy northshire version 2.2 for partnership northshire: new escalations follow it\n"; out != want {
			t.Errorf("stdout %q, want %q", out, want)
		}
		hist := mustRun(t, db, "partnership", "history", "--partnership", "northshire")
		lines := strings.Split(strings.TrimSpace(hist), "\n")
		if len(lines) != 3 || !strings.Contains(lines[1], "2.2 (in force)") || !strings.Contains(lines[1], "cli:tester") ||
			!strings.Contains(lines[2], "2.1 ") || strings.Contains(lines[2], "in force") {
			t.Errorf("history:\n%s", hist)
		}
	})
}

// TestPolicyTemplate prints the template to copy, and refuses to follow it
// as it is.
func TestPolicyTemplate(t *testing.T) {
	db := newMigratedDB(t)
	out := mustRun(t, db, "policy", "template")
	if !strings.HasPrefix(out, "# A TEMPLATE TO COPY") || !strings.Contains(out, "\ntemplate: true\n") {
		t.Fatalf("escalate policy template printed:\n%.200s", out)
	}
	if again := mustRun(t, db, "policy", "template", "working-together-2023"); again != out {
		t.Error("the template by its id differs")
	}
	wantExit(t, db, 2, `no policy template "nowhere" (templates: working-together-2023)`, "policy", "template", "nowhere")
	wantExit(t, db, 2, "--policy working-together-2023 is a template to copy", "partnership", "add", "--policy", "working-together-2023")
	copied := filepath.Join(t.TempDir(), "copied.yaml")
	if err := os.WriteFile(copied, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	wantExit(t, db, 2, `The policy is a template (template: true)`, "partnership", "add", "--policy", copied)
	filled := strings.Replace(out, "\ntemplate: true\n", "\n", 1)
	if err := os.WriteFile(copied, []byte(filled), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := mustRun(t, db, "partnership", "add", "--policy", copied, "--key", "template-copy"); !strings.Contains(got, "added partnership template-copy") {
		t.Errorf("adding the filled-in copy: %q", got)
	}
}
