package web

import (
	"slices"
	"testing"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/policy"
)

// TestRaiseRedirects asks about conduct first in every pack: the pack's own
// route to the LADO where it has one, else Escalate's default; then the
// pack's other redirects, each once.
func TestRaiseRedirects(t *testing.T) {
	for _, id := range []string{"hounslow", "hammersmith-fulham", "surrey", "redbridge", "wirral"} {
		t.Run(id, func(t *testing.T) {
			p, err := policy.Pack(id)
			if err != nil {
				t.Fatal(err)
			}
			rc := &raiseCtx{policy: p, draft: &raiseDraft{}}
			rs := rc.redirects()
			if len(rs) == 0 || rs[0].Contact != escalate.RoleLADO {
				t.Fatalf("%s: first question %+v, want a route to the LADO", id, rs)
			}
			own := 0
			for _, rd := range p.Redirects {
				if rd.Question != "" {
					own++
				}
			}
			builtin := rs[0].Key == builtinLADO.Key
			if want := own + map[bool]int{true: 1}[builtin]; len(rs) != want {
				t.Errorf("%d questions, want %d", len(rs), want)
			}
			for _, rd := range p.Redirects {
				if rd.Contact == escalate.RoleLADO && builtin {
					t.Errorf("the default LADO question is asked although the pack has %q", rd.Key)
				}
			}
			last := rs[len(rs)-1]
			rc.draft.Scope = map[string]string{last.Key: "yes"}
			if last.Alongside {
				// Referred alongside: the case carries on unless the
				// raiser says there is no disagreement about the child.
				rc.draft.Alongside = map[string]string{last.Key: "yes"}
				if ch := rc.redirectsChosen(); len(ch) != 0 || !slices.Equal(rc.referred(), []string{last.Key}) {
					t.Errorf("alongside and a disagreement about the child: chosen %+v, referred %v", ch, rc.referred())
				}
				rc.draft.Alongside[last.Key] = "no"
			}
			if ch := rc.redirectsChosen(); len(ch) != 1 || ch[0].Key != last.Key {
				t.Errorf("chosen %+v", ch)
			}
		})
	}
}

func TestDecisionDate(t *testing.T) {
	for _, tc := range []struct{ name, d, m, y, want, msg string }{
		{"OK", "7", "3", "2026", "2026-03-07", ""},
		{"OKLeadingZeros", "07", "03", "2026", "2026-03-07", ""},
		{"OKLeapDay", "29", "2", "2024", "2024-02-29", ""},
		{"ErrEmpty", "", "", "", "", "Enter the date of the decision"},
		{"ErrNoDay", "", "3", "2026", "", "The date of the decision must include a day"},
		{"ErrNoDayOrYear", "", "3", "", "", "The date of the decision must include a day and a year"},
		{"ErrLetters", "x", "3", "2026", "", "The date of the decision must be a real date"},
		{"ErrNotLeap", "29", "2", "2026", "", "The date of the decision must be a real date"},
		{"ErrMonth13", "1", "13", "2026", "", "The date of the decision must be a real date"},
		{"ErrNegative", "-1", "3", "2026", "", "The date of the decision must be a real date"},
		{"ErrTwoDigitYear", "1", "3", "26", "", "The year must include 4 numbers"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, msg := decisionDate(tc.d, tc.m, tc.y)
			if got != tc.want || msg != tc.msg {
				t.Errorf("decisionDate(%q, %q, %q) = %q, %q; want %q, %q", tc.d, tc.m, tc.y, got, msg, tc.want, tc.msg)
			}
		})
	}
}
