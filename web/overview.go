package web

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/escalate-project/escalate"
)

// overviewMax bounds how many open escalations the overview reads; a
// partnership has far fewer open at once.
const overviewMax = 2000

// overviewFilter is the overview's filters, from the query string. They
// are a stage key, an agency ID, a category key, a risk level and a flag:
// never child data.
type overviewFilter struct {
	Stage    string
	AgencyID int64
	Category string
	Risk     escalate.RiskLevel
	Overdue  bool
}

func (f overviewFilter) any() bool {
	return f.Stage != "" || f.AgencyID != 0 || f.Category != "" || f.Risk != "" || f.Overdue
}

type filterOption struct {
	Value, Text string
	Selected    bool
}

type overviewRow struct {
	Ref, Raising, Receiving, Stage, Categories, Risk, RiskTag, Due string
	Overdue                                                        bool
}

// filterSelect is one of the filters' select boxes.
type filterSelect struct {
	ID, Label, Any string
	Options        []filterOption
}

// overviewCount is one line of the counts table.
type overviewCount struct {
	Label string
	N     int
}

type overviewView struct {
	Nav       []orgNavLink
	Filter    overviewFilter
	Filtered  bool
	Selects   []filterSelect
	Rows      []overviewRow
	Open      int
	Overdue   int
	ByStage   []overviewCount
	ByRisk    []overviewCount
	Truncated bool
}

var overviewRiskTags = map[escalate.RiskLevel]string{
	escalate.RiskStandard: "govuk-tag--grey", escalate.RiskIncreased: "govuk-tag--orange", escalate.RiskImmediate: "govuk-tag--red",
}

// listAll pages through List; the bool is true when overviewMax cut it short.
func (s *Server) listAll(ctx context.Context, f escalate.EscalationFilter) ([]*escalate.Escalation, bool, error) {
	var all []*escalate.Escalation
	f.Limit = 200
	for {
		page, total, err := s.esc.List(ctx, f)
		if err != nil {
			return nil, false, err
		}
		all = append(all, page...)
		if len(page) == 0 || len(all) >= total {
			return all, false, nil
		}
		if len(all) >= overviewMax {
			return all, true, nil
		}
		f.Offset += len(page)
	}
}

// overviewPage shows every open escalation of the partnership to those who
// oversee it, with counts and filters. The service decides which cases
// each of them may list; an administrator without an oversight role sees
// only those their own need to know allows.
func (s *Server) overviewPage(w http.ResponseWriter, r *http.Request) error {
	u, p := orgActor(r)
	if s.esc == nil {
		return escalate.Errorf(escalate.ENOTFOUND, "Page not found")
	}
	if err := orgRequire(u, overviewRoles, "see the partnership overview"); err != nil {
		return err
	}
	ctx := r.Context()
	pol, err := s.org.CurrentPolicy(ctx, p.ID)
	if err != nil {
		return err
	}
	_, agencyNames, err := s.esc.Names(ctx)
	if err != nil {
		return err
	}
	as, err := s.org.Agencies(ctx, p.ID)
	if err != nil {
		return err
	}
	now := s.partnershipNow()
	cal := calendarOf(pol)

	q := r.URL.Query()
	var f overviewFilter
	if st, _ := pol.Stage(q.Get("stage")); st != nil {
		f.Stage = st.Key
	}
	if id, err := strconv.ParseInt(q.Get("agency"), 10, 64); err == nil && agencyNames[id] != "" {
		f.AgencyID = id
	}
	if slices.ContainsFunc(pol.Categories, func(c escalate.Category) bool { return c.Key == q.Get("category") }) {
		f.Category = q.Get("category")
	}
	if rl := escalate.RiskLevel(q.Get("risk")); rl.Valid() {
		f.Risk = rl
	}
	f.Overdue = q.Get("overdue") == "1"

	v := &overviewView{Nav: orgNav(u, "/overview"), Filter: f, Filtered: f.any()}
	var stages, agencies, cats, risks []filterOption
	for i, st := range pol.Stages {
		stages = append(stages, filterOption{st.Key, stageTitle(pol, i), st.Key == f.Stage})
	}
	for _, a := range as {
		agencies = append(agencies, filterOption{strconv.FormatInt(a.ID, 10), a.Name, a.ID == f.AgencyID})
	}
	for _, c := range pol.Categories {
		cats = append(cats, filterOption{c.Key, c.Name, c.Key == f.Category})
	}
	for _, rl := range escalate.RiskLevels {
		risks = append(risks, filterOption{string(rl), upperFirst(string(rl)), rl == f.Risk})
	}
	v.Selects = []filterSelect{
		{"stage", "Stage", "Any stage", stages},
		{"agency", "Agency (raising or receiving)", "Any agency", agencies},
		{"category", "Kind of disagreement", "Any kind", cats},
		{"risk", "Risk to the child", "Any risk", risks},
	}

	// Counts are over every open escalation; the table over the filtered ones.
	open, cut, err := s.listAll(ctx, escalate.EscalationFilter{Status: escalate.StatusOpen})
	if err != nil {
		return err
	}
	v.Open, v.Truncated = len(open), cut
	byStage := make([]int, len(pol.Stages))
	byRisk := map[escalate.RiskLevel]int{}
	for _, e := range open {
		if overviewOverdue(e, now) {
			v.Overdue++
		}
		if e.Stage >= 0 && e.Stage < len(byStage) {
			byStage[e.Stage]++
		}
		byRisk[e.RiskLevel]++
	}
	for i := range pol.Stages {
		v.ByStage = append(v.ByStage, overviewCount{stageTitle(pol, i), byStage[i]})
	}
	for _, rl := range escalate.RiskLevels {
		v.ByRisk = append(v.ByRisk, overviewCount{upperFirst(string(rl)), byRisk[rl]})
	}

	rows := open
	if f.Stage != "" || f.AgencyID != 0 || f.Category != "" || f.Overdue {
		lf := escalate.EscalationFilter{Status: escalate.StatusOpen, Stage: f.Stage, AgencyID: f.AgencyID, Category: f.Category}
		if f.Overdue {
			lf.OverdueAt = now
		}
		if rows, _, err = s.listAll(ctx, lf); err != nil {
			return err
		}
	}
	for _, e := range rows {
		if f.Risk != "" && e.RiskLevel != f.Risk {
			continue // List has no risk filter
		}
		row := overviewRow{Ref: e.Ref, Raising: agencyNames[e.RaisingAgencyID], Receiving: agencyNames[e.ReceivingAgencyID],
			Stage: stageTitle(pol, e.Stage), Risk: upperFirst(string(e.RiskLevel)), RiskTag: overviewRiskTags[e.RiskLevel],
			Overdue: overviewOverdue(e, now)}
		for i, c := range categoryNames(pol, e.Categories) {
			if i > 0 {
				row.Categories += ", "
			}
			row.Categories += c
		}
		if c, ok := overviewNextClock(e); ok {
			row.Due = upperFirst(dueWords(c, now, cal))
		} else {
			row.Due = "No deadline running"
		}
		v.Rows = append(v.Rows, row)
	}
	// Immediate and increased risk first, then as listed (soonest deadline).
	slices.SortStableFunc(v.Rows, func(a, b overviewRow) int { return riskRank(a.Risk) - riskRank(b.Risk) })
	s.render(w, r, http.StatusOK, "overview-page", &page{Title: "Partnership overview", Data: v})
	return nil
}

func overviewOverdue(e *escalate.Escalation, now time.Time) bool {
	return slices.ContainsFunc(e.Clocks, func(c escalate.ClockState) bool { return c.Overdue(now) })
}

// overviewNextClock is the running clock due soonest.
func overviewNextClock(e *escalate.Escalation) (escalate.ClockState, bool) {
	due, ok := e.NextDue()
	if !ok {
		return escalate.ClockState{}, false
	}
	for _, c := range e.Clocks {
		if c.Status == escalate.ClockRunning && (c.Due.Equal(due) || c.Immediate && c.Start.Equal(due)) {
			return c, true
		}
	}
	return escalate.ClockState{}, false
}
