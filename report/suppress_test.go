package report_test

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate/report"
)

// The attacker: someone holding a shared report who knows how its tables
// add up, and searches every table of counts consistent with what is shown
// for the values a cell could take. It reads only the published tables
// (report.Tables), and searches exhaustively, sharing no code with the
// suppression it checks.

// cell is one published count: fixed, "fewer than 5" (0..4) or "not
// shown" (5 or more; searched up to maxCell).
type cell struct {
	table, label string
	lo, hi       int
	small        bool // shown as "fewer than 5"
}

const maxCell = 40

func readCell(table, label, s string) (*cell, error) {
	c := &cell{table: table, label: label}
	switch s {
	case "fewer than 5":
		c.lo, c.hi, c.small = 0, 4, true
	case "not shown":
		c.lo, c.hi = 5, maxCell
	default:
		n, err := strconv.Atoi(s)
		if err != nil {
			return nil, fmt.Errorf("%s / %s: %q is not a count", table, label, s)
		}
		c.lo, c.hi = n, n
	}
	return c, nil
}

// sumRel says the cells of plus add up to the cells of minus.
type sumRel struct{ plus, minus []*cell }

// publication is what the attacker reads from a shared report.
type publication struct {
	raised *cell
	tables map[string][]*cell
	rels   []sumRel
	cells  []*cell
}

// read builds the attacker's model from the report's tables. oneCategory
// says every case has exactly one category, as the attacker may know.
func read(t *testing.T, q *report.Quarterly, oneCategory bool) *publication {
	t.Helper()
	p := &publication{tables: map[string][]*cell{}}
	for _, tb := range q.Tables() {
		for _, r := range tb.Rows {
			if len(r) != 2 {
				continue
			}
			if tb.Caption == "Summary" {
				if r[0] == "Escalations raised" {
					c, err := readCell(tb.Caption, r[0], r[1])
					if err != nil {
						t.Fatal(err)
					}
					p.raised = c
				}
				if strings.HasPrefix(r[0], "Agencies that raised none") && r[1] != "none" {
					// Named as raising none: those rows are 0.
					for _, a := range strings.Split(r[1], ", ") {
						p.tables["zero:"+a] = nil
					}
				}
				continue
			}
			c, err := readCell(tb.Caption, r[0], r[1])
			if err != nil {
				t.Fatal(err)
			}
			p.tables[tb.Caption] = append(p.tables[tb.Caption], c)
		}
	}
	for k := range p.tables {
		if a, ok := strings.CutPrefix(k, "zero:"); ok {
			for _, c := range p.tables["Escalations by raising agency"] {
				if c.label == a {
					c.lo, c.hi = 0, 0
				}
			}
		}
	}
	sumTo := func(caption string) {
		if cs := p.tables[caption]; len(cs) > 0 {
			p.rels = append(p.rels, sumRel{plus: cs, minus: []*cell{p.raised}})
		}
	}
	for _, caption := range []string{"Escalations by raising agency", "Escalations by receiving agency", "Stage reached", "Outcomes"} {
		sumTo(caption)
	}
	if oneCategory {
		sumTo("Escalations by category")
	}
	var open *cell
	for _, c := range p.tables["Outcomes"] {
		if c.label == "Still open" {
			open = c
		}
	}
	if sr := p.tables["Stage resolved"]; len(sr) > 0 && open != nil {
		p.rels = append(p.rels, sumRel{plus: append(append([]*cell{}, sr...), open), minus: []*cell{p.raised}})
	}
	seen := map[*cell]bool{}
	for _, r := range p.rels {
		for _, c := range append(append([]*cell{}, r.plus...), r.minus...) {
			if !seen[c] {
				seen[c] = true
				p.cells = append(p.cells, c)
			}
		}
	}
	return p
}

// feasible reports whether some assignment within the cells' ranges, with
// fixed[c] for the cells it names, satisfies every relation.
func (p *publication) feasible(fixed map[*cell]int) bool {
	val := map[*cell]int{}
	lo := func(c *cell) int {
		if v, ok := fixed[c]; ok {
			return v
		}
		return c.lo
	}
	hi := func(c *cell) int {
		if v, ok := fixed[c]; ok {
			return v
		}
		return c.hi
	}
	// consistent checks each relation can still balance given the cells
	// assigned so far.
	consistent := func() bool {
		for _, r := range p.rels {
			minS, maxS := 0, 0
			for _, side := range []struct {
				cs   []*cell
				sign int
			}{{r.plus, 1}, {r.minus, -1}} {
				for _, c := range side.cs {
					a, b := lo(c), hi(c)
					if v, ok := val[c]; ok {
						a, b = v, v
					}
					if side.sign < 0 {
						a, b = -b, -a
					}
					minS, maxS = minS+a, maxS+b
				}
			}
			if minS > 0 || maxS < 0 {
				return false
			}
		}
		return true
	}
	var try func(i int) bool
	try = func(i int) bool {
		if !consistent() {
			return false
		}
		if i == len(p.cells) {
			return true
		}
		c := p.cells[i]
		for v := lo(c); v <= hi(c); v++ {
			val[c] = v
			if try(i + 1) {
				return true
			}
		}
		delete(val, c)
		return false
	}
	return try(0)
}

// pinned returns the cells shown as "fewer than 5" that can take only one
// value.
func (p *publication) pinned() []string {
	var out []string
	for _, c := range p.cells {
		if !c.small {
			continue
		}
		n := 0
		for v := 0; v <= 4 && n < 2; v++ {
			if p.feasible(map[*cell]int{c: v}) {
				n++
			}
		}
		if n < 2 {
			out = append(out, c.table+" / "+c.label)
		}
	}
	return out
}

// TestAttackerFindsLeaks: the attacker has teeth. A table with one cell
// under 5 among shown ones and its total pins it; so does naming the
// agencies that raised none; so do two cells that must add up to 8.
func TestAttackerFindsLeaks(t *testing.T) {
	mk := func(rows ...string) *publication {
		p := &publication{tables: map[string][]*cell{}}
		p.raised, _ = readCell("Summary", "Escalations raised", rows[0])
		var cs []*cell
		for i, r := range rows[1:] {
			c, _ := readCell("Escalations by raising agency", "agency "+strconv.Itoa(i), r)
			cs = append(cs, c)
		}
		p.rels = []sumRel{{plus: cs, minus: []*cell{p.raised}}}
		p.cells = append(cs, p.raised)
		return p
	}
	for _, tc := range []struct {
		rows []string
		leak bool
	}{
		{[]string{"20", "10", "7", "fewer than 5"}, true},
		{[]string{"25", "10", "7", "fewer than 5", "fewer than 5"}, true}, // they add up to 8
		{[]string{"19", "10", "7", "fewer than 5", "fewer than 5"}, false},
		{[]string{"20", "10", "not shown", "fewer than 5"}, false},
	} {
		if got := len(mk(tc.rows...).pinned()) > 0; got != tc.leak {
			t.Errorf("%v: attacker finds a leak %v, want %v", tc.rows, got, tc.leak)
		}
	}
	// Naming the agencies that raised none pins the rest.
	p := mk("20", "10", "7", "fewer than 5", "fewer than 5")
	p.cells[3].lo, p.cells[3].hi = 0, 0
	if len(p.pinned()) == 0 {
		t.Error("naming an agency that raised none pins nothing")
	}
}

// TestNoSmallCellDerivable: in shared reports built from many random
// quarters, no count shown as "fewer than 5" can be worked out from the
// totals, from the other tables or from the list of agencies that raised
// fewer than 5; and the list never says which raised none.
func TestNoSmallCellDerivable(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 2026))
	agencyNames := []string{"Police", "Health", "Children's Services", "Education", "Probation"}
	cats := []string{"threshold", "plan", "closure"}
	checked, pins, withheld := 0, 0, 0
	for run := range 250 {
		n := 1 + rng.IntN(40)
		var cases []report.Case
		for i := range n {
			ra := agencyNames[rng.IntN(3)] // some agencies raise nothing
			rc := agencyNames[rng.IntN(len(agencyNames))]
			reached := 1 + rng.IntN(3)
			c := report.Case{RaisingAgency: ra, ReceivingAgency: rc, Categories: []string{cats[rng.IntN(len(cats))]},
				Raised: day(7, 1+i%28), StageReached: reached}
			switch rng.IntN(5) {
			case 0:
				c.Outcome = "open"
			case 1:
				c.Outcome, c.Decision = "agreed", "changed"
			case 2:
				c.Outcome, c.Decision = "agreed", "upheld"
			case 3:
				c.Outcome = "withdrawn"
			default:
				c.Outcome = "redirected"
			}
			if c.Outcome != "open" {
				c.StageResolved, c.ResolvedAt = reached, c.Raised.Add(time.Duration(1+rng.IntN(20))*24*time.Hour)
			}
			cases = append(cases, c)
		}
		q := report.Build(quarter, cases, agencyNames, true)
		p := read(t, q, true)
		if leaks := p.pinned(); len(leaks) > 0 {
			t.Errorf("run %d (%d cases): a reader can work out %v", run, n, leaks)
		}
		for _, tb := range q.Tables() {
			for _, r := range tb.Rows {
				counts := r[1:]
				if tb.Caption == report.CaptionResolution {
					counts = r[1:2] // then the median and 90th percentile, in working days: not counts
				}
				for _, v := range counts {
					switch v {
					case "1", "2", "3", "4", "0":
						if tb.Caption != "Summary" || r[0] != "Agencies that raised fewer than 5" {
							t.Errorf("run %d: %q / %v shows a count under 5", run, tb.Caption, r)
						}
					case "not shown":
						withheld++
					}
				}
				if len(r) > 1 && strings.Contains(r[0], "raised none") {
					t.Errorf("run %d: a shared report names the agencies that raised none", run)
				}
			}
		}
		for _, c := range p.cells {
			if c.small {
				checked++
			}
		}
		pins += len(p.pinned())
	}
	if checked < 500 || withheld == 0 {
		t.Errorf("checked %d small cells and %d withheld ones: the random quarters do not exercise the rule", checked, withheld)
	}
	t.Logf("%d cells under 5 checked, %d counts withheld to protect them", checked, withheld)
}
