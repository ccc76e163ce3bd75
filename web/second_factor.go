package web

import (
	"bytes"
	"image/png"
	"net/http"
	"strings"

	"github.com/pquerna/otp"

	"github.com/escalate-project/escalate"
)

// Second factors (doc/web.md, "Second factors"). After a right password, a
// person with a second factor is asked for it (secondFactorPath); one
// without, in a partnership that requires it, sets one up (setUpPath).
// Their session opens no other page meanwhile. The set-up pages also serve
// a signed-in person adding an authenticator app from "Your account".
const (
	secondFactorPath = "/sign-in/second-factor"
	setUpPath        = "/sign-in/set-up"
)

// pendingSession returns r with the session's user in its context whatever
// the session's stage, and the stage; "" when there is no live session.
func (s *Server) pendingSession(r *http.Request) (*http.Request, string, error) {
	token := s.sessionToken(r)
	if token == "" {
		return r, "", nil
	}
	u, p, stage, err := s.auth.Pending(r.Context(), token)
	if escalate.ErrorCode(err) == escalate.EUNAUTHORIZED {
		return r, "", nil
	} else if err != nil {
		return r, "", err
	}
	if info, ok := r.Context().Value(reqLogKey{}).(*reqLog); ok {
		info.userID = u.ID
	}
	if stage == escalate.StageFull {
		r = r.WithContext(withSignedIn(r.Context(), u, p))
	}
	return r, stage, nil
}

// stageOnly runs h when the session is at one of stages; any other goes to
// where its stage belongs (no session: sign in).
func (s *Server) stageOnly(h handlerFunc, stages ...string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		r, stage, err := s.pendingSession(r)
		if err != nil {
			return err
		}
		for _, st := range stages {
			if st == stage {
				return h(w, r)
			}
		}
		http.Redirect(w, r, stagePath(stage), http.StatusSeeOther)
		return nil
	}
}

// factorView is the page that asks for a second factor.
type factorView struct {
	Passkeys bool // the person has a passkey: offer it
	TOTP     bool
}

func (s *Server) factorForm(w http.ResponseWriter, r *http.Request) error {
	f, err := s.auth.Factors(r.Context(), s.sessionToken(r))
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "account-second-factor", &page{Title: "Confirm it is you",
		Data: &factorView{Passkeys: len(f.Passkeys) > 0, TOTP: f.TOTP}})
	return nil
}

func (s *Server) factorVerify(w http.ResponseWriter, r *http.Request) error {
	if err := orgParseForm(w, r); err != nil {
		return err
	}
	code := strings.TrimSpace(r.PostForm.Get("code"))
	f, err := s.auth.Factors(r.Context(), s.sessionToken(r))
	if err != nil {
		return err
	}
	v := &factorView{Passkeys: len(f.Passkeys) > 0, TOTP: f.TOTP}
	fail := func(status int, msg string) error {
		s.render(w, r, status, "account-second-factor", &page{Title: "Confirm it is you", Data: v,
			Errors: []fieldError{{"code", msg}}})
		return nil
	}
	if code == "" {
		return fail(http.StatusBadRequest, "Enter the code from your authenticator app, or a recovery code")
	}
	fresh, err := s.auth.VerifyFactor(r.Context(), s.sessionToken(r), code, s.clientIP(r))
	switch escalate.ErrorCode(err) {
	case "":
		s.setCookie(w, fresh)
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	case escalate.EINVALID:
		return fail(http.StatusBadRequest, escalate.ErrorMessage(err))
	case escalate.ETOOMANY, escalate.EUNAVAILABLE:
		setRetryAfter(w, err)
		return fail(errorStatus(escalate.ErrorCode(err)), escalate.ErrorMessage(err))
	case escalate.EUNAUTHORIZED:
		s.clearCookie(w)
		s.render(w, r, http.StatusUnauthorized, "sign-in", &page{Title: "Sign in",
			Data:   signInData{SSO: s.oidc != nil, Forgotten: s.acct != nil},
			Errors: []fieldError{{"email", escalate.ErrorMessage(err)}}})
		return nil
	}
	return err
}

// setUpView is the page that sets up an authenticator app.
type setUpView struct {
	Secret  string // grouped in fours, to type into an app by hand
	Enrol   bool   // at sign-in, rather than from "Your account"
	Codes   []string
	HasTOTP bool
}

func groupSecret(secret string) string {
	var b strings.Builder
	for i, r := range secret {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (s *Server) setUpForm(w http.ResponseWriter, r *http.Request) error {
	return s.renderSetUp(w, r, http.StatusOK, nil)
}

// setUpApp starts setting up an authenticator app: a POST, since it
// stores the new secret.
func (s *Server) setUpApp(w http.ResponseWriter, r *http.Request) error {
	_, _, err := s.auth.StartTOTP(r.Context(), s.sessionToken(r))
	if err != nil && escalate.ErrorCode(err) != escalate.ECONFLICT {
		return err
	}
	return s.renderSetUp(w, r, http.StatusOK, nil)
}

// renderSetUp shows the set-up page: the passkey option, and the app's QR
// code and key when one is being set up, else a button to start.
func (s *Server) renderSetUp(w http.ResponseWriter, r *http.Request, status int, errs []fieldError) error {
	_, _, stage, err := s.auth.Pending(r.Context(), s.sessionToken(r))
	if err != nil {
		return err
	}
	f, err := s.auth.Factors(r.Context(), s.sessionToken(r))
	if err != nil {
		return err
	}
	v := &setUpView{Enrol: stage == escalate.StageEnrol, HasTOTP: f.TOTP}
	secret, _, err := s.auth.PendingTOTP(r.Context(), s.sessionToken(r))
	switch escalate.ErrorCode(err) {
	case "":
		v.Secret = groupSecret(secret)
	case escalate.ENOTFOUND:
	default:
		return err
	}
	s.render(w, r, status, "account-set-up", &page{Title: "Set up a second factor", Data: v, Errors: errs})
	return nil
}

// setUpQR is the QR code of the authenticator app's secret, for the app to
// scan. It is drawn from the server-side secret, never from the URL.
func (s *Server) setUpQR(w http.ResponseWriter, r *http.Request) error {
	_, uri, err := s.auth.PendingTOTP(r.Context(), s.sessionToken(r))
	if err != nil {
		return err
	}
	key, err := otp.NewKeyFromURL(uri)
	if err != nil {
		return err
	}
	img, err := key.Image(240, 240)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
	return nil
}

// setUpConfirm checks a code from the new app. Then the person sees their
// recovery codes, once; at sign-in, their session is now a full one.
func (s *Server) setUpConfirm(w http.ResponseWriter, r *http.Request) error {
	if err := orgParseForm(w, r); err != nil {
		return err
	}
	code := strings.TrimSpace(r.PostForm.Get("code"))
	if code == "" {
		return s.renderSetUp(w, r, http.StatusBadRequest, []fieldError{{"code", "Enter the 6-digit code your authenticator app shows"}})
	}
	codes, fresh, err := s.auth.ConfirmTOTP(r.Context(), s.sessionToken(r), code, s.clientIP(r))
	switch escalate.ErrorCode(err) {
	case "":
	case escalate.EINVALID, escalate.ETOOMANY, escalate.EUNAVAILABLE, escalate.ECONFLICT:
		setRetryAfter(w, err)
		status := errorStatus(escalate.ErrorCode(err))
		return s.renderSetUp(w, r, status, []fieldError{{"code", escalate.ErrorMessage(err)}})
	default:
		return err
	}
	if fresh != "" {
		s.setCookie(w, fresh)
	}
	s.render(w, r, http.StatusOK, "account-recovery-codes", &page{Title: "Your recovery codes",
		Data: &setUpView{Codes: codes}})
	return nil
}

// recoveryCodesNew replaces a signed-in person's recovery codes and shows
// the new ones, once.
func (s *Server) recoveryCodesNew(w http.ResponseWriter, r *http.Request) error {
	codes, err := s.auth.NewRecoveryCodes(r.Context(), s.sessionToken(r))
	if escalate.ErrorCode(err) == escalate.ECONFLICT {
		return escalate.Errorf(escalate.ECONFLICT, "%s", escalate.ErrorMessage(err))
	} else if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "account-recovery-codes", &page{Title: "Your recovery codes",
		Data: &setUpView{Codes: codes}})
	return nil
}
