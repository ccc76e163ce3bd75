package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
)

// The API tokens page: a signed-in user creates and revokes their own
// tokens for the JSON API.

// tokenRoutes adds the API tokens page; apiRoutes calls it. Only people
// whose partnership lets their role use the API reach it.
func (s *Server) tokenRoutes(mux *http.ServeMux) {
	mux.Handle("GET /account/tokens", s.handle(s.signedIn(apiUsers(s.tokensPage))))
	mux.Handle("POST /account/tokens", s.handle(s.signedIn(apiUsers(s.tokenCreate))))
	// Revoking stays open to anyone: a token made before the partnership
	// narrowed who may use the API can still be withdrawn by its owner.
	mux.Handle("POST /account/tokens/{id}/revoke", s.handle(s.signedIn(s.tokenRevoke)))
}

// apiUsers lets only those who may use the API (escalate.Partnership.MayUseAPI)
// reach h.
func apiUsers(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		u, p := signedInUser(r)
		if !p.MayUseAPI(u) {
			return escalate.Errorf(escalate.EFORBIDDEN, "Your partnership does not let your role use the API, so you have no API tokens. Ask your administrator if you need them.")
		}
		return h(w, r)
	}
}

// tokenRow is a token as the page lists it, its times already in words.
type tokenRow struct {
	ID       int64
	Name     string
	Hint     string
	Scope    string // in words
	Created  string
	Expires  string
	Expired  bool
	LastUsed string
	Revoked  string
}

// tokensData is what the tokens pages show.
type tokensData struct {
	Tokens  []tokenRow
	Name    string // the name typed, shown again after an error
	Scope   string // the scope chosen
	Days    string // the lifetime chosen, in days
	Revoked bool   // a token was just revoked
	Secret  string // the new token, on the page that shows it once
	Created *tokenRow
}

// tokenLifetimes are the lifetimes offered, in days; 90 is the default
// and a year the most.
var tokenLifetimes = []string{"30", "90", "180", "365"}

// scopeWords says a scope in words.
func scopeWords(sc escalate.TokenScope) string {
	if sc.CanWrite() {
		return "Read and change"
	}
	return "Read only"
}

// tokenTime says an instant in words on the London clock, e.g.
// "15:30 Thu 24 Dec 2026".
func tokenTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(calendar.London).Format("15:04 Mon 2 Jan 2006")
}

func toTokenRow(t *escalate.APIToken, now time.Time) tokenRow {
	return tokenRow{ID: t.ID, Name: t.Name, Hint: t.Hint, Scope: scopeWords(t.Scope), Created: tokenTime(t.Created),
		Expires: tokenTime(t.Expires), Expired: !t.Expires.IsZero() && !now.Before(t.Expires),
		LastUsed: tokenTime(t.LastUsed), Revoked: tokenTime(t.Revoked)}
}

func (s *Server) tokenList(r *http.Request, d *tokensData) error {
	ts, err := s.api.Tokens.Tokens(r.Context())
	if err != nil {
		return err
	}
	for _, t := range ts {
		d.Tokens = append(d.Tokens, toTokenRow(t, time.Now()))
	}
	return nil
}

func (s *Server) tokensPage(w http.ResponseWriter, r *http.Request) error {
	d := &tokensData{Revoked: r.URL.Query().Get("revoked") == "1", Scope: string(escalate.ScopeRead), Days: "90"}
	if err := s.tokenList(r, d); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "tokens-list", &page{Title: "API tokens", Data: d})
	return nil
}

// tokenCreate issues a token and shows it on the response to the POST
// itself, not after a redirect: the secret is never stored, so no later
// GET could show it. The page is no-store like every signed-in page. The
// person first proves again who they are (password or code), so that a
// stolen session alone cannot make a lasting credential.
func (s *Server) tokenCreate(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return escalate.Errorf(escalate.EINVALID, "The form could not be read. Go back and try again.")
	}
	f := r.PostForm
	d := &tokensData{Name: strings.TrimSpace(f.Get("name")), Scope: f.Get("scope"), Days: f.Get("days")}
	req := escalate.TokenRequest{Name: d.Name, Scope: escalate.TokenScope(d.Scope), Session: s.sessionToken(r)}
	var errs []fieldError
	if err := escalate.CheckTokenName(d.Name); err != nil {
		errs = append(errs, fieldError{"name", escalate.ErrorMessage(err)})
	}
	if req.Scope != escalate.ScopeRead && req.Scope != escalate.ScopeReadWrite {
		errs = append(errs, fieldError{"scope", "Choose whether the token may only read, or read and change"})
	}
	if days, err := strconv.Atoi(d.Days); err != nil || !slices.Contains(tokenLifetimes, d.Days) {
		errs = append(errs, fieldError{"days", "Choose how long the token lasts"})
	} else {
		req.Expires = time.Now().Add(time.Duration(days) * 24 * time.Hour)
	}
	password, code := f.Get("password"), strings.TrimSpace(f.Get("code"))
	if len(errs) == 0 {
		err := s.auth.Reauthenticate(r.Context(), req.Session, password, code, s.clientIP(r))
		if c := escalate.ErrorCode(err); c == escalate.EINVALID || c == escalate.ETOOMANY || c == escalate.EUNAVAILABLE {
			field := escalate.ErrorField(err)
			if field != "code" {
				field = "password"
			}
			errs = append(errs, fieldError{field, escalate.ErrorMessage(err)})
			setRetryAfter(w, err)
		} else if err != nil {
			return err
		}
	}
	var secret string
	var t *escalate.APIToken
	if len(errs) == 0 {
		var err error
		secret, t, err = s.api.Tokens.CreateToken(r.Context(), req)
		if escalate.ErrorCode(err) == escalate.EINVALID {
			errs = append(errs, fieldError{tokenField(escalate.ErrorField(err)), escalate.ErrorMessage(err)})
		} else if err != nil {
			return err
		}
	}
	if len(errs) > 0 {
		if err := s.tokenList(r, d); err != nil {
			return err
		}
		status := http.StatusBadRequest
		for _, e := range errs {
			if e.Field == "password" || e.Field == "code" {
				if ra := w.Header().Get("Retry-After"); ra != "" {
					status = http.StatusTooManyRequests
				}
			}
		}
		s.render(w, r, status, "tokens-list", &page{Title: "API tokens", Data: d, Errors: errs})
		return nil
	}
	row := toTokenRow(t, time.Now())
	s.render(w, r, http.StatusOK, "tokens-created", &page{Title: "Your new API token",
		Data: &tokensData{Secret: secret, Created: &row}})
	return nil
}

// tokenField is the form field a store error names.
func tokenField(f string) string {
	switch f {
	case "scope", "password", "code":
		return f
	case "expires":
		return "days"
	}
	return "name"
}

func (s *Server) tokenRevoke(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return escalate.Errorf(escalate.ENOTFOUND, "There is no such token.")
	}
	if err := s.api.Tokens.RevokeToken(r.Context(), id); err != nil {
		return err
	}
	http.Redirect(w, r, "/account/tokens?revoked=1", http.StatusSeeOther)
	return nil
}
