package sqlstore

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/escalate-project/escalate"
)

// TestSubjectAccess: a child's export holds every case about their
// reference in full, and nothing of another child or another partnership;
// a member of staff's holds their account, what they did and what they
// wrote; both list the third parties to redact; only the partnership's
// data protection officer may make one, and each is audited.
func TestSubjectAccess(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := newWorld(t, db, "redbridge")
		withDPO(t, w)
		a := w.mustRaise(t, escalate.RiskStandard)
		a, err := w.svc.AddRecord(w.as("prac"), a.Ref, recordIn(a.Version, escalate.FormPhone))
		if err != nil {
			t.Fatal(err)
		}
		// Routing's data about people: the practitioner the raiser named
		// (and removed), social care's escalation contact (rmgr, the world's).
		if _, err := w.svc.AddParty(w.as("prac"), a.Ref, w.users["rprac"].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.RemoveParty(w.as("prac"), a.Ref, w.users["rprac"].ID); err != nil {
			t.Fatal(err)
		}
		other := w.raiseInput(escalate.RiskStandard)
		other.ChildRef, other.ChildInitials, other.Issue = "SCH-0099", "ZZ", "Another child's issue."
		b, err := w.svc.Raise(w.as("prac"), other)
		if err != nil {
			t.Fatal(err)
		}
		// The same child reference in another partnership is another child.
		w2 := newWorld(t, db, "wirral")
		withDPO2 := &escalate.User{PartnershipID: w2.p.ID, AgencyID: w2.agencies["police"].ID, Name: "Other DPO",
			Email: "dpo2@example.org", Roles: []escalate.Role{escalate.RoleDataProtectionOfficer}}
		if err := db.CreateUser(ctx, withDPO2); err != nil {
			t.Fatal(err)
		}
		elsewhere := w2.mustRaise(t, escalate.RiskStandard)

		x, err := db.SubjectAccess(w.as("dpo"), escalate.SubjectQuery{Kind: escalate.SubjectChild, ChildRef: "sch-0042"})
		if err != nil {
			t.Fatal(err)
		}
		j, _ := json.Marshal(x)
		doc := string(j)
		if len(x.Cases) != 1 || x.Cases[0].Ref != a.Ref || len(x.Cases[0].Records) != 1 ||
			x.Cases[0].Records[0].Discussion != recordIn(1, "").Discussion || x.Cases[0].Issue != a.Issue {
			t.Errorf("child export: %s", doc)
		}
		// Each event of the case's history keeps its code and says it in
		// words beside it.
		for _, ev := range x.Cases[0].Events {
			if ev.Action == "" || ev.Title == ev.Action || ev.Title != escalate.EventTitle(ev.Action) {
				t.Errorf("history event %+v: want its code and its words", ev)
			}
		}
		if !strings.Contains(doc, `"action":"escalation.raise","title":"Disagreement raised"`) {
			t.Errorf("the JSON lacks the raise's code and title side by side: %s", doc)
		}
		for _, not := range []string{b.Ref, "SCH-0099", "Another child", elsewhere.Ref} {
			if strings.Contains(doc, not) {
				t.Errorf("the child's export holds %q, beyond need to know", not)
			}
		}
		var thirds []string
		for _, tp := range x.ThirdParties {
			thirds = append(thirds, tp.Kind+":"+tp.Name)
		}
		if c := x.Cases[0]; len(c.Named) != 1 || !strings.HasPrefix(c.Named[0], "User rprac (rprac@example.org): named by User prac") ||
			!strings.Contains(c.Named[0], "removed by User prac") ||
			strings.Contains(c.Named[0], "UTC") { // on the London wall clock, as the rest of the export
			t.Errorf("who was named to the child's case: %q", c.Named)
		}
		for _, want := range []string{"staff:User prac (prac@example.org)", "participant:Raiser", "participant:Duty social worker",
			"staff:User rprac (rprac@example.org)"} {
			if !slices.Contains(thirds, want) {
				t.Errorf("third parties %v lack %q", thirds, want)
			}
		}

		s, err := db.SubjectAccess(w.as("dpo"), escalate.SubjectQuery{Kind: escalate.SubjectStaff, Email: "prac@example.org"})
		if err != nil {
			t.Fatal(err)
		}
		j, _ = json.Marshal(s)
		doc = string(j)
		if s.Account == nil || s.Account.Email != "prac@example.org" || s.Account.Manager != "User mgr (mgr@example.org)" ||
			len(s.Authored) != 1 || s.Authored[0].Case != a.Ref {
			t.Errorf("staff export: %s", doc)
		}
		raised := 0
		for _, act := range s.Actions {
			if act.Action == escalate.ActionRaise && act.Title == "Disagreement raised" {
				raised++
			}
		}
		if raised != 2 || strings.Contains(doc, elsewhere.Ref) {
			t.Errorf("staff export: %d raises, or another partnership's: %s", raised, doc)
		}
		if !slices.ContainsFunc(s.ThirdParties, func(tp escalate.ThirdParty) bool { return tp.Kind == "child" && tp.Name == "SCH-0042 (JS)" }) {
			t.Errorf("the child of the record written is not listed for redaction: %+v", s.ThirdParties)
		}
		// Whose escalation contact someone is, and the cases they were
		// named to, with who named and removed them, are data about them.
		r, err := db.SubjectAccess(w.as("dpo"), escalate.SubjectQuery{Kind: escalate.SubjectStaff, Email: "rmgr@example.org"})
		if err != nil || !slices.Equal(r.Account.ContactFor, []string{w.agencies["care"].Name}) {
			t.Errorf("the escalation contact's export: %v %+v", err, r.Account)
		}
		r, err = db.SubjectAccess(w.as("dpo"), escalate.SubjectQuery{Kind: escalate.SubjectStaff, Email: "rprac@example.org"})
		if err != nil || len(r.Account.NamedTo) != 1 || !strings.HasPrefix(r.Account.NamedTo[0], a.Ref+": named by User prac (prac@example.org)") ||
			len(r.Account.ContactFor) != 0 {
			t.Errorf("the named practitioner's export: %v %+v", err, r.Account)
		}
		// Each export is audited: against the cases it holds and its subject.
		var n int
		if err := db.db.QueryRow(`SELECT COUNT(*) FROM audit_events WHERE action = $1 AND object = $2`,
			escalate.ActionSubjectAccess, "escalation:"+a.Ref).Scan(&n); err != nil || n != 2 {
			t.Errorf("%d exports of %s audited, want 2 (%v)", n, a.Ref, err)
		}
		// The other partnership's officer gets only theirs.
		x2, err := db.SubjectAccess(escalate.NewContextWithUser(ctx, withDPO2), escalate.SubjectQuery{Kind: escalate.SubjectChild, ChildRef: "SCH-0042"})
		if err != nil || len(x2.Cases) != 1 || x2.Cases[0].Ref != elsewhere.Ref {
			t.Errorf("the other partnership's export: %+v %v", x2, err)
		}

		t.Run("Err", func(t *testing.T) {
			before := countRows(t, db, "audit_events")
			for _, c := range []struct {
				who   string
				q     escalate.SubjectQuery
				code  string
				field string
			}{
				{"bm", escalate.SubjectQuery{Kind: escalate.SubjectChild, ChildRef: "SCH-0042"}, escalate.ENOTFOUND, ""},
				{"prac", escalate.SubjectQuery{Kind: escalate.SubjectStaff, Email: "prac@example.org"}, escalate.ENOTFOUND, ""},
				{"dpo", escalate.SubjectQuery{Kind: escalate.SubjectChild, ChildRef: "NOBODY-1"}, escalate.EINVALID, "child_ref"},
				{"dpo", escalate.SubjectQuery{Kind: escalate.SubjectStaff, Email: "out@example.org"}, escalate.EINVALID, "email"},
				{"dpo", escalate.SubjectQuery{Kind: escalate.SubjectStaff}, escalate.EINVALID, "email"},
				{"dpo", escalate.SubjectQuery{Kind: "pet"}, escalate.EINVALID, "kind"},
			} {
				_, err := db.SubjectAccess(w.as(c.who), c.q)
				if escalate.ErrorCode(err) != c.code || escalate.ErrorField(err) != c.field {
					t.Errorf("%s %+v: %v", c.who, c.q, err)
				}
			}
			if n := countRows(t, db, "audit_events"); n != before {
				t.Errorf("refused exports wrote %d events", n-before)
			}
		})
		mustVerifyAudit(t, db)
	})
}
