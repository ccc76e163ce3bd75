package web

import (
	"context"
	"net/http"
	"slices"
	"time"

	"github.com/escalate-project/escalate"
)

// workListLimit bounds each list on My work; beyond it the page says how
// many more there are.
const workListLimit = 200

// workItem is one escalation on My work.
type workItem struct {
	Ref       string
	Stage     string
	Status    string
	StatusTag string
	Agencies  string // "Seaview Primary School → Wirral Children's Services"
	Action    string // what must happen next, from the soonest clock
	Due       string // in plain words
	Overdue   bool
	due       time.Time
	immediate bool
}

// workData is the My work page.
type workData struct {
	Ready   bool // false when the server has no escalation service
	NeedsMe []workItem
	Raised  []workItem
	More    int // escalations beyond the lists' limit
}

// home is My work: what needs the signed-in user, soonest deadline first
// and overdue at the top, and what they raised and where each is now.
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

// myWork builds the two lists.
func (s *Server) myWork(ctx context.Context) (*workData, error) {
	me := escalate.UserFromContext(ctx)
	now := s.esc.Now()
	d := &workData{Ready: true}
	open, total, err := s.esc.List(ctx, escalate.EscalationFilter{Status: escalate.StatusOpen, Limit: workListLimit})
	if err != nil {
		return nil, err
	}
	d.More = max(0, total-len(open))
	// What I raised that is still open: where each is now. Closed ones stay
	// findable from the overview and the API, not on the daily page.
	mine, _, err := s.esc.List(ctx, escalate.EscalationFilter{Raised: true, Status: escalate.StatusOpen, Limit: workListLimit})
	if err != nil {
		return nil, err
	}
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
	for _, e := range open {
		p, err := policyOf(e)
		if err != nil {
			return nil, err
		}
		if it, ok := needsMe(me, e, p, now); ok {
			it.Agencies = agencies[e.RaisingAgencyID] + " and " + agencies[e.ReceivingAgencyID]
			d.NeedsMe = append(d.NeedsMe, it)
		}
	}
	// Immediate first, then the soonest (so the most overdue) deadline.
	slices.SortStableFunc(d.NeedsMe, func(a, b workItem) int {
		switch {
		case a.immediate != b.immediate:
			if a.immediate {
				return -1
			}
			return 1
		}
		return a.due.Compare(b.due)
	})
	for _, e := range mine {
		if e.RaisedBy != me.ID {
			continue
		}
		p, err := policyOf(e)
		if err != nil {
			return nil, err
		}
		it := workItem{Ref: e.Ref, Stage: stageTitle(p, e.Stage), Status: statusWords[e.Status], StatusTag: statusTags[e.Status],
			Agencies: agencies[e.ReceivingAgencyID]}
		if c, ok := soonest(e, func(escalate.ClockState) bool { return true }); ok {
			it.Action, it.Due, it.Overdue = c.Action, dueWords(c, now, calendarOf(p)), c.Overdue(now)
		}
		d.Raised = append(d.Raised, it)
	}
	return d, nil
}

// needsMe reports whether open escalation e waits on me: a clock of its
// current stage runs for my side (the agency I am in), or, for an
// oversight role from neither agency, the stage names a role I hold.
func needsMe(me *escalate.User, e *escalate.Escalation, p *escalate.Policy, now time.Time) (workItem, bool) {
	st := e.CurrentStage(p)
	if st == nil {
		return workItem{}, false
	}
	side := ""
	switch me.AgencyID {
	case e.RaisingAgencyID:
		side = escalate.SideRaising
	case e.ReceivingAgencyID:
		side = escalate.SideReceiving
	}
	if side == "" {
		roles := slices.Concat(st.Raising, st.Receive)
		if st.Meeting != nil {
			roles = append(roles, st.Meeting.Chair)
		}
		if !slices.ContainsFunc(roles, me.HasRole) {
			return workItem{}, false
		}
	}
	c, ok := soonest(e, func(c escalate.ClockState) bool {
		return c.Stage == st.Key && (side == "" || c.By == "" || c.By == side)
	})
	if !ok {
		return workItem{}, false
	}
	return workItem{
		Ref: e.Ref, Stage: stageTitle(p, e.Stage), Status: statusWords[e.Status], StatusTag: statusTags[e.Status],
		Action: c.Action, Due: dueWords(c, now, calendarOf(p)), Overdue: c.Overdue(now),
		due: c.Due, immediate: c.Immediate,
	}, true
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
