package policy

import (
	"embed"
	"errors"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/escalate-project/escalate"
)

// packFS holds the built-in packs, one file per partnership, named <id>.yaml.
//
//go:embed packs/*.yaml
var packFS embed.FS

// PackInfo describes a built-in pack.
type PackInfo struct {
	ID         string // the file name without .yaml, and the policy's id
	Name       string
	Version    string
	ReviewDate string // YYYY-MM-DD, or "" when the pack gives none
}

type pack struct {
	info PackInfo
	data []byte
}

// packs reads the embedded files once; a pack is parsed again by Pack so each
// caller gets its own copy to keep.
var packs = sync.OnceValue(func() []pack { return readPacks(packFS, "packs/*.yaml") })

// readPacks reads the policy files of fsys matching glob, sorted by id.
func readPacks(fsys fs.ReadFileFS, glob string) []pack {
	names, _ := fs.Glob(fsys, glob)
	var out []pack
	for _, name := range names {
		data, err := fsys.ReadFile(name)
		if err != nil {
			continue
		}
		info := PackInfo{ID: strings.TrimSuffix(path.Base(name), ".yaml")}
		if p, _, _ := Parse(name, data); p != nil {
			info.Name, info.Version, info.ReviewDate = p.Name, p.Version, p.ReviewDate
		}
		out = append(out, pack{info: info, data: data})
	}
	slices.SortFunc(out, func(a, b pack) int { return strings.Compare(a.info.ID, b.info.ID) })
	return out
}

// Packs lists the built-in packs, sorted by id.
func Packs() []PackInfo {
	var out []PackInfo
	for _, p := range packs() {
		out = append(out, p.info)
	}
	return out
}

// PackSource returns the YAML text of the built-in pack id.
func PackSource(id string) ([]byte, error) {
	for _, p := range packs() {
		if p.info.ID == id {
			return slices.Clone(p.data), nil
		}
	}
	return nil, escalate.Errorf(escalate.ENOTFOUND, "no built-in policy pack %q", id)
}

// Pack loads the built-in pack id. It fails with ENOTFOUND for an unknown
// id and EINVALID if the pack has errors, which the tests rule out.
func Pack(id string) (*escalate.Policy, error) {
	data, err := PackSource(id)
	if err != nil {
		return nil, err
	}
	p, _, err := Load("packs/"+id+".yaml", data)
	return p, err
}

// Open loads a built-in pack or template by id, or else a policy file by path. A name
// containing a slash or ending in .yaml or .yml is always a file. Warnings
// are dropped; use Load to see them.
func Open(idOrFile string) (*escalate.Policy, error) {
	isFile := strings.ContainsAny(idOrFile, `/\`) || strings.HasSuffix(idOrFile, ".yaml") || strings.HasSuffix(idOrFile, ".yml")
	if !isFile {
		if _, err := PackSource(idOrFile); err == nil {
			return Pack(idOrFile)
		}
		if _, err := TemplateSource(idOrFile); err == nil {
			return Template(idOrFile)
		}
	}
	data, err := os.ReadFile(idOrFile)
	if errors.Is(err, fs.ErrNotExist) {
		if isFile {
			return nil, escalate.Errorf(escalate.ENOTFOUND, "%s: no such file", idOrFile)
		}
		return nil, escalate.Errorf(escalate.ENOTFOUND, "%q is neither a built-in policy pack (see escalate policy list) nor a file", idOrFile)
	} else if err != nil {
		return nil, err
	}
	p, _, err := Load(idOrFile, data)
	return p, err
}
