package policy_test

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/escalate-project/escalate/policy"
)

// TestFlowchartSVGGolden compares Redbridge's flowchart byte for byte with
// testdata/golden/redbridge.svg; run go test ./policy/ -update and look at
// the picture after a deliberate change.
func TestFlowchartSVGGolden(t *testing.T) {
	p, err := policy.Pack("redbridge")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := policy.FlowchartSVG(&buf, p, "flow"); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join("testdata", "golden", "redbridge.svg")
	if *update {
		if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test ./policy/ -update to create it)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("%s differs from the output; run go test ./policy/ -update and check the picture\ngot:\n%s", file, buf.Bytes())
	}
}

// TestFlowchartSVG checks every policy's chart is well-formed XML, names
// itself for assistive technology, and shows and describes every stage
// and redirect, with markup in the policy's words escaped.
func TestFlowchartSVG(t *testing.T) {
	for id, p := range goldenPolicies(t) {
		t.Run(id, func(t *testing.T) {
			p.Name = p.Name + ` <b>&"`
			var buf bytes.Buffer
			if err := policy.FlowchartSVG(&buf, p, "f"); err != nil {
				t.Fatal(err)
			}
			var title, desc string
			var texts []string
			roleImg := false
			dec := xml.NewDecoder(&buf)
			var stack []string
			for {
				tok, err := dec.Token()
				if err == io.EOF {
					break
				} else if err != nil {
					t.Fatalf("not well-formed: %v", err)
				}
				switch tok := tok.(type) {
				case xml.StartElement:
					stack = append(stack, tok.Name.Local)
					if tok.Name.Local == "svg" {
						for _, a := range tok.Attr {
							if a.Name.Local == "role" && a.Value == "img" {
								roleImg = true
							}
						}
					}
				case xml.EndElement:
					stack = stack[:len(stack)-1]
				case xml.CharData:
					if len(stack) == 0 {
						continue
					}
					switch stack[len(stack)-1] {
					case "title":
						title += string(tok)
					case "desc":
						desc += string(tok)
					case "tspan":
						texts = append(texts, string(tok))
					}
				}
			}
			shown := strings.Join(texts, " ")
			if !roleImg || !strings.Contains(title, `<b>&"`) {
				t.Errorf("role=img %v, title %q", roleImg, title)
			}
			for i, st := range p.Stages {
				name := strings.Fields(st.Name)[0]
				if !strings.Contains(shown, name) || !strings.Contains(desc, st.Name) {
					t.Errorf("stage %d %q is not both shown and described", i+1, st.Name)
				}
			}
			for _, r := range p.Redirects {
				if w := strings.Fields(r.Matter)[0]; !strings.Contains(strings.ToLower(shown), strings.ToLower(w)) {
					t.Errorf("redirect %q is not shown", r.Matter)
				}
			}
			if !strings.Contains(desc, "immediate risk") {
				t.Errorf("desc does not start with the immediate-risk route: %q", desc)
			}
		})
	}
}
