// Package testenv lets a test that needs an outside part (PostgreSQL, Chromium)
// skip on a developer's machine that lacks it, and fail instead in CI, where
// ESCALATE_REQUIRE_ALL=1 says every part must be present.
package testenv

import (
	"os"
	"os/exec"
	"testing"
)

// RequireAll reports whether ESCALATE_REQUIRE_ALL=1 is set, as it is in CI.
func RequireAll() bool { return os.Getenv("ESCALATE_REQUIRE_ALL") == "1" }

// Missing skips tb with reason, or fails it when every part is required.
func Missing(tb testing.TB, reason string) {
	tb.Helper()
	if RequireAll() {
		tb.Fatalf("required by ESCALATE_REQUIRE_ALL=1 but missing: %s", reason)
	}
	tb.Skip("skipped: " + reason)
}

// PostgresURL returns ESCALATE_TEST_POSTGRES_URL, or skips (fails in CI) when unset.
func PostgresURL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv("ESCALATE_TEST_POSTGRES_URL")
	if u == "" {
		Missing(tb, "ESCALATE_TEST_POSTGRES_URL is not set")
	}
	return u
}

// Chromium returns the path of Debian's Chromium, or skips (fails in CI) when absent.
func Chromium(tb testing.TB) string {
	tb.Helper()
	for _, p := range []string{os.Getenv("ESCALATE_CHROMIUM"), "/usr/bin/chromium"} {
		if p == "" {
			continue
		}
		if _, err := exec.LookPath(p); err == nil {
			return p
		}
	}
	Missing(tb, "chromium is not installed")
	return ""
}
