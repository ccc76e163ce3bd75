package policy_test

import (
	"bytes"
	"flag"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/policy"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the current output")

// goldenPolicies returns every built-in pack and the complete example.
func goldenPolicies(t *testing.T) map[string]*escalate.Policy {
	t.Helper()
	ps := map[string]*escalate.Policy{}
	for _, info := range policy.Packs() {
		p, err := policy.Pack(info.ID)
		if err != nil {
			t.Fatalf("Pack(%q): %v", info.ID, err)
		}
		ps[info.ID] = p
	}
	for _, info := range policy.Templates() {
		p, err := policy.Template(info.ID)
		if err != nil {
			t.Fatalf("Template(%q): %v", info.ID, err)
		}
		ps[info.ID] = p
	}
	p, err := policy.Open("testdata/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ps[p.ID] = p
	return ps
}

// TestGolden compares each policy's summary (.txt) and flowchart (.mmd)
// byte for byte with testdata/golden. Run `go test ./policy/ -update` to
// rewrite them after a deliberate change, and read the diff.
func TestGolden(t *testing.T) {
	for id, p := range goldenPolicies(t) {
		for _, g := range []struct {
			ext   string
			write func(io.Writer, *escalate.Policy) error
		}{
			{".txt", func(w io.Writer, p *escalate.Policy) error { return policy.SummaryAt(w, p, today) }},
			{".mmd", policy.Mermaid},
		} {
			t.Run(id+g.ext, func(t *testing.T) {
				var buf bytes.Buffer
				if err := g.write(&buf, p); err != nil {
					t.Fatal(err)
				}
				file := filepath.Join("testdata", "golden", id+g.ext)
				if *update {
					if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(file)
				if err != nil {
					t.Fatalf("%v (run go test ./policy/ -update to create it)", err)
				}
				if !bytes.Equal(buf.Bytes(), want) {
					t.Errorf("%s differs from the output; run go test ./policy/ -update and check the diff\ngot:\n%s", file, buf.Bytes())
				}
			})
		}
	}
}
