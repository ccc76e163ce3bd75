package web

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/escalate-project/escalate"
)

// pingAuth is an Auth whose only working part is Ping.
type pingAuth struct {
	Auth
	err error
}

func (a pingAuth) Ping(context.Context) error { return a.err }

func newPingServer(t *testing.T, err error) (*Server, *bytes.Buffer) {
	t.Helper()
	var logs bytes.Buffer
	s, e := New(Config{Auth: pingAuth{err: err}, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	if e != nil {
		t.Fatal(e)
	}
	return s, &logs
}

var errFull = escalate.Errorf(escalate.EUNAVAILABLE, "The database's disk is full.")

// TestUnavailable: a full disk (EUNAVAILABLE from the store) answers 503
// with Retry-After on pages and the API, and /readyz says not ready.
func TestUnavailable(t *testing.T) {
	s, logs := newPingServer(t, errFull)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "not ready: The database's disk is full.") {
		t.Errorf("/readyz = %d %q, want 503 not ready", rec.Code, rec.Body.String())
	}

	rec = httptest.NewRecorder()
	s.handle(func(http.ResponseWriter, *http.Request) error { return errFull }).
		ServeHTTP(rec, httptest.NewRequest("POST", "/escalations/X/records", nil))
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" ||
		!strings.Contains(rec.Body.String(), "The database&#39;s disk is full.") {
		t.Errorf("page = %d (Retry-After %q), want 503 saying why", rec.Code, rec.Header().Get("Retry-After"))
	}

	rec = httptest.NewRecorder()
	s.writeAPIError(rec, httptest.NewRequest("POST", "/api/v1/escalations", nil), errFull)
	var body apiError
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	if rec.Code != http.StatusServiceUnavailable || body.Error.Code != escalate.EUNAVAILABLE || rec.Header().Get("Retry-After") == "" {
		t.Errorf("API = %d %+v, want 503 unavailable with Retry-After", rec.Code, body)
	}
	if strings.Contains(logs.String(), `"level":"ERROR"`) {
		t.Errorf("a full disk is logged as an error, not a warning:\n%s", logs.String())
	}
}

// TestClientGone: a request whose client disconnected is not an internal
// error: nothing is logged at ERROR, and the status is 499.
func TestClientGone(t *testing.T) {
	s, logs := newPingServer(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, path := range []string{"/escalations/X", "/api/v1/escalations/X"} {
		req := httptest.NewRequest("GET", path, nil).WithContext(ctx)
		rec := httptest.NewRecorder()
		if strings.HasPrefix(path, "/api/") {
			s.writeAPIError(rec, req, ctx.Err())
		} else {
			s.handle(func(http.ResponseWriter, *http.Request) error { return ctx.Err() }).ServeHTTP(rec, req)
		}
		if rec.Code != statusClientClosed {
			t.Errorf("%s: status %d, want %d", path, rec.Code, statusClientClosed)
		}
	}
	if strings.Contains(logs.String(), `"level":"ERROR"`) || !strings.Contains(logs.String(), "client disconnected") {
		t.Errorf("want INFO client disconnected and no ERROR:\n%s", logs.String())
	}
}
