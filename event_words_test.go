package escalate

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestEventTitlesCoverEveryKind walks the source for every kind of event
// the code can write to the audit log (and so show on a case's timeline,
// the data protection page or a subject access export) and fails on any
// without plain words: a new kind must come with its title.
func TestEventTitlesCoverEveryKind(t *testing.T) {
	kinds := emittedKinds(t)
	if len(kinds) < 60 {
		t.Fatalf("found only %d kinds of event; the walk is broken: %v", len(kinds), kinds)
	}
	for _, k := range kinds {
		if strings.TrimSpace(eventTitles[k]) == "" {
			t.Errorf("event kind %q has no plain words in eventTitles (event_words.go)", k)
		}
		if EventTitle(k) == k {
			t.Errorf("EventTitle(%q) is the code itself", k)
		}
	}
	// Words for a kind the code no longer writes are dead: say so.
	for k := range eventTitles {
		if !slices.Contains(kinds, k) {
			t.Errorf("eventTitles has words for %q, which nothing writes", k)
		}
	}
}

// kindShape is how a kind of event is spelt: "escalation.raise".
var kindShape = regexp.MustCompile(`^[a-z][a-z_-]*(\.[a-z][a-z_-]*)+$|^[a-z][a-z-]*$`)

// auditArg is which argument of each call that writes the audit log is the
// event's kind; attempt audits its "what" with ".failed" added.
var auditArg = map[string]int{"Audit": 1, "AuditIn": 2, "auditAccount": 2, "auditUser": 2, "setPassword": 2, "attempt": 3}

// emittedKinds are the kinds of event in the module's source: every string
// constant named Action…, every string given as the kind to a call that
// audits (or to an auditItem), and every string assigned to a variable
// named action.
func emittedKinds(t *testing.T) []string {
	t.Helper()
	fset := token.NewFileSet()
	var files []*ast.File
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (path == "node_modules" || path == "bin" || strings.HasPrefix(d.Name(), ".") && path != ".") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		files = append(files, f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	str := func(e ast.Expr) (string, bool) {
		if l, ok := e.(*ast.BasicLit); ok && l.Kind == token.STRING {
			s, err := strconv.Unquote(l.Value)
			return s, err == nil
		}
		return "", false
	}
	consts := map[string]string{}
	set := map[string]bool{}
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			if g, ok := n.(*ast.GenDecl); ok && g.Tok == token.CONST {
				for _, s := range g.Specs {
					vs := s.(*ast.ValueSpec)
					for i, name := range vs.Names {
						if i < len(vs.Values) {
							if v, ok := str(vs.Values[i]); ok {
								consts[name.Name] = v
								if strings.Contains(name.Name, "Action") && kindShape.MatchString(v) {
									set[v] = true
								}
							}
						}
					}
				}
			}
			return true
		})
	}
	kind := func(e ast.Expr, suffix string) {
		if s, ok := str(e); ok {
			set[s+suffix] = true
			return
		}
		name := ""
		switch x := e.(type) {
		case *ast.Ident:
			name = x.Name
		case *ast.SelectorExpr:
			name = x.Sel.Name
		}
		if v, ok := consts[name]; ok {
			set[v+suffix] = true
		}
	}
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.CallExpr:
				name := ""
				switch fn := x.Fun.(type) {
				case *ast.Ident:
					name = fn.Name
				case *ast.SelectorExpr:
					name = fn.Sel.Name
				}
				if i, ok := auditArg[name]; ok && i < len(x.Args) {
					if name == "attempt" {
						kind(x.Args[i], ".failed")
					} else {
						kind(x.Args[i], "")
					}
				}
			case *ast.CompositeLit:
				if id, ok := x.Type.(*ast.Ident); ok && id.Name == "auditItem" && len(x.Elts) > 2 {
					kind(x.Elts[2], "")
				}
			case *ast.AssignStmt:
				for i, l := range x.Lhs {
					if id, ok := l.(*ast.Ident); ok && id.Name == "action" && i < len(x.Rhs) {
						kind(x.Rhs[i], "")
					}
				}
			}
			return true
		})
	}
	var out []string
	for k := range set {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
