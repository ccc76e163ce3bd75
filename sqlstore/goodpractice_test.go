package sqlstore

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/policy"
)

func TestGoodPractice(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := newWorld(t, db, "redbridge")
		in := escalate.GoodPracticeInput{AgencyID: w.agencies["care"].ID,
			What: "The duty team visited the same afternoon and shared the safety plan.", Difference: "The school knew what to watch for."}
		t.Run("ErrNoRoute", func(t *testing.T) {
			_, err := db.RecordGoodPractice(w.as("prac"), in)
			wantCode(t, err, escalate.EINVALID)
		})
		raw, err := policy.PackSource("redbridge")
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Replace(string(raw), "\nversion: 3rd edition\n", "\nversion: good practice\n", 1)
		text = strings.Replace(text, "\nassumptions:\n", "\ngood_practice:\n  tell: [manager]\n  cite: test\nassumptions:\n", 1)
		if _, err := db.PublishPolicy(w.as("bm"), w.p.ID, []byte(text), 0); err != nil {
			t.Fatal(err)
		}
		t.Run("ErrOwnAgency", func(t *testing.T) {
			_, err := db.RecordGoodPractice(w.as("prac"), escalate.GoodPracticeInput{AgencyID: w.agencies["school"].ID, What: "x"})
			wantCode(t, err, escalate.EINVALID)
		})
		t.Run("ErrOtherPartnership", func(t *testing.T) {
			other, err := db.Agencies(ctx, w.users["outsider"].PartnershipID)
			if err != nil || len(other) == 0 {
				t.Fatal(err)
			}
			_, err = db.RecordGoodPractice(w.as("prac"), escalate.GoodPracticeInput{AgencyID: other[0].ID, What: "x"})
			wantCode(t, err, escalate.EINVALID)
			if escalate.ErrorField(err) != "agency" {
				t.Errorf("err %v", err)
			}
		})
		if n := countRows(t, db, "good_practice"); n != 0 {
			t.Fatalf("%d rows after refusals", n)
		}
		g, err := db.RecordGoodPractice(w.as("prac"), in)
		if err != nil {
			t.Fatal(err)
		}
		t.Run("Told", func(t *testing.T) {
			ms, err := db.Outbox(ctx, 0)
			if err != nil {
				t.Fatal(err)
			}
			var to []int64
			for _, m := range ms {
				if m.SubjectKey == "good-practice" {
					to = append(to, m.Recipient.User)
					if _, ok := m.Payload["what"]; ok {
						t.Errorf("the notice carries what was recorded: %+v", m.Payload)
					}
				}
			}
			if len(to) != 1 || to[0] != w.users["rmgr"].ID {
				t.Errorf("told %v, want only the care manager %d", to, w.users["rmgr"].ID)
			}
		})
		t.Run("Seen", func(t *testing.T) {
			for who, want := range map[string]bool{"prac": true, "rprac": true, "rmgr": true, "bm": true, "chair": true, "mgr": false, "outsider": false} {
				vs, err := db.GoodPractice(w.as(who))
				if err != nil {
					t.Fatal(err)
				}
				if got := len(vs) == 1 && vs[0].ID == g.ID && vs[0].Agency == "Children's Social Care" && vs[0].ByName == "User prac"; got != want {
					t.Errorf("%s sees %+v, want it shown %v", who, vs, want)
				}
			}
		})
		t.Run("Counted", func(t *testing.T) {
			got, err := db.GoodPracticeCounts(ctx, w.p.ID, g.At.Add(-time.Hour), g.At.Add(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got["Children's Social Care"] != 1 {
				t.Errorf("counts %v", got)
			}
			if got, _ := db.GoodPracticeCounts(ctx, w.p.ID, g.At.Add(time.Hour), g.At.Add(2*time.Hour)); len(got) != 0 {
				t.Errorf("counts outside the period %v", got)
			}
		})
	})
}
