package report

import (
	"strings"
)

// Table is one section of a report as text: what the HTML page, the PDF and
// the spreadsheet exports all show, so they cannot disagree.
type Table struct {
	Caption string
	Header  []string
	Rows    [][]string
	// Sheet is the table's worksheet name in the workbook: short, plain
	// and within Excel's 31 characters.
	Sheet string
	// Widths, if set, are the columns' shares of a PDF page's width.
	Widths []float64
}

// Captions of the sections other parts of Escalate fill in (extras.go).
const (
	CaptionThemes   = "Themes from the learning log"
	CaptionDissents = "Child Protection Conference dissent outcomes"
	// CaptionGoodPractice heads the count of good practice recognised.
	CaptionGoodPractice = "Good practice recognised, by agency"
	// CaptionPairs heads the agency-pair matrix.
	CaptionPairs = "Escalations by agency pair (rows raised, columns received)"
	// CaptionResolution heads the time to resolution.
	CaptionResolution = "Time to resolution by stage resolved, in working days"
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
		}, "Summary", nil},
		{"Escalations by raising agency", []string{"Raising agency", "Escalations"}, rows(q.ByRaising), "By raising agency", nil},
		{"Escalations by receiving agency", []string{"Receiving agency", "Escalations"}, rows(q.ByReceiving), "By receiving agency", nil},
		q.Pairs.Table(CaptionPairs),
		{"Escalations by category", []string{"Category", "Escalations"}, rows(q.ByCategory), "By category", nil},
		{"Stage reached", []string{"Stage", "Escalations"}, rows(q.StageReached), "Stage reached", nil},
		{"Stage resolved", []string{"Stage", "Escalations"}, rows(q.StageResolved), "Stage resolved", nil},
		{"Outcomes", []string{"Outcome", "Escalations"}, rows(q.Outcomes), "Outcomes", nil},
	}
	res := Table{Caption: CaptionResolution, Sheet: "Time to resolution",
		Header: []string{"Stage resolved", "Cases", "Median (working days)", "90th percentile (working days)"}}
	for _, t := range q.Resolution {
		res.Rows = append(res.Rows, []string{q.StageLabel(t.Stage), t.Cases.String(), t.Days(t.Median), t.Days(t.P90)})
	}
	ts = append(ts, res,
		compliance("Deadlines met by stage", "Stage", "Deadlines by stage", q.ComplianceByStage),
		compliance("Deadlines met by responding agency", "Responding agency", "Deadlines by agency", q.ComplianceByAgency))
	if q.Themes != nil {
		ts = append(ts, Table{CaptionThemes, []string{"Theme", "Learning items"}, rows(q.Themes), "Learning themes", nil})
	}
	if q.Dissents != nil {
		ts = append(ts, Table{CaptionDissents, []string{"Outcome", "Dissents"}, rows(q.Dissents), "Dissent outcomes", nil})
	}
	if q.GoodPractice != nil {
		ts = append(ts, Table{CaptionGoodPractice, []string{"Agency", "Recognitions"}, rows(q.GoodPractice), "Good practice", nil})
	}
	return ts
}

// compliance is a table of deadlines met: how many of the policy's
// deadlines for a response were met on time, of those whose result is known.
func compliance(caption, what, sheet string, cs []Compliance) Table {
	t := Table{Caption: caption, Sheet: sheet, Header: []string{what, "Deadlines met", "Deadlines counted", "Share met"}}
	for _, c := range cs {
		t.Rows = append(t.Rows, []string{c.Label, c.Met.String(), c.Total.String(), c.Share()})
	}
	return t
}

// Table returns m as a table with a row per raising agency.
func (m PairMatrix) Table(caption string) Table {
	t := Table{Caption: caption, Sheet: "Agency pairs", Header: append([]string{"Raised by"}, m.Agencies...)}
	for i, a := range m.Agencies {
		r := []string{a}
		for _, c := range m.Cells[i] {
			r = append(r, c.String())
		}
		t.Rows = append(t.Rows, r)
	}
	return t
}
