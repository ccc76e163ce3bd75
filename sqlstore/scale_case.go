package sqlstore

import (
	"container/heap"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/audit"
	"github.com/escalate-project/escalate/calendar"
)

// scaleEvent is an audit event made up for a case, waiting for every event
// before it in time to be sealed first.
type scaleEvent struct {
	chain   int64 // the case's partnership, whose audit chain it joins
	at      time.Time
	order   int64
	actor   int64
	action  string
	object  string
	content []byte
}

// scaleRow is a row for a bulk inserter, held back until the row it refers
// to has been added.
type scaleRow struct {
	t    *bulkInsert
	vals []any
}

// eventHeap orders pending events by time, then by when they were made.
type eventHeap []*scaleEvent

func (h eventHeap) Len() int { return len(h) }
func (h eventHeap) Less(i, j int) bool {
	if !h[i].at.Equal(h[j].at) {
		return h[i].at.Before(h[j].at)
	}
	return h[i].order < h[j].order
}
func (h eventHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *eventHeap) Push(x any)   { *h = append(*h, x.(*scaleEvent)) }
func (h *eventHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return x
}

// sealUntil seals onto their partnerships' chains every pending event
// before t.
func (g *scaleGen) sealUntil(b *scaleBatch, t time.Time) error {
	for g.pending.Len() > 0 && g.pending[0].at.Before(t) {
		ev := heap.Pop(&g.pending).(*scaleEvent)
		commitment, salt := audit.Commit(ev.content)
		e, err := audit.Next(g.tails[ev.chain], "user:"+strconv.FormatInt(ev.actor, 10), ev.action, ev.object, ev.at, commitment)
		if err != nil {
			return err
		}
		g.seq++
		if err := b.events.add(g.seq, ev.chain, e.Seq, timeArg(e.At), e.Actor, e.Action, e.Object,
			e.Commitment[:], e.Prev[:], e.Hash[:]); err != nil {
			return err
		}
		if err := b.content.add(g.seq, salt, ev.content); err != nil {
			return err
		}
		g.tails[ev.chain] = e
	}
	return nil
}

// Text the generated cases are written with: plausible, and about no one.
var (
	scaleDecisions = []string{
		"Referral closed with no further action after an initial assessment",
		"Strategy discussion declined",
		"Case stepped down to early help without a plan",
		"Child protection plan ended at review",
		"Request for a health assessment refused",
		"Section 47 enquiry not started",
	}
	scaleIssues = []string{
		"The child has disclosed worries at school that were not passed on.",
		"Repeated missed health appointments have not been followed up.",
		"Police notifications of domestic abuse at the address were not shared.",
		"The family's housing situation puts the child at risk and no one is leading.",
	}
	scaleOutcomes = []string{
		"Agreed a joint home visit within five working days.",
		"Agreed to hold a strategy discussion tomorrow.",
		"Not agreed: to be escalated to line managers.",
		"Agreed the lead professional and a review date.",
	}
)

// newCase makes up one escalation raised at at, writes its rows, and queues
// its events.
func (g *scaleGen) newCase(b *scaleBatch, at time.Time) error {
	r := g.rng
	p := g.parts[r.IntN(len(g.parts))]
	pol := p.policy
	ra := p.agencies[r.IntN(len(p.agencies))]
	rc := p.agencies[r.IntN(len(p.agencies)-1)]
	if rc == ra {
		rc = p.agencies[len(p.agencies)-1]
	}
	k := r.IntN(len(ra.practitioners))
	raiser, mgr := ra.practitioners[k], ra.manage[k]
	rp := rc.practitioners[r.IntN(len(rc.practitioners))]

	g.nextID++
	id := g.nextID
	year := calendar.DateOf(at).Year
	g.refs[refKey{p.id, year}]++
	ref := fmt.Sprintf("%s-%d-%04d", p.prefix, year, g.refs[refKey{p.id, year}])
	object := "escalation:" + ref
	var events []*scaleEvent
	emit := func(t time.Time, actor int64, action string, kv ...any) {
		events = append(events, &scaleEvent{chain: p.id, at: t, actor: actor, action: action, object: object, content: scaleJSON(kv...)})
	}

	risk := escalate.RiskStandard
	switch u := r.Float64(); {
	case u > 0.95:
		risk = escalate.RiskImmediate
	case u > 0.80:
		risk = escalate.RiskIncreased
	}
	// How long the case runs, how far up the ladder it goes, how it ends.
	life := time.Duration((1 + r.ExpFloat64()*12) * float64(24*time.Hour))
	life = min(life, 150*24*time.Hour)
	last := len(pol.Stages) - 1
	reach := 0
	switch u := r.Float64(); {
	case u > 0.92:
		reach = 3
	case u > 0.80:
		reach = 2
	case u > 0.55:
		reach = 1
	}
	reach = min(reach, last)
	closing := escalate.StatusResolved
	outcomeKind := escalate.OutcomeAgreed
	switch u := r.Float64(); {
	case reach == last && last > 0 && u < 0.7:
		outcomeKind = escalate.OutcomeDetermination
	case u > 0.92:
		closing, outcomeKind = escalate.StatusWithdrawn, escalate.OutcomeWithdrawn
	case u > 0.84 && len(pol.Redirects) > 0:
		closing, outcomeKind = escalate.StatusRedirected, escalate.OutcomeRedirected
	}
	closeAt := at.Add(life)
	open := !closeAt.Before(g.end)
	entries := make([]time.Time, reach+1)
	for s := range entries {
		entries[s] = at.Add(life * time.Duration(s) / time.Duration(reach+1))
	}
	stage := reach
	for open && entries[stage].After(g.end) {
		stage--
	}
	lastT := closeAt
	if open {
		lastT = g.end
	}

	decision := calendar.DateOf(at.AddDate(0, 0, -r.IntN(3)))
	cats := []string{pol.Categories[r.IntN(len(pol.Categories))].Key}
	if risk == escalate.RiskImmediate {
		emit(at, raiser, escalate.ActionRiskImmediate, "action", "Referred to the front door by phone")
	}
	emit(at, raiser, escalate.ActionRaise, "policy", pol.ID, "stage", pol.Stages[0].Key,
		"risk_level", string(risk), "child_initials", "XX", "categories", cats)
	// Rows that refer to the escalation wait until its own row, which
	// needs everything below, is added.
	var children []scaleRow
	child := func(t *bulkInsert, vals ...any) { children = append(children, scaleRow{t, vals}) }
	child(b.parties, id, rp, raiser, timeArg(at))

	// Clocks: those each stage's entry starts (or its decision, or a
	// clock of it being met), met or stopped when the stage ended, still
	// running at the stage an open case is at.
	clockID := 0
	var next time.Time
	hasNext := false
	for s := 0; s <= stage; s++ {
		st := &pol.Stages[s]
		entry := entries[s]
		if s > 0 {
			emit(entry, raiser, escalate.ActionEscalate, "from", pol.Stages[s-1].Key, "to", st.Key,
				"reason", "No agreement within the timescale.")
		}
		exit, current := lastT, s == stage
		if s < stage {
			exit = entries[s+1]
		}
		for _, c := range st.Clocks {
			if c.Starts.Event == escalate.StartOutcomeAgreed {
				continue
			}
			within := c.Within
			if risk.Elevated() && c.Increased != "" {
				within = c.Increased
			}
			start := entry
			if c.Starts.Event == escalate.StartDecision {
				start = decision.At(0, 0)
			}
			ts, _ := calendar.ParseTimescale(within)
			dl := p.cal.Due(start, ts)
			clockID++
			emit(entry, raiser, escalate.ActionClockStart, "clock", clockID, "stage", st.Key, "key", c.Key, "within", within)
			status, metAt := escalate.ClockRunning, time.Time{}
			switch {
			case r.Float64() < 0.75 && (!current || !open || r.Float64() < 0.4):
				status, metAt = escalate.ClockMet, entry.Add(time.Duration(r.Float64()*float64(exit.Sub(entry))))
				emit(metAt, raiser, escalate.ActionClockMet, "clock", clockID, "stage", st.Key, "key", c.Key)
			case !current || !open:
				status = escalate.ClockStopped
				emit(exit, raiser, escalate.ActionClockStop, "clock", clockID, "stage", st.Key, "key", c.Key)
			default:
				due := dl.Due
				if dl.Immediate {
					due = start
				}
				if !hasNext || due.Before(next) {
					next, hasNext = due, true
				}
			}
			child(b.clocks, id, clockID, st.Key, c.Key, c.Action, c.By, within, timeArg(start),
				nullTime(dl.Due), dl.Immediate, dl.Explain(), status, nullTime(metAt))
		}
	}

	// Records of discussions, spread over the case's life.
	nrec := 1 + r.IntN(3) + stage
	times := make([]time.Time, nrec)
	for i := range times {
		times[i] = at.Add(time.Duration(r.Float64() * float64(lastT.Sub(at))))
	}
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	version := 1 + stage
	updated := at
	if stage > 0 {
		updated = entries[stage]
	}
	for i, t := range times {
		s := 0
		for s < stage && !t.Before(entries[s+1]) {
			s++
		}
		st := &pol.Stages[s]
		by := raiser
		if r.IntN(2) == 1 {
			by = rp
		}
		outcome := scaleOutcomes[r.IntN(len(scaleOutcomes))]
		var approvedBy, approvedAt any
		if st.Approval && t.Add(24*time.Hour).Before(lastT) && r.Float64() < 0.7 {
			approvedBy, approvedAt = mgr, timeArg(t.Add(24*time.Hour))
			emit(t.Add(24*time.Hour), mgr, escalate.ActionRecordApprove, "record", i+1, "stage", st.Key)
			version++
		}
		emit(t, by, escalate.ActionRecordAdd, "record", i+1, "stage", st.Key, "form", escalate.RecordForms[r.IntN(5)],
			"discussion", scaleIssues[r.IntN(len(scaleIssues))], "outcome", outcome)
		child(b.records, id, i+1, st.Key, timeArg(t.Add(-time.Hour)), escalate.RecordForms[r.IntN(5)],
			`["Raising practitioner","Receiving practitioner"]`, scaleIssues[r.IntN(len(scaleIssues))], outcome,
			by, timeArg(t), approvedBy, approvedAt)
		version++
		updated = t
	}

	status := escalate.StatusOpen
	var oKind, oAt, oBy any
	var oText, oRedirect, oReason string
	if !open {
		status, oKind, oAt = closing, outcomeKind, timeArg(closeAt)
		switch outcomeKind {
		case escalate.OutcomeAgreed:
			oText, oBy = scaleOutcomes[0], rp
			emit(closeAt, rp, escalate.ActionOutcomeAgree, "outcome", oText)
			emit(closeAt, rp, escalate.ActionResolve, "kind", outcomeKind)
		case escalate.OutcomeDetermination:
			oText, oBy = "The Chair determined that a strategy discussion be held.", p.oversight
			emit(closeAt, p.oversight, escalate.ActionDetermine, "kind", outcomeKind, "text", oText)
		case escalate.OutcomeRedirected:
			oRedirect, oReason, oBy = pol.Redirects[r.IntN(len(pol.Redirects))].Key, "Referred on; see the redirect.", raiser
			emit(closeAt, raiser, escalate.ActionRedirect, "to", oRedirect, "reason", oReason)
		default:
			oReason, oBy = "Resolved informally by the practitioners.", raiser
			emit(closeAt, raiser, escalate.ActionWithdraw, "reason", oReason)
		}
		version++
		updated = closeAt
	}

	// Views make up the rest: every opening of a case is audited.
	viewers := []int64{raiser, rp, mgr, p.oversight}
	viewEnd := lastT.Add(30 * 24 * time.Hour)
	if viewEnd.After(g.end) {
		viewEnd = g.end
	}
	for len(events) < g.opt.EventsPer {
		t := at.Add(time.Duration(r.Float64() * float64(viewEnd.Sub(at))))
		emit(t, viewers[r.IntN(len(viewers))], escalate.ActionView, "version", version)
	}

	var immAction, immAt, immBy any
	if risk == escalate.RiskImmediate {
		immAction, immAt, immBy = "Referred to the front door by phone", timeArg(at), raiser
	}
	var nextDue any
	if hasNext {
		nextDue = timeArg(next)
	}
	if err := b.escalations.add(id, ref, p.id, p.versionID, raiser, string(escalate.RolePractitioner), ra.id, rc.id,
		"Duty team manager", scaleDecisions[r.IntN(len(scaleDecisions))], decision.String(),
		fmt.Sprintf("CASE-%07d", id), "XX", jsonText(cats),
		scaleIssues[r.IntN(len(scaleIssues))], "The child may suffer significant harm if nothing changes.",
		"We disagree about whether the threshold is met.", "A multi-agency assessment.",
		string(risk), stage, string(status), oKind, oText, "", oRedirect, oReason, oAt, oBy, nil,
		immAction, immAt, immBy, version, timeArg(at), timeArg(updated), nextDue); err != nil {
		return err
	}
	for _, c := range children {
		if err := c.t.add(c.vals...); err != nil {
			return err
		}
	}
	for _, ev := range events {
		g.order++
		ev.order = g.order
		heap.Push(&g.pending, ev)
	}
	return nil
}

// scaleJSON encodes key, value pairs as a JSON object. Values are strings,
// ints or string slices of plain ASCII, which strconv.Quote writes as JSON
// does; it is far quicker than encoding/json for twenty million events.
func scaleJSON(kv ...any) []byte {
	b := make([]byte, 0, 128)
	b = append(b, '{')
	for i := 0; i+1 < len(kv); i += 2 {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendQuote(b, kv[i].(string))
		b = append(b, ':')
		switch v := kv[i+1].(type) {
		case string:
			b = strconv.AppendQuote(b, v)
		case int:
			b = strconv.AppendInt(b, int64(v), 10)
		case []string:
			b = append(b, '[')
			for j, s := range v {
				if j > 0 {
					b = append(b, ',')
				}
				b = strconv.AppendQuote(b, s)
			}
			b = append(b, ']')
		default:
			panic(fmt.Sprintf("scaleJSON: %T", v))
		}
	}
	return append(b, '}')
}
