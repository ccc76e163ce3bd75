package web

import (
	"net/http"
	"strings"

	"github.com/escalate-project/escalate"
)

// Passwords a person manages themselves: changing their own, "forgotten
// your password?", and the single-use links of an invitation or a reset
// (doc/web.md, "Invitations and resets"). The link's secret arrives in the
// query string, which the request log leaves out, and is carried to the
// POST in a hidden field; the store keeps only its hash.

// The purposes of emailed links, as sqlstore names them.
const (
	linkInvite = "invite"
	linkReset  = "reset"
)

// accountView is the "Your account" page.
type accountView struct {
	Factors escalate.SecondFactors
}

func (s *Server) accountPage(w http.ResponseWriter, r *http.Request) error {
	f, err := s.auth.Factors(r.Context(), s.sessionToken(r))
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "account-page", &page{Title: "Your account", Data: &accountView{Factors: f}})
	return nil
}

func (s *Server) passwordForm(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, http.StatusOK, "account-password", &page{Title: "Change your password"})
	return nil
}

// passwordContext is what a new password of u may not be built from.
func passwordContext(u *escalate.User, p *escalate.Partnership) PasswordContext {
	c := PasswordContext{Email: u.Email}
	if p != nil {
		c.PartnershipKey, c.PartnershipName = p.Key, p.Name
	}
	return c
}

// newPasswordErrors checks a new password typed in field "password".
func newPasswordErrors(pw string, c PasswordContext) []fieldError {
	if pw == "" {
		return []fieldError{{"password", "Enter a new password"}}
	}
	if err := CheckNewPassword(pw, c); err != nil {
		return []fieldError{{"password", escalate.ErrorMessage(err)}}
	}
	return nil
}

// passwordChange changes the signed-in person's own password. Every session
// of theirs ends, this one too, so they sign in again with the new one.
func (s *Server) passwordChange(w http.ResponseWriter, r *http.Request) error {
	u, p := signedInUser(r)
	if err := orgParseForm(w, r); err != nil {
		return err
	}
	current, next := r.PostForm.Get("current"), r.PostForm.Get("password")
	var errs []fieldError
	if current == "" {
		errs = append(errs, fieldError{"current", "Enter your current password"})
	}
	errs = append(errs, newPasswordErrors(next, passwordContext(u, p))...)
	if len(errs) == 0 {
		err := s.auth.ChangePassword(r.Context(), s.sessionToken(r), current, next, s.clientIP(r))
		switch escalate.ErrorCode(err) {
		case "":
			s.clearCookie(w)
			http.Redirect(w, r, "/sign-in?done=changed", http.StatusSeeOther)
			return nil
		case escalate.EINVALID, escalate.ETOOMANY, escalate.EUNAVAILABLE:
			errs = append(errs, fieldError{"current", escalate.ErrorMessage(err)})
			setRetryAfter(w, err)
		default:
			return err
		}
	}
	s.render(w, r, http.StatusBadRequest, "account-password", &page{Title: "Change your password", Errors: errs})
	return nil
}

// forgottenView is the "forgotten your password?" page.
type forgottenView struct {
	Email string
	Sent  bool
}

func (s *Server) forgottenForm(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, http.StatusOK, "account-forgotten", &page{Title: "Reset your password", Data: &forgottenView{}})
	return nil
}

// forgottenSend emails a reset link if there is an account, and says the
// same whether or not there is.
func (s *Server) forgottenSend(w http.ResponseWriter, r *http.Request) error {
	if err := orgParseForm(w, r); err != nil {
		return err
	}
	v := &forgottenView{Email: strings.TrimSpace(r.PostForm.Get("email"))}
	if v.Email == "" || !strings.Contains(v.Email, "@") || len(v.Email) > 320 {
		s.render(w, r, http.StatusBadRequest, "account-forgotten", &page{Title: "Reset your password", Data: v,
			Errors: []fieldError{{"email", "Enter your email address, like name@example.org"}}})
		return nil
	}
	if err := s.acct.RequestReset(r.Context(), v.Email, s.clientIP(r)); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "account-forgotten", &page{Title: "Check your email", Data: &forgottenView{Sent: true}})
	return nil
}

// linkView is the page an emailed link opens.
type linkView struct {
	Invite bool   // an invitation, else a reset
	Token  string // the link's secret, for the POST
	Bad    string // why the link does not work
	Name   string // whose account
}

func linkTitle(purpose string) string {
	if purpose == linkInvite {
		return "Set up your account"
	}
	return "Choose a new password"
}

// linkForm shows the form a live link opens, or why the link does not work.
func (s *Server) linkForm(purpose string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		v := &linkView{Invite: purpose == linkInvite, Token: r.URL.Query().Get("token")}
		u, _, err := s.acct.CheckLink(r.Context(), purpose, v.Token)
		if escalate.ErrorCode(err) == escalate.ENOTFOUND {
			v.Bad, v.Token = escalate.ErrorMessage(err), ""
			s.render(w, r, http.StatusGone, "account-set-password", &page{Title: linkTitle(purpose), Data: v})
			return nil
		} else if err != nil {
			return err
		}
		v.Name = u.Name
		s.render(w, r, http.StatusOK, "account-set-password", &page{Title: linkTitle(purpose), Data: v})
		return nil
	}
}

// linkUse sets the password a live link allows, uses the link up and sends
// the person to sign in: after an invitation, signing in sets up their
// second factor.
func (s *Server) linkUse(purpose string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := orgParseForm(w, r); err != nil {
			return err
		}
		v := &linkView{Invite: purpose == linkInvite, Token: r.PostForm.Get("token")}
		u, p, err := s.acct.CheckLink(r.Context(), purpose, v.Token)
		if escalate.ErrorCode(err) == escalate.ENOTFOUND {
			v.Bad, v.Token = escalate.ErrorMessage(err), ""
			s.render(w, r, http.StatusGone, "account-set-password", &page{Title: linkTitle(purpose), Data: v})
			return nil
		} else if err != nil {
			return err
		}
		v.Name = u.Name
		pw := r.PostForm.Get("password")
		if errs := newPasswordErrors(pw, passwordContext(u, p)); len(errs) > 0 {
			s.render(w, r, http.StatusBadRequest, "account-set-password", &page{Title: linkTitle(purpose), Data: v, Errors: errs})
			return nil
		}
		if _, err := s.acct.UseLink(r.Context(), purpose, v.Token, pw); escalate.ErrorCode(err) == escalate.EUNAVAILABLE {
			setRetryAfter(w, err)
			s.render(w, r, http.StatusServiceUnavailable, "account-set-password", &page{Title: linkTitle(purpose), Data: v,
				Errors: []fieldError{{"password", escalate.ErrorMessage(err)}}})
			return nil
		} else if err != nil {
			return err
		}
		s.clearCookie(w)
		done := "reset"
		if purpose == linkInvite {
			done = "invited"
		}
		http.Redirect(w, r, "/sign-in?done="+done, http.StatusSeeOther)
		return nil
	}
}

// personInvite emails the person a new invitation (administrators only).
func (s *Server) personInvite(w http.ResponseWriter, r *http.Request) error {
	u, _ := orgActor(r)
	if err := orgRequire(u, adminWriters, "invite people"); err != nil {
		return err
	}
	v, err := s.orgPerson(r)
	if err != nil {
		return err
	}
	if _, err := s.acct.Invite(r.Context(), v.Person.ID); escalate.ErrorCode(err) == escalate.ECONFLICT {
		s.render(w, r, http.StatusConflict, "admin-person", &page{Title: "Change " + v.Person.Name + "'s account",
			Errors: []fieldError{{"invite", escalate.ErrorMessage(err)}}, Data: v})
		return nil
	} else if err != nil {
		return err
	}
	http.Redirect(w, r, "/admin?done=invited", http.StatusSeeOther)
	return nil
}

// personFactorsReset removes a person's second factors (administrators
// only, never their own): the runbook for someone who lost theirs.
func (s *Server) personFactorsReset(w http.ResponseWriter, r *http.Request) error {
	u, _ := orgActor(r)
	if err := orgRequire(u, adminWriters, "reset people's second factors"); err != nil {
		return err
	}
	v, err := s.orgPerson(r)
	if err != nil {
		return err
	}
	if err := s.acct.ResetSecondFactors(r.Context(), v.Person.ID); escalate.ErrorCode(err) == escalate.EFORBIDDEN {
		s.render(w, r, http.StatusForbidden, "admin-person", &page{Title: "Change " + v.Person.Name + "'s account",
			Errors: []fieldError{{"factors", escalate.ErrorMessage(err)}}, Data: v})
		return nil
	} else if err != nil {
		return err
	}
	http.Redirect(w, r, "/admin?done=factors-reset", http.StatusSeeOther)
	return nil
}
