package sqlstore

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
	"github.com/escalate-project/escalate/policy"
)

// reportCasesQuery reads a partnership's escalations raised in [$2, $3).
// It walks the escalations_partnership_created index (migration 00014), so
// a quarter costs its own cases, not the partnership's history. The child
// reference is read only to be hashed into ChildKey here; it never leaves
// this file.
const reportCasesQuery = `
	SELECT e.id, e.policy_version_id, e.raising_agency_id, e.receiving_agency_id, e.categories,
		e.created, e.stage, e.status, e.outcome_kind, e.outcome_at, e.outcome_confirmed_at,
		e.updated, e.risk_level, e.immediate_action IS NOT NULL, e.child_ref, e.outcome_decision
	FROM escalations e
	WHERE e.partnership_id = $1 AND e.created >= $2 AND e.created < $3
	ORDER BY e.created, e.id`

// reportClocksQuery reads the clocks of the same escalations, in order.
const reportClocksQuery = `
	SELECT c.escalation_id, c.stage, c.by_side, c.start_at, c.due_at, c.immediate, c.status, c.met_at
	FROM escalations e JOIN clocks c ON c.escalation_id = e.id
	WHERE e.partnership_id = $1 AND e.created >= $2 AND e.created < $3
	ORDER BY c.escalation_id, c.id`

// ReportCases returns the partnership's escalations raised from from
// (inclusive) to to (exclusive), de-identified for a board report: agency
// and category names, the stage reached and resolved, the outcome, the
// resolution time, immediate risk, clock results and a ChildKey.
//
// ChildKey is an HMAC-SHA256 of the normalised child reference (upper case,
// without spaces) under a key made at random for this call and then
// forgotten: equal references give equal keys within one report, so
// repeats can be counted, but no key can be tested against a guessed
// reference, nor matched across reports.
//
// Clock results are decided as at db.Now (doc/reports.md):
//   - met on time (an immediate clock met at all is on time, as the
//     lifecycle's clock.met event says): met;
//   - met late, still running past due, or an immediate clock never met:
//     missed;
//   - stopped after its due instant (the stage ended or the case closed
//     while it was overdue): missed;
//   - still running before its due instant, or stopped before it (the
//     action was no longer needed): left out, since it was neither.
func (db *DB) ReportCases(ctx context.Context, partnershipID int64, from, to time.Time) ([]escalate.CaseFacts, error) {
	out, err := db.reportCases(ctx, partnershipID, from, to)
	return out, WrapError(err)
}

func (db *DB) reportCases(ctx context.Context, partnershipID int64, from, to time.Time) ([]escalate.CaseFacts, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	now := db.Now().UTC()
	as, err := db.Agencies(ctx, partnershipID)
	if err != nil {
		return nil, err
	}
	agencies := make(map[int64]string, len(as))
	for _, a := range as {
		agencies[a.ID] = a.Name
	}
	pols := map[int64]*escalate.Policy{}
	cals := map[string]*calendar.Calendar{} // by division and end of day

	rows, err := db.db.QueryContext(ctx, reportCasesQuery, partnershipID, timeArg(from), timeArg(to))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cases []reportCase
	index := map[int64]int{}
	for rows.Next() {
		var c reportCase
		var cats, status, risk, childRef, decision string
		var outcome *string
		var outcomeAt, confirmedAt, updated time.Time
		if err := rows.Scan(&c.id, &c.versionID, &c.raising, &c.receiving, &cats,
			scanTime(&c.Raised), &c.stage, &status, &outcome, scanTime(&outcomeAt), scanTime(&confirmedAt),
			scanTime(&updated), &risk, &c.Immediate, &childRef, &decision); err != nil {
			return nil, err
		}
		c.pol = pols[c.versionID]
		if c.pol == nil {
			if c.pol, err = db.reportPolicy(ctx, c.versionID); err != nil {
				return nil, err
			}
			pols[c.versionID] = c.pol
		}
		c.RaisingAgency, c.ReceivingAgency = agencies[c.raising], agencies[c.receiving]
		var keys []string
		if err := json.Unmarshal([]byte(cats), &keys); err != nil {
			return nil, fmt.Errorf("escalation %d categories: %w", c.id, err)
		}
		for _, k := range keys {
			c.Categories = append(c.Categories, categoryName(c.pol, k))
		}
		c.StageReached = c.stage + 1
		c.Immediate = c.Immediate || risk == string(escalate.RiskImmediate)
		c.Outcome = "open"
		if escalate.Status(status) != escalate.StatusOpen {
			c.StageResolved = c.stage + 1
			c.Outcome = status
			if outcome != nil && *outcome != "" {
				c.Outcome = *outcome
			}
			c.Decision = decision
			c.ResolvedAt = confirmedAt
			if c.ResolvedAt.IsZero() {
				c.ResolvedAt = outcomeAt
			}
			if c.ResolvedAt.IsZero() {
				c.ResolvedAt = updated
			}
			c.closedAt = c.ResolvedAt
			ck := c.pol.Calendar.Division + " " + workingDayEnds(c.pol)
			cal := cals[ck]
			if cal == nil {
				if cal, err = calendarFor(ctx, db.db, partnershipID, c.pol.Calendar.Division, workingDayEnds(c.pol)); err != nil {
					return nil, err
				}
				cals[ck] = cal
			}
			c.WorkingDays = cal.WorkingDaysBetween(calendar.DateOf(c.Raised), calendar.DateOf(c.ResolvedAt))
		}
		if ref := normaliseChildRef(childRef); ref != "" {
			m := hmac.New(sha256.New, key)
			m.Write([]byte(ref))
			c.ChildKey = hex.EncodeToString(m.Sum(nil))
		}
		index[c.id] = len(cases)
		cases = append(cases, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()

	crows, err := db.db.QueryContext(ctx, reportClocksQuery, partnershipID, timeArg(from), timeArg(to))
	if err != nil {
		return nil, err
	}
	defer crows.Close()
	for crows.Next() {
		var id int64
		var k reportClock
		if err := crows.Scan(&id, &k.stage, &k.by, scanTime(&k.start), scanTime(&k.due), &k.immediate, &k.status,
			scanTime(&k.metAt)); err != nil {
			return nil, err
		}
		if i, ok := index[id]; ok {
			cases[i].clocks = append(cases[i].clocks, k)
		}
	}
	if err := crows.Err(); err != nil {
		return nil, err
	}

	out := make([]escalate.CaseFacts, len(cases))
	for i := range cases {
		c := &cases[i]
		c.CaseFacts.Clocks = c.clockFacts(now)
		out[i] = c.CaseFacts
	}
	return out, nil
}

// reportCase is one row of reportCasesQuery on its way to CaseFacts.
type reportCase struct {
	escalate.CaseFacts
	id, versionID, raising, receiving int64
	stage                             int
	pol                               *escalate.Policy
	closedAt                          time.Time
	clocks                            []reportClock
}

type reportClock struct {
	stage, by, status string
	start, due, metAt time.Time
	immediate         bool
}

// clockFacts decides each clock's result as ReportCases documents.
func (c *reportCase) clockFacts(now time.Time) []escalate.ClockFact {
	var out []escalate.ClockFact
	for i, k := range c.clocks {
		var met bool
		switch k.status {
		case escalate.ClockMet:
			met = k.immediate || !k.metAt.After(k.due)
		case escalate.ClockRunning:
			if !k.immediate && !now.After(k.due) {
				continue // not yet due: neither met nor missed
			}
		case escalate.ClockStopped:
			if !k.immediate && !c.stoppedAt(i).After(k.due) {
				continue // stopped before it was due: no longer needed
			}
		default:
			continue
		}
		agency := c.ReceivingAgency
		if k.by == "raising" {
			agency = c.RaisingAgency
		}
		out = append(out, escalate.ClockFact{Stage: stageNumber(c.pol, k.stage), Agency: agency, Met: met})
	}
	return out
}

// stoppedAt estimates when clock i stopped, since clocks keep no stop time:
// a clock stops when its stage ends, as the next stage's clocks start, or
// when the case closes. It returns the zero time when neither is known, so
// the clock counts as stopped in time.
func (c *reportCase) stoppedAt(i int) time.Time {
	k := c.clocks[i]
	var at time.Time
	for _, n := range c.clocks[i+1:] {
		if n.stage != k.stage && !n.start.Before(k.start) && (at.IsZero() || n.start.Before(at)) {
			at = n.start
		}
	}
	if at.IsZero() {
		at = c.closedAt
	}
	return at
}

// stageNumber is the 1-based position of the stage key in pol, or 0.
func stageNumber(pol *escalate.Policy, key string) int {
	for i, s := range pol.Stages {
		if s.Key == key {
			return i + 1
		}
	}
	return 0
}

// categoryName is the policy's name for a category key, or the key itself
// for one the policy no longer has.
func categoryName(pol *escalate.Policy, key string) string {
	for _, c := range pol.Categories {
		if c.Key == key {
			return c.Name
		}
	}
	return key
}

// normaliseChildRef makes references that differ only in case or spacing
// equal, so "ab 123" and "AB123" count as the same child.
func normaliseChildRef(ref string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return unicode.ToUpper(r)
	}, ref)
}

// reportPolicy returns policy version id, parsed, through the shared cache.
func (db *DB) reportPolicy(ctx context.Context, id int64) (*escalate.Policy, error) {
	v, err := db.PolicyVersion(ctx, id)
	if err != nil {
		return nil, err
	}
	if p, ok := policies.Load(v.SHA256); ok {
		return p.(*escalate.Policy), nil
	}
	pol, _, err := policy.Load(fmt.Sprintf("policy-version-%d.yaml", v.ID), v.YAML)
	if err != nil {
		return nil, fmt.Errorf("policy version %d no longer loads: %w", v.ID, err)
	}
	p, _ := policies.LoadOrStore(v.SHA256, pol)
	return p.(*escalate.Policy), nil
}

// Report audit actions: who looked at or took away which report.
const (
	ActionReportView     = "report.view"
	ActionReportDownload = "report.download"
)

// AuditReport records that the actor of ctx viewed (ActionReportView) or
// downloaded (ActionReportDownload) a report of the partnership. data says
// which: the period, the format, whether it was marked for sharing. It
// holds no case data.
func (db *DB) AuditReport(ctx context.Context, partnershipID int64, action string, data map[string]any) error {
	if action != ActionReportView && action != ActionReportDownload {
		return escalate.Errorf(escalate.EINVALID, "unknown report action %q", action)
	}
	return db.WithTx(ctx, func(tx *Tx) error {
		return tx.AuditIn(partnershipID, Actor(ctx), action, fmt.Sprintf("partnership:%d", partnershipID), data)
	})
}
