package web

import (
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/escalate-project/escalate"
)

// maxFormBytes bounds a posted form; sign-in needs far less.
const maxFormBytes = 64 << 10

// signInData is what the sign-in page shows again after an error.
type signInData struct {
	Email     string
	SignedOut bool
	SSO       bool   // single sign-on is configured
	Next      string // the page to go back to after signing in, a path on this site
	TimedOut  bool   // the session ended for want of use
	Idle      string // the idle timeout in words, "30 minutes"
}

func (s *Server) signInForm(w http.ResponseWriter, r *http.Request) error {
	r, err := s.withSession(w, r)
	if err != nil {
		return err
	}
	if escalate.UserFromContext(r.Context()) != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	q := r.URL.Query()
	next := safeNext(q.Get("next"))
	if next == "/" {
		next = ""
	}
	s.render(w, r, http.StatusOK, "sign-in", &page{Title: "Sign in",
		Data: signInData{SignedOut: q.Get("signed-out") == "1", SSO: s.oidc != nil, Next: next,
			TimedOut: q.Get("timed-out") == "1", Idle: durationWords(s.idle)}})
	return nil
}

// signIn checks the form, then the credentials. Every failure shows the form
// again with the GOV.UK error summary; the password is never shown back.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return escalate.Errorf(escalate.EINVALID, "The form could not be read. Go back and try again.")
	}
	email, password := strings.TrimSpace(r.PostForm.Get("email")), r.PostForm.Get("password")
	next := safeNext(r.PostForm.Get("next"))
	d := signInData{Email: email, SSO: s.oidc != nil}
	if next != "/" {
		d.Next = next
	}
	p := &page{Title: "Sign in", Data: d}
	if email == "" {
		p.Errors = append(p.Errors, fieldError{"email", "Enter your email address"})
	}
	if password == "" {
		p.Errors = append(p.Errors, fieldError{"password", "Enter your password"})
	}
	if len(p.Errors) > 0 {
		s.render(w, r, http.StatusBadRequest, "sign-in", p)
		return nil
	}
	token, u, err := s.auth.SignIn(r.Context(), email, password, clientIP(r), s.sessionToken(r))
	switch escalate.ErrorCode(err) {
	case "":
	case escalate.EUNAUTHORIZED:
		p.Errors = []fieldError{{"email", escalate.ErrorMessage(err)}}
		s.render(w, r, http.StatusUnauthorized, "sign-in", p)
		return nil
	case escalate.EFORBIDDEN:
		p.Errors = []fieldError{{"email", escalate.ErrorMessage(err)}}
		s.render(w, r, http.StatusTooManyRequests, "sign-in", p)
		return nil
	default:
		return err
	}
	if info, ok := r.Context().Value(reqLogKey{}).(*reqLog); ok {
		info.userID = u.ID
	}
	s.setCookie(w, token)
	// Back to the page they were on when the session ended, where what
	// they typed was kept.
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// signOut ends the session on the server and clears the cookie. The
// timeout warning signs out with reason "timeout" when its time runs out:
// the sign-in page then says why, and brings the person back to next.
func (s *Server) signOut(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	_ = r.ParseForm() // a sign-out without a form still signs out
	if token := s.sessionToken(r); token != "" {
		if err := s.auth.SignOut(r.Context(), token); err != nil {
			return err
		}
	}
	s.clearCookie(w)
	if r.PostForm.Get("reason") == "timeout" {
		q := url.Values{"timed-out": {"1"}}
		if next := safeNext(r.PostForm.Get("next")); next != "/" {
			q.Set("next", next)
		}
		http.Redirect(w, r, "/sign-in?"+q.Encode(), http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, "/sign-in?signed-out=1", http.StatusSeeOther)
	return nil
}

// clientIP is the address the request came from. Forwarded headers are not
// trusted: anyone could set them to dodge the per-IP limit.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
