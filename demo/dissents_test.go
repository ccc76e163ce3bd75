package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/sqlstore"
)

// wantDissentsSeen checks a conference chair sees dissents where the
// policy switches them on, and that the list is not found elsewhere.
func wantDissentsSeen(t *testing.T, db *sqlstore.DB, u *escalate.User) {
	t.Helper()
	ctx := context.Background()
	on, err := db.DissentsEnabled(ctx, u.PartnershipID)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := db.Dissents(escalate.NewContextWithUser(ctx, u))
	switch {
	case on && (err != nil || len(ds) == 0):
		t.Errorf("%s sees %d dissents (%v)", u.Email, len(ds), err)
	case !on && escalate.ErrorCode(err) != escalate.ENOTFOUND:
		t.Errorf("%s: dissents where the policy has none: %d, %v", u.Email, len(ds), err)
	}
}

// TestSeedDissents checks the Surrey demo partnership has a dissent at
// every step of the workflow, seeded through the store, and only Surrey.
func TestSeedDissents(t *testing.T) {
	ctx := context.Background()
	db, _, res := mustSeed(t, testNow)
	for _, rp := range res.Partnerships {
		p, err := db.FindPartnership(ctx, rp.Key)
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.DissentOutcomes(ctx, p.ID, time.Time{}, testNow.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		total := 0
		for _, st := range escalate.DissentStandings {
			total += got[st]
			if rp.Key == "surrey" && got[st] == 0 {
				t.Errorf("surrey has no dissent %q: %v", st, got)
			}
		}
		if rp.Key != "surrey" && total != 0 {
			t.Errorf("%s has %d dissents; only Surrey's policy has them", rp.Key, total)
		}
	}
	// An overdue review shows as overdue.
	p, _ := db.FindPartnership(ctx, "surrey")
	bm, err := db.FindUserByEmail(ctx, p.ID, "business-manager@surrey.example")
	if err != nil {
		t.Fatal(err)
	}
	ds, err := db.Dissents(escalate.NewContextWithUser(ctx, bm))
	if err != nil {
		t.Fatal(err)
	}
	overdue := 0
	for _, d := range ds {
		for _, c := range d.Clocks {
			if c.Overdue(testNow) {
				overdue++
			}
		}
	}
	if overdue == 0 {
		t.Error("no demo dissent has an overdue clock")
	}
}
