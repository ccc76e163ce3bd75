package web

import (
	"context"
	"net/http"
	"time"

	"github.com/escalate-project/escalate"
)

// Escalations is what My work and the escalation pages need from the store:
// the escalation service, and read-only help that records nothing.
// sqlstore.EscalationService implements it.
type Escalations interface {
	escalate.EscalationService
	// Timeline returns escalation ref's pinned policy, its parties and its
	// audit events, oldest first, without recording a view (Get does).
	Timeline(ctx context.Context, ref string) (*escalate.Policy, escalate.Parties, []escalate.Event, error)
	// PolicyFor returns the policy version e is pinned to.
	PolicyFor(ctx context.Context, e *escalate.Escalation) (*escalate.Policy, error)
	// Names returns people's and agencies' names in the actor's partnership.
	Names(ctx context.Context) (people, agencies map[int64]string, err error)
	// Now is the store's clock, the one deadlines are judged by.
	Now() time.Time
}

// escalationRoutes adds the pages about escalations: one page per case and
// one form per action. My work is the home page (see home).
func (s *Server) escalationRoutes(mux *http.ServeMux) {
	if s.esc == nil {
		return
	}
	mux.Handle("GET /escalations/{ref}", s.handle(s.signedIn(s.escalationPage)))
	for _, a := range escalationActions {
		mux.Handle("GET /escalations/{ref}/"+a.Path, s.handle(s.signedIn(s.actionForm(a))))
		mux.Handle("POST /escalations/{ref}/"+a.Path, s.handle(s.signedIn(s.actionPost(a))))
	}
	s.partyRoutes(mux)
}

// caseView is one escalation with everything its pages show beside it.
type caseView struct {
	E        *escalate.Escalation
	Policy   *escalate.Policy
	Parties  escalate.Parties
	Events   []escalate.Event
	People   map[int64]string
	Agencies map[int64]string
	Now      time.Time
}

// loadCase opens escalation ref for the signed-in user: Get records the
// view (and refuses a stranger with ENOTFOUND), then Timeline and Names
// fill in the rest.
func (s *Server) loadCase(ctx context.Context, ref string) (*caseView, error) {
	e, err := s.esc.Get(ctx, ref)
	if err != nil {
		return nil, err
	}
	v := &caseView{E: e, Now: s.esc.Now()}
	if v.Policy, v.Parties, v.Events, err = s.esc.Timeline(ctx, ref); err != nil {
		return nil, err
	}
	if v.People, v.Agencies, err = s.esc.Names(ctx); err != nil {
		return nil, err
	}
	return v, nil
}

// can reports whether the signed-in user may take action on the case.
func (v *caseView) can(ctx context.Context, action string) bool {
	return escalate.Can(escalate.UserFromContext(ctx), v.E, v.Parties, action)
}
