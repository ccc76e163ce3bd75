// Package policy loads and checks policy files, the YAML form of a
// partnership's escalation policy (see doc/policy-format.md), holds the
// built-in packs, and describes a policy in plain English and as a flowchart.
package policy

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/escalate-project/escalate"
)

// Severity says whether a problem stops a policy being used.
type Severity int

// The severities. An Error makes a policy unusable; a Warning is printed but
// does not.
const (
	Error Severity = iota
	Warning
)

// String returns "error" or "warning".
func (s Severity) String() string {
	if s == Warning {
		return "warning"
	}
	return "error"
}

// Problem is one thing wrong with a policy file, at a line and column
// (1-based; 0 when the policy did not come from a file).
type Problem struct {
	File      string
	Line, Col int
	Severity  Severity
	Message   string
}

// String formats p the way compilers do, so editors can jump to it:
// "file:line:col: message", with "warning: " before a warning's message.
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", p.Line, p.Col)
	}
	b.WriteString(": ")
	if p.Severity == Warning {
		b.WriteString("warning: ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// HasErrors reports whether any of ps is an Error.
func HasErrors(ps []Problem) bool {
	return slices.ContainsFunc(ps, func(p Problem) bool { return p.Severity == Error })
}

// sortProblems orders problems by position, keeping the order they were
// found in for problems at the same place.
func sortProblems(ps []Problem) {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col))
	})
}

// ProblemsError is the error Load returns when a policy has errors. It
// carries every problem found, warnings included.
type ProblemsError struct {
	Problems []Problem
}

// Error lists the errors, one a line.
func (e *ProblemsError) Error() string {
	var lines []string
	for _, p := range e.Problems {
		if p.Severity == Error {
			lines = append(lines, p.String())
		}
	}
	return strings.Join(lines, "\n")
}

// Unwrap lets escalate.ErrorCode see a policy with errors as EINVALID.
func (e *ProblemsError) Unwrap() error {
	n := 0
	for _, p := range e.Problems {
		if p.Severity == Error {
			n++
		}
	}
	return escalate.Errorf(escalate.EINVALID, "the policy has %d errors", n)
}
