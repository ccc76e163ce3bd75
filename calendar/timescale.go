package calendar

import (
	"fmt"
	"strconv"
	"strings"
)

// Kind is what a timescale counts.
type Kind int

// The kinds of timescale. The zero Kind is not a valid kind, so a zero
// Timescale is detectably unset.
const (
	WorkingDays    Kind = iota + 1 // to the end of the Nth working day after the start day
	WorkingWeeks                   // N working weeks: 5N working days
	SameWorkingDay                 // to the end of the start's working day
	Hours                          // N hours of elapsed real time
	Immediately                    // no clock: act at once
)

// MaxN is the largest count a timescale may have; no policy needs more and it
// keeps every deadline well inside time.Duration and the holiday tables.
const MaxN = 1000

// Timescale is how long a policy allows, such as "2 working days".
type Timescale struct {
	Kind Kind
	N    int // the count for WorkingDays, WorkingWeeks and Hours; 0 otherwise
}

var numberWords = map[string]int{
	"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
	"six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}

// ParseTimescale reads a timescale as policies write it: "2 working days",
// "1 working day", "one working week", "same working day" (also "the same
// working day"), "24 hours", "immediately". A leading "within" is allowed,
// case and extra spaces do not matter, and counts may be the words one to ten.
func ParseTimescale(s string) (Timescale, error) {
	fail := func() (Timescale, error) {
		return Timescale{}, unreadable(s)
	}
	words := strings.Fields(strings.ToLower(s))
	if len(words) > 0 && words[0] == "within" {
		words = words[1:]
	}
	if len(words) > 0 && words[0] == "the" {
		words = words[1:]
	}
	switch strings.Join(words, " ") {
	case "immediately":
		return Timescale{Kind: Immediately}, nil
	case "same working day":
		return Timescale{Kind: SameWorkingDay}, nil
	}
	if len(words) < 2 {
		return fail()
	}
	n, ok := numberWords[words[0]]
	if !ok {
		v, err := strconv.Atoi(words[0])
		if err != nil || words[0][0] < '0' || words[0][0] > '9' {
			return fail()
		}
		n = v
	}
	var kind Kind
	switch strings.Join(words[1:], " ") {
	case "working day", "working days":
		kind = WorkingDays
	case "working week", "working weeks":
		kind = WorkingWeeks
	case "hour", "hours":
		kind = Hours
	default:
		return fail()
	}
	if n < 1 || n > MaxN {
		return Timescale{}, fmt.Errorf("cannot read timescale %q: the count must be 1 to %d", s, MaxN)
	}
	return Timescale{Kind: kind, N: n}, nil
}

// Validate reports whether t is a timescale ParseTimescale could return.
func (t Timescale) Validate() error {
	switch t.Kind {
	case WorkingDays, WorkingWeeks, Hours:
		if t.N < 1 || t.N > MaxN {
			return fmt.Errorf("timescale %s: the count must be 1 to %d", t, MaxN)
		}
	case SameWorkingDay, Immediately:
		if t.N != 0 {
			return fmt.Errorf("timescale %s takes no count", t)
		}
	default:
		return fmt.Errorf("timescale of unknown kind %d", int(t.Kind))
	}
	return nil
}

// String returns the canonical text of t, which ParseTimescale reads back.
func (t Timescale) String() string {
	plural := func(unit string) string {
		if t.N == 1 {
			return "1 " + unit
		}
		return strconv.Itoa(t.N) + " " + unit + "s"
	}
	switch t.Kind {
	case WorkingDays:
		return plural("working day")
	case WorkingWeeks:
		return plural("working week")
	case SameWorkingDay:
		return "same working day"
	case Hours:
		return plural("hour")
	case Immediately:
		return "immediately"
	}
	return fmt.Sprintf("Timescale{Kind: %d, N: %d}", int(t.Kind), t.N)
}

// MarshalText writes the canonical text, so a Timescale can sit in YAML or
// JSON as "2 working days".
func (t Timescale) MarshalText() ([]byte, error) {
	if err := t.Validate(); err != nil {
		return nil, err
	}
	return []byte(t.String()), nil
}

// UnmarshalText reads a timescale with ParseTimescale.
func (t *Timescale) UnmarshalText(b []byte) error {
	v, err := ParseTimescale(string(b))
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// workingDays is the number of working days after the start day that t
// counts, for the working-day kinds.
func (t Timescale) workingDays() (int, bool) {
	switch t.Kind {
	case WorkingDays:
		return t.N, true
	case WorkingWeeks:
		return 5 * t.N, true
	case SameWorkingDay:
		return 0, true
	}
	return 0, false
}
