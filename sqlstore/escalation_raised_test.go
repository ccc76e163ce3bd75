package sqlstore

import (
	"testing"

	"github.com/escalate-project/escalate"
)

// TestListRaised: the Raised filter keeps exactly what the actor raised,
// even for someone whose line or involvement shows them more.
func TestListRaised(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db, "redbridge")
		mine := w.mustRaise(t, escalate.RiskStandard) // raised by prac
		in := w.raiseInput(escalate.RiskStandard)
		in.RaisedRole = escalate.RoleManager
		other, err := w.svc.Raise(w.as("mgr"), in) // raised by prac's manager
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			who  string
			want string
		}{{"prac", mine.Ref}, {"mgr", other.Ref}} {
			got, total, err := w.svc.List(w.as(tc.who), escalate.EscalationFilter{Raised: true, Status: escalate.StatusOpen})
			if err != nil {
				t.Fatal(err)
			}
			if total != 1 || len(got) != 1 || got[0].Ref != tc.want {
				var refs []string
				for _, e := range got {
					refs = append(refs, e.Ref)
				}
				t.Errorf("%s: Raised lists %v (total %d), want only %s", tc.who, refs, total, tc.want)
			}
		}
		// The manager's wider view still includes the report's case.
		all, _, err := w.svc.List(w.as("mgr"), escalate.EscalationFilter{Mine: true})
		if err != nil || len(all) != 2 {
			t.Errorf("mgr Mine lists %d (%v), want 2", len(all), err)
		}
	})
}
