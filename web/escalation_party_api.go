package web

import (
	"context"
	"net/http"

	"github.com/escalate-project/escalate"
)

// partyRequest is POST /escalations/{ref}/parties. Naming a party changes
// nothing the rules read, so it needs no version.
type partyRequest struct {
	UserID int64 `json:"user_id" doc:"the ID of a user of your partnership who is dealing with the escalation"`
}

// apiAddParty names in.UserID a party. The service decides who may be
// named (escalate.MayBeNamed) and who may name, as on the pages: someone
// outside the rule is 400 on user_id and changes nothing.
func (s *Server) apiAddParty(r *http.Request, ref string, in *partyRequest) (*escalate.Escalation, error) {
	return s.apiParty(r, ref, in, func(pa PartyAdder) func(context.Context, string, int64) (*escalate.Escalation, error) {
		return pa.AddParty
	})
}

// apiRemoveParty removes in.UserID, who was named.
func (s *Server) apiRemoveParty(r *http.Request, ref string, in *partyRequest) (*escalate.Escalation, error) {
	return s.apiParty(r, ref, in, func(pa PartyAdder) func(context.Context, string, int64) (*escalate.Escalation, error) {
		return pa.RemoveParty
	})
}

func (s *Server) apiParty(r *http.Request, ref string, in *partyRequest,
	op func(PartyAdder) func(context.Context, string, int64) (*escalate.Escalation, error)) (*escalate.Escalation, error) {
	pa := s.parties()
	if pa == nil {
		return nil, escalate.Errorf(escalate.EINTERNAL, "Naming a party is not available on this server.")
	}
	if in.UserID < 1 {
		return nil, escalate.FieldErrorf("user_id", "Give the user_id of the person who is dealing with the escalation.")
	}
	e, err := op(pa)(r.Context(), ref, in.UserID)
	if escalate.ErrorCode(err) == escalate.EINVALID && escalate.ErrorField(err) == "user" {
		return nil, escalate.FieldErrorf("user_id", "%s", escalate.ErrorMessage(err))
	}
	return e, err
}
