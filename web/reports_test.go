package web_test

import (
	"context"
	"encoding/csv"
	"log/slog"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/report"
	"github.com/escalate-project/escalate/sqlstore"
	"github.com/escalate-project/escalate/web"
)

// newReportOrg is newOrg with the board reports wired in, as escalate
// serve wires them.
func newReportOrg(t *testing.T) *cases {
	t.Helper()
	c := newOrg(t)
	srv, err := web.New(web.Config{
		Auth:        &sqlstore.Sessions{DB: c.db, Idle: 30 * time.Minute, Lifetime: 12 * time.Hour},
		Logger:      slog.New(slog.NewJSONHandler(c.logs, nil)),
		Escalations: c.svc,
		Partnership: c.db,
		Reports:     c.db,
	})
	if err != nil {
		t.Fatal(err)
	}
	c.srv = srv
	c.ts.Close()
	c.ts = httptest.NewServer(srv)
	t.Cleanup(c.ts.Close)
	return c
}

// auditCount is the length of the audit chain.
func auditCount(t *testing.T, db *sqlstore.DB) int64 {
	t.Helper()
	rep, err := db.VerifyAudit(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	return rep.N
}

func TestReportsPage(t *testing.T) {
	c := newReportOrg(t)
	first := c.raise(t)
	c.raise(t)
	y, q := report.QuarterOf(first.Created)
	quarter := "?quarter=" + report.QuarterKey(y, q)

	t.Run("Access", func(t *testing.T) {
		for who, want := range map[string]int{"jo": 403, "sam": 403, "stranger": 403, "admin": 403, "bm": 200, "chair": 200} {
			if res := c.get(t, who, "/reports"+quarter); res.StatusCode != want {
				t.Errorf("%s: GET /reports = %d, want %d", who, res.StatusCode, want)
			}
		}
		if strings.Contains(c.get(t, "jo", "/contacts").body, `href="/reports"`) {
			t.Error("a practitioner is offered the reports")
		}
		if !strings.Contains(c.get(t, "bm", "/contacts").body, `href="/reports"`) {
			t.Error("the Business Manager is not offered the reports")
		}
	})

	t.Run("Page", func(t *testing.T) {
		before := auditCount(t, c.db)
		res := c.get(t, "bm", "/reports"+quarter)
		for _, w := range []string{"Escalations report: " + report.QuarterName(y, q), "Escalations raised", "<svg",
			"Download quarterly report", "/reports/report.pdf" + quarter, "Escalations by agency pair"} {
			if !strings.Contains(res.body, w) {
				t.Errorf("report page lacks %q", w)
			}
		}
		if strings.Contains(res.body, "SCH-0042") {
			t.Error("the report page shows a child's reference")
		}
		if n := auditCount(t, c.db) - before; n != 1 {
			t.Errorf("viewing the report wrote %d audit events, want 1", n)
		}
		// With no quarter asked for, the current one is chosen.
		if res := c.get(t, "bm", "/reports"); res.StatusCode != 200 || !strings.Contains(res.body, "Escalations report: ") {
			t.Errorf("GET /reports = %d without a report", res.StatusCode)
		}
	})

	t.Run("Sharing", func(t *testing.T) {
		res := c.get(t, "chair", "/reports"+quarter+"&sharing=1")
		if !strings.Contains(res.body, "fewer than 5") || strings.Contains(res.body, "<svg") {
			t.Errorf("a shared report must say \"fewer than 5\" and have no charts")
		}
	})

	t.Run("BadPeriod", func(t *testing.T) {
		for name, tt := range map[string]struct{ query, field, msg string }{
			"NotADate": {"?period=custom&from-day=31&from-month=2&from-year=2026&to-day=1&to-month=3&to-year=2026",
				"from-day", "Enter the start date as a real date"},
			"Empty":     {"?period=custom", "from-day", "Enter the start date"},
			"Backwards": {"?period=custom&from-day=2&from-month=3&from-year=2026&to-day=1&to-month=3&to-year=2026", "to-day", "The end date must be"},
			"Year":      {"?period=custom&from-day=1&from-month=3&from-year=26&to-day=1&to-month=4&to-year=2026", "from-day", "4-digit year"},
			"Quarter":   {"?quarter=2026-Q9", "quarter", "Choose a quarter"},
		} {
			t.Run(name, func(t *testing.T) {
				before := auditCount(t, c.db)
				res := c.get(t, "bm", "/reports"+tt.query)
				if res.StatusCode != 400 {
					t.Errorf("status %d, want 400", res.StatusCode)
				}
				for _, w := range []string{"There is a problem", `href="#` + tt.field + `"`, tt.msg} {
					if !strings.Contains(res.body, w) {
						t.Errorf("page lacks %q", w)
					}
				}
				if strings.Contains(res.body, "Download quarterly report") {
					t.Error("a report is shown for a bad period")
				}
				for _, f := range []string{"/reports/report.pdf", "/reports/report.csv", "/reports/report.xlsx", "/reports/print"} {
					if res := c.get(t, "bm", f+tt.query); res.StatusCode != 400 {
						t.Errorf("%s: status %d, want 400", f, res.StatusCode)
					}
				}
				if n := auditCount(t, c.db) - before; n != 0 {
					t.Errorf("a bad period wrote %d audit events", n)
				}
			})
		}
	})

	t.Run("Downloads", func(t *testing.T) {
		name := "escalations-report-wirral-" + report.QuarterKey(y, q)
		for _, d := range []struct{ path, ctype, file string }{
			{"/reports/report.pdf", "application/pdf", name + ".pdf"},
			{"/reports/report.csv", "text/csv; charset=utf-8", name + ".csv"},
			{"/reports/report.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", name + ".xlsx"},
		} {
			before := auditCount(t, c.db)
			res := c.get(t, "bm", d.path+quarter)
			if res.StatusCode != 200 || res.Header.Get("Content-Type") != d.ctype ||
				res.Header.Get("Content-Disposition") != `attachment; filename="`+d.file+`"` {
				t.Errorf("%s: %d %q %q", d.path, res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"))
			}
			if strings.Contains(res.body, "SCH-0042") {
				t.Errorf("%s holds a child's reference", d.path)
			}
			if n := auditCount(t, c.db) - before; n != 1 {
				t.Errorf("%s wrote %d audit events, want 1", d.path, n)
			}
			switch d.path {
			case "/reports/report.csv":
				rows, err := csv.NewReader(strings.NewReader(res.body)).ReadAll()
				if err != nil {
					t.Fatal(err)
				}
				if len(rows) != 3 || rows[0][0] != "Raising agency" || rows[1][0] != "Seaview Primary School" ||
					rows[1][6] != "Still open" {
					t.Errorf("CSV = %q, want a header and a row for each of the 2 escalations", rows)
				}
			case "/reports/report.xlsx":
				f, err := excelize.OpenReader(strings.NewReader(res.body))
				if err != nil {
					t.Fatal(err)
				}
				sheets := f.GetSheetList()
				if len(sheets) == 0 || sheets[0] != "Escalations" || !slices.Contains(sheets, "By raising agency") {
					t.Errorf("workbook sheets %q, want the escalations first, then the tables by name", sheets)
				}
				// Dates are dates and counts numbers, read back with their types.
				for _, c := range []struct {
					cell string
					typ  excelize.CellType
				}{{"A2", excelize.CellTypeSharedString}, {"D2", excelize.CellTypeUnset}, {"E2", excelize.CellTypeSharedString},
					{"K2", excelize.CellTypeUnset}, {"L2", excelize.CellTypeUnset}} {
					if typ, err := f.GetCellType("Escalations", c.cell); err != nil || typ != c.typ {
						t.Errorf("Escalations!%s has type %v, %v; want %v", c.cell, typ, err, c.typ)
					}
				}
				if raw, _ := f.GetCellValue("Escalations", "D2", excelize.Options{RawCellValue: true}); !regexp.MustCompile(`^4[0-9]{4}$`).MatchString(raw) {
					t.Errorf("the raise date is stored as %q, want a spreadsheet serial day", raw)
				}
				if v, _ := f.GetCellValue("Escalations", "E2"); !strings.HasPrefix(v, "Stage 1: ") {
					t.Errorf("stage reached reads %q, want the stage by name", v)
				}
				f.Close()
			}
		}
		// Shared outside the partnership, the CSV holds the tables, not rows.
		res := c.get(t, "bm", "/reports/report.csv"+quarter+"&sharing=1")
		if !strings.Contains(res.body, "fewer than 5") || strings.Contains(res.body, "Seaview Primary School,Oakfield") ||
			!strings.Contains(res.Header.Get("Content-Disposition"), "-for-sharing.csv") {
			t.Errorf("shared CSV:\n%s", res.body)
		}
	})

	t.Run("Print", func(t *testing.T) {
		res := c.get(t, "chair", "/reports/print"+quarter)
		if res.StatusCode != 200 || !strings.Contains(res.body, "app-report-print") ||
			strings.Contains(res.body, "govuk-service-navigation") || !strings.Contains(res.body, "Escalations by category") {
			t.Errorf("print page: %d, want the report without the menus", res.StatusCode)
		}
	})
}

// extrasStore is a report store that also keeps a learning log and
// dissents, as other parts of Escalate will: the page must show their
// sections, with the sharing rule.
type extrasStore struct {
	*sqlstore.DB
	from, to time.Time // the period last asked for
}

func (s *extrasStore) LearningThemes(_ context.Context, _ int64, from, to time.Time) (map[string]int, error) {
	s.from, s.to = from, to
	return map[string]int{"Thresholds": 6, "Information sharing": 2}, nil
}

func (s *extrasStore) DissentOutcomes(context.Context, int64, time.Time, time.Time) (map[string]int, error) {
	return map[string]int{escalate.StandingAwaitingReview: 3}, nil
}

func TestReportsExtras(t *testing.T) {
	c := newOrg(t)
	store := &extrasStore{DB: c.db}
	srv, err := web.New(web.Config{
		Auth:        &sqlstore.Sessions{DB: c.db, Idle: 30 * time.Minute, Lifetime: 12 * time.Hour},
		Logger:      slog.New(slog.NewJSONHandler(c.logs, nil)),
		Escalations: c.svc,
		Partnership: c.db,
		Reports:     store,
	})
	if err != nil {
		t.Fatal(err)
	}
	c.ts.Close()
	c.ts = httptest.NewServer(srv)
	t.Cleanup(c.ts.Close)

	res := c.get(t, "bm", "/reports?quarter=2026-Q3")
	for _, w := range []string{report.CaptionThemes, "Information sharing", "Thresholds"} {
		if !strings.Contains(res.body, w) {
			t.Errorf("report page lacks %q", w)
		}
	}
	// Wirral's policy has no Child Protection Conference dissents.
	if strings.Contains(res.body, report.CaptionDissents) {
		t.Errorf("the Wirral report shows %q, a workflow its policy lacks", report.CaptionDissents)
	}
	if p := report.Quarter(2026, 3); !store.from.Equal(p.From) || !store.to.Equal(p.To) {
		t.Errorf("themes asked for %v to %v, want %v to %v", store.from, store.to, p.From, p.To)
	}
	res = c.get(t, "bm", "/reports?quarter=2026-Q3&sharing=1")
	if !strings.Contains(res.body, `Information sharing</th><td class="govuk-table__cell">fewer than 5`) {
		t.Error("a shared report shows a theme's count under 5")
	}
}
