package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/policy"
)

func init() {
	register("policy", "policy files, built-in packs and templates (list, lint, show, template)", runPolicy)
}

const policyUsage = `usage:
  escalate policy list
  escalate policy lint FILE...
  escalate policy show [--format text|mermaid] ID|FILE
  escalate policy template [ID]    print a template to copy (default: working-together-2023)`

func runPolicy(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(env.Stderr, policyUsage)
		return exitError{2}
	}
	switch args[0] {
	case "help", "-h", "--help":
		fmt.Fprintln(env.Stdout, policyUsage)
		return nil
	case "list":
		return runPolicyList(env, args[1:])
	case "lint":
		return runPolicyLint(env, args[1:])
	case "show":
		return runPolicyShow(env, args[1:])
	case "template":
		return runPolicyTemplate(env, args[1:])
	}
	return usagef("unknown policy command %q\n%s", args[0], policyUsage)
}

// runPolicyList prints one line per built-in pack: id, name, version and
// review date, separated by tabs for scripts.
func runPolicyList(env *Env, args []string) error {
	if len(args) != 0 {
		return usagef("policy list takes no arguments")
	}
	for _, p := range policy.Packs() {
		fmt.Fprintf(env.Stdout, "%s\t%s\t%s\t%s\n", p.ID, p.Name, p.Version, p.ReviewDate)
	}
	return nil
}

// runPolicyLint checks each file and prints every problem, warnings too, on
// stderr as file:line:col: message. It fails with status 1 when any file has
// an error, and 2 when a file cannot be read.
func runPolicyLint(env *Env, args []string) error {
	if len(args) == 0 {
		return usagef("policy lint needs at least one FILE")
	}
	var unreadable, invalid bool
	for _, name := range args {
		data, err := os.ReadFile(name)
		if err != nil {
			unreadable = true
			if errors.Is(err, fs.ErrNotExist) {
				fmt.Fprintf(env.Stderr, "%s: no such file\n", name)
			} else {
				fmt.Fprintf(env.Stderr, "%s: cannot read: %v\n", name, err)
			}
			continue
		}
		_, probs, _ := policy.Load(name, data)
		for _, p := range probs {
			fmt.Fprintln(env.Stderr, p)
		}
		invalid = invalid || policy.HasErrors(probs)
	}
	switch {
	case unreadable:
		return exitError{2}
	case invalid:
		return exitError{1}
	}
	return nil
}

// runPolicyShow describes a pack or a policy file in plain English, or as a
// Mermaid flowchart.
func runPolicyShow(env *Env, args []string) error {
	fset := flag.NewFlagSet("policy show", flag.ContinueOnError)
	fset.SetOutput(io.Discard)
	format := fset.String("format", "text", "text or mermaid")
	// Flags may come before or after the ID|FILE.
	var names []string
	for {
		if err := fset.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprintln(env.Stdout, "usage: escalate policy show [--format text|mermaid] ID|FILE")
				return nil
			}
			return usagef("%v", err)
		}
		if fset.NArg() == 0 {
			break
		}
		names = append(names, fset.Arg(0))
		args = fset.Args()[1:]
	}
	if len(names) != 1 {
		return usagef("policy show needs exactly one ID or FILE (see escalate policy list)")
	}
	var write func(io.Writer, *escalate.Policy) error
	switch *format {
	case "text":
		write = policy.Summary
	case "mermaid":
		write = policy.Mermaid
	default:
		return usagef("unknown format %q: use text or mermaid", *format)
	}
	p, err := policy.Open(names[0])
	var pe *policy.ProblemsError
	switch {
	case errors.As(err, &pe):
		for _, pr := range pe.Problems {
			fmt.Fprintln(env.Stderr, pr)
		}
		return exitError{1}
	case escalate.ErrorCode(err) == escalate.ENOTFOUND:
		return usagef("%s", escalate.ErrorMessage(err))
	case err != nil:
		return err
	}
	return write(env.Stdout, p)
}

// runPolicyTemplate prints a policy template to copy into a new partnership's
// policy file: escalate policy template [ID] > my.yaml.
func runPolicyTemplate(env *Env, args []string) error {
	id := "working-together-2023"
	switch len(args) {
	case 0:
	case 1:
		id = args[0]
	default:
		return usagef("policy template takes at most one ID")
	}
	data, err := policy.TemplateSource(id)
	if err != nil {
		var ids []string
		for _, t := range policy.Templates() {
			ids = append(ids, t.ID)
		}
		return usagef("no policy template %q (templates: %s)", id, strings.Join(ids, ", "))
	}
	_, err = env.Stdout.Write(data)
	return err
}
