package report

import (
	"strconv"
	"strings"
)

// Table is one section of a report as text: what the HTML page, the PDF and
// the spreadsheet exports all show, so they cannot disagree.
type Table struct {
	Caption string
	Header  []string
	Rows    [][]string
}

// Captions of the sections other parts of Escalate fill in (extras.go).
const (
	CaptionThemes   = "Themes from the learning log"
	CaptionDissents = "Child Protection Conference dissent outcomes"
	// CaptionGoodPractice heads the count of good practice recognised.
	CaptionGoodPractice = "Good practice recognised, by agency"
	// CaptionPairs heads the agency-pair matrix.
	CaptionPairs = "Escalations by agency pair (rows raised, columns received)"
)

// Tables returns q's figures as tables, in the order the report shows them.
func (q *Quarterly) Tables() []Table {
	rows := func(rs []Row) [][]string {
		out := make([][]string, len(rs))
		for i, r := range rs {
			out[i] = []string{r.Label, r.Count.String()}
		}
		return out
	}
	silent := "none"
	if len(q.Silent) > 0 {
		silent = strings.Join(q.Silent, ", ")
	}
	ts := []Table{
		{"Summary", []string{"Measure", "Number"}, [][]string{
			{"Escalations raised", q.Raised.String()},
			{"Immediate-risk cases", q.Immediate.String()},
			{"Children with repeat escalations", q.RepeatChildren.String()},
			{"Escalations about those children", q.RepeatCases.String()},
			{"Agencies that raised none", silent},
		}},
		{"Escalations by raising agency", []string{"Raising agency", "Escalations"}, rows(q.ByRaising)},
		{"Escalations by receiving agency", []string{"Receiving agency", "Escalations"}, rows(q.ByReceiving)},
		q.Pairs.Table(CaptionPairs),
		{"Escalations by category", []string{"Category", "Escalations"}, rows(q.ByCategory)},
		{"Stage reached", []string{"Stage", "Escalations"}, rows(q.StageReached)},
		{"Stage resolved", []string{"Stage", "Escalations"}, rows(q.StageResolved)},
		{"Outcomes", []string{"Outcome", "Escalations"}, rows(q.Outcomes)},
	}
	res := Table{Caption: "Time to resolution by stage resolved (days)", Header: []string{"Stage", "Cases", "Median", "90th percentile"}}
	for _, t := range q.Resolution {
		res.Rows = append(res.Rows, []string{"Stage " + strconv.Itoa(t.Stage), t.Cases.String(), t.Days(t.Median), t.Days(t.P90)})
	}
	ts = append(ts, res,
		compliance("Timescales met by stage", "Stage", q.ComplianceByStage),
		compliance("Timescales met by responding agency", "Agency", q.ComplianceByAgency))
	if q.Themes != nil {
		ts = append(ts, Table{CaptionThemes, []string{"Theme", "Learning items"}, rows(q.Themes)})
	}
	if q.Dissents != nil {
		ts = append(ts, Table{CaptionDissents, []string{"Outcome", "Dissents"}, rows(q.Dissents)})
	}
	if q.GoodPractice != nil {
		ts = append(ts, Table{CaptionGoodPractice, []string{"Agency", "Recognitions"}, rows(q.GoodPractice)})
	}
	return ts
}

func compliance(caption, what string, cs []Compliance) Table {
	t := Table{Caption: caption, Header: []string{what, "Met", "Clocks", "Share met"}}
	for _, c := range cs {
		t.Rows = append(t.Rows, []string{c.Label, c.Met.String(), c.Total.String(), c.Share()})
	}
	return t
}

// Table returns m as a table with a row per raising agency.
func (m PairMatrix) Table(caption string) Table {
	t := Table{Caption: caption, Header: append([]string{"Raised by"}, m.Agencies...)}
	for i, a := range m.Agencies {
		r := []string{a}
		for _, c := range m.Cells[i] {
			r = append(r, c.String())
		}
		t.Rows = append(t.Rows, r)
	}
	return t
}
