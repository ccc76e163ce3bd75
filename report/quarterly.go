package report

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/escalate-project/escalate"
)

// OutcomeOpen is the outcome of a case not yet resolved.
const OutcomeOpen = "open"

// The outcomes section's rows for agreed outcomes, determinations and
// recommendations, by what they did to the decision disagreed about.
const (
	outcomeChanged     = "decision:" + escalate.DecisionChanged
	outcomeUpheld      = "decision:" + escalate.DecisionUpheld
	outcomeNotRecorded = "decision:"
)

// outcomes lists the outcomes section's rows in the order the report shows
// them. outcomeNotRecorded is shown only when some case has it: outcomes
// recorded before the question was asked, or by API clients that omit it.
var outcomes = []string{
	outcomeChanged, outcomeUpheld, outcomeNotRecorded,
	escalate.OutcomeRedirected, escalate.OutcomeWithdrawn, OutcomeOpen,
}

// outcomeRow is the outcomes section's row for c: agreed outcomes,
// determinations and recommendations count by their decision; other kinds
// by their kind.
func outcomeRow(c Case) string {
	switch c.Outcome {
	case "":
		return OutcomeOpen
	case escalate.OutcomeAgreed, escalate.OutcomeDetermination, escalate.OutcomeRecommendations:
		switch c.Decision {
		case escalate.DecisionChanged:
			return outcomeChanged
		case escalate.DecisionUpheld:
			return outcomeUpheld
		}
		return outcomeNotRecorded
	}
	return c.Outcome
}

// Case is one escalation as the report sees it: de-identified, with no child
// reference, names or free text. It is escalate.CaseFacts, which the store
// reads, so the store need not import this package.
type Case = escalate.CaseFacts

// ClockResult says whether the agency that had to respond at a stage did so
// within the policy's timescale.
type ClockResult = escalate.ClockFact

// Period is the reporting period, from From (inclusive) to To (exclusive).
type Period struct {
	From, To time.Time
}

// Contains reports whether t falls within p.
func (p Period) Contains(t time.Time) bool { return !t.Before(p.From) && t.Before(p.To) }

// Count is a number of cases or clocks. In a report marked for sharing outside
// the partnership, a count under 5 is shown as "fewer than 5" so that no child
// or family can be recognised from a small number.
type Count struct {
	N      int
	Shared bool
}

// small is the count below which a shared report withholds the number.
const small = 5

// Suppressed reports whether c is withheld from display.
func (c Count) Suppressed() bool { return c.Shared && c.N < small }

// String returns the number, or "fewer than 5" when withheld.
func (c Count) String() string {
	if c.Suppressed() {
		return "fewer than 5"
	}
	return strconv.Itoa(c.N)
}

// Row is one labelled count.
type Row struct {
	Label string
	Count Count
}

// PairMatrix counts escalations by raising agency (rows) and receiving agency
// (columns).
type PairMatrix struct {
	Agencies []string
	Cells    [][]Count // Cells[raising][receiving]
}

// Timing is the time from raising to resolution of the cases resolved at a
// stage, in working days (CaseFacts.WorkingDays).
type Timing struct {
	Stage  int
	Cases  Count
	Median float64 // working days; a half when the two middle cases differ by one
	P90    float64 // working days, nearest rank
}

// Days formats d, one of t's figures, for a table: a whole number of
// working days, or a half ("2.5") for the median of an even number of
// cases. It returns "not shown" when the number of cases is withheld,
// since a median of few cases describes them.
func (t Timing) Days(d float64) string {
	if t.Cases.Suppressed() {
		return "not shown"
	}
	return strconv.FormatFloat(d, 'f', -1, 64)
}

// Compliance is the share of response clocks met within the timescale.
type Compliance struct {
	Label      string
	Met, Total Count
}

// Share returns the percentage met, formatted, or "not shown" when a shared
// report withholds either count (the share would reveal them).
func (c Compliance) Share() string {
	if c.Total.N == 0 {
		return "no deadlines"
	}
	if c.Met.Suppressed() || c.Total.Suppressed() || (c.Total.Shared && c.Total.N-c.Met.N < small) {
		return "not shown"
	}
	return fmt.Sprintf("%.0f%%", 100*float64(c.Met.N)/float64(c.Total.N))
}

// Quarterly holds the figures for one partnership and one period.
type Quarterly struct {
	Period             Period
	Sharing            bool
	Raised             Count
	ByRaising          []Row
	ByReceiving        []Row
	Pairs              PairMatrix
	ByCategory         []Row
	StageReached       []Row
	StageResolved      []Row
	Outcomes           []Row
	Resolution         []Timing
	ComplianceByStage  []Compliance
	ComplianceByAgency []Compliance
	Immediate          Count
	RepeatChildren     Count // children with more than one escalation in the period
	RepeatCases        Count // escalations about those children
	Silent             []string
	// Themes, Dissents and GoodPractice are nil until SetThemes,
	// SetDissents and SetGoodPractice, and their sections are shown only
	// once set.
	Themes       []Row
	Dissents     []Row
	GoodPractice []Row
	// StageNames are the policy's stage names, first stage first, once
	// NameStages has set them; a stage beyond them is "Stage N".
	StageNames []string
}

// NameStages names the stages in every section that counts by stage, so
// the board reads "Stage 2: Team managers and safeguarding leads" rather
// than a bare number. names are the current policy's stages in order.
func (q *Quarterly) NameStages(names []string) {
	q.StageNames = names
	for _, rows := range [][]Row{q.StageReached, q.StageResolved} {
		for i := range rows {
			rows[i].Label = q.StageLabel(i + 1)
		}
	}
	for i := range q.ComplianceByStage {
		if n, ok := stageNumber(q.ComplianceByStage[i].Label); ok {
			q.ComplianceByStage[i].Label = q.StageLabel(n)
		}
	}
}

// StageLabel is "Stage 2: Team managers and safeguarding leads", or
// "Stage 2" when the stage has no name.
func (q *Quarterly) StageLabel(n int) string {
	l := "Stage " + strconv.Itoa(n)
	if n >= 1 && n <= len(q.StageNames) && q.StageNames[n-1] != "" {
		l += ": " + q.StageNames[n-1]
	}
	return l
}

// stageNumber reads the number of a "Stage N" label.
func stageNumber(label string) (int, bool) {
	rest, ok := strings.CutPrefix(label, "Stage ")
	if !ok {
		return 0, false
	}
	if i := strings.IndexByte(rest, ':'); i >= 0 {
		rest = rest[:i]
	}
	n, err := strconv.Atoi(rest)
	return n, err == nil
}

// Build computes the report for the cases raised in period. agencies lists the
// partnership's agencies in the order to show them; an agency that appears
// only in cases is added after them, in alphabetical order. When sharing is
// true every count under 5 is shown as "fewer than 5".
func Build(period Period, cases []Case, agencies []string, sharing bool) *Quarterly {
	q := &Quarterly{Period: period, Sharing: sharing}
	cnt := func(n int) Count { return Count{N: n, Shared: sharing} }

	var in []Case
	for _, c := range cases {
		if period.Contains(c.Raised) {
			in = append(in, c)
		}
	}
	q.Raised = cnt(len(in))

	all := slices.Clone(agencies)
	var extra []string
	for _, c := range in {
		for _, a := range []string{c.RaisingAgency, c.ReceivingAgency} {
			if !slices.Contains(all, a) && !slices.Contains(extra, a) {
				extra = append(extra, a)
			}
		}
		for _, k := range c.Clocks {
			if !slices.Contains(all, k.Agency) && !slices.Contains(extra, k.Agency) {
				extra = append(extra, k.Agency)
			}
		}
	}
	slices.Sort(extra)
	all = append(all, extra...)
	idx := make(map[string]int, len(all))
	for i, a := range all {
		idx[a] = i
	}

	raising := make([]int, len(all))
	receiving := make([]int, len(all))
	pairs := make([][]int, len(all))
	for i := range pairs {
		pairs[i] = make([]int, len(all))
	}
	categories := map[string]int{}
	var categoryOrder []string
	maxStage := 0
	reached := map[int]int{}
	resolved := map[int]int{}
	outcome := map[string]int{}
	days := map[int][]float64{}
	children := map[string]int{}
	type tally struct{ met, total int }
	byStage := map[int]*tally{}
	byAgency := make([]tally, len(all))
	immediate := 0

	for _, c := range in {
		ri, ci := idx[c.RaisingAgency], idx[c.ReceivingAgency]
		raising[ri]++
		receiving[ci]++
		pairs[ri][ci]++
		for _, cat := range c.Categories {
			if _, ok := categories[cat]; !ok {
				categoryOrder = append(categoryOrder, cat)
			}
			categories[cat]++
		}
		reached[c.StageReached]++
		maxStage = max(maxStage, c.StageReached)
		o := c.Outcome
		if o == "" {
			o = OutcomeOpen
		}
		outcome[outcomeRow(c)]++
		if o != OutcomeOpen && c.StageResolved > 0 {
			resolved[c.StageResolved]++
			maxStage = max(maxStage, c.StageResolved)
			if !c.ResolvedAt.IsZero() {
				days[c.StageResolved] = append(days[c.StageResolved], float64(max(c.WorkingDays, 0)))
			}
		}
		if c.Immediate {
			immediate++
		}
		if c.ChildKey != "" {
			children[c.ChildKey]++
		}
		for _, k := range c.Clocks {
			t := byStage[k.Stage]
			if t == nil {
				t = &tally{}
				byStage[k.Stage] = t
			}
			maxStage = max(maxStage, k.Stage)
			t.total++
			byAgency[idx[k.Agency]].total++
			if k.Met {
				t.met++
				byAgency[idx[k.Agency]].met++
			}
		}
	}

	q.Pairs.Agencies = all
	q.Pairs.Cells = make([][]Count, len(all))
	for i, a := range all {
		q.ByRaising = append(q.ByRaising, Row{a, cnt(raising[i])})
		q.ByReceiving = append(q.ByReceiving, Row{a, cnt(receiving[i])})
		q.Pairs.Cells[i] = make([]Count, len(all))
		for j := range all {
			q.Pairs.Cells[i][j] = cnt(pairs[i][j])
		}
		if raising[i] == 0 {
			q.Silent = append(q.Silent, a)
		}
		if byAgency[i].total > 0 {
			q.ComplianceByAgency = append(q.ComplianceByAgency,
				Compliance{a, cnt(byAgency[i].met), cnt(byAgency[i].total)})
		}
	}
	slices.Sort(categoryOrder)
	for _, cat := range categoryOrder {
		q.ByCategory = append(q.ByCategory, Row{cat, cnt(categories[cat])})
	}
	for s := 1; s <= maxStage; s++ {
		label := "Stage " + strconv.Itoa(s)
		q.StageReached = append(q.StageReached, Row{label, cnt(reached[s])})
		q.StageResolved = append(q.StageResolved, Row{label, cnt(resolved[s])})
		if d := days[s]; len(d) > 0 {
			slices.Sort(d)
			q.Resolution = append(q.Resolution, Timing{s, cnt(len(d)), median(d), nearestRank(d, 90)})
		}
		if t := byStage[s]; t != nil {
			q.ComplianceByStage = append(q.ComplianceByStage, Compliance{label, cnt(t.met), cnt(t.total)})
		}
	}
	known := slices.Clone(outcomes)
	for o := range outcome {
		if !slices.Contains(known, o) {
			known = append(known, o)
		}
	}
	slices.Sort(known[len(outcomes):])
	for _, o := range known {
		if o == outcomeNotRecorded && outcome[o] == 0 {
			continue
		}
		q.Outcomes = append(q.Outcomes, Row{OutcomeLabel(o), cnt(outcome[o])})
	}
	q.Immediate = cnt(immediate)
	var rc, rn int
	for _, n := range children {
		if n > 1 {
			rc++
			rn += n
		}
	}
	q.RepeatChildren, q.RepeatCases = cnt(rc), cnt(rn)
	return q
}

// OutcomeLabel returns the words the report uses for an outcome kind.
func OutcomeLabel(o string) string {
	switch o {
	case escalate.OutcomeAgreed:
		return "Agreed"
	case escalate.OutcomeDetermination:
		return "Determination"
	case escalate.OutcomeRecommendations:
		return "Recommendations"
	case escalate.OutcomeRedirected:
		return "Redirected"
	case escalate.OutcomeWithdrawn:
		return "Withdrawn"
	case OutcomeOpen:
		return "Still open"
	case outcomeChanged:
		return "Decision changed"
	case outcomeUpheld:
		return "Decision upheld"
	case outcomeNotRecorded:
		return "Resolved, not recorded whether the decision changed"
	}
	return o
}

// DecisionLabel returns the words the report uses for an outcome's
// decision: what it did to the decision disagreed about.
func DecisionLabel(d string) string {
	switch d {
	case escalate.DecisionChanged:
		return "Decision changed"
	case escalate.DecisionUpheld:
		return "Decision upheld"
	}
	return "Not recorded"
}

// median returns the middle of sorted d, or the mean of the two middle values.
func median(d []float64) float64 {
	n := len(d)
	if n%2 == 1 {
		return d[n/2]
	}
	return (d[n/2-1] + d[n/2]) / 2
}

// nearestRank returns the p-th percentile of sorted d by the nearest-rank
// method: the smallest value with at least p% of the values at or below it.
// Unlike interpolation it is always a time some case actually took.
func nearestRank(d []float64, p float64) float64 {
	r := int(math.Ceil(p / 100 * float64(len(d))))
	return d[max(r, 1)-1]
}
