package web

import (
	"net/http"
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
	Created  string
	LastUsed string
	Revoked  string
}

// tokensData is what the tokens pages show.
type tokensData struct {
	Tokens  []tokenRow
	Name    string // the name typed, shown again after an error
	Revoked bool   // a token was just revoked
	Secret  string // the new token, on the page that shows it once
	Created *tokenRow
}

// tokenTime says an instant in words on the London clock, e.g.
// "15:30 Thu 24 Dec 2026".
func tokenTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(calendar.London).Format("15:04 Mon 2 Jan 2006")
}

func toTokenRow(t *escalate.APIToken) tokenRow {
	return tokenRow{ID: t.ID, Name: t.Name, Hint: t.Hint, Created: tokenTime(t.Created),
		LastUsed: tokenTime(t.LastUsed), Revoked: tokenTime(t.Revoked)}
}

func (s *Server) tokenList(r *http.Request, d *tokensData) error {
	ts, err := s.api.Tokens.Tokens(r.Context())
	if err != nil {
		return err
	}
	for _, t := range ts {
		d.Tokens = append(d.Tokens, toTokenRow(t))
	}
	return nil
}

func (s *Server) tokensPage(w http.ResponseWriter, r *http.Request) error {
	d := &tokensData{Revoked: r.URL.Query().Get("revoked") == "1"}
	if err := s.tokenList(r, d); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "tokens-list", &page{Title: "API tokens", Data: d})
	return nil
}

// tokenCreate issues a token and shows it on the response to the POST
// itself, not after a redirect: the secret is never stored, so no later
// GET could show it. The page is no-store like every signed-in page.
func (s *Server) tokenCreate(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return escalate.Errorf(escalate.EINVALID, "The form could not be read. Go back and try again.")
	}
	name := strings.TrimSpace(r.PostForm.Get("name"))
	secret, t, err := s.api.Tokens.CreateToken(r.Context(), name)
	if escalate.ErrorCode(err) == escalate.EINVALID {
		d := &tokensData{Name: name}
		if err := s.tokenList(r, d); err != nil {
			return err
		}
		s.render(w, r, http.StatusBadRequest, "tokens-list", &page{Title: "API tokens", Data: d,
			Errors: []fieldError{{"name", escalate.ErrorMessage(err)}}})
		return nil
	} else if err != nil {
		return err
	}
	row := toTokenRow(t)
	s.render(w, r, http.StatusOK, "tokens-created", &page{Title: "Your new API token",
		Data: &tokensData{Secret: secret, Created: &row}})
	return nil
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
