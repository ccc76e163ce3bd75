package web

import (
	"net/http"

	"github.com/escalate-project/escalate"
)

// The data protection officer's own sections of the data protection page:
// retention and legal holds, and subject access.

// privacyMoreRoutes adds the data protection officer's routes.
func (s *Server) privacyMoreRoutes(page func(pattern string, h handlerFunc)) {}

// privacyMore builds the data protection officer's sections.
func (s *Server) privacyMore(r *http.Request, u *escalate.User) (any, error) { return nil, nil }
