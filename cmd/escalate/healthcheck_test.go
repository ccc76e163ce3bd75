package main

import (
	"strings"
	"testing"

	"github.com/escalate-project/escalate"
)

func TestHealthcheck(t *testing.T) {
	db := newMigratedDB(t)
	base, _, stop := startServe(t, map[string]string{"ESCALATE_DB": db, "ESCALATE_SECURE_COOKIES": "0"}, "--addr", "127.0.0.1:0")
	addr := strings.TrimPrefix(base, "http://")
	if out := mustRun(t, "", "healthcheck", "--addr", addr); !strings.Contains(out, "version "+escalate.Version) {
		t.Errorf("healthcheck printed %q", out)
	}
	mustRun(t, "", "healthcheck", "--addr", addr, "--path", "/readyz")
	wantExit(t, "", 2, "--path", "healthcheck", "--addr", addr, "--path", "/metrics")
	stop()
	wantExit(t, "", 1, "unhealthy", "healthcheck", "--addr", addr)
}
