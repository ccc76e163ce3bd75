package web

import (
	"context"
	"net/http"
	"slices"

	"github.com/escalate-project/escalate"
)

// workListLimit bounds each list on My work; beyond it the page says how
// many more there are.
const workListLimit = 200

// workItem is one escalation (or conference dissent) on My work.
type workItem struct {
	Ref       string
	Href      string
	Stage     string
	Status    string
	StatusTag string
	Agencies  string // "Seaview Primary School and Wirral Children's Services"
	Action    string // what must happen next
	Due       string // in plain words
	Overdue   bool
	Risk      string // "Immediate", "Increased" or "Standard"
	RiskTag   string // the tag's colour class
}

// workData is the My work page.
type workData struct {
	Ready    bool // false when the server has no escalation service
	NeedsMe  []workItem
	Dissents []workItem // conference dissents waiting on the user
	Raised   []workItem
	More     int // escalations waiting on the user beyond the list's limit
}

// Turner lists the escalations whose next step names the signed-in user:
// sqlstore.EscalationService implements it (routing's escalation_people).
type Turner interface {
	Turns(ctx context.Context, limit int) ([]escalate.Turn, int, error)
}

// home is My work: every open escalation where it is the signed-in user's
// turn (routing's next steps name them), immediate and increased risk
// first, then soonest deadline; the conference dissents waiting on them;
// and what they raised and where each is now.
func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	d := &workData{}
	if s.esc != nil {
		var err error
		if d, err = s.myWork(r.Context()); err != nil {
			return err
		}
	}
	s.render(w, r, http.StatusOK, "home", &page{Title: "My work", Data: d})
	return nil
}

// myWork builds the lists.
func (s *Server) myWork(ctx context.Context) (*workData, error) {
	me := escalate.UserFromContext(ctx)
	now := s.esc.Now()
	d := &workData{Ready: true}
	_, agencies, err := s.esc.Names(ctx)
	if err != nil {
		return nil, err
	}
	pols := map[string]*escalate.Policy{}
	policyOf := func(e *escalate.Escalation) (*escalate.Policy, error) {
		k := e.PolicyID + "\x00" + e.PolicyVersion
		if p, ok := pols[k]; ok {
			return p, nil
		}
		p, err := s.esc.PolicyFor(ctx, e)
		pols[k] = p
		return p, err
	}
	if t, ok := s.esc.(Turner); ok {
		turns, total, err := t.Turns(ctx, workListLimit)
		if err != nil {
			return nil, err
		}
		d.More = max(0, total-len(turns))
		for _, t := range turns {
			e := t.Escalation
			p, err := policyOf(e)
			if err != nil {
				return nil, err
			}
			c := escalate.ClockState{Status: escalate.ClockRunning, Due: t.Due, Immediate: t.Immediate}
			it := workItem{Ref: e.Ref, Href: "/escalations/" + e.Ref, Stage: stageTitle(p, e.Stage),
				Status: e.Status.Words(), StatusTag: statusTags[e.Status],
				Agencies: agencies[e.RaisingAgencyID] + " and " + agencies[e.ReceivingAgencyID], Action: t.What}
			if !t.Due.IsZero() || t.Immediate {
				it.Due, it.Overdue = dueWords(c, now, calendarOf(p)), c.Overdue(now)
			}
			it.Risk, it.RiskTag = riskTag(e.RiskLevel)
			d.NeedsMe = append(d.NeedsMe, it)
		}
	}
	if d.Dissents, err = s.dissentsWaiting(ctx, me); err != nil {
		return nil, err
	}
	// What I raised that is still open: where each is now. Closed ones stay
	// findable from the overview and the API, not on the daily page.
	mine, _, err := s.esc.List(ctx, escalate.EscalationFilter{Raised: true, Status: escalate.StatusOpen, Limit: workListLimit})
	if err != nil {
		return nil, err
	}
	for _, e := range mine {
		p, err := policyOf(e)
		if err != nil {
			return nil, err
		}
		it := workItem{Ref: e.Ref, Href: "/escalations/" + e.Ref, Stage: stageTitle(p, e.Stage), Status: e.Status.Words(),
			StatusTag: statusTags[e.Status], Agencies: agencies[e.ReceivingAgencyID]}
		if c, ok := soonest(e, func(escalate.ClockState) bool { return true }); ok {
			it.Action, it.Due, it.Overdue = c.Action, dueWords(c, now, calendarOf(p)), c.Overdue(now)
		}
		it.Risk, it.RiskTag = riskTag(e.RiskLevel)
		d.Raised = append(d.Raised, it)
	}
	slices.SortStableFunc(d.Raised, func(a, b workItem) int { return riskRank(a.Risk) - riskRank(b.Risk) })
	return d, nil
}

// dissentsWaiting are the open conference dissents whose next step the
// user may take, where the partnership's policy has them.
func (s *Server) dissentsWaiting(ctx context.Context, me *escalate.User) ([]workItem, error) {
	if s.dis == nil {
		return nil, nil
	}
	on, err := s.dis.DissentsEnabled(ctx, me.PartnershipID)
	if err != nil || !on {
		return nil, err
	}
	if !escalate.CanDissent(me, "", nil, escalate.DissentActionView) {
		return nil, nil
	}
	ds, err := s.dis.Dissents(ctx)
	if err != nil {
		return nil, err
	}
	kind := ""
	if ags, err := s.dis.Agencies(ctx, me.PartnershipID); err == nil {
		for _, a := range ags {
			if a.ID == me.AgencyID {
				kind = a.Kind
			}
		}
	}
	var out []workItem
	for _, dd := range ds {
		for _, st := range dissentSteps {
			if dd.Allows(st.Action) && escalate.CanDissent(me, kind, dd, st.Action) {
				it := workItem{Ref: dd.Ref, Href: "/dissents/" + dd.Ref, Action: st.Title}
				if c, ok := soonestDissent(dd); ok {
					it.Due, it.Overdue = dueWords(c, s.esc.Now(), nil), c.Overdue(s.esc.Now())
				}
				out = append(out, it)
				break
			}
		}
	}
	return out, nil
}

// soonestDissent is a dissent's running clock due first.
func soonestDissent(d *escalate.Dissent) (escalate.ClockState, bool) {
	return soonest(&escalate.Escalation{Clocks: d.Clocks}, func(escalate.ClockState) bool { return true })
}

// riskTag is a risk level's words and tag colour on My work.
func riskTag(r escalate.RiskLevel) (string, string) {
	switch r {
	case escalate.RiskImmediate:
		return "Immediate", "govuk-tag--red"
	case escalate.RiskIncreased:
		return "Increased", "govuk-tag--orange"
	}
	return "Standard", "govuk-tag--grey"
}

// riskRank orders risk words, most urgent first.
func riskRank(w string) int {
	switch w {
	case "Immediate":
		return 0
	case "Increased":
		return 1
	}
	return 2
}

// soonest returns e's running clock that keep accepts with the earliest
// deadline, an immediate one before any.
func soonest(e *escalate.Escalation, keep func(escalate.ClockState) bool) (escalate.ClockState, bool) {
	var best escalate.ClockState
	found := false
	for _, c := range e.Clocks {
		if c.Status != escalate.ClockRunning || !keep(c) {
			continue
		}
		if !found || (c.Immediate && !best.Immediate) || (c.Immediate == best.Immediate && c.Due.Before(best.Due)) {
			best, found = c, true
		}
	}
	return best, found
}
