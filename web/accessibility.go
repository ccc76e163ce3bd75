package web

import "net/http"

// The accessibility statement the Public Sector Bodies (Websites and
// Mobile Applications) (No. 2) Accessibility Regulations 2018 ask every
// public sector service to publish. It is public: anyone, signed in or
// not, may need it before they can use the service.

// accessibilityRoutes adds the statement.
func (s *Server) accessibilityRoutes(mux *http.ServeMux) {
	mux.Handle("GET /accessibility", s.handle(s.accessibilityPage))
}

// accessibilityTested is when the statement says the service was last
// tested, and how.
const accessibilityTested = "6 December 2026"

func (s *Server) accessibilityPage(w http.ResponseWriter, r *http.Request) error {
	r, err := s.withSession(w, r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "accessibility", &page{Title: "Accessibility statement", Data: accessibilityTested})
	return nil
}
