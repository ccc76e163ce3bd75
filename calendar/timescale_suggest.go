package calendar

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// TimescaleForms lists the forms ParseTimescale accepts, as an unreadable
// timescale's message shows them.
const TimescaleForms = `"N working days", "N working weeks", "same working day", "N hours" or "immediately"`

// unreadable is ParseTimescale's error for text it cannot read: it lists the
// accepted forms and, where the text looks like one, suggests it.
func unreadable(s string) error {
	if sug, ok := SuggestTimescale(s); ok {
		return fmt.Errorf("cannot read timescale %q; did you mean %q? A timescale is %s", s, sug, TimescaleForms)
	}
	return fmt.Errorf("cannot read timescale %q; a timescale is %s", s, TimescaleForms)
}

// unitWords maps the units policies write to the kind Escalate reads them as.
// "Days" are working days: Escalate counts no calendar days.
var unitWords = map[string]Kind{
	"working days": WorkingDays, "working day": WorkingDays, "days": WorkingDays, "day": WorkingDays,
	"business days": WorkingDays, "business day": WorkingDays, "work days": WorkingDays, "work day": WorkingDays,
	"workdays": WorkingDays, "workday": WorkingDays, "wd": WorkingDays, "wds": WorkingDays,
	"working-days": WorkingDays, "working-day": WorkingDays, "clear working days": WorkingDays,
	"working weeks": WorkingWeeks, "working week": WorkingWeeks, "weeks": WorkingWeeks, "week": WorkingWeeks,
	"business weeks": WorkingWeeks, "business week": WorkingWeeks, "work weeks": WorkingWeeks, "work week": WorkingWeeks,
	"hours": Hours, "hour": Hours, "hrs": Hours, "hr": Hours, "h": Hours, "hours'": Hours,
}

// phraseWords maps whole phrases without a count to the timescale they mean.
var phraseWords = map[string]Timescale{
	"same day": {Kind: SameWorkingDay}, "same business day": {Kind: SameWorkingDay},
	"same work day": {Kind: SameWorkingDay}, "same-day": {Kind: SameWorkingDay}, "today": {Kind: SameWorkingDay},
	"same working-day": {Kind: SameWorkingDay}, "end of the working day": {Kind: SameWorkingDay},
	"immediate": {Kind: Immediately}, "at once": {Kind: Immediately}, "straight away": {Kind: Immediately},
	"straightaway": {Kind: Immediately}, "now": {Kind: Immediately}, "without delay": {Kind: Immediately},
}

// SuggestTimescale returns the accepted timescale nearest to s, which
// ParseTimescale could not read: "48 hrs" gives "48 hours", "2 days" and "2
// business days" "2 working days", "same day" "same working day". It
// reports false when s looks like no timescale ("a month", "soon").
func SuggestTimescale(s string) (string, bool) {
	words := strings.Fields(strings.ToLower(s))
	if len(words) > 0 && words[0] == "within" {
		words = words[1:]
	}
	if len(words) > 0 && words[0] == "the" {
		words = words[1:]
	}
	text := strings.Join(words, " ")
	if ts, ok := phraseWords[text]; ok {
		return ts.String(), true
	}
	for _, whole := range []Timescale{{Kind: SameWorkingDay}, {Kind: Immediately}} {
		if d := editDistance(text, whole.String()); d > 0 && d <= typos(text) {
			return whole.String(), true
		}
	}
	if len(words) == 0 {
		return "", false
	}
	// A count glued to its unit: "48hrs", "2wd".
	first := words[0]
	if i := strings.IndexFunc(first, func(r rune) bool { return r < '0' || r > '9' }); i > 0 && first[i] >= 'a' && first[i] <= 'z' {
		words = append([]string{first[:i], first[i:]}, words[1:]...)
	}
	n, ok := countWord(words[0])
	unit := strings.Join(words[1:], " ")
	if !ok {
		// No count: "working days" alone reads as one.
		n, unit = 1, strings.Join(words, " ")
	}
	if n < 1 || n > MaxN {
		return "", false
	}
	kind, ok := unitWords[unit]
	if !ok {
		best := typos(unit) + 1
		for _, w := range unitList {
			if d := editDistance(unit, w); d < best {
				best, kind = d, unitWords[w]
			}
		}
		if kind == 0 {
			return "", false
		}
	}
	return Timescale{Kind: kind, N: n}.String(), true
}

// typos is how many edits make a misspelling of text: about one in four
// letters, at most three, so "hurs" is hours but "soon" is nothing.
func typos(text string) int { return min(3, max(1, len(text)/4)) }

// unitList is unitWords' units of four letters or more, sorted, for a
// deterministic nearest match ("h", "hr" and "wd" are too short to be near
// anything but by chance).
var unitList = func() []string {
	var ws []string
	for w := range unitWords {
		if len(w) >= 4 {
			ws = append(ws, w)
		}
	}
	slices.Sort(ws)
	return ws
}()

// extraCounts are number words past ten that a policy might write; the
// suggestion writes them as digits, which ParseTimescale reads.
var extraCounts = map[string]int{
	"eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30,
}

// countWord reads a count as a policy might write it: digits (with a stray
// sign), a number word, or "a"/"an".
func countWord(w string) (int, bool) {
	if n, ok := numberWords[w]; ok {
		return n, true
	}
	if n, ok := extraCounts[w]; ok {
		return n, true
	}
	w = strings.TrimLeft(w, "+-")
	if w == "" || w[0] < '0' || w[0] > '9' {
		return 0, false
	}
	n, err := strconv.Atoi(w)
	return n, err == nil
}

// editDistance is the Levenshtein distance between a and b, in bytes; long
// texts are far from everything.
func editDistance(a, b string) int {
	if len(a) > 40 || len(b) > 40 {
		return 40
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
