package notify_test

import (
	"strings"
	"testing"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/notify"
)

func TestComposeAccount(t *testing.T) {
	c := notify.Composer{BaseURL: "https://escalate.example.org/", Domain: "example.org"}
	d := func(subject string, payload map[string]any) escalate.OutboxDelivery {
		var x escalate.OutboxDelivery
		x.ID, x.SubjectKey, x.Payload = 7, subject, payload
		x.To = []escalate.Addressee{{Name: "Bea Manager", Email: "bea@example.org"}}
		return x
	}
	for _, c2 := range []struct {
		subject string
		payload map[string]any
		want    []string
	}{
		{"account-oversight-granted", map[string]any{"roles": "Chair", "at": "2026-12-24T15:30:00.000000Z"},
			[]string{"The Chair role was given", "3:30pm on Thursday 24 December 2026", "https://escalate.example.org/admin/role-changes"}},
		{"account-factors-reset", map[string]any{"at": "2026-12-24T15:30:00.000000Z"},
			[]string{"reset your second factors", "set up a second factor again"}},
		{"account-invite", map[string]any{"secret": "abc_DEF-123", "path": "/account/invitation", "expires": "2026-12-31T15:30:00.000000Z"},
			[]string{"https://escalate.example.org/account/invitation?token=abc_DEF-123", "until 3:30pm on Thursday 31 December 2026"}},
	} {
		e, err := c.Compose(d(c2.subject, c2.payload))
		if err != nil {
			t.Fatalf("%s: %v", c2.subject, err)
		}
		for _, w := range c2.want {
			if !strings.Contains(e.Body, w) {
				t.Errorf("%s: body lacks %q:\n%s", c2.subject, w, e.Body)
			}
		}
		if strings.Contains(e.Body, "Bea") || strings.Contains(e.Body, "%!") {
			t.Errorf("%s: body names the person or is misformatted:\n%s", c2.subject, e.Body)
		}
	}
	// A link whose secret was erased after sending is not sent again.
	if _, err := c.Compose(d("account-reset", map[string]any{"erased": true})); err == nil {
		t.Error("a reset mail without its secret was composed")
	}
}
