package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/escalate-project/escalate"
)

// The partnership's sign-in providers (administration): each OpenID
// Connect provider and the email domains whose people sign in with it. The
// client secret is never typed here or shown: only where serve reads it
// (env:NAME or file:/path).

type providersView struct {
	Nav       []orgNavLink
	CanEdit   bool
	Providers []*escalate.OIDCProvider
	Form      escalate.OIDCProvider // what was typed, shown again after an error
	Domains   string
	Callback  string // the redirect URI to register with a provider
	Notice    string
}

var providerNotices = map[string]string{"added": "Provider added.", "removed": "Provider removed."}

func (s *Server) providersView(r *http.Request) (*providersView, error) {
	u, p := orgActor(r)
	ps, err := s.providers.cfg.Store.Providers(r.Context(), p.ID)
	if err != nil {
		return nil, err
	}
	return &providersView{Nav: orgNav(u, "/admin/sign-in"), CanEdit: orgHasAny(u, adminWriters), Providers: ps,
		Callback: s.redirectURL(r), Notice: providerNotices[r.URL.Query().Get("done")]}, nil
}

func (s *Server) providersPage(w http.ResponseWriter, r *http.Request) error {
	u, _ := orgActor(r)
	if err := orgRequire(u, adminReaders, "see the partnership's sign-in providers"); err != nil {
		return err
	}
	v, err := s.providersView(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "account-providers", &page{Title: "Sign-in providers", Data: v})
	return nil
}

// providerAdd adds a provider; every problem with the form is listed at
// once, and nothing is stored.
func (s *Server) providerAdd(w http.ResponseWriter, r *http.Request) error {
	u, p := orgActor(r)
	if err := orgRequire(u, adminWriters, "add sign-in providers"); err != nil {
		return err
	}
	if err := orgParseForm(w, r); err != nil {
		return err
	}
	f := r.PostForm
	v, err := s.providersView(r)
	if err != nil {
		return err
	}
	v.Domains = strings.TrimSpace(f.Get("domains"))
	v.Form = escalate.OIDCProvider{PartnershipID: p.ID, Name: f.Get("name"), Issuer: f.Get("issuer"), ClientID: f.Get("client_id"),
		SecretRef: f.Get("secret_ref"), Domains: []string{v.Domains}, LinkByEmail: f.Get("link_by_email") == "yes"}
	var errs []fieldError
	for _, e := range v.Form.Problems() {
		errs = append(errs, fieldError{e.Field, e.Message})
	}
	if len(errs) == 0 {
		err := s.providers.cfg.Store.AddProvider(r.Context(), &v.Form)
		switch escalate.ErrorCode(err) {
		case "":
			http.Redirect(w, r, "/admin/sign-in?done=added", http.StatusSeeOther)
			return nil
		case escalate.EINVALID, escalate.ECONFLICT:
			field := escalate.ErrorField(err)
			if field == "" {
				field = "name"
			}
			errs = append(errs, fieldError{field, escalate.ErrorMessage(err)})
		default:
			return err
		}
	}
	s.render(w, r, http.StatusBadRequest, "account-providers", &page{Title: "Sign-in providers", Data: v, Errors: errs})
	return nil
}

func (s *Server) providerRemove(w http.ResponseWriter, r *http.Request) error {
	u, p := orgActor(r)
	if err := orgRequire(u, adminWriters, "remove sign-in providers"); err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return escalate.Errorf(escalate.ENOTFOUND, "There is no such sign-in provider.")
	}
	if err := s.providers.cfg.Store.RemoveProvider(r.Context(), p.ID, id); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/sign-in?done=removed", http.StatusSeeOther)
	return nil
}
