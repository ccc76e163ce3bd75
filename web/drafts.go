package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/escalate-project/escalate"
)

// Nothing typed is lost (doc/web.md, "Drafts and the session timeout").
// What a person types into a form is kept on the server as a draft of that
// form, per person, across sign-ins: app.js saves it as they type
// (POST /drafts), and a form sent after the session timed out is kept for
// whoever's session it was. Opening the form again, after signing in
// again, shows what was typed. Sending the form deletes its draft.

// formDraft is a form's fields as typed, and when they were kept.
type formDraft struct {
	Values url.Values
	Saved  time.Time
}

// draftRoutes adds the draft saving that app.js calls and the keep-alive
// of the timeout warning.
func (s *Server) draftRoutes(mux *http.ServeMux) {
	mux.Handle("GET /session/keepalive", s.handle(s.signedIn(s.keepAlive)))
	if s.raise == nil {
		return
	}
	mux.Handle("POST /drafts", s.handle(s.signedIn(s.saveDraftPost)))
}

// keepAlive answers the timeout warning's "Stay signed in": reaching it
// through the session middleware is what keeps the session alive.
func (s *Server) keepAlive(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// draftable reports whether path is a form whose fields are kept as a
// draft: a raise question or an escalation's action form.
func draftable(path string) bool {
	if path == "/raise" || strings.HasPrefix(path, "/raise/") {
		for _, st := range raiseSteps {
			if st.path() == path {
				return true
			}
		}
		return false
	}
	rest, ok := strings.CutPrefix(path, "/escalations/")
	if !ok {
		return false
	}
	ref, action, ok := strings.Cut(rest, "/")
	if !ok || ref == "" || strings.Contains(action, "/") {
		return false
	}
	for _, a := range escalationActions {
		if a.Path == action {
			return true
		}
	}
	return false
}

// saveDraftPost keeps the posted fields as the draft of the form named by
// the field "draft-form" (its path). It answers 204, or 400 for a form
// that keeps no drafts. The session's own check applies: only the
// signed-in user's drafts are written.
func (s *Server) saveDraftPost(w http.ResponseWriter, r *http.Request) error {
	u, _ := signedInUser(r)
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return escalate.Errorf(escalate.EINVALID, "The form could not be read.")
	}
	path := r.PostForm.Get("draft-form")
	if !draftable(path) {
		return escalate.Errorf(escalate.EINVALID, "That form keeps no drafts.")
	}
	vals := url.Values{}
	for k, v := range r.PostForm {
		if k != "draft-form" {
			vals[k] = v
		}
	}
	if err := s.keepFormDraft(r.Context(), u.ID, path, vals); err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// keepFormDraft stores vals as userID's draft of the form at path.
func (s *Server) keepFormDraft(ctx context.Context, userID int64, path string, vals url.Values) error {
	b, err := json.Marshal(vals)
	if err != nil {
		return err
	}
	return s.raise.SaveDraft(ctx, userID, path, b)
}

// formDraftFor returns the signed-in user's draft of the form at path, or
// nil.
func (s *Server) formDraftFor(r *http.Request, path string) (*formDraft, error) {
	u, _ := signedInUser(r)
	if s.raise == nil || u == nil {
		return nil, nil
	}
	b, saved, err := s.raise.Draft(r.Context(), u.ID, path)
	if err != nil || b == nil {
		return nil, err
	}
	d := &formDraft{Saved: saved}
	if err := json.Unmarshal(b, &d.Values); err != nil {
		return nil, nil // a draft this version cannot read: start again
	}
	return d, nil
}

// dropFormDraft deletes the signed-in user's draft of the form at path,
// once the form was sent.
func (s *Server) dropFormDraft(r *http.Request, path string) error {
	u, _ := signedInUser(r)
	if s.raise == nil || u == nil {
		return nil
	}
	return s.raise.DeleteDraft(r.Context(), u.ID, path)
}

// keepTimedOut keeps a form sent after its sender's session timed out, as
// their draft, so that signing in again brings it back. Only forms that
// keep drafts are kept; nothing is acted on.
func (s *Server) keepTimedOut(w http.ResponseWriter, r *http.Request, ended *escalate.SessionEnded) {
	if r.Method != http.MethodPost || s.raise == nil || !draftable(r.URL.Path) {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return
	}
	if err := s.keepFormDraft(r.Context(), ended.UserID, r.URL.Path, r.PostForm); err != nil {
		s.log.ErrorContext(r.Context(), "keeping a timed-out form", "err", err)
	}
}

// signInAgain is where someone whose session is missing or ended is sent:
// the sign-in page, told why, and where to come back to.
func signInAgain(r *http.Request, ended *escalate.SessionEnded) string {
	q := url.Values{}
	if (r.Method == http.MethodGet || draftable(r.URL.Path)) && r.URL.Path != "/" {
		q.Set("next", r.URL.Path)
	}
	if ended != nil {
		q.Set("timed-out", "1")
	}
	if len(q) == 0 {
		return "/sign-in"
	}
	return "/sign-in?" + q.Encode()
}

// safeNext is next if it is a path on this site to come back to after
// signing in, else "/": never another site, and never the sign-in pages.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\?#\r\n") ||
		strings.HasPrefix(next, "/sign-in") || strings.HasPrefix(next, "/sign-out") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Host != "" || u.Scheme != "" {
		return "/"
	}
	return next
}

// draftBanner is what a form kept as a draft says above it.
func draftBanner(d *formDraft) string {
	if d == nil {
		return ""
	}
	return "We kept what you typed (last saved " + londonTime(d.Saved) + "). Check it, then continue."
}
