package escalate

import (
	"runtime/debug"
	"sync"
)

// Version is Escalate's release number, a semantic version. A release build
// sets it with
//
//	go build -ldflags "-X github.com/escalate-project/escalate.Version=1.2.3"
//
// and between releases it names the next one with a -dev suffix.
var Version = "0.1.0-dev"

// Commit is the source commit a build came from. Go stamps it into builds
// made in a git checkout; a build without that stamp (a tarball, a
// container build without .git) may set it with -ldflags
// "-X github.com/escalate-project/escalate.Commit=<hash>". Empty when unknown.
var Commit = ""

// BuildInfo says which build is running: what `escalate version` prints and
// /healthz reports.
type BuildInfo struct {
	Version  string // e.g. 0.1.0
	Commit   string // full hash, or "" when the build does not know it
	Modified bool   // built from a checkout with uncommitted changes
}

var buildOnce = sync.OnceValue(func() BuildInfo {
	b := BuildInfo{Version: Version, Commit: Commit}
	if info, ok := debug.ReadBuildInfo(); ok && b.Commit == "" {
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				b.Commit = s.Value
			case "vcs.modified":
				b.Modified = s.Value == "true"
			}
		}
	}
	return b
})

// Build returns the running build's version and commit.
func Build() BuildInfo { return buildOnce() }

// String is "0.1.0 (commit 1a2b3c4d5e6f)", "0.1.0 (commit 1a2b3c4d5e6f, modified)"
// or "0.1.0 (commit unknown)".
func (b BuildInfo) String() string {
	c := b.Commit
	if c == "" {
		return b.Version + " (commit unknown)"
	}
	if len(c) > 12 {
		c = c[:12]
	}
	if b.Modified {
		c += ", modified"
	}
	return b.Version + " (commit " + c + ")"
}
