package policy

import (
	"fmt"
	"strings"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
)

// RoleName returns how a practitioner reads role r under policy p: the name
// the policy declares for it, the built-in name, or the key itself.
func RoleName(p *escalate.Policy, r escalate.Role) string { return p.RoleName(r) }

// roleList joins role names: "a", "a or b", "a, b or c" (conj "or"/"and").
func roleList(p *escalate.Policy, rs []escalate.Role, conj string) string {
	names := make([]string, len(rs))
	for i, r := range rs {
		names[i] = RoleName(p, r)
	}
	return joinWords(names, conj)
}

func joinWords(ws []string, conj string) string {
	if conj == "then" {
		return strings.Join(ws, ", then ")
	}
	switch len(ws) {
	case 0:
		return ""
	case 1:
		return ws[0]
	}
	return strings.Join(ws[:len(ws)-1], ", ") + " " + conj + " " + ws[len(ws)-1]
}

// TimescaleWords says a timescale as a practitioner would: "within 2
// working days", "on the same working day", "immediately". Unreadable text
// is returned as written.
func TimescaleWords(s string) string {
	ts, err := calendar.ParseTimescale(s)
	if err != nil {
		return s
	}
	switch ts.Kind {
	case calendar.Immediately:
		return "immediately"
	case calendar.SameWorkingDay:
		return "on the same working day"
	}
	return "within " + ts.String()
}

// clockWords says a clock's timescale from its start, with its
// increased-risk alternative: "within 1 working week of the decision
// disagreed with; 24 hours if the child is at increased risk".
func clockWords(p *escalate.Policy, s *escalate.Stage, k escalate.Clock) string {
	w := TimescaleWords(k.Within)
	switch start := startWords(p, s, k.Starts); {
	case start == "" || w == "immediately":
	case w == "on the same working day":
		w += " as " + start
	default:
		w += " of " + start
	}
	if k.Increased != "" {
		inc := strings.TrimPrefix(TimescaleWords(k.Increased), "within ")
		w += "; " + inc + " if the child is at increased risk"
	}
	return w
}

// startWords names the event that starts a clock of stage s.
func startWords(p *escalate.Policy, s *escalate.Stage, st escalate.ClockStart) string {
	where := ""
	target := s
	if st.Stage != "" && st.Stage != s.Key {
		if t, _ := p.Stage(st.Stage); t != nil {
			target = t
			where = " at " + stageTitle(p, st.Stage)
		}
	}
	switch st.Event {
	case escalate.StartDecision:
		return "the decision disagreed with"
	case escalate.StartStageEntry:
		if where != "" {
			return "the disagreement reaching " + stageTitle(p, st.Stage)
		}
		return "the disagreement reaching this stage"
	case escalate.StartOutcomeAgreed:
		return "an outcome being agreed" + where
	case escalate.StartNotAgreed:
		return "the parties recording that they could not agree" + where
	case escalate.StartClockMet:
		for _, k := range target.Clocks {
			if k.Key == st.Clock {
				return fmt.Sprintf("the step before being done%s (%s)", where, strings.TrimSuffix(lowerFirst(k.Action), "."))
			}
		}
		return fmt.Sprintf("%q being done%s", st.Clock, where)
	case escalate.StartClockLapsed:
		for _, k := range target.Clocks {
			if k.Key == st.Clock {
				return fmt.Sprintf("the deadline of the step before passing with it not done%s (%s)", where, strings.TrimSuffix(lowerFirst(k.Action), "."))
			}
		}
		return fmt.Sprintf("the deadline of %q passing%s", st.Clock, where)
	}
	return ""
}

// stageTitle names a stage by number and name: "stage 2 (Line managers)".
func stageTitle(p *escalate.Policy, key string) string {
	s, i := p.Stage(key)
	if s == nil {
		return key
	}
	return fmt.Sprintf("stage %d (%s)", i+1, s.Name)
}

var recordWords = map[string]string{
	"date":               "the date",
	"form":               "the form of communication",
	"participants":       "who took part",
	"discussion":         "what was discussed",
	"outcome":            "the outcome",
	"next-steps":         "the next steps",
	"approval":           "a manager's approval, dated",
	"agreed-outcome":     "the agreed outcome, confirmed in writing",
	"outstanding-issues": "how any outstanding issues will be pursued",
	"reason":             "the reasons for the disagreement",
	"determination":      "the determination",
	"recommendations":    "the recommendations",
}

var producesWords = map[string]string{
	"":                "a resolution agreed between the agencies",
	"resolution":      "a resolution agreed between the agencies",
	"determination":   "a determination, which settles the disagreement",
	"recommendations": "recommendations to the agencies",
}

func divisionWords(div string) string {
	switch div {
	case "", calendar.EnglandAndWales:
		return "England and Wales"
	case calendar.Scotland:
		return "Scotland"
	case calendar.NorthernIreland:
		return "Northern Ireland"
	}
	return div
}

func lowerFirst(s string) string {
	if s == "" || (len(s) > 1 && s[1] >= 'A' && s[1] <= 'Z') {
		return s // keep acronyms such as "LSCB"
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// lowerArticle lower-cases a leading "The", "A" or "An", so a value can
// follow a verb: "goes to the agency's complaints process".
func lowerArticle(s string) string {
	for _, a := range []string{"The ", "A ", "An "} {
		if strings.HasPrefix(s, a) {
			return strings.ToLower(a) + s[len(a):]
		}
	}
	return s
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// metByWords says what each lifecycle step that meets a clock is.
var metByWords = map[string]string{
	escalate.MetByRaise:      "the escalation being raised",
	escalate.MetByRecord:     "a record by that side",
	escalate.MetByMeeting:    "a record of a meeting",
	escalate.MetByAgree:      "an agreed outcome",
	escalate.MetByConfirm:    "a written confirmation of the agreed outcome",
	escalate.MetByDetermine:  "a determination or recommendations",
	escalate.MetByEscalation: "an escalation to the next stage",
}

// MetByWords says what meets clock k: "an agreed outcome", "a record by
// that side", or, for a clock nothing meets, that it stops with its stage.
func MetByWords(k escalate.Clock) string {
	m, ok := k.Meets()
	if !ok {
		return "nothing (it stops when the stage ends)"
	}
	return metByWords[m]
}
