package sqlstore

import (
	"context"
	"slices"
	"testing"

	"github.com/escalate-project/escalate"
)

// turnRefs returns the references of who's My work turns.
func turnRefs(t *testing.T, w *world, who string) []string {
	t.Helper()
	turns, n, err := w.svc.Turns(w.as(who), 50)
	if err != nil {
		t.Fatal(err)
	}
	if n != len(turns) {
		t.Fatalf("%s: %d turns listed of %d", who, len(turns), n)
	}
	var out []string
	for _, tu := range turns {
		out = append(out, tu.Escalation.Ref)
	}
	return out
}

// TestRoutingStore: a new escalation reaches the receiving agency's
// escalation contact's My work at once; naming someone moves the turn to
// them; the line of who is named may open it; people changed by an
// administrator are routed again before My work is read.
func TestRoutingStore(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := newWorld(t, db, "redbridge")
		e := w.mustRaise(t, escalate.RiskStandard)
		if got := turnRefs(t, w, "rmgr"); !slices.Equal(got, []string{e.Ref}) {
			t.Fatalf("contact's My work %v, want the new case", got)
		}
		if got := turnRefs(t, w, "rprac"); len(got) != 0 {
			t.Fatalf("a practitioner nobody named has turns: %v", got)
		}
		if _, err := w.svc.Get(w.as("rprac"), e.Ref); escalate.ErrorCode(err) != escalate.ENOTFOUND {
			t.Fatalf("a practitioner nobody named opened the case: %v", err)
		}
		if _, err := w.svc.AddParty(w.as("rmgr"), e.Ref, w.users["rprac"].ID); err != nil {
			t.Fatal(err)
		}
		if got := turnRefs(t, w, "rprac"); !slices.Equal(got, []string{e.Ref}) {
			t.Errorf("named practitioner's My work %v", got)
		}
		if got := turnRefs(t, w, "rmgr"); len(got) != 0 {
			t.Errorf("the contact still has the turn after naming someone: %v", got)
		}
		if _, err := w.svc.Get(w.as("rprac"), e.Ref); err != nil {
			t.Errorf("named practitioner cannot open it: %v", err)
		}
		// Removing them hands it back to the contact.
		if _, err := w.svc.RemoveParty(w.as("rmgr"), e.Ref, w.users["rprac"].ID); err != nil {
			t.Fatal(err)
		}
		if got := turnRefs(t, w, "rmgr"); !slices.Equal(got, []string{e.Ref}) {
			t.Errorf("after removal the contact's My work is %v", got)
		}
		// A new escalation contact, set by an administrator, finds the
		// open case in their My work without any change to the case.
		if err := db.AddEscalationContact(ctx, w.agencies["care"].ID, w.users["rdsl"].ID); err != nil {
			t.Fatal(err)
		}
		if got := turnRefs(t, w, "rdsl"); !slices.Equal(got, []string{e.Ref}) {
			t.Errorf("a new contact's My work %v, want the open case", got)
		}
		if err := db.RemoveEscalationContact(ctx, w.agencies["care"].ID, w.users["rdsl"].ID); err != nil {
			t.Fatal(err)
		}
		if got := turnRefs(t, w, "rdsl"); len(got) != 0 {
			t.Errorf("a removed contact still has %v", got)
		}
		// Immediate and increased risk come first.
		urgent := w.mustRaise(t, escalate.RiskIncreased)
		if got := turnRefs(t, w, "rmgr"); len(got) != 2 || got[0] != urgent.Ref {
			t.Errorf("My work %v, want the increased-risk case first", got)
		}
	})
}

// TestNamingRule: through the service, naming someone outside the rule is
// refused on field "user" and changes nothing; an administrator can never
// be named; only a party who acts may name.
func TestNamingRule(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := newWorld(t, db, "redbridge")
		admin := &escalate.User{PartnershipID: w.p.ID, AgencyID: w.agencies["care"].ID, Name: "Admin",
			Email: "admin@example.org", Roles: []escalate.Role{escalate.RoleAdmin}}
		if err := db.CreateUser(ctx, admin); err != nil {
			t.Fatal(err)
		}
		w.users["admin"] = admin
		e := w.mustRaise(t, escalate.RiskStandard)
		before := rowCounts(t, db)
		for _, tt := range []struct{ name, by, named, code string }{
			{"ErrAdministrator", "prac", "admin", escalate.EINVALID},
			{"ErrUninvolvedAgency", "prac", "stranger", escalate.EINVALID},
			{"ErrChairNotNamedAtStage1", "rmgr", "chair", escalate.EINVALID},
			{"ErrNotAParty", "rdsl", "rprac", escalate.ENOTFOUND},
			{"ErrOversightCannotName", "chair", "rprac", escalate.EFORBIDDEN},
		} {
			t.Run(tt.name, func(t *testing.T) {
				_, err := w.svc.AddParty(w.as(tt.by), e.Ref, w.users[tt.named].ID)
				field := ""
				if tt.code == escalate.EINVALID {
					field = "user"
				}
				wantEscErr(t, err, tt.code, field)
				wantUnchanged(t, db, before)
			})
		}
	})
}
