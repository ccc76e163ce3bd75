package web_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/escalate-project/escalate/web"
)

// TestOpenAPI checks the served document against the route table both
// ways, and that every documented operation really is served: a request
// without a token must reach the route's authentication (401), not fall
// through to "no such endpoint" (404).
func TestOpenAPI(t *testing.T) {
	e := newAPIEnv(t)
	res := e.call(t, "GET", "/api/v1/openapi.json", "", nil)
	res.want(t, http.StatusOK)
	var doc struct {
		OpenAPI string `json:"openapi"`
		Servers []struct {
			URL string `json:"url"`
		} `json:"servers"`
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal([]byte(res.raw), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" || len(doc.Servers) != 1 || doc.Servers[0].URL != "/api/v1" {
		t.Fatalf("openapi %q, servers %v", doc.OpenAPI, doc.Servers)
	}

	routes := web.APIRoutes()
	if len(routes) < 15 {
		t.Fatalf("only %d routes", len(routes))
	}
	t.Run("RoutesDocumented", func(t *testing.T) {
		for _, rt := range routes {
			if _, ok := doc.Paths[rt.Path][strings.ToLower(rt.Method)]; !ok {
				t.Errorf("%s %s is served but not documented", rt.Method, rt.Path)
			}
		}
	})
	t.Run("DocumentedRoutesExist", func(t *testing.T) {
		param := regexp.MustCompile(`\{[a-z]+\}`)
		for path, ops := range doc.Paths {
			for method := range ops {
				method = strings.ToUpper(method)
				if !slices.Contains(routes, web.APIRoute{Method: method, Path: path}) {
					t.Errorf("%s %s is documented but not in the route table", method, path)
				}
				// Fill the path parameters with values and ask the server.
				url := "/api/v1" + param.ReplaceAllStringFunc(path, func(string) string { return "1" })
				res := e.call(t, method, url, "", nil)
				want := http.StatusUnauthorized
				if path == "/openapi.json" {
					want = http.StatusOK
				}
				if res.status != want {
					t.Errorf("%s %s (as %s): status %d, want %d: the route is not served\n%s", method, path, url, res.status, want, res.raw)
				}
			}
		}
	})
	t.Run("SchemasResolve", func(t *testing.T) {
		refs := regexp.MustCompile(`"#/components/schemas/([A-Za-z]+)"`).FindAllStringSubmatch(res.raw, -1)
		if len(refs) == 0 {
			t.Fatal("no schema references")
		}
		for _, m := range refs {
			if _, ok := doc.Components.Schemas[m[1]]; !ok {
				t.Errorf("schema %s is referred to but not defined", m[1])
			}
		}
		for _, want := range []string{"Escalation", "Error", "RaiseRequest", "RecordRequest"} {
			if _, ok := doc.Components.Schemas[want]; !ok {
				t.Errorf("no schema %s", want)
			}
		}
	})
	t.Run("FieldsDocumented", func(t *testing.T) {
		var esc struct {
			Properties map[string]any `json:"properties"`
			Required   []string       `json:"required"`
		}
		json.Unmarshal(doc.Components.Schemas["Escalation"], &esc)
		got := e.call(t, "POST", "/api/v1/escalations", "prac", e.raiseBody())
		for k := range got.body {
			if _, ok := esc.Properties[k]; !ok {
				t.Errorf("the reply has %q, which the Escalation schema lacks", k)
			}
		}
		for _, k := range esc.Required {
			if _, ok := got.body[k]; !ok {
				t.Errorf("the schema requires %q, which the reply lacks", k)
			}
		}
	})
}
