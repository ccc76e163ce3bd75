package main

import (
	"strings"
	"testing"

	"github.com/escalate-project/escalate"
)

func TestVersion(t *testing.T) {
	out := mustRun(t, "", "version")
	if want := "escalate " + escalate.Version + " (commit "; !strings.HasPrefix(out, want) {
		t.Errorf("escalate version = %q, want it to start %q", out, want)
	}
	wantExit(t, "", 2, "unexpected argument", "version", "extra")
}
