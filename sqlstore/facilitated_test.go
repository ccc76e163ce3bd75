package sqlstore

import (
	"strings"
	"testing"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/policy"
)

// TestFacilitatedRecord: a record at a facilitated conversation keeps its
// facilitator (migration 00042), on both engines.
func TestFacilitatedRecord(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db, "redbridge")
		raw, err := policy.PackSource("redbridge")
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Replace(string(raw), "\nversion: 3rd edition\n", "\nversion: facilitated\n", 1)
		text = strings.Replace(text, "    approval: true\n", "    approval: true\n    facilitated: true\n", 1)
		if _, err := db.PublishPolicy(w.as("bm"), w.p.ID, []byte(text), 0); err != nil {
			t.Fatal(err)
		}
		e := w.mustRaise(t, escalate.RiskStandard)
		in := recordIn(e.Version, escalate.FormMeeting)
		_, err = w.svc.AddRecord(w.as("prac"), e.Ref, in)
		wantCode(t, err, escalate.EINVALID)
		in.Facilitator = "Alex Doe, partnership facilitator"
		if _, err := w.svc.AddRecord(w.as("prac"), e.Ref, in); err != nil {
			t.Fatal(err)
		}
		got := lapseGet(t, w, e.Ref)
		if n := len(got.Records); n != 1 || got.Records[0].Facilitator != in.Facilitator {
			t.Errorf("records %+v", got.Records)
		}
	})
}
