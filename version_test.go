package escalate

import "testing"

func TestBuildInfoString(t *testing.T) {
	for _, c := range []struct {
		b    BuildInfo
		want string
	}{
		{BuildInfo{Version: "1.2.3"}, "1.2.3 (commit unknown)"},
		{BuildInfo{Version: "1.2.3", Commit: "0123456789abcdef0123"}, "1.2.3 (commit 0123456789ab)"},
		{BuildInfo{Version: "1.2.3", Commit: "abc", Modified: true}, "1.2.3 (commit abc, modified)"},
	} {
		if got := c.b.String(); got != c.want {
			t.Errorf("%+v.String() = %q, want %q", c.b, got, c.want)
		}
	}
	if b := Build(); b.Version != Version {
		t.Errorf("Build().Version = %q, want Version %q", b.Version, Version)
	}
}
