package policy_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/policy"
)

// TestPacksLint checks every built-in pack: it loads with no errors (all
// five seeds are past review, so warnings are allowed), its id is its file
// name, and the list and the files agree.
func TestPacksLint(t *testing.T) {
	files, err := filepath.Glob("packs/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 5 {
		t.Errorf("%d packs in packs/, want at least the five seeds", len(files))
	}
	infos := policy.Packs()
	if len(infos) != len(files) {
		t.Errorf("Packs() lists %d packs, packs/ holds %d files", len(infos), len(files))
	}
	for _, f := range files {
		id := strings.TrimSuffix(filepath.Base(f), ".yaml")
		t.Run(id, func(t *testing.T) {
			p, probs, err := policy.Load(f, readFile(t, f))
			for _, pr := range probs {
				if pr.Severity == policy.Error {
					t.Error(pr)
				}
			}
			if err != nil {
				return
			}
			if p.ID != id {
				t.Errorf("%s has id %q, want its file name %q", f, p.ID, id)
			}
			got, err := policy.Pack(id)
			if err != nil {
				t.Fatalf("Pack(%q): %v", id, err)
			}
			if got.Name != p.Name || len(got.Stages) != len(p.Stages) {
				t.Errorf("Pack(%q) differs from the file", id)
			}
		})
	}
}

func TestExampleLints(t *testing.T) {
	if got := check(t, "example.yaml", readFile(t, "testdata/example.yaml")); len(got) != 0 {
		t.Errorf("the complete example has problems:\n%s", strings.Join(got, "\n"))
	}
}

func TestPackErrNotFound(t *testing.T) {
	_, err := policy.Pack("atlantis")
	if escalate.ErrorCode(err) != escalate.ENOTFOUND {
		t.Errorf("Pack(unknown): %v, want ENOTFOUND", err)
	}
}

func TestOpen(t *testing.T) {
	t.Run("OKPack", func(t *testing.T) {
		id := policy.Packs()[0].ID
		p, err := policy.Open(id)
		if err != nil || p.ID != id {
			t.Fatalf("Open(%q) = %v, %v", id, p, err)
		}
	})
	t.Run("OKFile", func(t *testing.T) {
		p, err := policy.Open("testdata/example.yaml")
		if err != nil || p.ID != "northshire" {
			t.Fatalf("Open(example) = %v, %v", p, err)
		}
	})
	t.Run("OKFileNamedLikePack", func(t *testing.T) {
		// A file in the working directory wins over nothing, but a pack id
		// that is not a file still names the pack.
		dir := t.TempDir()
		f := filepath.Join(dir, "mine")
		if err := os.WriteFile(f, []byte(minimal), 0o644); err != nil {
			t.Fatal(err)
		}
		p, err := policy.Open(f)
		if err != nil || p.ID != "tiny" {
			t.Fatalf("Open(%s) = %v, %v", f, p, err)
		}
	})
	t.Run("ErrNoFile", func(t *testing.T) {
		_, err := policy.Open("testdata/missing.yaml")
		if escalate.ErrorCode(err) != escalate.ENOTFOUND || !strings.Contains(err.Error(), "testdata/missing.yaml: no such file") {
			t.Errorf("Open(missing file): %v", err)
		}
	})
	t.Run("ErrUnknown", func(t *testing.T) {
		_, err := policy.Open("atlantis")
		if escalate.ErrorCode(err) != escalate.ENOTFOUND {
			t.Errorf("Open(unknown id): %v", err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		_, err := policy.Open("testdata/broken.yaml")
		var pe *policy.ProblemsError
		if !errors.As(err, &pe) || !strings.Contains(err.Error(), "testdata/broken.yaml:31:10: duplicate stage key") {
			t.Errorf("Open(broken): %v", err)
		}
	})
}

// TestDocExample keeps doc/policy-format.md's complete example identical to
// testdata/example.yaml, which the tests prove valid.
func TestDocExample(t *testing.T) {
	doc, err := os.ReadFile("../doc/policy-format.md")
	if errors.Is(err, fs.ErrNotExist) {
		t.Fatal("doc/policy-format.md is missing")
	}
	example := readFile(t, "testdata/example.yaml")
	if !strings.Contains(string(doc), "```yaml\n"+string(example)+"```\n") {
		t.Error("doc/policy-format.md does not hold testdata/example.yaml verbatim in a ```yaml block")
	}
}
