package sqlstore

import (
	"testing"

	"github.com/escalate-project/escalate"
)

// TestChildExpected: an unborn baby is raised with no initials and the
// month it is due, which is stored and read back on both engines; initials
// typed with dots are stored as letters.
func TestChildExpected(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db, "hammersmith-fulham")
		in := w.raiseInput(escalate.RiskStandard)
		in.ChildRef, in.ChildInitials, in.ChildExpected = "MAT 2211", "", "2027-03"
		e, err := w.svc.Raise(w.as("prac"), in)
		if err != nil {
			t.Fatal(err)
		}
		got, err := w.svc.Get(w.as("prac"), e.Ref)
		if err != nil {
			t.Fatal(err)
		}
		if got.ChildRef != "MAT 2211" || got.ChildInitials != "" || got.ChildExpected != "2027-03" {
			t.Errorf("unborn baby read back as %q %q %q", got.ChildRef, got.ChildInitials, got.ChildExpected)
		}
		in.ChildRef, in.ChildInitials, in.ChildExpected = "SC-1", "j.s.", ""
		e, err = w.svc.Raise(w.as("prac"), in)
		if err != nil {
			t.Fatal(err)
		}
		if got, err = w.svc.Get(w.as("prac"), e.Ref); err != nil || got.ChildInitials != "JS" || got.ChildExpected != "" {
			t.Errorf("initials read back as %q (due %q), %v", got.ChildInitials, got.ChildExpected, err)
		}
	})
}
