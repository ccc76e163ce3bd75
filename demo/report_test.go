package demo_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/report"
)

var update = flag.Bool("update", false, "rewrite testdata/ from the current output")

// TestQuarterlyReportGolden builds every demo partnership's report for the
// quarter of testNow from a fixed seed, through the store's ReportCases,
// LearningThemes and DissentOutcomes, as the report page does, and compares its tables with testdata/quarterly-report.golden. The demo
// is seeded relative to now, so the same now and password make the same
// cases; db.Now is fixed too, since running clocks are judged against it.
// go test ./demo -run QuarterlyReportGolden -update rewrites the file:
// review its diff.
func TestQuarterlyReportGolden(t *testing.T) {
	ctx := context.Background()
	db, _, res := mustSeed(t, testNow)
	db.Now = func() time.Time { return testNow }
	y, q := report.QuarterOf(testNow)
	period := report.Quarter(y, q)
	var b strings.Builder
	for _, rp := range res.Partnerships {
		p, err := db.FindPartnership(ctx, rp.Key)
		if err != nil {
			t.Fatal(err)
		}
		as, err := db.Agencies(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		names := make([]string, len(as))
		for i, a := range as {
			names[i] = a.Name
		}
		cases, err := db.ReportCases(ctx, p.ID, period.From, period.To)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			if len(c.ChildKey) != 64 {
				t.Errorf("%s: child key %q is not an HMAC-SHA256 in hex", rp.Key, c.ChildKey)
			}
		}
		sharings := []bool{false}
		if rp.PolicyID == "wirral" {
			sharings = append(sharings, true)
		}
		for _, sharing := range sharings {
			rep := report.Build(period, cases, names, sharing)
			themes, err := db.LearningThemes(ctx, p.ID, period.From, period.To)
			if err != nil {
				t.Fatal(err)
			}
			rep.SetThemes(themes)
			pol, err := db.CurrentPolicy(ctx, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			var stages []string
			for _, st := range pol.Stages {
				stages = append(stages, st.Name)
			}
			rep.NameStages(stages)
			if rp.PolicyID == "surrey" { // the only pack with dissents
				dissents, err := db.DissentOutcomes(ctx, p.ID, period.From, period.To)
				if err != nil {
					t.Fatal(err)
				}
				rep.SetDissents(dissents, escalate.DissentStandings)
			}
			b.WriteString("# " + p.Name + ", " + report.QuarterName(y, q))
			if sharing {
				b.WriteString(", for sharing")
			}
			b.WriteString("\n\n")
			for _, tb := range rep.Tables() {
				b.WriteString("## " + tb.Caption + "\n")
				b.WriteString(strings.Join(tb.Header, " | ") + "\n")
				for _, r := range tb.Rows {
					b.WriteString(strings.Join(r, " | ") + "\n")
				}
				b.WriteString("\n")
			}
		}
		if rp.PolicyID == "wirral" && len(cases) == 0 {
			t.Errorf("the Wirral demo has no cases in %s", period.Text())
		}
	}
	golden := filepath.Join("testdata", "quarterly-report.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got := b.String(); got != string(want) {
		t.Errorf("report differs from %s (run with -update and review the diff):\n%s", golden, firstDiff(got, string(want)))
	}
}

// firstDiff shows the first line where got and want differ.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range max(len(g), len(w)) {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return "line " + strconv.Itoa(i+1) + ":\n got: " + gl + "\nwant: " + wl
		}
	}
	return ""
}
