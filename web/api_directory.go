package web

import (
	"net/http"

	"github.com/escalate-project/escalate/calendar"
	"go.yaml.in/yaml/v3"
)

// apiContacts lists the contacts directory of the token user's partnership:
// every user may see it, as the raise pages show it to everyone.
func (s *Server) apiContacts(w http.ResponseWriter, r *http.Request) (any, error) {
	_, p := signedInUser(r)
	cs, err := s.api.Store.Contacts(r.Context(), p.ID)
	if err != nil {
		return nil, err
	}
	today := calendar.DateOf(s.esc.Now()).String()
	list := apiContactList{Contacts: []apiContact{}}
	for _, c := range cs {
		list.Contacts = append(list.Contacts, apiContact{ID: c.ID, Agency: c.AgencyID, AgencyName: c.AgencyName,
			Role: c.Role, Name: c.Name, JobTitle: c.JobTitle, Phone: c.Phone, Email: c.Email,
			LastVerified: c.LastVerified, Stale: c.Stale(today)})
	}
	return list, nil
}

// apiPolicy returns the partnership's current policy with the policy file's
// own field names (doc/policy-format.md): it goes through YAML, the format
// the policy is defined in, so the JSON never drifts from the file format.
func (s *Server) apiPolicy(w http.ResponseWriter, r *http.Request) (any, error) {
	_, p := signedInUser(r)
	pol, err := s.api.Store.CurrentPolicy(r.Context(), p.ID)
	if err != nil {
		return nil, err
	}
	b, err := yaml.Marshal(pol)
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	return apiPolicy(doc), nil
}
