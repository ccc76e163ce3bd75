package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/escalate-project/escalate"
)

// Passkeys (WebAuthn, go-webauthn) as a second factor: registered when
// setting one up (at the first sign-in or from "Your account"), and used
// after the password. static/passkey.js runs the browser's side with
// navigator.credentials; these JSON endpoints run the server's. Each
// ceremony's challenge is kept on the session and answered once.

// PasskeyAuth is what passkeys need of the store; sqlstore.Sessions
// implements it. Without it, no passkey is offered.
type PasskeyAuth interface {
	SaveWebAuthn(ctx context.Context, token string, data []byte) error
	TakeWebAuthn(ctx context.Context, token string) ([]byte, error)
	// PasskeyUser returns the session's person, if at one of stages, and
	// their passkeys as go-webauthn credentials in JSON.
	PasskeyUser(ctx context.Context, token string, stages ...string) (*escalate.User, [][]byte, error)
	AddPasskey(ctx context.Context, token string, credentialID, data []byte, name, ip string) (fresh string, err error)
	PasskeySignedIn(ctx context.Context, token string, credentialID, data []byte, ip string) (fresh string, err error)
	PasskeyFailed(ctx context.Context, token, ip string) error
	RecoveryCodesIfNone(ctx context.Context, token string) ([]string, error)
}

// passkeyUser is a person as go-webauthn sees them.
type passkeyUser struct {
	u     *escalate.User
	creds []webauthn.Credential
}

// WebAuthnID is the user handle: the account's ID, which names no one.
func (p passkeyUser) WebAuthnID() []byte {
	return []byte("escalate-user-" + strconv.FormatInt(p.u.ID, 10))
}

// WebAuthnName is the account's email.
func (p passkeyUser) WebAuthnName() string { return p.u.Email }

// WebAuthnDisplayName is the person's name.
func (p passkeyUser) WebAuthnDisplayName() string { return p.u.Name }

// WebAuthnCredentials are the person's passkeys.
func (p passkeyUser) WebAuthnCredentials() []webauthn.Credential { return p.creds }

// relyingParty is the WebAuthn relying party: the base URL's host if there
// is one, else the host the browser asked for (the browser itself binds
// each answer to the page's origin, which is then checked).
func (s *Server) relyingParty(r *http.Request) (*webauthn.WebAuthn, error) {
	origin := s.base
	if origin == "" {
		scheme := "http"
		if s.secure || r.TLS != nil {
			scheme = "https"
		}
		origin = scheme + "://" + r.Host
	}
	u, err := url.Parse(origin)
	if err != nil {
		return nil, err
	}
	rp, err := webauthn.New(&webauthn.Config{RPID: u.Hostname(), RPDisplayName: "Escalate", RPOrigins: []string{u.Scheme + "://" + u.Host}})
	if err != nil {
		// Browsers allow passkeys only for a domain name, never an IP
		// address: the service must be reached by its name.
		return nil, errNoPasskeyHere
	}
	return rp, nil
}

var errNoPasskeyHere = escalate.Errorf(escalate.ECONFLICT,
	"Passkeys work only when Escalate is reached by its name, not by an IP address. Use an authenticator app instead.")

// passkeyLoad returns the session's person and passkeys for a ceremony.
func (s *Server) passkeyLoad(r *http.Request, stages ...string) (*passkeyUser, error) {
	u, raw, err := s.passkeys.PasskeyUser(r.Context(), s.sessionToken(r), stages...)
	if err != nil {
		return nil, err
	}
	pu := &passkeyUser{u: u}
	for _, b := range raw {
		var c webauthn.Credential
		if err := json.Unmarshal(b, &c); err != nil {
			return nil, err
		}
		pu.creds = append(pu.creds, c)
	}
	return pu, nil
}

// passkeyJSON writes v, or err as {"error": message}.
func (s *Server) passkeyJSON(w http.ResponseWriter, r *http.Request, v any, err error) {
	w.Header().Set("Cache-Control", "no-store")
	if err != nil {
		code := escalate.ErrorCode(err)
		msg := escalate.ErrorMessage(err)
		if code == escalate.EINTERNAL {
			s.log.ErrorContext(r.Context(), "passkey", "err", err)
			msg = "Sorry, there is a problem with the service. Try again later."
		}
		setRetryAfter(w, err)
		apiWriteJSON(w, errorStatus(code), map[string]string{"error": msg})
		return
	}
	apiWriteJSON(w, http.StatusOK, v)
}

// saveCeremony keeps a ceremony's session data on the session.
func (s *Server) saveCeremony(r *http.Request, sd *webauthn.SessionData) error {
	b, err := json.Marshal(sd)
	if err != nil {
		return err
	}
	return s.passkeys.SaveWebAuthn(r.Context(), s.sessionToken(r), b)
}

// takeCeremony returns the session's ceremony data, once.
func (s *Server) takeCeremony(r *http.Request) (webauthn.SessionData, error) {
	var sd webauthn.SessionData
	b, err := s.passkeys.TakeWebAuthn(r.Context(), s.sessionToken(r))
	if err != nil {
		return sd, err
	}
	return sd, json.Unmarshal(b, &sd)
}

// finishCeremony loads what checking a ceremony's answer needs: the
// person and their passkeys, the challenge (taken, so it is answered once)
// and the relying party.
func (s *Server) finishCeremony(r *http.Request, stages ...string) (*passkeyUser, webauthn.SessionData, *webauthn.WebAuthn, error) {
	pu, err := s.passkeyLoad(r, stages...)
	if err != nil {
		return nil, webauthn.SessionData{}, nil, err
	}
	sd, err := s.takeCeremony(r)
	if err != nil {
		return nil, sd, nil, err
	}
	rp, err := s.relyingParty(r)
	return pu, sd, rp, err
}

var errPasskey = escalate.Errorf(escalate.EINVALID, "The passkey could not be checked. Try again, or use a code instead.")

// passkeyRegisterOptions starts registering a passkey.
func (s *Server) passkeyRegisterOptions(w http.ResponseWriter, r *http.Request) error {
	v, err := func() (any, error) {
		pu, err := s.passkeyLoad(r, escalate.StageEnrol, escalate.StageFull)
		if err != nil {
			return nil, err
		}
		rp, err := s.relyingParty(r)
		if err != nil {
			return nil, err
		}
		var exclude []protocol.CredentialDescriptor
		for _, c := range pu.creds {
			exclude = append(exclude, c.Descriptor())
		}
		creation, sd, err := rp.BeginRegistration(pu, webauthn.WithExclusions(exclude),
			webauthn.WithResidentKeyRequirement(protocol.ResidentKeyRequirementPreferred))
		if err != nil {
			return nil, err
		}
		return creation, s.saveCeremony(r, sd)
	}()
	s.passkeyJSON(w, r, v, err)
	return nil
}

// passkeyRegister finishes registering a passkey. At the first sign-in the
// session becomes a full one; then the page shows recovery codes.
func (s *Server) passkeyRegister(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	v, err := func() (any, error) {
		pu, sd, rp, err := s.finishCeremony(r, escalate.StageEnrol, escalate.StageFull)
		if err != nil {
			return nil, err
		}
		parsed, err := protocol.ParseCredentialCreationResponseBody(r.Body)
		if err != nil {
			return nil, errPasskey
		}
		cred, err := rp.CreateCredential(pu, sd, parsed)
		if err != nil {
			s.log.WarnContext(r.Context(), "passkey: registration refused", "reason", passkeyReason(err))
			return nil, errPasskey
		}
		data, err := json.Marshal(cred)
		if err != nil {
			return nil, err
		}
		fresh, err := s.passkeys.AddPasskey(r.Context(), s.sessionToken(r), cred.ID, data, r.URL.Query().Get("name"), s.clientIP(r))
		if err != nil {
			return nil, err
		}
		if fresh != "" {
			s.setCookie(w, fresh)
		}
		return map[string]string{"next": "codes"}, nil
	}()
	s.passkeyJSON(w, r, v, err)
	return nil
}

// passkeyLoginOptions starts using a passkey as the second factor.
func (s *Server) passkeyLoginOptions(w http.ResponseWriter, r *http.Request) error {
	v, err := func() (any, error) {
		pu, err := s.passkeyLoad(r, escalate.StageSecondFactor)
		if err != nil {
			return nil, err
		}
		if len(pu.creds) == 0 {
			return nil, escalate.Errorf(escalate.ECONFLICT, "You have no passkey: type a code instead.")
		}
		rp, err := s.relyingParty(r)
		if err != nil {
			return nil, err
		}
		assertion, sd, err := rp.BeginLogin(pu)
		if err != nil {
			return nil, err
		}
		return assertion, s.saveCeremony(r, sd)
	}()
	s.passkeyJSON(w, r, v, err)
	return nil
}

// passkeyLogin finishes the sign-in with a passkey. A refused answer
// counts as a wrong code.
func (s *Server) passkeyLogin(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	v, err := func() (any, error) {
		pu, sd, rp, err := s.finishCeremony(r, escalate.StageSecondFactor)
		if err != nil {
			return nil, err
		}
		parsed, err := protocol.ParseCredentialRequestResponseBody(r.Body)
		var cred *webauthn.Credential
		if err == nil {
			cred, err = rp.ValidateLogin(pu, sd, parsed)
		}
		if err != nil {
			s.log.WarnContext(r.Context(), "passkey: sign-in refused", "reason", passkeyReason(err))
			if ferr := s.passkeys.PasskeyFailed(r.Context(), s.sessionToken(r), s.clientIP(r)); ferr != nil {
				return nil, ferr
			}
			return nil, errPasskey
		}
		data, err := json.Marshal(cred)
		if err != nil {
			return nil, err
		}
		fresh, err := s.passkeys.PasskeySignedIn(r.Context(), s.sessionToken(r), cred.ID, data, s.clientIP(r))
		if err != nil {
			return nil, err
		}
		s.setCookie(w, fresh)
		return map[string]string{"next": "/"}, nil
	}()
	s.passkeyJSON(w, r, v, err)
	return nil
}

// passkeyReason is go-webauthn's error type, never its details, which may
// quote what was sent.
func passkeyReason(err error) string {
	var pe *protocol.Error
	if errors.As(err, &pe) {
		return pe.Type
	}
	return "invalid"
}

// setUpCodes follows a new passkey: recovery codes if the person has none
// left, shown once.
func (s *Server) setUpCodes(w http.ResponseWriter, r *http.Request) error {
	codes, err := s.passkeys.RecoveryCodesIfNone(r.Context(), s.sessionToken(r))
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "account-recovery-codes", &page{Title: "Your recovery codes", Data: &setUpView{Codes: codes}})
	return nil
}
