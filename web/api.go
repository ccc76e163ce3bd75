package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/escalate-project/escalate"
)

// apiPrefix is where the JSON API lives; a new, incompatible API gets a new
// prefix and the old one keeps working.
const apiPrefix = "/api/v1"

// maxAPIBody bounds a request body: the longest input (a raise, four texts
// of escalate.MaxText characters) is well under it.
const maxAPIBody = 1 << 20

// APIStore is what the JSON API reads besides the escalation service: the
// partnership's current policy and its contacts directory. *sqlstore.DB
// implements it.
type APIStore interface {
	CurrentPolicy(ctx context.Context, partnershipID int64) (*escalate.Policy, error)
	Contacts(ctx context.Context, partnershipID int64) ([]*escalate.Contact, error)
}

// APIConfig is what the JSON API and the API tokens page need. The API
// also needs Config.Escalations; without Tokens, Store or Escalations there
// is neither API nor token page.
type APIConfig struct {
	Tokens escalate.TokenService // sqlstore.NewTokenService(db)
	Store  APIStore              // *sqlstore.DB
}

// apiHandler handles one API call: it returns the value to send as JSON
// with the route's status, or an error for writeAPIError.
type apiHandler func(w http.ResponseWriter, r *http.Request) (any, error)

// apiRoute is one endpoint. The table of them (apiRouteTable) is the single
// source of both the ServeMux patterns and the OpenAPI document.
type apiRoute struct {
	Method  string
	Path    string // under apiPrefix, in ServeMux pattern syntax, which OpenAPI shares
	Summary string
	Public  bool       // served without a token (only the OpenAPI document)
	Query   []apiParam // query parameters, for the document
	Request any        // a zero request body, or nil for none
	Reply   any        // a zero reply body
	Status  int        // the status of success
	handler apiHandler
}

// apiParam documents a query parameter.
type apiParam struct{ Name, Type, Doc string }

// apiRoutes registers the API and the API tokens page, when the server has
// what they need.
func (s *Server) apiRoutes(mux *http.ServeMux) {
	if s.api.Tokens == nil || s.api.Store == nil || s.esc == nil {
		return
	}
	routes := s.apiRouteTable()
	for i, rt := range routes {
		if rt.handler == nil {
			routes[i].handler = openAPIHandler(routes)
		}
	}
	for _, rt := range routes {
		mux.Handle(rt.Method+" "+apiPrefix+rt.Path, s.apiServe(rt))
	}
	mux.Handle(apiPrefix+"/", s.apiServe(apiRoute{Public: true, handler: func(http.ResponseWriter, *http.Request) (any, error) {
		return nil, escalate.Errorf(escalate.ENOTFOUND,
			"There is no such endpoint: check the method and path against %s/openapi.json.", apiPrefix)
	}}))
	s.tokenRoutes(mux)
}

// apiServe adapts an apiHandler: it authenticates the token (unless the
// route is public), runs the handler and writes its reply or error as JSON.
func (s *Server) apiServe(rt apiRoute) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		if !rt.Public {
			var err error
			if r, err = s.apiAuthenticate(r); err != nil {
				if escalate.ErrorCode(err) == escalate.EUNAUTHORIZED {
					w.Header().Set("WWW-Authenticate", `Bearer realm="escalate"`)
				}
				s.writeAPIError(w, r, err)
				return
			}
		}
		v, err := rt.handler(w, r)
		if err != nil {
			s.writeAPIError(w, r, err)
			return
		}
		apiWriteJSON(w, rt.Status, v)
	})
}

// apiAuthenticate puts the token's user in r's context, exactly as a
// session does for pages. Only the Authorization header counts: a session
// cookie never authenticates the API, so a page on another site cannot use
// a signed-in browser's ambient credentials against it (no CSRF), and the
// API needs no exemption from CrossOriginProtection.
func (s *Server) apiAuthenticate(r *http.Request) (*http.Request, error) {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if h == "" {
		return r, escalate.Errorf(escalate.EUNAUTHORIZED,
			"Send an API token in the Authorization header: \"Authorization: Bearer esc_…\". Create one at /account/tokens.")
	} else if !ok || !strings.EqualFold(scheme, "Bearer") {
		return r, escalate.Errorf(escalate.EUNAUTHORIZED, "The Authorization header must be \"Bearer\" and an API token.")
	}
	u, p, scope, err := s.api.Tokens.TokenUser(r.Context(), strings.TrimSpace(token))
	if err != nil {
		return r, err
	}
	if !scope.CanWrite() && r.Method != http.MethodGet && r.Method != http.MethodHead {
		return r, escalate.Errorf(escalate.EFORBIDDEN,
			"This API token may only read. Make a token that may read and change to do this.")
	}
	if info, ok := r.Context().Value(reqLogKey{}).(*reqLog); ok {
		info.userID = u.ID
	}
	ctx := escalate.NewContextWithUser(r.Context(), u)
	ctx = context.WithValue(ctx, partnershipKey{}, p)
	return r.WithContext(ctx), nil
}

// apiError is the body of every API error.
type apiError struct {
	Error apiErrorBody `json:"error"`
}

// apiErrorBody says what went wrong: code is one of escalate's error codes,
// message is for people, field names the request field at fault.
type apiErrorBody struct {
	Code    string `json:"code" enum:"invalid,unauthorized,forbidden,not_found,conflict,internal,too_many_requests,unavailable"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// writeAPIError writes err as JSON with the status errorStatus, the one
// mapping from error codes to statuses that pages use too. Invalid input is
// 400 Bad Request, whether the JSON is malformed or its content breaks a
// rule: a client fixes both the same way, by reading message and field.
// Internal errors are logged with their detail and sent without it.
func (s *Server) writeAPIError(w http.ResponseWriter, r *http.Request, err error) {
	if s.clientGone(w, r, err) {
		return
	}
	code := escalate.ErrorCode(err)
	body := apiErrorBody{Code: code, Message: escalate.ErrorMessage(err), Field: escalate.ErrorField(err)}
	if code == escalate.EINTERNAL {
		s.log.ErrorContext(r.Context(), "internal error", "method", r.Method, "path", r.URL.Path, "err", err)
		body.Message = "Sorry, there is a problem with the service. Try again later."
	}
	setRetryAfter(w, err)
	if code == escalate.EUNAVAILABLE && w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", "60")
	}
	apiWriteJSON(w, errorStatus(code), apiError{body})
}

func apiWriteJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":{"code":"internal","message":"Sorry, there is a problem with the service. Try again later."}}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// apiVersioned is a change request: it names the escalation version it was
// made against.
type apiVersioned interface{ version() int }

// apiDecode reads r's body into a new T. It refuses what is not exactly
// one JSON object of T's fields, saying what is wrong and where, and a
// change without a version.
func apiDecode[T any](w http.ResponseWriter, r *http.Request) (*T, error) {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxAPIBody))
	dec.DisallowUnknownFields()
	v := new(T)
	if err := dec.Decode(v); err != nil {
		return nil, apiJSONError(err)
	}
	if err := dec.Decode(new(json.RawMessage)); err != io.EOF {
		return nil, escalate.Errorf(escalate.EINVALID, "The request body must hold one JSON object and nothing after it.")
	}
	if c, ok := any(v).(apiVersioned); ok && c.version() < 1 {
		return nil, escalate.FieldErrorf("version",
			"Give the version of the escalation you are changing, as the last GET returned it.")
	}
	return v, nil
}

// apiJSONError turns a decoding error into an EINVALID error naming the problem.
func apiJSONError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tooBig *http.MaxBytesError
	switch {
	case errors.Is(err, io.EOF):
		return escalate.Errorf(escalate.EINVALID, "The request body is empty: send a JSON object.")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return escalate.Errorf(escalate.EINVALID, "The request body is not valid JSON: it ends too soon.")
	case errors.As(err, &syn):
		return escalate.Errorf(escalate.EINVALID, "The request body is not valid JSON: %s (at byte %d).", syn.Error(), syn.Offset)
	case errors.As(err, &typ):
		if typ.Field == "" {
			return escalate.Errorf(escalate.EINVALID, "The request body must be a JSON object, not %s.", typ.Value)
		}
		return escalate.FieldErrorf(typ.Field, "%s must be %s, not %s.", typ.Field, apiJSONKind(typ.Type.Kind().String()), typ.Value)
	case errors.As(err, &tooBig):
		return escalate.Errorf(escalate.EINVALID, "The request body is larger than %d bytes.", tooBig.Limit)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return escalate.FieldErrorf(name, "%q is not a field of this request.", name)
	}
	return escalate.Errorf(escalate.EINVALID, "The request body could not be read: %v.", err)
}

// apiJSONKind names a Go kind as JSON does.
func apiJSONKind(kind string) string {
	switch {
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"), strings.HasPrefix(kind, "float"):
		return "a number"
	case kind == "string":
		return "a string"
	case kind == "bool":
		return "true or false"
	case kind == "slice":
		return "an array"
	}
	return "an object"
}

// apiPathID reads a positive whole number from path segment name.
func apiPathID(r *http.Request, name string) (int, error) {
	n, err := strconv.Atoi(r.PathValue(name))
	if err != nil || n <= 0 {
		return 0, escalate.Errorf(escalate.ENOTFOUND, "There is no %s %q.", name, r.PathValue(name))
	}
	return n, nil
}
