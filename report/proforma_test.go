package report_test

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
	"github.com/escalate-project/escalate/internal/testenv"
	"github.com/escalate-project/escalate/policy"
	"github.com/escalate-project/escalate/report"
)

var updateProforma = flag.Bool("update-proforma", false, "rewrite the proforma golden files in testdata/")

// fixedProforma is a Wirral case resolved at stage 2, built by the domain's
// BuildProforma from fixed data, with one learning item.
func fixedProforma(t *testing.T) *escalate.Proforma {
	t.Helper()
	pol, err := policy.Pack("wirral")
	if err != nil {
		t.Fatal(err)
	}
	cal, err := calendar.New("england-and-wales")
	if err != nil {
		t.Fatal(err)
	}
	at := func(d, h int) time.Time { return time.Date(2026, 11, d, h, 0, 0, 0, time.UTC) }
	e := &escalate.Escalation{Ref: "WIRRAL-2026-0007", PolicyID: pol.ID, PolicyVersion: pol.Version,
		RaisingAgencyID: 1, ReceivingAgencyID: 2, ChildRef: "SCH-0042", ChildInitials: "JS",
		Categories: []string{"assessment"}, RiskLevel: escalate.RiskIncreased, Stage: 1, Status: escalate.StatusResolved,
		Issue: "Jo Smith's referral was closed.", Created: at(2, 10),
		Outcome: &escalate.Outcome{Kind: escalate.OutcomeAgreed, Text: "Assessment of JS to start.", OutstandingIssues: "Review in a month.",
			Decision: escalate.DecisionChanged},
		Clocks: []escalate.ClockState{
			{ID: 1, Stage: "stage-1", Key: "resolve", Action: "Resolve the disagreement by discussion", Within: "1 working week",
				Start: at(2, 10), Due: at(9, 17), Status: escalate.ClockStopped},
			{ID: 2, Stage: "stage-2", Key: "contact-manager", Action: "Contact the other agency's safeguarding lead", Within: "1 working day",
				Start: at(10, 9), Due: at(11, 17), Status: escalate.ClockMet, MetAt: at(12, 9)},
			{ID: 3, Stage: "stage-2", Key: "resolve", Action: "The managers try to resolve the disagreement", Within: "1 working week",
				Start: at(10, 9), Due: at(17, 17), Status: escalate.ClockMet, MetAt: at(13, 15)},
		}}
	body := escalate.BuildProforma(pol, cal, e, at(13, 15), "Wirral Demo Partnership",
		map[int64]string{1: "Hillside Primary School", 2: "Children's Services"})
	return &escalate.Proforma{ID: 7, Ref: e.Ref, StageKey: "stage-2", Status: escalate.ProformaNew, Created: at(13, 15), Version: 1, Body: body,
		Learning: []*escalate.LearningItem{{ID: 3, Kind: escalate.LearningTraining, Status: escalate.LearningInProgress,
			Description: "=HYPERLINK(\"x\") Refresher on thresholds for school staff", Theme: "Thresholds"}}}
}

func proformaGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *updateProforma {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report/ -run Proforma -update-proforma to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; got:\n%s", name, got)
	}
}

// noChildData fails t if text holds the fixed case's child reference,
// initials, a person's name or its free text.
func noChildData(t *testing.T, what, text string) {
	t.Helper()
	for _, s := range []string{"SCH-0042", "JS", "Jo Smith", "WIRRAL-2026-0007", "Assessment of", "Review in a month"} {
		if strings.Contains(text, s) {
			t.Errorf("%s holds %q", what, s)
		}
	}
}

func TestProformaCSVGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := report.WriteProformaCSV(&buf, fixedProforma(t)); err != nil {
		t.Fatal(err)
	}
	noChildData(t, "the CSV", buf.String())
	if !strings.Contains(buf.String(), `"'=HYPERLINK(""x"") Refresher`) {
		t.Errorf("the learning's formula was not neutralised:\n%s", buf.String())
	}
	proformaGolden(t, "proforma.csv", buf.Bytes())
}

func TestProformaPDFGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := report.WriteProformaPDF(&buf, fixedProforma(t)); err != nil {
		t.Fatal(err)
	}
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		testenv.Missing(t, "pdftotext is not installed")
	}
	cmd := exec.Command(bin, "-layout", "-", "-")
	cmd.Stdin = bytes.NewReader(buf.Bytes())
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := string(out)
	noChildData(t, "the PDF", text)
	for _, want := range []string{"Proforma: disagreement resolved at stage 2", "Hillside Primary School", "Children's Services",
		"Stage 2: Team managers and safeguarding leads", "Working days taken", "Met late", "Refresher on thresholds"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF's text lacks %q", want)
		}
	}
	proformaGolden(t, "proforma-pdf.txt", out)
}

func TestProformaTables(t *testing.T) {
	ts := report.ProformaTables(fixedProforma(t))
	rows := map[string]string{}
	for _, r := range ts[0].Rows {
		rows[r[0]] = r[1]
	}
	// Raised Monday 2 November, resolved Friday 13: 9 working days.
	for k, want := range map[string]string{"Working days taken": "9", "Outcome": "Agreed", "Category": "Assessment",
		"Outstanding issues to pursue": "Yes", "Raised on": "2 November 2026", "Risk level when resolved": "Increased",
		"Decision disagreed about": "Decision changed"} {
		if rows[k] != want {
			t.Errorf("%s = %q, want %q", k, rows[k], want)
		}
	}
	var results []string
	for _, r := range ts[1].Rows {
		results = append(results, strings.SplitN(r[5], " (", 2)[0])
	}
	if strings.Join(results, ",") != "Missed,Met late,Met" {
		t.Errorf("clock results %v", results)
	}
}
