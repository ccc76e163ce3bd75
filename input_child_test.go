package escalate_test

import (
	"strings"
	"testing"

	"github.com/escalate-project/escalate"
)

// TestRaiseChild: the raise form takes what people type about the child:
// initials with dots or spaces, a local reference with a space, and an
// unborn baby with no initials and the month it is due. Refusals say what
// works.
func TestRaiseChild(t *testing.T) {
	ok := []struct {
		name                          string
		ref, initials, expected       string
		wantRef, wantInits, wantMonth string
	}{
		{"InitialsDots", "SC-1", "A.B.", "", "SC-1", "AB", ""},
		{"InitialsSpaces", "SC-1", " j s ", "", "SC-1", "JS", ""},
		{"InitialsHyphen", "SC-1", "J-P.M", "", "SC-1", "JPM", ""},
		{"RefWithSpace", "CPOMS 4471", "JS", "", "CPOMS 4471", "JS", ""},
		{"RefSpacesCollapsed", "  CPOMS   4471 ", "JS", "", "CPOMS 4471", "JS", ""},
		{"RefHash", "Mosaic #2026/88", "JS", "", "Mosaic #2026/88", "JS", ""},
		{"Unborn", "MAT-2211", "", "2027-03", "MAT-2211", "", "2027-03"},
		{"UnbornLastMonth", "MAT-2211", "", "2026-10", "MAT-2211", "", "2026-10"},
	}
	for _, c := range ok {
		t.Run("OK"+c.name, func(t *testing.T) {
			e, evs, err := escalate.Raise(t0, testPolicy(), testCal(t), raiser, childInput(c.ref, c.initials, c.expected))
			if err != nil {
				t.Fatal(err)
			}
			if e.ChildRef != c.wantRef || e.ChildInitials != c.wantInits || e.ChildExpected != c.wantMonth {
				t.Errorf("child %q %q %q, want %q %q %q", e.ChildRef, e.ChildInitials, e.ChildExpected, c.wantRef, c.wantInits, c.wantMonth)
			}
			for _, ev := range evs {
				if ev.Action == escalate.ActionRaise && ev.Data["child_expected"] != c.wantMonth {
					t.Errorf("the raise event holds child_expected %v", ev.Data["child_expected"])
				}
			}
		})
	}
	bad := []struct {
		name                    string
		ref, initials, expected string
		field, says             string
	}{
		{"ErrRefName", "John Smith 12", "JS", "", "child_ref", "for example SC-12345 or CPOMS 4471"},
		{"ErrRefNoNumber", "Smith", "JS", "", "child_ref", "it has a number"},
		{"ErrRefAddress", "12 High St", "JS", "", "child_ref", "no name or address"},
		{"ErrRefComma", "SC-1, flat 2", "JS", "", "child_ref", "letters, numbers, spaces and - / _ . #"},
		{"ErrNoInitialsNorMonth", "SC-1", "", "", "child_initials", "or for an unborn baby the month the baby is due"},
		{"ErrInitialsDigits", "SC-1", "J1", "", "child_initials", "for example JS, J.S. or J S"},
		{"ErrInitialsName", "SC-1", "Jonny", "", "child_initials", "at most 4 letters"},
		{"ErrBoth", "SC-1", "JS", "2027-03", "child_expected", "An unborn baby has no initials"},
		{"ErrMonth", "SC-1", "", "2027-13", "child_expected", "for example 3 2027"},
		{"ErrMonthFar", "SC-1", "", "2028-06", "child_expected", "within the next 10 months"},
		{"ErrMonthPast", "SC-1", "", "2026-08", "child_expected", "within the next 10 months"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := escalate.Raise(t0, testPolicy(), testCal(t), raiser, childInput(c.ref, c.initials, c.expected))
			assertCode(t, err, escalate.EINVALID, c.field)
			if msg := escalate.ErrorMessage(err); !strings.Contains(msg, c.says) {
				t.Errorf("message %q does not say %q", msg, c.says)
			}
		})
	}
}

func childInput(ref, initials, expected string) escalate.RaiseInput {
	in := raiseInput()
	in.ChildRef, in.ChildInitials, in.ChildExpected = ref, initials, expected
	return in
}
