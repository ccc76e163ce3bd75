package escalate_test

import (
	"go/build"
	"strings"
	"testing"
)

// TestLayout: every room depends inward, on the domain (and the pure
// calendar), never sideways on another room; only cmd/escalate wires them
// together. doc/design.md draws the layout.
func TestLayout(t *testing.T) {
	const mod = "github.com/escalate-project/escalate"
	rooms := []string{"sqlstore", "web", "notify", "report", "metrics", "demo", "policy", "audit", "calendar"}
	// What each room may import from the module besides the root package.
	allowed := map[string][]string{
		"sqlstore": {"calendar", "policy", "audit", "internal/testenv"},
		"web":      {"calendar", "report", "policy"},
		"notify":   {"calendar"},
		"report":   {"calendar"},
		"metrics":  {},
		"demo":     {"calendar", "policy", "sqlstore"}, // a seeder of the store, run by cmd/escalate
		"policy":   {"calendar"},
		"audit":    {},
		"calendar": {},
	}
	for _, room := range rooms {
		pkg, err := build.Import(mod+"/"+room, ".", 0)
		if err != nil {
			t.Fatalf("%s: %v", room, err)
		}
		for _, imp := range pkg.Imports {
			rel, ok := strings.CutPrefix(imp, mod+"/")
			if !ok {
				continue
			}
			ok = false
			for _, a := range allowed[room] {
				ok = ok || rel == a
			}
			if !ok {
				t.Errorf("%s imports %s: rooms depend inward only", room, rel)
			}
		}
	}
}
