package report

import "slices"

// Sections that other parts of Escalate fill in: the learning log's themes
// and the outcomes of Child Protection Conference dissents. They are set
// after Build, since their figures come from other tables than the cases.

// SetThemes sets the "Themes from the learning log" section from counts of
// learning items by theme. Rows are in alphabetical order of theme, never
// by count, so that in a shared report the order cannot rank the themes
// whose counts are withheld.
func (q *Quarterly) SetThemes(counts map[string]int) {
	q.Themes = q.labelled(counts)
}

// SetDissents sets the "Child Protection Conference dissent outcomes"
// section from counts of dissents by where they stand, in the order of
// order (the workflow's), then any other label alphabetically.
func (q *Quarterly) SetDissents(counts map[string]int, order []string) {
	q.Dissents = q.labelled(counts)
	rank := func(l string) int {
		if i := slices.Index(order, l); i >= 0 {
			return i
		}
		return len(order)
	}
	slices.SortStableFunc(q.Dissents, func(a, b Row) int { return rank(a.Label) - rank(b.Label) })
}

// SetGoodPractice sets the "Good practice recognised" section from counts of
// recognitions of good practice by the agency recognised, in alphabetical
// order of agency.
func (q *Quarterly) SetGoodPractice(counts map[string]int) {
	q.GoodPractice = q.labelled(counts)
}

// labelled turns counts into rows with q's "fewer than 5" rule. The result
// is never nil, so a section set with no counts still shows, saying so.
func (q *Quarterly) labelled(counts map[string]int) []Row {
	rows := make([]Row, 0, len(counts))
	for l, n := range counts {
		rows = append(rows, Row{Label: l, Count: Count{N: max(n, 0), Shared: q.Sharing}})
	}
	slices.SortStableFunc(rows, func(a, b Row) int {
		if a.Label < b.Label {
			return -1
		}
		if a.Label > b.Label {
			return 1
		}
		return 0
	})
	return rows
}

// NoRows is what a table with no rows says instead, in every format.
const NoRows = "None in this period"
