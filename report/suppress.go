package report

import (
	"math"
	"strconv"
)

// Complementary suppression for reports shared outside the partnership
// (doc/reports.md, doc/privacy.md). A count under 5 is shown as "fewer than
// 5" (primary suppression); but a table's rows add up to a total the report
// also shows, so one such cell among shown ones could be worked out by
// subtraction, and a few could be pinned by their bounds (two cells that
// must add up to 8 are both 4). Each table is therefore checked against
// what a reader can work out, and more cells are withheld ("not shown")
// until no cell under 5 has only one possible value.
//
// What a reader knows is a set of linear relations: the raising agencies'
// counts add up to the escalations raised, as do the receiving agencies',
// the stages reached and the outcomes; the stages resolved add up to the
// escalations no longer open; each category's count where every case has
// exactly one. A cell shown is known exactly; a cell under 5 lies in 0..4;
// a withheld cell is 5 or more. The relations share only the total raised
// and the "still open" outcome, so their graph has no cycle, and narrowing
// each cell's range one relation at a time until nothing changes gives
// exactly the values a reader could still believe (TestNoSmallCellDerivable
// checks this against an exhaustive search).
//
// The agency-pair matrix would tie the raising and receiving tables
// together cell by cell, so a shared report leaves it out; the timescale
// tables count clocks, and a shared report shows only their shares, where
// both the met and the missed clocks are 5 or more.

// unbounded is a range's open upper end.
const unbounded = math.MaxInt / 4

// relation says that the cells with coefficient +1 minus those with -1 lie
// within [lo, hi].
type relation struct {
	terms  []*Count
	signs  []int
	lo, hi int
}

// add puts c into r with sign s.
func (r *relation) add(s int, cs ...*Count) {
	for _, c := range cs {
		r.terms, r.signs = append(r.terms, c), append(r.signs, s)
	}
}

// bounds is what a reader knows of c before any relation.
func bounds(c *Count) (int, int) {
	switch {
	case !c.Suppressed():
		return c.N, c.N
	case c.N < small:
		return 0, small - 1
	}
	return small, unbounded
}

// derivable returns a cell under 5 that a reader could work out from rels,
// and the relation that pins it, or nil when there is none. It narrows
// every cell's range, relation by relation, until nothing changes.
func derivable(rels []*relation) (*Count, *relation) {
	lo, hi := map[*Count]int{}, map[*Count]int{}
	for _, r := range rels {
		for _, c := range r.terms {
			lo[c], hi[c] = bounds(c)
		}
	}
	// contribution is the range term i adds to r's sum.
	contribution := func(r *relation, i int) (int, int) {
		a, b := lo[r.terms[i]], hi[r.terms[i]]
		if r.signs[i] < 0 {
			return -b, -a
		}
		return a, b
	}
	for changed := true; changed; {
		changed = false
		for _, r := range rels {
			for i, c := range r.terms {
				// The least and most the other terms can add up to.
				othersLo, othersHi := 0, 0
				for j := range r.terms {
					if j == i {
						continue
					}
					a, b := contribution(r, j)
					othersLo, othersHi = sat(othersLo+a), sat(othersHi+b)
				}
				a, b := contribution(r, i)
				nlo, nhi := a, b
				if othersHi < unbounded && r.lo > -unbounded {
					nlo = max(a, r.lo-othersHi)
				}
				if othersLo > -unbounded && r.hi < unbounded {
					nhi = min(b, r.hi-othersLo)
				}
				if r.signs[i] < 0 {
					nlo, nhi = -nhi, -nlo
				}
				if nlo > lo[c] {
					lo[c], changed = nlo, true
				}
				if nhi < hi[c] {
					hi[c], changed = nhi, true
				}
			}
		}
	}
	for _, r := range rels {
		for _, c := range r.terms {
			if c.Suppressed() && c.N < small && lo[c] == hi[c] {
				return c, r
			}
		}
	}
	return nil, nil
}

// sat keeps a sum of ranges within the unbounded marks.
func sat(n int) int { return max(-unbounded, min(unbounded, n)) }

// complement withholds more cells until no cell under 5 is derivable: the
// smallest shown cell of the relation that pins one, or, when the
// relation has none left, every cell of that relation.
func complement(rels []*relation) {
	for range 10000 {
		c, r := derivable(rels)
		if c == nil {
			return
		}
		var pick *Count
		for _, t := range r.terms {
			if !t.Suppressed() && (pick == nil || t.N < pick.N) {
				pick = t
			}
		}
		if pick == nil {
			// Every cell of the relation is withheld and one is still
			// pinned: withhold everything, which pins nothing.
			for _, r := range rels {
				for _, t := range r.terms {
					t.Withheld = true
				}
			}
			continue
		}
		pick.Withheld = true
	}
}

// suppress applies complementary suppression to q, a shared report, whose
// cases are in. Build calls it.
func (q *Quarterly) suppress(in []Case) {
	total := &q.Raised
	sumTo := func(rows []Row) *relation {
		r := &relation{}
		for i := range rows {
			r.add(1, &rows[i].Count)
		}
		r.add(-1, total)
		return r
	}
	rels := []*relation{sumTo(q.ByRaising), sumTo(q.ByReceiving), sumTo(q.StageReached), sumTo(q.Outcomes)}
	// The stages resolved add up to the cases no longer open.
	closed := sumTo(q.StageResolved)
	for i := range q.Outcomes {
		if q.Outcomes[i].Label == OutcomeLabel(OutcomeOpen) {
			closed.add(1, &q.Outcomes[i].Count)
		}
	}
	rels = append(rels, closed)
	// Categories add up to the cases where each has exactly one, and to no
	// fewer where each has at least one.
	one, some := true, true
	for _, c := range in {
		one, some = one && len(c.Categories) == 1, some && len(c.Categories) >= 1
	}
	if some {
		cats := sumTo(q.ByCategory)
		if !one {
			cats.hi = unbounded
		}
		rels = append(rels, cats)
	}
	// Keep only the relations that hold, so that none is wrongly relied on.
	var hold []*relation
	for _, r := range rels {
		sum := 0
		for i, c := range r.terms {
			sum += r.signs[i] * c.N
		}
		if sum >= r.lo && sum <= r.hi {
			hold = append(hold, r)
		}
	}
	complement(hold)

	// The time to resolution counts the same cases as the stage resolved.
	for i := range q.Resolution {
		t := &q.Resolution[i]
		for _, r := range q.StageResolved {
			if r.Label == "Stage "+strconv.Itoa(t.Stage) && r.Count.Suppressed() && !t.Cases.Suppressed() {
				t.Cases.Withheld = true
			}
		}
	}
	// Timescales: the shares only, where met and missed are 5 or more.
	for _, cs := range [][]Compliance{q.ComplianceByStage, q.ComplianceByAgency} {
		for i := range cs {
			cs[i].Met.Withheld, cs[i].Total.Withheld = true, true
		}
	}
	q.Pairs.Withheld = true
	// "Agencies that raised none" would say which "fewer than 5" are 0:
	// a shared report lists those that raised fewer than 5, which their
	// rows already say.
	q.Silent = nil
	for _, r := range q.ByRaising {
		if r.Count.N < small {
			q.Silent = append(q.Silent, r.Label)
		}
	}
}
