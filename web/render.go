package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/policy"
)

// handlerFunc is a page handler: it writes a response or returns an error
// for handle to render.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// handle adapts a handlerFunc to http.Handler: the one place errors become
// pages.
func (s *Server) handle(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.renderError(w, r, err)
		}
	})
}

// errorStatus maps the domain's error codes to HTTP statuses.
func errorStatus(code string) int {
	switch code {
	case escalate.EINVALID:
		return http.StatusBadRequest
	case escalate.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case escalate.EFORBIDDEN:
		return http.StatusForbidden
	case escalate.ENOTFOUND:
		return http.StatusNotFound
	case escalate.ECONFLICT:
		return http.StatusConflict
	case escalate.ETOOMANY:
		return http.StatusTooManyRequests
	case escalate.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// renderError shows err as a page. Only internal errors are logged, with
// their detail; the user sees a generic message for those.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, err error) {
	if s.clientGone(w, r, err) {
		return
	}
	code := escalate.ErrorCode(err)
	status := errorStatus(code)
	title, msg := "Sorry, there is a problem with the service", escalate.ErrorMessage(err)
	switch code {
	case escalate.EINTERNAL:
		s.log.ErrorContext(r.Context(), "internal error", "method", r.Method, "path", r.URL.Path, "err", err)
		msg = "Try again later."
	case escalate.ENOTFOUND:
		// Not found also stands for "not yours to see": it says both, and
		// what to do next, without saying which.
		title, msg = "Page not found", "This page does not exist, or it is not one you can see."
	case escalate.EFORBIDDEN:
		title = "You cannot do that"
	case escalate.EUNAUTHORIZED:
		title = "Sign in to continue"
	case escalate.ETOOMANY:
		title = "Try again shortly"
	case escalate.EUNAVAILABLE:
		s.log.WarnContext(r.Context(), "service unavailable", "method", r.Method, "path", r.URL.Path, "err", msg)
		title = "Sorry, the service is unavailable"
		w.Header().Set("Retry-After", "60")
	}
	setRetryAfter(w, err)
	u, _ := signedInUser(r)
	s.render(w, r, status, "error", &page{Title: title, Data: errorData{Message: msg, NotFound: code == escalate.ENOTFOUND, SignedIn: u != nil}})
}

// errorData is what an error page says, and whether to show what to do
// after a page was not found.
type errorData struct {
	Message            string
	NotFound, SignedIn bool
}

// setRetryAfter sends Retry-After, in whole seconds rounded up, when err
// says how long to wait.
func setRetryAfter(w http.ResponseWriter, err error) {
	if d := escalate.RetryAfter(err); d > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int((d+time.Second-1)/time.Second)))
	}
}

// statusClientClosed is what the request log and metrics record for a
// request whose client went away before the answer was ready (nginx's
// 499); nothing reaches the client.
const statusClientClosed = 499

// clientGone reports whether the client disconnected before the answer was
// ready (its request's context was cancelled: the error is then a
// consequence, such as context.Canceled or SQLite's "interrupted"), and if
// so records that at INFO: a person closing a tab is not a fault of the
// service, and what they asked for was rolled back or finished.
func (s *Server) clientGone(w http.ResponseWriter, r *http.Request, err error) bool {
	if !errors.Is(r.Context().Err(), context.Canceled) {
		return false
	}
	s.log.InfoContext(r.Context(), "client disconnected", "method", r.Method, "path", r.URL.Path, "err", err.Error())
	w.WriteHeader(statusClientClosed)
	return true
}

// page is what every template gets.
type page struct {
	Title       string
	User        *escalate.User
	Partnership *escalate.Partnership
	Errors      []fieldError // for the error summary, in the order of the fields
	Inbox       *inboxBadge  // the header's Notifications item; nil for none
	// DissentsNav is the header's conference dissents item: "" none,
	// "link", or "current" on the dissent pages themselves.
	DissentsNav string
	// AccountNav shows the header's "Your account" item (account_routes.go).
	AccountNav bool
	Data       any
	// Session is set on signed-in pages: when the session ends unused,
	// for the timeout warning (timeout.go).
	Session *sessionTiming
	// APITokens shows "API tokens" in the navigation: the API is on and
	// the partnership lets the user's role use it.
	APITokens bool
}

// MayRaise reports whether the signed-in person may raise a disagreement,
// by the rule the raise pages and the store use (escalate.Can,
// ActionRaise): an administrator-only or DPO-only account is not offered
// the link.
func (p *page) MayRaise() bool {
	return escalate.Can(p.User, nil, escalate.Parties{}, escalate.ActionRaise)
}

// fieldError is one entry of the GOV.UK error summary; Field is the id of
// the input it links to.
type fieldError struct{ Field, Message string }

// ErrorFor returns the message for field, or "".
func (p *page) ErrorFor(field string) string {
	for _, e := range p.Errors {
		if e.Field == field {
			return e.Message
		}
	}
	return ""
}

// render executes the named page into a buffer first, so that a template
// error becomes an error page rather than half a page. HTML pages are never
// stored by caches: they may hold case data.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	if p.User == nil {
		p.User, p.Partnership = signedInUser(r)
	}
	if p.Inbox == nil {
		p.Inbox = s.badge(r, p.User)
	}
	p.AccountNav = s.acct != nil && s.org != nil
	if p.DissentsNav == "" && s.dissentsNav(r, p.User) {
		p.DissentsNav = "link"
	}
	p.APITokens = s.api.Tokens != nil && s.api.Store != nil && s.esc != nil && p.Partnership.MayUseAPI(p.User)
	if p.User != nil && p.Session == nil {
		t := s.sessionTiming()
		p.Session = &t
	}
	t, ok := s.pages[name]
	var buf bytes.Buffer
	var err error
	if !ok {
		err = fmt.Errorf("no template %q", name)
	} else {
		err = t.ExecuteTemplate(&buf, "layout", p)
	}
	if err != nil {
		s.log.ErrorContext(r.Context(), "render", "template", name, "err", err)
		http.Error(w, "Sorry, there is a problem with the service. Try again later.", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// parseTemplates parses layout.tmpl with each page template, once.
func parseTemplates() (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"roleName":       roleName,
		"agencyKindName": escalate.AgencyKindName,
		"agencyKinds":    func() []escalate.AgencyKind { return escalate.AgencyKinds },
		"reportDate":     reportDate,
		"dict":           dict,
		"dateWords":      dateWords,
		"fieldError":     func(field, msg string) fieldError { return fieldError{field, msg} },
		"tokenLifetimes": func() []string { return tokenLifetimes },
		"inc":            func(i int) int { return i + 1 },
		"themeID":        themeID,
		"sub":            func(a, b int) int { return a - b },
		"learningSelect": func(id, label, value string, opts []option) selectView {
			return selectView{ID: id, Label: label, Value: value, Options: opts}
		},
	}
	base, err := template.New("").Funcs(funcs).ParseFS(templateFS, "templates/layout.tmpl")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(templateFS, "templates/*.tmpl")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		if path.Base(n) == "layout.tmpl" {
			continue
		}
		files := []string{n}
		if strings.HasPrefix(path.Base(n), "dissent") || strings.HasPrefix(path.Base(n), "privacy") {
			files = append(files, "templates/partials/dissent-fields.tmpl")
		}
		if strings.HasPrefix(path.Base(n), "account-") {
			files = append(files, "templates/partials/account-shared.tmpl")
		}
		t, err := template.Must(base.Clone()).ParseFS(templateFS, files...)
		if err != nil {
			return nil, err
		}
		pages[strings.TrimSuffix(path.Base(n), ".tmpl")] = t
	}
	return pages, nil
}

// dict builds a map from key, value pairs, so a template can pass several
// values to another.
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, fmt.Errorf("dict: odd number of arguments")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
		}
		m[k] = kv[i+1]
	}
	return m, nil
}

// roleNames are the roles as the pages show them.
var roleNames = map[escalate.Role]string{
	escalate.RolePractitioner:                 "Practitioner",
	escalate.RoleManager:                      "Manager",
	escalate.RoleSafeguardingLead:             "Safeguarding lead",
	escalate.RoleSeniorManager:                "Senior manager",
	escalate.RoleBusinessManager:              "Business manager",
	escalate.RoleChair:                        "Chair",
	escalate.RoleViceChair:                    "Vice chair",
	escalate.RoleAdmin:                        "Administrator",
	escalate.RoleConferenceChair:              "Conference chair",
	escalate.RoleLeadSafeguardingPartner:      "Lead safeguarding partner",
	escalate.RoleDelegatedSafeguardingPartner: "Delegated safeguarding partner",
	escalate.RoleIndependentScrutineer:        "Independent scrutineer",
	escalate.RoleDataProtectionOfficer:        "Data protection officer",
}

// roleName is role r as the pages show it: the posts not listed in
// roleNames (a board member, the Designated Nurse) by their built-in name,
// never the key.
func roleName(r escalate.Role) string {
	if n, ok := roleNames[r]; ok {
		return n
	}
	return upperFirst(policy.RoleName(&escalate.Policy{}, r))
}
