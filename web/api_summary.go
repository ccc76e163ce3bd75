package web

import (
	"time"

	"github.com/escalate-project/escalate"
)

// apiEscalationSummary is one escalation in a list: what a queue needs to
// sort and open it, and nothing about the child or the disagreement. A list
// is not audited (it shows that cases exist); the full fields come only from
// GET /escalations/{ref}, which records a view.
type apiEscalationSummary struct {
	Ref             string          `json:"ref" doc:"the escalation's reference, e.g. WR-2026-0001"`
	Status          escalate.Status `json:"status" enum:"open,resolved,redirected,withdrawn"`
	Stage           string          `json:"stage" doc:"the current stage's key in the pinned policy"`
	StageName       string          `json:"stage_name"`
	RaisingAgency   int64           `json:"raising_agency" doc:"agency ID"`
	ReceivingAgency int64           `json:"receiving_agency" doc:"agency ID"`
	NextDue         *time.Time      `json:"next_due,omitempty" doc:"the earliest deadline of a running clock"`
	Overdue         bool            `json:"overdue" doc:"a clock is running past its deadline"`
}

// toAPISummary is e as a list shows it.
func toAPISummary(e *escalate.Escalation, p *escalate.Policy, now time.Time) apiEscalationSummary {
	a := apiEscalationSummary{Ref: e.Ref, Status: e.Status, RaisingAgency: e.RaisingAgencyID, ReceivingAgency: e.ReceivingAgencyID}
	if p != nil {
		if st := e.CurrentStage(p); st != nil {
			a.Stage, a.StageName = st.Key, st.Name
		}
	}
	if due, ok := e.NextDue(); ok {
		a.NextDue = &due
	}
	for _, c := range e.Clocks {
		a.Overdue = a.Overdue || c.Overdue(now)
	}
	return a
}
