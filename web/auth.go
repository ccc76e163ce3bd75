package web

import (
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
	Forgotten bool   // "Forgotten your password?" is offered
	Done      string // what just happened, for the success banner
	Next      string // the page to go back to after signing in, a path on this site
	TimedOut  bool   // the session ended for want of use
	Idle      string // the idle timeout in words, "30 minutes"
	// EmailFirst asks for the email alone, to route it to its domain's
	// provider (when the partnerships have any), before any password.
	EmailFirst bool
	Choices    []providerChoice // several providers sign in the email's domain
}

// signInDone are the banners the account pages send people back with.
var signInDone = map[string]string{
	"reset":   "Your password has been changed. Sign in with it.",
	"invited": "Your password is set. Sign in with it to finish setting up your account.",
	"changed": "Your password has been changed, and you have been signed out everywhere. Sign in with your new password.",
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
	first, err := s.emailFirst(r.Context())
	if err != nil {
		return err
	}
	next := safeNext(q.Get("next"))
	if next == "/" {
		next = ""
	}
	s.render(w, r, http.StatusOK, "sign-in", &page{Title: "Sign in",
		Data: signInData{SignedOut: q.Get("signed-out") == "1", SSO: s.oidc != nil, Forgotten: s.acct != nil,
			Done: signInDone[q.Get("done")], EmailFirst: first, Next: next,
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
	d := signInData{Email: email, SSO: s.oidc != nil, Forgotten: s.acct != nil}
	if next != "/" {
		d.Next = next
	}
	if _, typed := r.PostForm["password"]; !typed {
		if first, err := s.emailFirst(r.Context()); err != nil {
			return err
		} else if first {
			return s.signInEmail(w, r, email, d.Next)
		}
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
	token, u, err := s.auth.SignIn(r.Context(), email, password, s.clientIP(r), s.sessionToken(r))
	switch escalate.ErrorCode(err) {
	case "":
	case escalate.EUNAUTHORIZED:
		p.Errors = []fieldError{{"email", escalate.ErrorMessage(err)}}
		s.render(w, r, http.StatusUnauthorized, "sign-in", p)
		return nil
	case escalate.ETOOMANY, escalate.EUNAVAILABLE:
		p.Errors = []fieldError{{"email", escalate.ErrorMessage(err)}}
		setRetryAfter(w, err)
		s.render(w, r, errorStatus(escalate.ErrorCode(err)), "sign-in", p)
		return nil
	default:
		return err
	}
	if info, ok := r.Context().Value(reqLogKey{}).(*reqLog); ok {
		info.userID = u.ID
	}
	s.setCookie(w, token)
	_, _, stage, err := s.auth.Pending(r.Context(), token)
	if err != nil {
		return err
	}
	if stage == escalate.StageFull {
		// Back to the page they were on when the session ended, where
		// what they typed was kept.
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, stagePath(stage), http.StatusSeeOther)
	return nil
}

// stagePath is where a sign-in goes next: home once it is complete, else
// the page that asks for, or sets up, a second factor.
func stagePath(stage string) string {
	switch stage {
	case escalate.StageSecondFactor:
		return secondFactorPath
	case escalate.StageEnrol:
		return setUpPath
	case escalate.StageFull:
		return "/"
	}
	return "/sign-in"
}

// signInEmail is the email-first step: the email's domain's provider, a
// choice of them, or the password form. Only the domain decides, so the
// answer says nothing about whether the address has an account.
func (s *Server) signInEmail(w http.ResponseWriter, r *http.Request, email, next string) error {
	d := signInData{Email: email, SSO: s.oidc != nil, Forgotten: s.acct != nil, Next: next}
	if email == "" || escalate.EmailDomain(email) == "" {
		d.EmailFirst = true
		s.render(w, r, http.StatusBadRequest, "sign-in", &page{Title: "Sign in", Data: d,
			Errors: []fieldError{{"email", "Enter your email address, like name@example.org"}}})
		return nil
	}
	choices, err := s.routeEmail(r.Context(), email)
	if err != nil {
		return err
	}
	// Even one provider is offered as a link to follow, not a redirect:
	// the Content-Security-Policy's form-action 'self' would stop this
	// form's answer redirecting to the provider's origin.
	d.Choices = choices
	s.render(w, r, http.StatusOK, "sign-in", &page{Title: "Sign in", Data: d})
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
