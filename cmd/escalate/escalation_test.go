package main

import (
	"context"
	"strings"
	"testing"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/sqlstore"
)

// TestEscalationCLI lists and shows an escalation as the raiser, and checks a
// stranger sees nothing and bad usage exits 2.
func TestEscalationCLI(t *testing.T) {
	db := newMigratedDB(t)
	mustRun(t, db, "partnership", "add", "--policy", "redbridge", "--key", "rb")
	mustRun(t, db, "agency", "add", "--partnership", "rb", "--name", "Northside School", "--kind", "school")
	mustRun(t, db, "agency", "add", "--partnership", "rb", "--name", "Social Care", "--kind", "childrens-social-care")
	mustRun(t, db, "user", "add", "--partnership", "rb", "--agency", "Northside School", "--name", "Pat Prac",
		"--email", "pat@example.org", "--role", "practitioner")
	mustRun(t, db, "user", "add", "--partnership", "rb", "--agency", "Social Care", "--name", "Sam Stranger",
		"--email", "sam@example.org", "--role", "practitioner")

	// Raise through the store, as the web app will.
	ctx := context.Background()
	store, err := sqlstore.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	p, err := store.FindPartnership(ctx, "rb")
	if err != nil {
		t.Fatal(err)
	}
	pat, err := store.FindUserByEmail(ctx, p.ID, "pat@example.org")
	if err != nil {
		t.Fatal(err)
	}
	care, err := store.FindAgency(ctx, p.ID, "Social Care")
	if err != nil {
		t.Fatal(err)
	}
	e, err := sqlstore.NewEscalationService(store).Raise(escalate.NewContextWithUser(ctx, pat), escalate.RaiseInput{
		RaisedRole: escalate.RolePractitioner, ReceivingAgencyID: care.ID,
		Decision: "Closed without assessment.", DecisionDate: "2026-01-05",
		ChildRef: "SCH-1", ChildInitials: "AB", Categories: []string{"levels-of-need-threshold"},
		Issue: "Closed.", Risk: "Neglect.", Disagreement: "Threshold.", OutcomeSought: "Assessment.",
		RiskLevel: escalate.RiskStandard,
	})
	store.Close()
	if err != nil {
		t.Fatalf("Raise: %v", err)
	}

	t.Run("List", func(t *testing.T) {
		out := mustRun(t, db, "escalation", "list", "--partnership", "rb", "--as", "pat@example.org")
		if !strings.Contains(out, e.Ref) || !strings.Contains(out, "open") {
			t.Errorf("list:\n%s", out)
		}
		out = mustRun(t, db, "escalation", "list", "--partnership", "rb", "--as", "sam@example.org")
		if strings.Contains(out, e.Ref) {
			t.Errorf("a stranger's list shows %s:\n%s", e.Ref, out)
		}
	})
	t.Run("Show", func(t *testing.T) {
		out := mustRun(t, db, "escalation", "show", "--partnership", "rb", "--as", "pat@example.org", e.Ref)
		for _, want := range []string{e.Ref, "SCH-1", "CLOCK", "respond"} {
			if !strings.Contains(out, want) {
				t.Errorf("show lacks %q:\n%s", want, out)
			}
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		wantExit(t, db, 2, "not found", "escalation", "show", "--partnership", "rb", "--as", "sam@example.org", e.Ref)
	})
	t.Run("ErrUsage", func(t *testing.T) {
		wantExit(t, db, 2, "missing --as", "escalation", "list", "--partnership", "rb")
		wantExit(t, db, 2, "no such user", "escalation", "list", "--partnership", "rb", "--as", "nobody@example.org")
		wantExit(t, db, 2, "missing argument", "escalation", "show", "--partnership", "rb", "--as", "pat@example.org")
		wantExit(t, db, 2, "unknown escalation command", "escalation", "edit")
	})
}
