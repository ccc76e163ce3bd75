package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/escalate-project/escalate"
)

// The API's escalation endpoints. Each calls the escalation service with
// the token's user in ctx; the service decides who may see and do what, so
// a case the user may not see is 404 here exactly as on the pages.

// apiRouteTable lists every endpoint. It is the one table the ServeMux
// patterns and the OpenAPI document are both built from.
func (s *Server) apiRouteTable() []apiRoute {
	ok, created := http.StatusOK, http.StatusCreated
	return []apiRoute{
		{Method: "GET", Path: "/openapi.json", Summary: "This OpenAPI document", Public: true,
			Reply: openAPIDoc{}, Status: ok}, // handler set by apiRoutes
		{Method: "GET", Path: "/escalations", Summary: "List the escalations you may see, soonest deadline first",
			Query: apiListParams, Reply: apiEscalationList{}, Status: ok, handler: s.apiListEscalations},
		{Method: "POST", Path: "/escalations", Summary: "Raise an escalation under your partnership's policy",
			Request: raiseRequest{}, Reply: apiEscalation{}, Status: created, handler: s.apiRaise},
		{Method: "GET", Path: "/escalations/{ref}", Summary: "Get one escalation, with its records; recorded as a view",
			Reply: apiEscalation{}, Status: ok, handler: s.apiGet},
		{Method: "GET", Path: "/escalations/{ref}/records", Summary: "List an escalation's records; recorded as a view",
			Reply: apiRecordList{}, Status: ok, handler: s.apiRecords},
		{Method: "POST", Path: "/escalations/{ref}/records", Summary: "Add a record of a discussion or action",
			Request: recordRequest{}, Reply: apiEscalation{}, Status: created, handler: apiChange(s, s.apiAddRecord)},
		{Method: "POST", Path: "/escalations/{ref}/parties", Summary: "Name someone who is dealing with the escalation (your own ID: take it), so they may see and act on it: a person at either agency, or holding a partnership role the stage names; needs no version",
			Request: partyRequest{}, Reply: apiEscalation{}, Status: ok, handler: apiChange(s, s.apiAddParty)},
		{Method: "POST", Path: "/escalations/{ref}/parties/remove", Summary: "Remove someone named as dealing with the escalation; needs no version",
			Request: partyRequest{}, Reply: apiEscalation{}, Status: ok, handler: apiChange(s, s.apiRemoveParty)},
		{Method: "POST", Path: "/escalations/{ref}/records/{id}/approve", Summary: "Approve and date a record",
			Request: versionRequest{}, Reply: apiEscalation{}, Status: ok, handler: apiChange(s, s.apiApproveRecord)},
		{Method: "POST", Path: "/escalations/{ref}/agree", Summary: "Record the agreed outcome and how outstanding issues will be pursued",
			Request: agreeRequest{}, Reply: apiEscalation{}, Status: ok, handler: apiChange(s, s.apiAgree)},
		{Method: "POST", Path: "/escalations/{ref}/confirm", Summary: "Confirm the agreed outcome in writing",
			Request: confirmRequest{}, Reply: apiEscalation{}, Status: ok, handler: apiChange(s, s.apiConfirm)},
		{Method: "POST", Path: "/escalations/{ref}/escalate", Summary: "Escalate to the next (or a named) stage",
			Request: escalateRequest{}, Reply: apiEscalation{}, Status: ok, handler: apiChange(s, s.apiEscalate)},
		{Method: "POST", Path: "/escalations/{ref}/determine", Summary: "Record the final stage's determination or recommendations",
			Request: determineRequest{}, Reply: apiEscalation{}, Status: ok, handler: apiChange(s, s.apiDetermine)},
		{Method: "POST", Path: "/escalations/{ref}/redirect", Summary: "Take the matter out of this process, e.g. to the LADO",
			Request: redirectRequest{}, Reply: apiEscalation{}, Status: ok, handler: apiChange(s, s.apiRedirect)},
		{Method: "POST", Path: "/escalations/{ref}/withdraw", Summary: "Withdraw the escalation",
			Request: withdrawRequest{}, Reply: apiEscalation{}, Status: ok, handler: apiChange(s, s.apiWithdraw)},
		{Method: "POST", Path: "/escalations/{ref}/risk", Summary: "Raise or lower the risk to the child",
			Request: riskRequest{}, Reply: apiEscalation{}, Status: ok, handler: apiChange(s, s.apiRisk)},
		{Method: "POST", Path: "/escalations/{ref}/clocks/{id}/shorten", Summary: "Bring a running clock's deadline forward",
			Request: shortenRequest{}, Reply: apiEscalation{}, Status: ok, handler: apiChange(s, s.apiShorten)},
		{Method: "POST", Path: "/escalations/{ref}/immediate-action", Summary: "Record what was done for a child at immediate risk; needs no version and is never held up",
			Request: immediateRequest{}, Reply: apiImmediateReply{}, Status: created, handler: s.apiImmediate},
		{Method: "POST", Path: "/immediate-actions", Summary: "Record an immediate-risk action before the escalation is raised",
			Request: immediateRequest{}, Reply: apiImmediateReply{}, Status: created, handler: s.apiImmediate},
		{Method: "GET", Path: "/contacts", Summary: "Your partnership's contacts directory",
			Reply: apiContactList{}, Status: ok, handler: s.apiContacts},
		{Method: "GET", Path: "/policy", Summary: "Your partnership's current policy, as the policy file's fields in JSON",
			Reply: apiPolicy{}, Status: ok, handler: s.apiPolicy},
	}
}

// apiListParams are the filters of GET /escalations.
var apiListParams = []apiParam{
	{"status", "string", "open, resolved, redirected or withdrawn"},
	{"stage", "string", "a stage key"},
	{"agency", "integer", "an agency ID, raising or receiving"},
	{"category", "string", "a category key"},
	{"mine", "boolean", "only what you raised, are involved in or is in your management line"},
	{"overdue", "boolean", "only escalations with a clock running past its deadline"},
	{"offset", "integer", "how many to skip"},
	{"limit", "integer", "how many to return: 1 to 200, default 50"},
}

// Page sizes of GET /escalations.
const (
	apiDefaultListLimit = 50
	apiMaxListLimit     = 200
)

func (s *Server) apiListEscalations(w http.ResponseWriter, r *http.Request) (any, error) {
	q := r.URL.Query()
	f := escalate.EscalationFilter{Status: escalate.Status(q.Get("status")), Stage: q.Get("stage"),
		Category: q.Get("category"), Limit: apiDefaultListLimit}
	for _, p := range apiListParams {
		v := q.Get(p.Name)
		if v == "" {
			continue
		}
		switch p.Type {
		case "integer":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return nil, escalate.FieldErrorf(p.Name, "%s must be a whole number of 0 or more.", p.Name)
			}
			switch p.Name {
			case "agency":
				f.AgencyID = n
			case "offset":
				f.Offset = int(n)
			case "limit":
				if n < 1 || n > apiMaxListLimit {
					return nil, escalate.FieldErrorf(p.Name, "limit must be from 1 to %d.", apiMaxListLimit)
				}
				f.Limit = int(n)
			}
		case "boolean":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return nil, escalate.FieldErrorf(p.Name, "%s must be true or false.", p.Name)
			}
			switch {
			case p.Name == "mine":
				f.Mine = b
			case p.Name == "overdue" && b:
				f.OverdueAt = s.esc.Now()
			}
		}
	}
	for name := range q {
		if !apiKnownParam(name) {
			return nil, escalate.FieldErrorf(name, "%q is not a filter: use %s.", name, apiParamNames())
		}
	}
	es, total, err := s.esc.List(r.Context(), f)
	if err != nil {
		return nil, err
	}
	list := apiEscalationList{Escalations: []apiEscalation{}, Total: total, Offset: f.Offset, Limit: f.Limit}
	pols := map[string]*escalate.Policy{}
	now := s.esc.Now()
	for _, e := range es {
		key := e.PolicyID + "\x00" + e.PolicyVersion
		p, ok := pols[key]
		if !ok {
			if p, err = s.esc.PolicyFor(r.Context(), e); err != nil {
				return nil, err
			}
			pols[key] = p
		}
		list.Escalations = append(list.Escalations, toAPIEscalation(e, p, now))
	}
	return list, nil
}

func apiKnownParam(name string) bool {
	for _, p := range apiListParams {
		if p.Name == name {
			return true
		}
	}
	return false
}

func apiParamNames() string {
	var names []string
	for _, p := range apiListParams {
		names = append(names, p.Name)
	}
	return strings.Join(names, ", ")
}

// apiView converts e for a reply, with its pinned policy's stage names.
func (s *Server) apiView(ctx context.Context, e *escalate.Escalation) (any, error) {
	p, err := s.esc.PolicyFor(ctx, e)
	if err != nil {
		return nil, err
	}
	return toAPIEscalation(e, p, s.esc.Now()), nil
}

func (s *Server) apiRaise(w http.ResponseWriter, r *http.Request) (any, error) {
	in, err := apiDecode[raiseRequest](w, r)
	if err != nil {
		return nil, err
	}
	protect, err := apiTime("protect_by", in.ProtectBy)
	if err != nil {
		return nil, err
	}
	e, err := s.esc.Raise(r.Context(), escalate.RaiseInput{
		RaisedRole: escalate.Role(in.RaisedRole), ReceivingAgencyID: in.ReceivingAgency, ReceivingContact: in.ReceivingContact,
		Decision: in.Decision, DecisionDate: in.DecisionDate, ChildRef: in.ChildRef, ChildInitials: in.ChildInitials,
		ChildExpected: in.ChildExpected, Categories: in.Categories, Issue: in.Issue, Risk: in.Risk, Disagreement: in.Disagreement,
		OutcomeSought: in.OutcomeSought, RiskLevel: escalate.RiskLevel(in.RiskLevel), ImmediateAction: in.ImmediateAction,
		DealtWith: in.DealtWith, ProtectBy: protect, Referred: in.Referred,
	})
	if err != nil {
		return nil, err
	}
	w.Header().Set("Location", apiPrefix+"/escalations/"+e.Ref)
	return s.apiView(r.Context(), e)
}

func (s *Server) apiGet(w http.ResponseWriter, r *http.Request) (any, error) {
	e, err := s.esc.Get(r.Context(), r.PathValue("ref"))
	if err != nil {
		return nil, err
	}
	return s.apiView(r.Context(), e)
}

func (s *Server) apiRecords(w http.ResponseWriter, r *http.Request) (any, error) {
	e, err := s.esc.Get(r.Context(), r.PathValue("ref"))
	if err != nil {
		return nil, err
	}
	return apiRecordList{Ref: e.Ref, Version: e.Version, Records: toAPIRecords(e.Records)}, nil
}

func (s *Server) apiImmediate(w http.ResponseWriter, r *http.Request) (any, error) {
	in, err := apiDecode[immediateRequest](w, r)
	if err != nil {
		return nil, err
	}
	im, err := s.esc.RecordImmediateAction(r.Context(), r.PathValue("ref"), escalate.ImmediateInput{Action: in.Action})
	if err != nil {
		return nil, err
	}
	return apiImmediateReply{apiImmediate{Action: im.Action, At: im.At, By: im.By}}, nil
}

// apiChange is the handler of a change: decode T, apply it to the
// escalation the path names, reply with the escalation as it now stands.
func apiChange[T any](s *Server, do func(r *http.Request, ref string, in *T) (*escalate.Escalation, error)) apiHandler {
	return func(w http.ResponseWriter, r *http.Request) (any, error) {
		in, err := apiDecode[T](w, r)
		if err != nil {
			return nil, err
		}
		e, err := do(r, r.PathValue("ref"), in)
		if err != nil {
			return nil, err
		}
		return s.apiView(r.Context(), e)
	}
}

// apiTime reads an RFC 3339 instant from field; "" is the zero time, which
// the domain refuses with its own message where one is needed.
func apiTime(field, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, escalate.FieldErrorf(field, "%s must be a date and time like 2026-12-24T10:30:00Z (RFC 3339).", field)
	}
	return t, nil
}

func (s *Server) apiAddRecord(r *http.Request, ref string, in *recordRequest) (*escalate.Escalation, error) {
	at, err := apiTime("at", in.At)
	if err != nil {
		return nil, err
	}
	return s.esc.AddRecord(r.Context(), ref, escalate.RecordInput{Version: in.Version, At: at, Form: in.Form,
		Participants: in.Participants, Discussion: in.Discussion, Outcome: in.Outcome, Corrects: in.Corrects, Result: in.Result, Facilitator: in.Facilitator})
}

func (s *Server) apiApproveRecord(r *http.Request, ref string, in *versionRequest) (*escalate.Escalation, error) {
	id, err := apiPathID(r, "id")
	if err != nil {
		return nil, err
	}
	return s.esc.ApproveRecord(r.Context(), ref, escalate.ApproveInput{Version: in.Version, Record: id})
}

func (s *Server) apiAgree(r *http.Request, ref string, in *agreeRequest) (*escalate.Escalation, error) {
	return s.esc.AgreeOutcome(r.Context(), ref, escalate.AgreeInput{Version: in.Version, Outcome: in.Outcome,
		OutstandingIssues: in.OutstandingIssues, Decision: in.Decision, Report: in.Report})
}

func (s *Server) apiConfirm(r *http.Request, ref string, in *confirmRequest) (*escalate.Escalation, error) {
	return s.esc.ConfirmOutcome(r.Context(), ref, escalate.ConfirmInput{Version: in.Version, Text: in.Text})
}

func (s *Server) apiEscalate(r *http.Request, ref string, in *escalateRequest) (*escalate.Escalation, error) {
	return s.esc.Escalate(r.Context(), ref, escalate.EscalateInput{Version: in.Version, To: in.To, Reason: in.Reason})
}

func (s *Server) apiDetermine(r *http.Request, ref string, in *determineRequest) (*escalate.Escalation, error) {
	return s.esc.Determine(r.Context(), ref, escalate.DetermineInput{Version: in.Version, Kind: in.Kind, Text: in.Text,
		OutstandingIssues: in.OutstandingIssues, Decision: in.Decision, ChairAgencyID: in.ChairAgency})
}

func (s *Server) apiRedirect(r *http.Request, ref string, in *redirectRequest) (*escalate.Escalation, error) {
	return s.esc.Redirect(r.Context(), ref, escalate.RedirectInput{Version: in.Version, To: in.To, Reason: in.Reason})
}

func (s *Server) apiWithdraw(r *http.Request, ref string, in *withdrawRequest) (*escalate.Escalation, error) {
	return s.esc.Withdraw(r.Context(), ref, escalate.WithdrawInput{Version: in.Version, Reason: in.Reason})
}

func (s *Server) apiRisk(r *http.Request, ref string, in *riskRequest) (*escalate.Escalation, error) {
	return s.esc.ChangeRisk(r.Context(), ref, escalate.RiskInput{Version: in.Version, Level: escalate.RiskLevel(in.Level),
		Reason: in.Reason, ImmediateAction: in.ImmediateAction})
}

func (s *Server) apiShorten(r *http.Request, ref string, in *shortenRequest) (*escalate.Escalation, error) {
	id, err := apiPathID(r, "id")
	if err != nil {
		return nil, err
	}
	due, err := apiTime("due", in.Due)
	if err != nil {
		return nil, err
	}
	return s.esc.ShortenClock(r.Context(), ref, escalate.ShortenInput{Version: in.Version, Clock: id, Due: due, Reason: in.Reason})
}
