package web

import (
	"bytes"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
	"github.com/escalate-project/escalate/report"
)

// The report's downloads. Each writes an audit event with its format; none
// holds a child reference, name or free text. When the report is marked
// for sharing outside the partnership, the CSV and the workbook hold the
// report's tables only: a row per case would show the small numbers the
// tables withhold.

// reportDownload builds the report, audits the download and sends body,
// made by write, as a file.
func (s *Server) reportDownload(w http.ResponseWriter, r *http.Request, format, ctype string,
	write func(b *bytes.Buffer, run *reportRun) error) error {
	run, _, errs, err := s.reportFor(r)
	if err != nil {
		return err
	}
	if errs != nil {
		return escalate.Errorf(escalate.EINVALID, "%s", errs[0].Message)
	}
	var b bytes.Buffer
	if err := write(&b, run); err != nil {
		return err
	}
	if err := s.auditReport(r, run, actionReportDownload, format); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Disposition", `attachment; filename="`+reportFileName(run)+"."+format+`"`)
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(b.Len()))
	_, err = w.Write(b.Bytes())
	return err
}

// reportFileName is e.g. escalations-report-wirral-2026-Q4, with
// "-for-sharing" when marked so. Partnership keys are slugs, so the name
// needs no quoting.
func reportFileName(run *reportRun) string {
	n := "escalations-report-" + run.partnership.Key + "-" + run.key
	if run.sharing {
		n += "-for-sharing"
	}
	return n
}

func (s *Server) reportPDF(w http.ResponseWriter, r *http.Request) error {
	return s.reportDownload(w, r, "pdf", "application/pdf", func(b *bytes.Buffer, run *reportRun) error {
		return report.WritePDF(b, run.q, reportDocTitle(run))
	})
}

func (s *Server) reportCSV(w http.ResponseWriter, r *http.Request) error {
	return s.reportDownload(w, r, "csv", "text/csv; charset=utf-8", func(b *bytes.Buffer, run *reportRun) error {
		if run.sharing {
			var rows [][]string
			for _, t := range run.q.Tables() {
				rows = append(rows, []string{t.Caption})
				rows = append(rows, t.Header)
				rows = append(rows, t.Rows...)
				if len(t.Rows) == 0 {
					rows = append(rows, []string{report.NoRows})
				}
				rows = append(rows, nil)
			}
			return report.WriteCSV(b, []string{reportDocTitle(run)}, rows)
		}
		cases := caseRows(run)
		rows := make([][]string, len(cases))
		for i, c := range cases {
			rows[i] = make([]string, len(c))
			for j, v := range c {
				switch v := v.(type) {
				case report.Date:
					rows[i][j] = time.Time(v).Format("2006-01-02")
				case int:
					rows[i][j] = strconv.Itoa(v)
				case string:
					rows[i][j] = v
				}
			}
		}
		return report.WriteCSV(b, caseHeader, rows)
	})
}

func (s *Server) reportXLSX(w http.ResponseWriter, r *http.Request) error {
	return s.reportDownload(w, r, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		func(b *bytes.Buffer, run *reportRun) error {
			sheets := run.q.Sheets()
			if !run.sharing {
				// The cases come first, before the tables counted from them.
				cases := report.Sheet{Name: "Escalations", Rows: [][]any{report.Cells(caseHeader)}}
				cases.Rows = append(cases.Rows, caseRows(run)...)
				sheets = append([]report.Sheet{cases}, sheets...)
			}
			return report.WriteXLSX(b, sheets)
		})
}

func reportDocTitle(run *reportRun) string {
	name := run.partnership.Name
	if name == "" {
		name = "Partnership"
	}
	return name + ": escalations report, " + run.name
}

// caseHeader heads the rows of the CSV and the workbook's Escalations sheet.
var caseHeader = []string{"Raising agency", "Receiving agency", "Categories", "Raised", "Stage reached",
	"Stage resolved", "Outcome", "Resolved", "Working days to resolution", "Immediate risk", "Deadlines met",
	"Deadlines counted", "Decision"}

// caseRows are the report's cases, one row each, in the order raised:
// dates in London (report.Date), stages by name, counts as ints, no child
// reference and no free text. A blank cell is "".
func caseRows(run *reportRun) [][]any {
	var rows [][]any
	for _, c := range run.cases {
		if !run.period.Contains(c.Raised) {
			continue
		}
		var resolved, stage, days any = "", "", ""
		if c.Outcome != report.OutcomeOpen && c.StageResolved > 0 {
			stage = run.q.StageLabel(c.StageResolved)
			if !c.ResolvedAt.IsZero() {
				resolved = report.Date(c.ResolvedAt.In(calendar.London))
				days = c.WorkingDays
			}
		}
		met := 0
		for _, k := range c.Clocks {
			if k.Met {
				met++
			}
		}
		immediate := "No"
		if c.Immediate {
			immediate = "Yes"
		}
		// The decision column is last, so the columns before it keep their
		// places; it is blank where the outcome kind has no decision.
		decision := ""
		switch c.Outcome {
		case escalate.OutcomeAgreed, escalate.OutcomeDetermination, escalate.OutcomeRecommendations:
			decision = report.DecisionLabel(c.Decision)
		}
		rows = append(rows, []any{c.RaisingAgency, c.ReceivingAgency, strings.Join(c.Categories, "; "),
			report.Date(c.Raised.In(calendar.London)), run.q.StageLabel(c.StageReached), stage,
			report.OutcomeLabel(c.Outcome), resolved, days, immediate, met, len(c.Clocks), decision})
	}
	return rows
}

// reportCharts draws the charts that go beside the report's tables, by
// table caption. Only an unshared report has charts: a bar's length would
// show a count the shared tables withhold.
func reportCharts(q *report.Quarterly) (map[string]template.HTML, error) {
	out := map[string]template.HTML{}
	for _, c := range q.Charts() {
		var b bytes.Buffer
		if err := report.BarChart(&b, c.Title, c.Desc, c.Labels, c.Values); err != nil {
			return nil, err
		}
		out[c.Caption] = template.HTML(b.String()) // report escapes every label
	}
	if q.Sharing {
		return out, nil
	}
	if len(q.Pairs.Agencies) > 0 {
		cells := make([][]int, len(q.Pairs.Cells))
		for i, r := range q.Pairs.Cells {
			cells[i] = make([]int, len(r))
			for j, c := range r {
				cells[i][j] = c.N
			}
		}
		var b bytes.Buffer
		if err := report.Matrix(&b, "Agency pairs", "Escalations by raising agency (rows) and receiving agency (columns). The table above has the same figures.",
			q.Pairs.Agencies, q.Pairs.Agencies, cells); err != nil {
			return nil, err
		}
		out[report.CaptionPairs] = template.HTML(b.String())
	}
	return out, nil
}
