package policy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
)

// Load reads a policy file and checks it as of today's London date. It
// returns every problem found, warnings included, sorted by position. When
// any problem is an Error, the policy is nil and err is a *ProblemsError
// (its code is EINVALID); warnings alone do not make an error. name is the
// file name used in the problems' text.
func Load(name string, data []byte) (*escalate.Policy, []Problem, error) {
	p, nodes, probs := Parse(name, data)
	if p != nil {
		probs = append(probs, Check(p, nodes, Today())...)
	}
	sortProblems(probs)
	if HasErrors(probs) {
		return nil, probs, &ProblemsError{Problems: probs}
	}
	return p, probs, nil
}

// Today returns the current date in London, the "today" Load checks review
// dates against.
func Today() calendar.Date { return calendar.DateOf(time.Now()) }

// Nodes records where each value of a policy file was written, so Check can
// point at it. Paths are written as in messages: "stages[1].clocks[0].within".
type Nodes struct {
	file string
	pos  map[string][2]int
	bad  []string // paths whose shape Parse already reported
}

// reported reports whether Parse already found path, a value enclosing it
// or a value within it to be of the wrong shape, so that Check does not
// report the same mistake again as a missing value.
func (n *Nodes) reported(path string) bool {
	if n == nil {
		return false
	}
	within := func(child, parent string) bool {
		return child == parent || strings.HasPrefix(child, parent+".") || strings.HasPrefix(child, parent+"[")
	}
	for _, b := range n.bad {
		if within(path, b) || within(b, path) {
			return true
		}
	}
	return false
}

// at returns the position of path, or of its nearest enclosing value when
// path itself was not written (a missing key is reported at its parent).
func (n *Nodes) at(path string) (line, col int) {
	if n == nil {
		return 0, 0
	}
	for {
		if lc, ok := n.pos[path]; ok {
			return lc[0], lc[1]
		}
		if path == "" {
			return 1, 1
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			path = ""
		} else {
			path = path[:i]
		}
	}
}

// maxNodes bounds how many YAML nodes Parse visits, so aliases that expand
// exponentially ("billion laughs") are reported instead of walked.
const maxNodes = 100_000

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

// Parse decodes a policy file without checking its content: it reports YAML
// syntax errors, unknown keys, repeated keys and values of the wrong shape,
// each at its line and column. The policy is nil only when the file could
// not be read as YAML at all. Check the result with Check.
func Parse(name string, data []byte) (p *escalate.Policy, nodes *Nodes, probs []Problem) {
	nodes = &Nodes{file: name, pos: map[string][2]int{}}
	failAt := func(line, col int, format string, args ...any) (*escalate.Policy, *Nodes, []Problem) {
		if line == 0 {
			line, col = 1, 1
		}
		return nil, nodes, []Problem{{File: name, Line: line, Col: col, Message: fmt.Sprintf(format, args...)}}
	}
	fail := func(line int, format string, args ...any) (*escalate.Policy, *Nodes, []Problem) {
		return failAt(line, 1, format, args...)
	}
	// The YAML library is not ours; a panic inside it must not take down the
	// caller, and must still be reported as a problem with the file.
	defer func() {
		if r := recover(); r != nil {
			p, nodes, probs = fail(0, "cannot read this file as YAML")
		}
	}()

	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return fail(0, "the file is empty")
		}
		return failAt(syntaxProblem(data, err))
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return fail(extra.Line, "a policy file holds one YAML document; remove the second \"---\"")
	} else if !errors.Is(err, io.EOF) {
		return failAt(syntaxProblem(data, err))
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		return fail(root.Line, "a policy file must be a mapping of keys such as id, name and stages")
	}

	w := &walker{file: name, nodes: nodes, budget: maxNodes}
	w.walk(root, reflect.TypeFor[escalate.Policy](), "")
	// The walk has reported and removed every shape Decode could object to;
	// an error here means it missed one, so it is still reported.
	p = new(escalate.Policy)
	if err := root.Decode(p); err != nil {
		w.add(root, "cannot decode policy: %v", err)
	}
	return p, nodes, w.probs
}

// syntaxProblem turns a YAML syntax error into a line, column and message.
// YAML indents with spaces only, and its reader reports a tab badly: without
// naming it, or a line early. So when a tab in a line's indentation (or
// anywhere on the line the reader names) can be the cause, the tab itself is
// reported, at its own line and column.
func syntaxProblem(data []byte, err error) (int, int, string, string) {
	line, format, msg := syntaxLine(err)
	if l, c, ok := tabNear(data, line); ok {
		return l, c, "%s", "a tab character: YAML indents with spaces, not tabs; replace it with spaces"
	}
	return line, 1, format, msg
}

// tabNear finds the tab most likely to have caused a syntax error the YAML
// reader placed on line errLine: the last tab in a line's indentation on or
// before the line after errLine (the reader can name the line before the
// tab), else a tab anywhere on errLine itself.
func tabNear(data []byte, errLine int) (line, col int, ok bool) {
	lines := strings.Split(string(data), "\n")
	for i := range lines {
		n := i + 1
		if errLine > 0 && n > errLine+1 {
			break
		}
		indent := lines[i][:len(lines[i])-len(strings.TrimLeft(lines[i], " \t"))]
		if j := strings.IndexByte(indent, '\t'); j >= 0 {
			line, col, ok = n, j+1, true
		}
	}
	if ok || errLine < 1 || errLine > len(lines) {
		return line, col, ok
	}
	if j := strings.IndexByte(lines[errLine-1], '\t'); j >= 0 {
		return errLine, utf8.RuneCountInString(lines[errLine-1][:j]) + 1, true
	}
	return 0, 0, false
}

// syntaxLine turns a YAML syntax error into a line and message.
func syntaxLine(err error) (int, string, string) {
	msg := err.Error()
	line := 0
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = msg[len(m[0]):]
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	return line, "%s", "YAML syntax: " + msg
}

// walker checks a YAML tree against the shape of the policy types, using
// their yaml tags, and records each value's position.
type walker struct {
	file   string
	nodes  *Nodes
	probs  []Problem
	budget int
}

// bad records a shape problem at path and empties the value, so that
// Decode can fill in everything else and the checker can still run.
func (w *walker) bad(n *yaml.Node, path, format string, args ...any) {
	w.nodes.bad = append(w.nodes.bad, path)
	w.add(n, format, args...)
	*n = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Line: n.Line, Column: n.Column}
}

func (w *walker) add(n *yaml.Node, format string, args ...any) {
	w.probs = append(w.probs, Problem{File: w.file, Line: n.Line, Col: n.Column, Message: fmt.Sprintf(format, args...)})
}

func (w *walker) walk(n *yaml.Node, t reflect.Type, path string) {
	if w.budget <= 0 {
		return
	}
	w.budget--
	if w.budget == 0 {
		w.add(n, "the file is too large or uses too many aliases to check")
		return
	}
	if _, ok := w.nodes.pos[path]; !ok {
		w.nodes.pos[path] = [2]int{n.Line, n.Column}
	}
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			w.bad(n, path, "%s: alias to nothing", label(path))
			return
		}
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return // "key:" with no value leaves the zero value
	}
	switch t.Kind() {
	case reflect.Pointer:
		w.walk(n, t.Elem(), path)
	case reflect.Struct:
		w.mapping(n, t, path)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			w.bad(n, path, "%s must be a list (lines starting with \"- \")", label(path))
			return
		}
		for i, e := range n.Content {
			w.walk(e, t.Elem(), fmt.Sprintf("%s[%d]", path, i))
		}
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			w.bad(n, path, "%s must be a single value, not %s", label(path), kindName(n.Kind))
		}
	case reflect.Bool:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
			w.bad(n, path, "%s must be true or false", label(path))
		}
	case reflect.Int:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
			w.bad(n, path, "%s must be a whole number", label(path))
		} else if _, err := strconv.Atoi(n.Value); err != nil {
			w.bad(n, path, "%s: %q is out of range", label(path), n.Value)
		}
	default:
		w.add(n, "%s: unsupported field type %s", label(path), t)
	}
}

func (w *walker) mapping(n *yaml.Node, t reflect.Type, path string) {
	if n.Kind != yaml.MappingNode {
		w.bad(n, path, "%s must be a mapping of keys (%s), not %s", label(path), strings.Join(yamlKeys(t), ", "), kindName(n.Kind))
		return
	}
	seen := map[string]int{}
	// kept is the mapping without the pairs reported here, which Decode
	// would otherwise refuse or misread.
	var kept []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			w.add(k, "%s: a key must be a plain word", label(path))
			continue
		}
		if line, dup := seen[k.Value]; dup {
			w.add(k, "%s: key %q appears twice (first on line %d)", label(path), k.Value, line)
			continue
		}
		seen[k.Value] = k.Line
		f, ok := fieldByTag(t, k.Value)
		if !ok {
			msg := fmt.Sprintf("unknown key %q in %s", k.Value, label(path))
			if s := suggest(k.Value, yamlKeys(t)); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			} else {
				msg += "; known keys: " + strings.Join(yamlKeys(t), ", ")
			}
			w.add(k, "%s", msg)
			continue
		}
		kept = append(kept, k, v)
		child := k.Value
		if path != "" {
			child = path + "." + k.Value
		}
		w.walk(v, f.Type, child)
	}
	n.Content = kept
}

// fieldByTag returns t's field whose yaml tag names key.
func fieldByTag(t reflect.Type, key string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		if tagName(f) == key {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

func tagName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	return name
}

// yamlKeys lists the keys a mapping of type t accepts, in declaration order.
func yamlKeys(t reflect.Type) []string {
	var keys []string
	for i := range t.NumField() {
		if name := tagName(t.Field(i)); name != "" && name != "-" {
			keys = append(keys, name)
		}
	}
	return keys
}

// label names a path in a message; the root is "the policy".
func label(path string) string {
	if path == "" {
		return "the policy"
	}
	return path
}

func kindName(k yaml.Kind) string {
	switch k {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return "a single value"
	}
	return "this"
}

// suggest returns the candidate nearest to s when it is a likely typo: at
// most two edits away and sharing its first letter.
func suggest(s string, candidates []string) string {
	best, bestD := "", 3
	for _, c := range candidates {
		if d := distance(s, c); d < bestD && s != "" && c != "" && s[0] == c[0] {
			best, bestD = c, d
		}
	}
	return best
}

// distance is the Levenshtein edit distance between a and b, in bytes.
func distance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 64
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = slices.Min([]int{prev[j] + 1, cur[j-1] + 1, prev[j-1] + cost})
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
