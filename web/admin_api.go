package web

import (
	"context"
	"net/http"
	"slices"

	"github.com/escalate-project/escalate"
)

// Who may use the JSON API: a partnership setting the administrator keeps
// on the administration page (doc/web.md, "API tokens"). Only those it
// lets in see "API tokens" in the navigation, reach the tokens page, make
// a token, or call the API with one.

// apiRoleSetter is the partnership store's setting of who may use the
// API: *sqlstore.DB.
type apiRoleSetter interface {
	// SetAPIRoles sets the roles that may use the API: nil for everyone.
	SetAPIRoles(ctx context.Context, partnershipID int64, roles []escalate.Role) error
}

// adminAPIRoutes adds the setting's form, when the store can keep it.
func (s *Server) adminAPIRoutes(mux *http.ServeMux) {
	if _, ok := s.org.(apiRoleSetter); !ok || s.api.Tokens == nil {
		return
	}
	mux.Handle("POST /admin/api-access", s.handle(s.signedIn(s.adminAPIAccess)))
}

// apiAccessView is the setting as the administration page shows it.
type apiAccessView struct {
	Everyone bool
	Roles    []option // every role, Hint "checked" when it may use the API
}

// apiAccess builds the setting's view for p.
func apiAccess(p *escalate.Partnership) *apiAccessView {
	v := &apiAccessView{Everyone: p.APIRoles == nil}
	for _, r := range escalate.UserRoles {
		o := option{Value: string(r), Text: upperFirst(roleName(r))}
		if slices.Contains(p.APIRoles, r) {
			o.Hint = "checked"
		}
		v.Roles = append(v.Roles, o)
	}
	return v
}

// adminAPIAccess saves who may use the API: "everyone", or the roles
// ticked (none ticked: no one).
func (s *Server) adminAPIAccess(w http.ResponseWriter, r *http.Request) error {
	u, p := orgActor(r)
	if err := orgRequire(u, adminWriters, "change who may use the API"); err != nil {
		return err
	}
	if err := orgParseForm(w, r); err != nil {
		return err
	}
	var roles []escalate.Role
	if r.PostForm.Get("access") != "everyone" {
		roles = []escalate.Role{}
		for _, v := range r.PostForm["api_roles"] {
			roles = append(roles, escalate.Role(v))
		}
	}
	if err := s.org.(apiRoleSetter).SetAPIRoles(r.Context(), p.ID, roles); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin?done=api#api-access", http.StatusSeeOther)
	return nil
}
