package web

import (
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// The OpenAPI 3.1 document is built from the route table and the Go types
// of the request and reply bodies, so it cannot fall behind the code: a new
// route or field is documented by being written. Field descriptions come
// from the doc tag, allowed values from enum, string formats from format.

// openAPIHandler serves the document of routes, built once, at start-up.
func openAPIHandler(routes []apiRoute) apiHandler {
	doc, err := json.Marshal(buildOpenAPI(routes))
	if err != nil {
		panic(err) // the document is built from fixed types: a failure is a bug
	}
	return func(http.ResponseWriter, *http.Request) (any, error) { return json.RawMessage(doc), nil }
}

// pathParam finds the {name} segments of a path.
var pathParam = regexp.MustCompile(`\{([a-z]+)\}`)

// buildOpenAPI returns the OpenAPI document for routes.
func buildOpenAPI(routes []apiRoute) map[string]any {
	schemas := map[string]any{}
	paths := map[string]any{}
	for _, rt := range routes {
		item, _ := paths[rt.Path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[rt.Path] = item
		}
		op := map[string]any{
			"operationId": operationID(rt),
			"summary":     rt.Summary,
			"responses": map[string]any{
				strconv.Itoa(rt.Status): map[string]any{
					"description": http.StatusText(rt.Status),
					"content":     map[string]any{"application/json": map[string]any{"schema": schemaOf(reflect.TypeOf(rt.Reply), schemas)}},
				},
				"default": map[string]any{
					"description": "An error: 400 invalid, 401 unauthorized, 403 forbidden, 404 not_found, 409 conflict, 500 internal",
					"content":     map[string]any{"application/json": map[string]any{"schema": schemaOf(reflect.TypeOf(apiError{}), schemas)}},
				},
			},
		}
		if rt.Public {
			op["security"] = []any{}
		}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(rt.Path, -1) {
			typ := "string"
			if m[1] == "id" {
				typ = "integer"
			}
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": typ}})
		}
		for _, q := range rt.Query {
			params = append(params, map[string]any{"name": q.Name, "in": "query", "description": q.Doc, "schema": map[string]any{"type": q.Type}})
		}
		if params != nil {
			op["parameters"] = params
		}
		if rt.Request != nil {
			op["requestBody"] = map[string]any{"required": true,
				"content": map[string]any{"application/json": map[string]any{"schema": schemaOf(reflect.TypeOf(rt.Request), schemas)}}}
		}
		item[strings.ToLower(rt.Method)] = op
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":       "Escalate API",
			"version":     "1",
			"description": "Escalations, records, actions, contacts and the policy of your partnership. See doc/api.md.",
		},
		"servers":  []any{map[string]any{"url": apiPrefix}},
		"security": []any{map[string]any{"bearer": []any{}}},
		"paths":    paths,
		"components": map[string]any{
			"schemas": schemas,
			"securitySchemes": map[string]any{"bearer": map[string]any{
				"type": "http", "scheme": "bearer",
				"description": "A personal API token (esc_…) created at /account/tokens.",
			}},
		},
	}
}

// operationID names an operation from its method and path, e.g.
// post_escalations_ref_records.
func operationID(rt apiRoute) string {
	id := strings.ToLower(rt.Method) + strings.NewReplacer("/", "_", "{", "", "}", "", "-", "_", ".", "_").Replace(rt.Path)
	return id
}

var timeType = reflect.TypeOf(time.Time{})

// schemaOf returns the JSON Schema of t, putting named structs into
// schemas and referring to them.
func schemaOf(t reflect.Type, schemas map[string]any) map[string]any {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t.Kind() == reflect.Struct:
		name := strings.TrimPrefix(t.Name(), "api")
		name = strings.ToUpper(name[:1]) + name[1:]
		if _, done := schemas[name]; !done {
			schemas[name] = nil // guards against recursion
			schemas[name] = structSchema(t, schemas)
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	case t.Kind() == reflect.Slice:
		return map[string]any{"type": "array", "items": schemaOf(t.Elem(), schemas)}
	case t.Kind() == reflect.Map:
		return map[string]any{"type": "object"}
	case t.Kind() == reflect.String:
		return map[string]any{"type": "string"}
	case t.Kind() == reflect.Bool:
		return map[string]any{"type": "boolean"}
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64:
		return map[string]any{"type": "integer"}
	}
	return map[string]any{}
}

func structSchema(t reflect.Type, schemas map[string]any) map[string]any {
	props := map[string]any{}
	required := []string{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		p := schemaOf(f.Type, schemas)
		if d := f.Tag.Get("doc"); d != "" {
			p = withKey(p, "description", d)
		}
		if e := f.Tag.Get("enum"); e != "" {
			p = withKey(p, "enum", strings.Split(e, ","))
		}
		if fm := f.Tag.Get("format"); fm != "" {
			p = withKey(p, "format", fm)
		}
		props[name] = p
		if !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") {
			required = append(required, name)
		}
	}
	return map[string]any{"type": "object", "properties": props, "required": required, "additionalProperties": false}
}

// withKey adds k to a schema; a $ref cannot have siblings in every tool, so
// it is wrapped in allOf.
func withKey(s map[string]any, k string, v any) map[string]any {
	if _, ref := s["$ref"]; ref {
		s = map[string]any{"allOf": []any{s}}
	}
	s[k] = v
	return s
}
