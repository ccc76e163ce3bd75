package web

import (
	"net/http"

	"github.com/escalate-project/escalate"
)

// partyRequest is POST /escalations/{ref}/parties. Naming a party changes
// nothing the rules read, so it needs no version.
type partyRequest struct {
	UserID int64 `json:"user_id" doc:"the ID of a user of your partnership who is dealing with the escalation"`
}

// apiAddParty names in.UserID a party. The service decides who may; the
// API, like the service, accepts any enabled user of the partnership.
func (s *Server) apiAddParty(r *http.Request, ref string, in *partyRequest) (*escalate.Escalation, error) {
	pa := s.parties()
	if pa == nil {
		return nil, escalate.Errorf(escalate.EINTERNAL, "Naming a party is not available on this server.")
	}
	if in.UserID < 1 {
		return nil, escalate.FieldErrorf("user_id", "Give the user_id of the person who is dealing with the escalation.")
	}
	e, err := pa.AddParty(r.Context(), ref, in.UserID)
	if escalate.ErrorCode(err) == escalate.EINVALID && escalate.ErrorField(err) == "user" {
		return nil, escalate.FieldErrorf("user_id", "%s", escalate.ErrorMessage(err))
	}
	return e, err
}
