package report

// Chart is a bar chart of one section of the report: the same figures as
// the section's table, drawn for the page (BarChart, as SVG) and the PDF
// (as vector graphics).
type Chart struct {
	Caption string // the caption of the table it goes with
	Title   string
	Desc    string // what it shows, in words, for a screen reader
	Labels  []string
	Values  []int
}

// Charts returns the report's bar charts, one for each section that counts
// escalations (or learning items, or dissents) by one thing, in the order
// of Tables. A report marked for sharing has none: a bar's length would
// show a count its table withholds.
func (q *Quarterly) Charts() []Chart {
	if q.Sharing {
		return nil
	}
	var out []Chart
	for _, c := range []struct {
		caption, title, what string
		rows                 []Row
	}{
		{"Escalations by raising agency", "Raised by agency", "escalations by raising agency", q.ByRaising},
		{"Escalations by receiving agency", "Received by agency", "escalations by receiving agency", q.ByReceiving},
		{"Escalations by category", "By category", "escalations by category", q.ByCategory},
		{"Stage reached", "Stage reached", "escalations by stage reached", q.StageReached},
		{"Stage resolved", "Stage resolved", "escalations by the stage at which they were resolved", q.StageResolved},
		{"Outcomes", "Outcomes", "escalations by outcome", q.Outcomes},
		{CaptionThemes, "Learning themes", "learning items by theme", q.Themes},
		{CaptionDissents, "Dissent outcomes", "Child Protection Conference dissents by outcome", q.Dissents},
	} {
		if len(c.rows) == 0 {
			continue
		}
		ch := Chart{Caption: c.caption, Title: c.title,
			Desc:   "Bar chart of " + c.what + ". The table beside it has the same figures.",
			Labels: make([]string, len(c.rows)), Values: make([]int, len(c.rows))}
		for i, r := range c.rows {
			ch.Labels[i], ch.Values[i] = r.Label, r.Count.N
		}
		out = append(out, ch)
	}
	return out
}
