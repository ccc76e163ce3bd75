package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
)

// escalationAction is one action on an escalation: a form page at
// /escalations/{ref}/Path (GET shows it, POST does it).
type escalationAction struct {
	Path   string // the URL segment
	Link   string // its link on the escalation page
	Title  string // the form's heading
	Button string
	Banner string // the escalation page's banner after success
	Can    string // the escalate.Can action it needs
	// applies reports whether the action makes sense for the case as it
	// stands, beyond who may take it (e.g. only at the final stage).
	applies func(v *caseView) bool
	// fields builds the form; vals holds what was posted, if anything.
	fields func(v *caseView) []formField
	// submit parses vals and calls the service; a field error it returns
	// (escalate.FieldErrorf) is shown against that field.
	submit func(ctx context.Context, esc Escalations, v *caseView, version int, vals formValues) error
	// shows, if set, is what the action acts on, shown above the form so
	// the person sees what they approve or confirm.
	shows func(v *caseView) []contextCard
}

// contextCard is one summary card above an action's form.
type contextCard struct {
	Title string
	Rows  []summaryRow
}

// offered reports whether the action appears among the case's actions.
func (a *escalationAction) offered(ctx context.Context, v *caseView) bool {
	return v.can(ctx, a.Can) && (a.applies == nil || a.applies(v))
}

// bannerFor is the banner of the action whose path is done, or "".
func bannerFor(done string) string {
	for _, a := range escalationActions {
		if a.Path == done {
			return a.Banner
		}
	}
	return ""
}

// formField is one question of an action form. Kinds: "textarea", "text",
// "radios", "select", "datetime" and "hidden". ID is the field's name in
// the domain's errors (escalate.FieldErrorf) and the id of its first input.
type formField struct {
	ID, Label, Hint, Kind string
	Required              string // the message when left empty; "" for optional
	Options               []option
	Value                 string
	Day, Month, Year, At  string // a datetime's parts
	Error                 string
}

// option is one choice of radios or a select.
type option struct{ Value, Text, Hint string }

// formValues are the posted values of a form.
type formValues url.Values

func (f formValues) get(k string) string { return strings.TrimSpace(url.Values(f).Get(k)) }

// actionData is an action form page.
type actionData struct {
	Ref      string
	Stage    string
	Action   *escalationAction
	Version  int
	Fields   []formField
	Conflict bool
	Kept     string // says what was kept from before, when a draft was
	Draft    string // the form's path, under which app.js keeps what is typed
	Context  []contextCard
}

// actionPath is the path of action a's form on the case: its draft's name.
func actionPath(v *caseView, a *escalationAction) string {
	return "/escalations/" + v.E.Ref + "/" + a.Path
}

// fillFields sets each field from the values posted, or kept, for it.
func fillFields(fields []formField, vals formValues) {
	for i := range fields {
		f := &fields[i]
		f.Value = vals.get(f.ID)
		f.Day, f.Month, f.Year, f.At = vals.get(f.ID+"-day"), vals.get(f.ID+"-month"), vals.get(f.ID+"-year"), vals.get(f.ID+"-time")
	}
}

// actionForm shows an action's form.
func (s *Server) actionForm(a *escalationAction) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		v, err := s.openFor(r, a)
		if err != nil {
			return err
		}
		fields := a.fields(v)
		for i := range fields {
			if fields[i].Kind == "datetime" && fields[i].ID == "at" {
				// A discussion is usually recorded the day it happened.
				now := v.Now.In(calendar.London)
				fields[i].Day, fields[i].Month, fields[i].Year = strconv.Itoa(now.Day()), strconv.Itoa(int(now.Month())), strconv.Itoa(now.Year())
			}
		}
		// What was typed here before and not sent (drafts.go) comes back,
		// with the version it was typed against: if the case changed since,
		// sending it says so.
		kept, err := s.formDraftFor(r, actionPath(v, a))
		if err != nil {
			return err
		}
		version := v.E.Version
		if kept != nil {
			vals := formValues(kept.Values)
			fillFields(fields, vals)
			if n, err := strconv.Atoi(vals.get("version")); err == nil {
				version = n
			}
		}
		s.renderActionKept(w, r, http.StatusOK, v, a, version, fields, nil, draftBanner(kept))
		return nil
	}
}

// openFor loads the case and checks the action is open to the user: not a
// party at all is ENOTFOUND (from Get), a party who may not do this is
// EFORBIDDEN.
func (s *Server) openFor(r *http.Request, a *escalationAction) (*caseView, error) {
	v, err := s.loadCase(r.Context(), r.PathValue("ref"))
	if err != nil {
		return nil, err
	}
	if !a.offered(r.Context(), v) {
		if v.E.Status.Closed() {
			return nil, escalate.Errorf(escalate.ECONFLICT, "This escalation is closed (%s): it can no longer change.", v.E.Status)
		}
		return nil, escalate.Errorf(escalate.EFORBIDDEN, "You cannot %s on escalation %s at this stage.", strings.ToLower(a.Link), v.E.Ref)
	}
	return v, nil
}

// actionPost checks the form, then asks the service. Any problem shows the
// form again with the error summary, and nothing is stored; success goes
// back to the escalation page with a banner.
func (s *Server) actionPost(a *escalationAction) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		if err := r.ParseForm(); err != nil {
			return escalate.Errorf(escalate.EINVALID, "The form could not be read. Go back and try again.")
		}
		v, err := s.openFor(r, a)
		if err != nil {
			return err
		}
		vals := formValues(r.PostForm)
		fields := a.fields(v)
		fillFields(fields, vals)
		var errs []fieldError
		for i := range fields {
			f := &fields[i]
			empty := f.Value == ""
			if f.Kind == "datetime" {
				empty = f.Day == "" && f.Month == "" && f.Year == "" && f.At == ""
			}
			if empty && f.Required != "" {
				errs = append(errs, fieldError{f.ID, f.Required})
			} else if f.Kind == "datetime" && !empty {
				if _, err := parseLondon(f.ID, vals); err != nil {
					errs = append(errs, fieldError{f.ID, escalate.ErrorMessage(err)})
				}
			}
		}
		version, verr := strconv.Atoi(vals.get("version"))
		if verr != nil {
			errs = append(errs, fieldError{"conflict", "The form was incomplete. Reload the escalation and try again."})
		}
		if len(errs) == 0 {
			err = a.submit(r.Context(), s.esc, v, version, vals)
			switch code := escalate.ErrorCode(err); {
			case err == nil:
				if err := s.dropFormDraft(r, actionPath(v, a)); err != nil {
					return err
				}
				http.Redirect(w, r, "/escalations/"+v.E.Ref+"?done="+a.Path, http.StatusSeeOther)
				return nil
			case code == escalate.ECONFLICT && escalate.ErrorMessage(err) == escalate.MsgConflict:
				errs = append(errs, fieldError{"conflict", "Someone else changed this escalation while you were working on it, so nothing was saved. Reload the escalation to see what changed, then try again."})
			case code == escalate.EINVALID || code == escalate.ECONFLICT:
				errs = append(errs, fieldError{fieldOf(fields, escalate.ErrorField(err)), escalate.ErrorMessage(err)})
			default:
				return err
			}
		}
		for i := range fields {
			for _, e := range errs {
				if e.Field == fields[i].ID && fields[i].Error == "" {
					fields[i].Error = e.Message
				}
			}
		}
		s.renderAction(w, r, statusFor(errs), v, a, version, fields, errs)
		return nil
	}
}

// fieldOf returns the form field an error names, or the first field when
// the error names none of them, so every summary link leads somewhere.
func fieldOf(fields []formField, name string) string {
	for _, f := range fields {
		if f.ID == name && f.Kind != "hidden" {
			return name
		}
	}
	for _, f := range fields {
		if f.Kind != "hidden" {
			return f.ID
		}
	}
	return "conflict"
}

func statusFor(errs []fieldError) int {
	for _, e := range errs {
		if e.Field == "conflict" {
			return http.StatusConflict
		}
	}
	return http.StatusBadRequest
}

func (s *Server) renderAction(w http.ResponseWriter, r *http.Request, status int, v *caseView, a *escalationAction, version int, fields []formField, errs []fieldError) {
	s.renderActionKept(w, r, status, v, a, version, fields, errs, "")
}

// renderActionKept is renderAction with a banner saying what was kept.
func (s *Server) renderActionKept(w http.ResponseWriter, r *http.Request, status int, v *caseView, a *escalationAction, version int, fields []formField, errs []fieldError, kept string) {
	d := &actionData{Ref: v.E.Ref, Stage: stageTitle(v.Policy, v.E.Stage), Action: a, Version: version, Fields: fields, Kept: kept,
		Draft: actionPath(v, a)}
	if a.shows != nil {
		d.Context = a.shows(v)
		for _, c := range d.Context {
			splitLines(c.Rows)
		}
	}
	for _, e := range errs {
		if e.Field == "conflict" {
			d.Conflict = true
		}
	}
	s.render(w, r, status, "escalation-action", &page{Title: a.Title + " – " + v.E.Ref, Errors: errs, Data: d})
}

// parseLondon reads a GOV.UK date input and a time ("14:30", "10.15am":
// parseClockTime) on the London
// wall clock; field names the field for errors.
func parseLondon(field string, vals formValues) (time.Time, error) {
	day, dErr := strconv.Atoi(vals.get(field + "-day"))
	month, mErr := strconv.Atoi(vals.get(field + "-month"))
	year, yErr := strconv.Atoi(vals.get(field + "-year"))
	if errors.Join(dErr, mErr, yErr) != nil || month < 1 || month > 12 || day < 1 || year < 2000 || year > 2100 ||
		day > time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day() {
		return time.Time{}, escalate.FieldErrorf(field, "Enter a real date, for example 27 3 2026.")
	}
	h, m, ok := parseClockTime(vals.get(field + "-time"))
	if !ok {
		return time.Time{}, escalate.FieldErrorf(field, "%s", clockTimeHelp)
	}
	return time.Date(year, time.Month(month), day, h, m, 0, 0, calendar.London), nil
}
