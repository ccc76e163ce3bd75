package web_test

import (
	"context"
	"testing"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/sqlstore"
)

// learningWorld adds the learning pages' targets to the matrix's world:
// escalation C (X against Y, Y's practitioner named, withdrawn at stage 1,
// so its parties are A's), escalation P resolved at Wirral's stage 2 (a
// proforma) with the Business Manager's learning on it, and the same in
// partnership B (D withdrawn; Q resolved at stage 2 by a manager at V).
func (w *authzWorld) learningWorld(t *testing.T, db *sqlstore.DB, svc *sqlstore.EscalationService) {
	t.Helper()
	ctx := context.Background()
	as := func(u *escalate.User) context.Context { return escalate.NewContextWithUser(ctx, u) }
	version := func(u *escalate.User, ref string) int {
		e, err := svc.Get(as(u), ref)
		if err != nil {
			t.Fatal(err)
		}
		return e.Version
	}
	closeC := func(from, named string) *escalate.Escalation {
		against := "Y"
		if from == "W" {
			against = "V"
		}
		e := w.raise(t, svc, from, against)
		raiser := w.users[authzKey(escalate.RolePractitioner, from)]
		if named != "" {
			if _, err := svc.AddParty(as(raiser), e.Ref, w.users[named].ID); err != nil {
				t.Fatal(err)
			}
		}
		e, err := svc.Withdraw(as(raiser), e.Ref, escalate.WithdrawInput{Version: version(raiser, e.Ref), Reason: "Resolved informally."})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	w.escC = closeC("X", authzKey(escalate.RolePractitioner, "Y"))
	w.escD = closeC("W", "")

	// A manager at V, so B has a receiving side at stage 2.
	vm := &escalate.User{PartnershipID: w.ag["V"].PartnershipID, AgencyID: w.ag["V"].ID, Name: "Person manager V",
		Email: "manager.V@example.org", Roles: []escalate.Role{escalate.RoleManager}}
	if err := db.CreateUser(ctx, vm); err != nil {
		t.Fatal(err)
	}
	resolve := func(from, against string, agreer *escalate.User, bm string) (proforma, item int64) {
		e := w.raise(t, svc, from, against)
		raiser := w.users[authzKey(escalate.RolePractitioner, from)]
		e, err := svc.Escalate(as(raiser), e.Ref, escalate.EscalateInput{Version: e.Version, Reason: "No agreement."})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AddParty(as(raiser), e.Ref, agreer.ID); err != nil {
			t.Fatal(err)
		}
		if e, err = svc.AgreeOutcome(as(agreer), e.Ref, escalate.AgreeInput{Version: version(raiser, e.Ref),
			Outcome: "An assessment will start.", OutstandingIssues: "None."}); err != nil {
			t.Fatal(err)
		}
		items, err := db.RecordLearning(as(w.users[bm]), e.Ref, escalate.LearningInput{General: "yes",
			GeneralText: "Thresholds guidance is not well known.", PolicyGap: "no", Training: "no", Debriefed: "yes"})
		if err != nil || len(items) != 1 {
			t.Fatalf("learning on %s: %v", e.Ref, err)
		}
		ps, err := db.Proformas(as(w.users[bm]), "")
		if err != nil || len(ps) != 1 {
			t.Fatalf("proformas: %d, %v", len(ps), err)
		}
		return ps[0].ID, items[0].ID
	}
	// Each partnership's Business Manager keeps a theme list with
	// "Thresholds", which the matrix's item update chooses.
	for _, c := range []struct {
		bm string
		id *int64
	}{{authzKey(escalate.RoleBusinessManager, "X"), &w.themeA}, {authzKey(escalate.RoleBusinessManager, "W"), &w.themeB}} {
		th, err := db.AddLearningTheme(as(w.users[c.bm]), "Thresholds")
		if err != nil {
			t.Fatal(err)
		}
		*c.id = th.ID
	}
	w.proformaA, w.itemA = resolve("X", "Y", w.users[authzKey(escalate.RoleManager, "Y")], authzKey(escalate.RoleBusinessManager, "X"))
	w.proformaB, w.itemB = resolve("W", "V", vm, authzKey(escalate.RoleBusinessManager, "W"))
}
