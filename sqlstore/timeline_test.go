package sqlstore

import (
	"slices"
	"testing"

	"github.com/escalate-project/escalate"
)

func TestTimeline(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db, "redbridge")
		e := w.mustRaise(t, escalate.RiskStandard)
		if _, err := w.svc.AddRecord(w.as("prac"), e.Ref, recordIn(e.Version, escalate.FormPhone)); err != nil {
			t.Fatal(err)
		}

		t.Run("OK", func(t *testing.T) {
			before := countRows(t, db, "audit_events")
			pol, ps, events, err := w.svc.Timeline(w.as("prac"), e.Ref)
			if err != nil {
				t.Fatal(err)
			}
			if pol.ID != "redbridge" || pol.Version != e.PolicyVersion {
				t.Errorf("policy %s %s, want the pinned redbridge %s", pol.ID, pol.Version, e.PolicyVersion)
			}
			if ps.Ties(w.users["mgr"].ID)&escalate.TieRaiserLine == 0 {
				t.Errorf("the raiser's manager is not tied as their line: %v", ps.People())
			}
			var actions []string
			for _, ev := range events {
				actions = append(actions, ev.Action)
				if ev.Ref != e.Ref || ev.At.IsZero() {
					t.Errorf("event %+v", ev)
				}
			}
			if len(events) < 3 || events[0].Action != escalate.ActionRaise || events[0].Actor != w.users["prac"].ID ||
				events[0].Data["child_ref"] != "SCH-0042" || !slices.Contains(actions, escalate.ActionRecordAdd) {
				t.Errorf("timeline %v", actions)
			}
			if after := countRows(t, db, "audit_events"); after != before {
				t.Errorf("Timeline wrote %d audit events", after-before)
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			for _, who := range []string{"stranger", "outsider"} {
				_, _, _, err := w.svc.Timeline(w.as(who), e.Ref)
				wantCode(t, err, escalate.ENOTFOUND)
			}
		})
		t.Run("PolicyFor", func(t *testing.T) {
			pol, err := w.svc.PolicyFor(w.as("prac"), e)
			if err != nil || pol.ID != "redbridge" || len(pol.Stages) != len(w.pol.Stages) {
				t.Errorf("PolicyFor: %v, %v", pol, err)
			}
		})
		t.Run("Names", func(t *testing.T) {
			people, agencies, err := w.svc.Names(w.as("prac"))
			if err != nil {
				t.Fatal(err)
			}
			if people[w.users["rprac"].ID] != "User rprac" || agencies[w.agencies["care"].ID] != "Children's Social Care" {
				t.Errorf("names %v %v", people, agencies)
			}
			if _, ok := people[w.users["outsider"].ID]; ok {
				t.Errorf("names cross partnerships")
			}
		})
	})
}
