package demo_test

import (
	"context"
	"testing"

	"github.com/escalate-project/escalate/demo"
)

// TestAccounts: AllAccounts lists exactly the accounts Seed makes, each
// with its role, name, agency and what it is for.
func TestAccounts(t *testing.T) {
	db, _, _ := mustSeed(t, testNow)
	ctx := context.Background()
	listed := map[string]demo.Listed{}
	for _, a := range demo.AllAccounts() {
		if a.For == "" {
			t.Errorf("%s has no purpose", a.Email)
		}
		if _, dup := listed[a.Email]; dup {
			t.Errorf("%s listed twice", a.Email)
		}
		listed[a.Email] = a
	}
	ps, err := db.Partnerships(ctx)
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, p := range ps {
		users, err := db.Users(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range users {
			a, ok := listed[u.Email]
			switch {
			case !ok:
				t.Errorf("%s (%s) is seeded but not listed", u.Email, p.Key)
				continue
			case a.Partnership != p.Key || len(u.Roles) != 1 || u.Roles[0] != a.Role || u.Name != a.Name:
				t.Errorf("%s: seeded as %s %v %q, listed as %s %s %q", u.Email, p.Key, u.Roles, u.Name, a.Partnership, a.Role, a.Name)
			}
			seen++
		}
	}
	if seen != len(listed) {
		t.Errorf("%d accounts listed, %d seeded", len(listed), seen)
	}
}
