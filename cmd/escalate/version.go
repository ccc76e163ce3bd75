package main

import (
	"context"
	"fmt"

	"github.com/escalate-project/escalate"
)

func init() {
	register("version", "print the release number and the commit of this build", runVersion)
}

func runVersion(ctx context.Context, env *Env, args []string) error {
	fs := newCommandFlags("version")
	if _, done, err := parseCommand(env, fs, args, 0); done || err != nil {
		return err
	}
	b := escalate.Build()
	fmt.Fprintf(env.Stdout, "escalate %s\n", b)
	return nil
}
