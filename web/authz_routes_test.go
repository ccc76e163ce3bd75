package web

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// The authorisation matrix (authz_matrix_test.go) must cover every route.
// A ServeMux cannot list its patterns, so RegisteredPatterns reads them
// from the source: every mux.Handle, mux.HandleFunc and page(...) call in
// the package's non-test files. A pattern built in a loop is expanded from
// the same table the loop ranges over; a registration this file does not
// understand is an error, so a new kind of route cannot slip past the
// matrix unnoticed.

// dynamicPatterns expands each pattern expression that is not a constant,
// keyed by its source text, from the table the registering loop reads.
var dynamicPatterns = map[string]func() []string{
	`"GET /escalations/{ref}/" + a.Path`: func() []string {
		var out []string
		for _, a := range escalationActions {
			out = append(out, "GET /escalations/{ref}/"+a.Path)
		}
		return out
	},
	`"POST /escalations/{ref}/" + a.Path`: func() []string {
		var out []string
		for _, a := range escalationActions {
			out = append(out, "POST /escalations/{ref}/"+a.Path)
		}
		return out
	},
	`"GET /dissents/{ref}/" + st.Path`: func() []string {
		var out []string
		for _, st := range dissentSteps {
			out = append(out, "GET /dissents/{ref}/"+st.Path)
		}
		return out
	},
	`"POST /dissents/{ref}/" + st.Path`: func() []string {
		var out []string
		for _, st := range dissentSteps {
			out = append(out, "POST /dissents/{ref}/"+st.Path)
		}
		return out
	},
	`"GET " + st.path()`: func() []string {
		var out []string
		for _, st := range raiseSteps {
			out = append(out, "GET "+st.path())
		}
		return out
	},
	`"POST " + st.path()`: func() []string {
		var out []string
		for _, st := range raiseSteps {
			out = append(out, "POST "+st.path())
		}
		return out
	},
	`rt.Method + " " + apiPrefix + rt.Path`: func() []string {
		var out []string
		for _, rt := range (*Server)(nil).apiRouteTable() {
			out = append(out, rt.Method+" "+apiPrefix+rt.Path)
		}
		return out
	},
	// partnershipRoutes' page helper passes its argument on; the page(...)
	// calls themselves are read as registrations.
	`pattern`: func() []string { return nil },
}

// RegisteredPatterns returns every ServeMux pattern the package registers,
// sorted, read from the Go files in dir (the web package's directory).
func RegisteredPatterns(dir string) ([]string, error) {
	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	var parsed []*ast.File
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			return nil, err
		}
		parsed = append(parsed, f)
	}
	consts := stringConsts(parsed)
	var out []string
	var problems []string
	for _, f := range parsed {
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 || !isRegistration(call.Fun) {
				return true
			}
			arg := call.Args[0]
			if s, ok := constString(arg, consts); ok {
				out = append(out, s)
				return true
			}
			expand, ok := dynamicPatterns[types.ExprString(arg)]
			if !ok {
				problems = append(problems, fmt.Sprintf("%s: route pattern %s is built in a way the matrix test does not know; add it to dynamicPatterns in authz_routes_test.go",
					fset.Position(arg.Pos()), types.ExprString(arg)))
				return true
			}
			out = append(out, expand()...)
			return true
		})
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(problems, "\n"))
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// stringConsts returns the package's string constants that are literals.
func stringConsts(files []*ast.File) map[string]string {
	out := map[string]string{}
	for _, f := range files {
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, sp := range gd.Specs {
				vs := sp.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if i < len(vs.Values) {
						if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
							if s, err := strconv.Unquote(lit.Value); err == nil {
								out[name.Name] = s
							}
						}
					}
				}
			}
		}
	}
	return out
}

// constString evaluates a pattern made of string literals and constants
// joined by +.
func constString(e ast.Expr, consts map[string]string) (string, bool) {
	switch x := e.(type) {
	case *ast.BasicLit:
		s, err := strconv.Unquote(x.Value)
		return s, x.Kind == token.STRING && err == nil
	case *ast.Ident:
		s, ok := consts[x.Name]
		return s, ok
	case *ast.ParenExpr:
		return constString(x.X, consts)
	case *ast.BinaryExpr:
		if x.Op != token.ADD {
			return "", false
		}
		a, ok1 := constString(x.X, consts)
		b, ok2 := constString(x.Y, consts)
		return a + b, ok1 && ok2
	}
	return "", false
}

// isRegistration reports whether fun is mux.Handle, mux.HandleFunc or
// partnershipRoutes' page helper.
func isRegistration(fun ast.Expr) bool {
	switch f := fun.(type) {
	case *ast.SelectorExpr:
		x, ok := f.X.(*ast.Ident)
		return ok && x.Name == "mux" && (f.Sel.Name == "Handle" || f.Sel.Name == "HandleFunc")
	case *ast.Ident:
		return f.Name == "page"
	}
	return false
}

// MatchedPattern returns the pattern of s's own ServeMux that serves r, so
// the matrix can check that each pattern it lists is really registered
// (and the source reading above is not stale).
func MatchedPattern(s *Server, r *http.Request) string {
	mux, ok := s.routes().(*http.ServeMux)
	if !ok {
		return ""
	}
	_, pattern := mux.Handler(r)
	return pattern
}
