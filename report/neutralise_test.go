package report_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/escalate-project/escalate/report"
)

func TestNeutralise(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"Police", "Police"},
		{"=1+1", "'=1+1"},
		{"+44 151", "'+44 151"},
		{"-3", "'-3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=cmd", "'\t=cmd"},
		{"\r=cmd", "'\r=cmd"},
		{"a=b", "a=b"},
		{" =1", " =1"},
		{"'quoted", "'quoted"},
	}
	for _, tt := range tests {
		if got := report.Neutralise(tt.in); got != tt.want {
			t.Errorf("Neutralise(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzNeutralise(f *testing.F) {
	for _, s := range []string{"", "x", "=HYPERLINK(\"http://x\")", "+1", "-1", "@a", "\tb", "\rc", "'d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := report.Neutralise(in)
		if out != "" && strings.ContainsRune("=+-@\t\r", rune(out[0])) {
			t.Fatalf("Neutralise(%q) = %q starts with a dangerous character", in, out)
		}
		safe := in == "" || !strings.ContainsRune("=+-@\t\r", rune(in[0]))
		if safe && out != in {
			t.Fatalf("Neutralise(%q) = %q, changed a safe cell", in, out)
		}
		if !safe && out != "'"+in {
			t.Fatalf("Neutralise(%q) = %q, want a quote then the input", in, out)
		}
	})
}

func TestWriteCSV(t *testing.T) {
	var buf bytes.Buffer
	err := report.WriteCSV(&buf, []string{"Agency", "=Count"}, [][]string{
		{"Police", "3"},
		{"=HYPERLINK(\"http://evil\")", "-1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"Agency", "'=Count"},
		{"Police", "3"},
		{"'=HYPERLINK(\"http://evil\")", "'-1"},
	}
	if len(recs) != len(want) {
		t.Fatalf("got %d records, want %d", len(recs), len(want))
	}
	for i := range want {
		for j := range want[i] {
			if recs[i][j] != want[i][j] {
				t.Errorf("record %d cell %d = %q, want %q", i, j, recs[i][j], want[i][j])
			}
		}
	}
}
