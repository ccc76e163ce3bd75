package demo_test

import (
	"context"
	"testing"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/sqlstore"
)

// TestDemoRouting goes over every account of every demo partnership as its
// holder would: everyone told of a case can open it; no notification was
// addressed to nobody; and every open case has a next step naming people,
// with a deadline.
func TestDemoRouting(t *testing.T) {
	ctx := context.Background()
	db, _, res := mustSeed(t, testNow)
	svc := sqlstore.NewEscalationService(db)
	for _, rp := range res.Partnerships {
		t.Run(rp.Key, func(t *testing.T) {
			p, err := db.FindPartnership(ctx, rp.Key)
			if err != nil {
				t.Fatal(err)
			}
			users, err := db.Users(ctx, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			told := 0
			for _, u := range users {
				as := escalate.NewContextWithUser(ctx, u)
				ns, err := db.Notifications(ctx, u, 500)
				if err != nil {
					t.Fatal(err)
				}
				for _, n := range ns {
					if n.Ref == "" || n.Kind == "dissent" || len(n.SubjectKey) > 8 && n.SubjectKey[:8] == "dissent-" {
						continue
					}
					told++
					if _, err := svc.Get(as, n.Ref); err != nil {
						t.Errorf("%s was told of %s (%s) but cannot open it: %v", u.Email, n.Ref, n.SubjectKey, err)
					}
				}
			}
			if told == 0 {
				t.Fatal("nobody in the partnership was told of anything")
			}
			dead, err := db.Undelivered(ctx, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range dead {
				t.Errorf("notification %d (%s, %s) reached nobody: %s", d.ID, d.Kind, d.Ref, d.LastError)
			}
			var bm *escalate.User
			for _, u := range users {
				if u.HasRole(escalate.RoleBusinessManager) {
					bm = u
				}
			}
			as := escalate.NewContextWithUser(ctx, bm)
			open, _, err := svc.List(as, escalate.EscalationFilter{Status: escalate.StatusOpen, Limit: 200})
			if err != nil {
				t.Fatal(err)
			}
			if len(open) == 0 {
				t.Fatal("no open cases")
			}
			for _, e := range open {
				_, ps, _, err := svc.Timeline(as, e.Ref)
				if err != nil {
					t.Fatal(err)
				}
				if len(ps.Steps) == 0 {
					t.Errorf("%s (stage %d) has no next step", e.Ref, e.Stage+1)
				}
				for _, s := range ps.Steps {
					if len(s.People) == 0 || s.Due.IsZero() && !s.Immediate {
						t.Errorf("%s: step %q names %v, due %v", e.Ref, s.What, s.People, s.Due)
					}
				}
			}
		})
	}
}
