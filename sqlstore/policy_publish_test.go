package sqlstore

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/policy"
)

// redbridgeV4 is the Redbridge pack as a 4th edition whose stage 1 gives
// the receiving side 4 working days to respond instead of 3.
func redbridgeV4(t *testing.T) []byte {
	t.Helper()
	raw, err := policy.PackSource("redbridge")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(raw), "\nversion: 3rd edition\n", "\nversion: 4th edition\n", 1)
	text = strings.Replace(text, "within: 3 working days", "within: 4 working days", 1)
	if text == string(raw) {
		t.Fatal("the pack changed: no version or respond clock to edit")
	}
	return []byte(text)
}

func TestPublishPolicy(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db, "redbridge")
		ctx := context.Background()
		old := w.mustRaise(t, escalate.RiskStandard)
		base, err := db.CurrentPolicyVersion(ctx, w.p.ID)
		if err != nil {
			t.Fatal(err)
		}

		t.Run("ErrForbidden", func(t *testing.T) {
			for _, who := range []string{"prac", "chair", "outsider"} {
				_, err := db.PublishPolicy(w.as(who), w.p.ID, redbridgeV4(t), base.ID)
				wantCode(t, err, escalate.EFORBIDDEN)
			}
		})
		t.Run("ErrLint", func(t *testing.T) {
			bad := strings.Replace(string(redbridgeV4(t)), "within: 4 working days", "within: 48 hrs", 1)
			bad = strings.Replace(bad, "scope: between-agencies", "scope: everywhere", 1)
			_, err := db.PublishPolicy(w.as("bm"), w.p.ID, []byte(bad), base.ID)
			wantCode(t, err, escalate.EINVALID)
			var pe *policy.ProblemsError
			if !errors.As(err, &pe) || len(pe.Problems) < 2 {
				t.Fatalf("err = %v, want every problem", err)
			}
			if !strings.Contains(pe.Error(), `did you mean "48 hours"?`) || !strings.Contains(pe.Error(), `unknown value "everywhere"`) {
				t.Errorf("problems:\n%s", pe.Error())
			}
		})
		t.Run("ErrSameText", func(t *testing.T) {
			_, err := db.PublishPolicy(w.as("bm"), w.p.ID, base.YAML, base.ID)
			wantCode(t, err, escalate.EINVALID)
		})
		if cur, _ := db.CurrentPolicyVersion(ctx, w.p.ID); cur.ID != base.ID {
			t.Fatalf("a refused publication changed the policy in force to %+v", cur)
		}

		t.Run("OK", func(t *testing.T) {
			pub, err := db.PublishPolicy(w.as("bm"), w.p.ID, redbridgeV4(t), base.ID)
			if err != nil {
				t.Fatal(err)
			}
			if pub.Version != "4th edition" || pub.PublishedBy != w.users["bm"].ID || pub.PublisherName != "User bm" || !pub.Current || pub.VersionID == base.ID {
				t.Errorf("publication = %+v", pub)
			}
			hist, err := db.PolicyHistory(ctx, w.p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(hist) != 2 || hist[0].Version != "4th edition" || hist[1].Version != "3rd edition" || hist[1].Current ||
				hist[1].OpenEscalations != 1 || hist[0].OpenEscalations != 0 || hist[1].PublishedBy != 0 {
				t.Errorf("history = %+v", hist)
			}
			// The open escalation stays on the 3rd edition; a new one follows the 4th.
			again, err := w.svc.Get(w.as("prac"), old.Ref)
			if err != nil {
				t.Fatal(err)
			}
			if again.PolicyVersion != "3rd edition" {
				t.Errorf("the open escalation moved to %q", again.PolicyVersion)
			}
			fresh := w.mustRaise(t, escalate.RiskStandard)
			if fresh.PolicyVersion != "4th edition" {
				t.Errorf("a new escalation follows %q", fresh.PolicyVersion)
			}
			// Meeting the raise clock starts the respond clock, on each
			// escalation's own version.
			for _, tc := range []struct {
				e      *escalate.Escalation
				within string
			}{{again, "3 working days"}, {fresh, "4 working days"}} {
				e, err := w.svc.AddRecord(w.as("prac"), tc.e.Ref, recordIn(tc.e.Version, escalate.FormPhone))
				if err != nil {
					t.Fatal(err)
				}
				var got string
				for _, c := range e.Clocks {
					if c.Key == "respond" {
						got = c.Within
					}
				}
				if got != tc.within {
					t.Errorf("%s (%s): respond within %q, want %q", e.Ref, e.PolicyVersion, got, tc.within)
				}
			}
			var actor string
			if err := db.db.QueryRow(`SELECT actor FROM audit_events WHERE action = 'partnership.policy' ORDER BY seq DESC LIMIT 1`).Scan(&actor); err != nil {
				t.Fatal(err)
			}
			if want := "user:" + itoa(w.users["bm"].ID); actor != want {
				t.Errorf("audit actor %q, want %q", actor, want)
			}
		})
		t.Run("ErrStaleBase", func(t *testing.T) {
			text := strings.Replace(string(redbridgeV4(t)), "4th edition", "5th edition", 1)
			_, err := db.PublishPolicy(w.as("bm"), w.p.ID, []byte(text), base.ID)
			wantCode(t, err, escalate.ECONFLICT)
		})
		t.Run("ErrVersionReused", func(t *testing.T) {
			cur, _ := db.CurrentPolicyVersion(ctx, w.p.ID)
			text := strings.Replace(string(redbridgeV4(t)), "within: 4 working days", "within: 5 working days", 1)
			_, err := db.PublishPolicy(w.as("bm"), w.p.ID, []byte(text), cur.ID)
			wantCode(t, err, escalate.EINVALID)
			if escalate.ErrorField(err) != "policy" || !strings.Contains(escalate.ErrorMessage(err), "4th edition") {
				t.Errorf("err = %v", err)
			}
		})
		t.Run("OKCommandLineBackToOld", func(t *testing.T) {
			// The command line (no person) publishes the 3rd edition again:
			// the stored text is reused and the history grows.
			pub, err := db.PublishPolicy(WithActor(ctx, "cli:admin"), w.p.ID, base.YAML, 0)
			if err != nil {
				t.Fatal(err)
			}
			if pub.VersionID != base.ID || pub.PublishedBy != 0 || pub.Actor != "cli:admin" {
				t.Errorf("publication = %+v", pub)
			}
			hist, _ := db.PolicyHistory(ctx, w.p.ID)
			if len(hist) != 3 || hist[0].VersionID != base.ID || !hist[0].Current || hist[0].OpenEscalations != 1 {
				t.Errorf("history = %+v", hist)
			}
		})
	})
}
