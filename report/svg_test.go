package report_test

import (
	"bytes"
	"encoding/xml"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/escalate-project/escalate/report"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites the file with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report/ -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; got:\n%s", name, got)
	}
}

// checkSVG asserts what makes a chart accessible: well-formed XML, role="img",
// and aria-labelledby naming the ids of its <title> and <desc>.
func checkSVG(t *testing.T, svg []byte, title string) {
	t.Helper()
	var doc struct {
		Role     string `xml:"role,attr"`
		Labelled string `xml:"aria-labelledby,attr"`
		Title    struct {
			ID   string `xml:"id,attr"`
			Text string `xml:",chardata"`
		} `xml:"title"`
		Desc struct {
			ID string `xml:"id,attr"`
		} `xml:"desc"`
	}
	if err := xml.Unmarshal(svg, &doc); err != nil {
		t.Fatalf("not well-formed: %v", err)
	}
	if doc.Role != "img" {
		t.Errorf("role = %q, want img", doc.Role)
	}
	if doc.Title.Text != title {
		t.Errorf("title = %q, want %q", doc.Title.Text, title)
	}
	if doc.Title.ID == "" || doc.Desc.ID == "" || doc.Labelled != doc.Title.ID+" "+doc.Desc.ID {
		t.Errorf("aria-labelledby = %q, title id %q, desc id %q", doc.Labelled, doc.Title.ID, doc.Desc.ID)
	}
	if !bytes.Contains(svg, []byte(`font-family="Arial`)) {
		t.Error("no Arial font")
	}
}

func TestBarChart(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		var buf bytes.Buffer
		title := "Escalations by raising agency"
		err := report.BarChart(&buf, title, "Police raised 2, Health 2, Children's Services 1 & Education none.",
			[]string{"Police", "Health", "Children's Services", "Education"}, []int{2, 2, 1, 0})
		if err != nil {
			t.Fatal(err)
		}
		checkSVG(t, buf.Bytes(), title)
		golden(t, "bar.svg", buf.Bytes())
	})
	t.Run("ErrLengths", func(t *testing.T) {
		var buf bytes.Buffer
		if err := report.BarChart(&buf, "x", "y", []string{"a"}, nil); err == nil {
			t.Error("no error for one label and no values")
		}
		if buf.Len() != 0 {
			t.Error("wrote output despite the error")
		}
	})
}

func TestMatrix(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		q := report.Build(quarter, demoCases(), agencies, false)
		cells := make([][]int, len(q.Pairs.Cells))
		for i, r := range q.Pairs.Cells {
			for _, c := range r {
				cells[i] = append(cells[i], c.N)
			}
		}
		var buf bytes.Buffer
		title := "Escalations by agency pair"
		if err := report.Matrix(&buf, title, "Rows are the raising agency, columns the receiving agency.",
			agencies, agencies, cells); err != nil {
			t.Fatal(err)
		}
		checkSVG(t, buf.Bytes(), title)
		golden(t, "matrix.svg", buf.Bytes())
	})
	t.Run("ErrShape", func(t *testing.T) {
		err := report.Matrix(&bytes.Buffer{}, "x", "y", []string{"a"}, []string{"a", "b"}, [][]int{{1}})
		if err == nil {
			t.Error("no error for a row with too few cells")
		}
	})
}

func TestHTMLTable(t *testing.T) {
	q := report.Build(quarter, demoCases(), agencies, true)
	var buf bytes.Buffer
	for _, tb := range q.Tables() {
		if err := report.HTMLTable(&buf, tb); err != nil {
			t.Fatal(err)
		}
	}
	out := buf.String()
	for _, want := range []string{`<table class="govuk-table">`, "<caption", "Children&#39;s Services", "fewer than 5"} {
		if !strings.Contains(out, want) {
			t.Errorf("tables lack %q", want)
		}
	}
	golden(t, "tables.html", buf.Bytes())
}
