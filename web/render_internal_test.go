package web

import (
	"strings"
	"testing"

	"github.com/escalate-project/escalate"
)

// TestRoleNameNeverKey: every role an account can hold is shown by a
// name, never its key ("board-member"), on the pages that list people by
// role (raise's "Who did you deal with?", administration).
func TestRoleNameNeverKey(t *testing.T) {
	for _, r := range escalate.UserRoles {
		if n := roleName(r); n == string(r) || strings.Contains(n, "-") || n != strings.ToUpper(n[:1])+n[1:] {
			t.Errorf("role %s is shown as %q", r, n)
		}
	}
}
