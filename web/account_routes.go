package web

import (
	"context"
	"net/http"

	"github.com/escalate-project/escalate"
)

// AccountStore is what the account pages need beyond Auth: the role-change
// history (and, with the later items of issue 11, second factors,
// invitations and resets). *sqlstore.DB implements it.
type AccountStore interface {
	// RoleChanges lists the partnership's role changes, newest first.
	RoleChanges(ctx context.Context, partnershipID int64, limit int) ([]escalate.RoleChange, error)
}

// accountRoutes adds the pages about accounts and sign-in that need an
// AccountStore and a PartnershipStore.
func (s *Server) accountRoutes(mux *http.ServeMux) {
	if s.acct == nil || s.org == nil {
		return
	}
	page := func(pattern string, h handlerFunc) { mux.Handle(pattern, s.handle(s.signedIn(h))) }
	page("GET /admin/role-changes", s.roleChangesPage)
}
