package demo_test

import (
	"context"
	"testing"

	"github.com/escalate-project/escalate"
)

// TestSeedLearning: the Wirral Business Manager has proformas from stages 2
// and 3, every partnership has learning in its log, and H&F has a pattern
// flag.
func TestSeedLearning(t *testing.T) {
	ctx := context.Background()
	db, _, _ := mustSeed(t, testNow)
	ps, err := db.Partnerships(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		bm, err := db.FindUserByEmail(ctx, p.ID, "business-manager@"+p.Key+".example")
		if err != nil {
			t.Fatal(err)
		}
		as := escalate.NewContextWithUser(ctx, bm)
		items, err := db.LearningItems(as, escalate.LearningFilter{})
		if err != nil || len(items) < 3 {
			t.Errorf("%s: %d learning items (%v), want at least 3", p.Key, len(items), err)
		}
		themed := 0
		for _, it := range items {
			if it.Theme != "" {
				themed++
			}
		}
		if themed == 0 {
			t.Errorf("%s: no learning item has a theme", p.Key)
		}
		pro, err := db.Proformas(as, escalate.ProformaNew)
		if err != nil {
			t.Fatal(err)
		}
		flags, err := db.PatternFlags(as)
		if err != nil {
			t.Fatal(err)
		}
		switch p.PolicyID {
		case "wirral":
			stages := map[int]bool{}
			for _, x := range pro {
				stages[x.Body.StageNumber] = true
			}
			if !stages[2] || !stages[3] || len(stages) != 2 {
				t.Errorf("wirral: proformas from stages %v, want 2 and 3", stages)
			}
		default:
			if len(pro) != 0 {
				t.Errorf("%s: %d proformas; its policy asks for none", p.Key, len(pro))
			}
		}
		if want := p.PolicyID == "hammersmith-fulham"; (len(flags) > 0) != want {
			t.Errorf("%s: %d pattern flags", p.Key, len(flags))
		}
	}
}
