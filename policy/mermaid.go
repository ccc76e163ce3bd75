package policy

import (
	"fmt"
	"io"
	"strings"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
)

// Mermaid writes p as a Mermaid "flowchart TD": the immediate-risk route
// first, then each stage, with escalation edges labelled by the stage's
// timescales, the exits where a disagreement is resolved, and the redirects
// out of the process. Node ids are positional (s1, s2, r1), so keys never
// need escaping; labels are quoted with Mermaid's entity codes.
func Mermaid(w io.Writer, p *escalate.Policy) error {
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, "    "+format+"\n", args...) }

	b.WriteString("flowchart TD\n")
	line("start([%s])", mlabel("A professional disagrees with another agency about a child's safety"))
	line("risk{%s}", mlabel("Is the child at immediate risk?"))
	line("start --> risk")
	imm := "Immediate-risk route"
	if len(p.Immediate.Contacts) > 0 {
		imm += ": " + roleList(p, p.Immediate.Contacts, "then")
	}
	if p.Immediate.Within != "" {
		imm += "<br/>" + TimescaleWords(p.Immediate.Within)
	}
	line("immediate[%s]", mlabel(imm))
	line("risk -- %s --> immediate", mlabel("yes"))
	if len(p.Stages) == 0 {
		_, err := io.WriteString(w, b.String())
		return err
	}
	line("immediate -- %s --> s1", mlabel("then continue"))
	line("risk -- %s --> s1", mlabel("no"))
	line("resolved([%s])", mlabel("Resolved: outcome confirmed in writing"))

	for i := range p.Stages {
		st := &p.Stages[i]
		id := fmt.Sprintf("s%d", i+1)
		text := fmt.Sprintf("Stage %d: %s<br/>%s ↔ %s", i+1, st.Name,
			roleList(p, st.Raising, "or"), roleList(p, st.Receive, "or"))
		if m := st.Meeting; m != nil && m.Chair != "" {
			text += "<br/>meeting chaired by " + RoleName(p, m.Chair)
			if m.UninvolvedChair {
				text += " from an uninvolved agency"
			}
		}
		line("%s[%s]", id, mlabel(text))
		out := "resolved"
		if st.Produces == "determination" || st.Produces == "recommendations" {
			line("%s_out([%s])", id, mlabel(upperFirst(st.Produces)))
			out = id + "_out"
		}
		line("%s -- %s --> %s", id, mlabel(resolvedLabel(st)), out)
		if i+1 < len(p.Stages) {
			line("%s -- %s --> s%d", id, mlabel(escalateLabel(p, st)), i+2)
		}
		for _, to := range st.SkipTo {
			if _, k := p.Stage(to); k >= 0 {
				line("%s -. %s .-> s%d", id, mlabel("may skip"), k+1)
			}
		}
	}
	for i, r := range p.Redirects {
		to := r.To
		if to == "" {
			to = RoleName(p, r.Contact)
		}
		line("r%d[/%s/]", i+1, mlabel(to))
		line("start -. %s .-> r%d", mlabel(r.Matter), i+1)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// resolvedLabel names a stage's resolution exit.
func resolvedLabel(st *escalate.Stage) string {
	if st.Proforma {
		return "resolved: proforma sent"
	}
	return "resolved"
}

// escalateLabel gives the longest timescale a stage runs to before it
// escalates, with its increased-risk alternative. Confirmations that follow
// an agreed outcome are not counted: they run after resolution.
func escalateLabel(p *escalate.Policy, st *escalate.Stage) string {
	cal, err := calendar.New(p.Calendar.Division)
	if err != nil {
		cal, _ = calendar.New(calendar.EnglandAndWales)
	}
	var best *escalate.Clock
	var bestTS calendar.Timescale
	for i, k := range st.Clocks {
		ts, err := calendar.ParseTimescale(k.Within)
		if err != nil || k.Starts.Event == escalate.StartOutcomeAgreed {
			continue
		}
		if best == nil || cal.Longer(ts, bestTS) {
			best, bestTS = &st.Clocks[i], ts
		}
	}
	if best == nil {
		return "not resolved"
	}
	t := "not resolved " + TimescaleWords(best.Within)
	if best.Increased != "" {
		t += " (" + strings.TrimPrefix(TimescaleWords(best.Increased), "within ") + " at increased risk)"
	}
	return t
}

// mlabel quotes text for a Mermaid node or edge label. Quotes and the
// characters Mermaid treats as syntax are written as entity codes; "<br/>"
// line breaks are kept.
func mlabel(text string) string {
	const br = "\x00"
	text = strings.ReplaceAll(text, "<br/>", br)
	r := strings.NewReplacer(`"`, "#quot;", "<", "#lt;", ">", "#gt;", "#", "#35;", "\n", " ")
	text = r.Replace(text)
	return `"` + strings.ReplaceAll(text, br, "<br/>") + `"`
}
