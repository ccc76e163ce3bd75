package policy

import (
	"embed"
	"slices"
	"sync"

	"github.com/escalate-project/escalate"
)

// templateFS holds the policy templates: files to copy when writing a new
// partnership's policy, each marked "template: true", named <id>.yaml. They
// are not packs: no demo or partnership follows them.
//
//go:embed templates/*.yaml
var templateFS embed.FS

var templates = sync.OnceValue(func() []pack { return readPacks(templateFS, "templates/*.yaml") })

// Templates lists the policy templates, sorted by id.
func Templates() []PackInfo {
	var out []PackInfo
	for _, t := range templates() {
		out = append(out, t.info)
	}
	return out
}

// TemplateSource returns the YAML text of template id, to copy.
func TemplateSource(id string) ([]byte, error) {
	for _, t := range templates() {
		if t.info.ID == id {
			return slices.Clone(t.data), nil
		}
	}
	return nil, escalate.Errorf(escalate.ENOTFOUND, "no policy template %q", id)
}

// Template loads template id. Its "template: true" makes it a warning, not
// an error, so it loads; the store refuses to follow it.
func Template(id string) (*escalate.Policy, error) {
	data, err := TemplateSource(id)
	if err != nil {
		return nil, err
	}
	p, _, err := Load("templates/"+id+".yaml", data)
	return p, err
}
