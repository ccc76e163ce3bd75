package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/escalate-project/escalate"
)

// defaultListLimit is List's page size when the filter gives none.
const defaultListLimit = 50

// List returns the escalations the actor may see (escalate.Can with
// ActionList) that match f, ordered by next deadline (none last) and then
// reference, with their clocks but not their records, and how many match in
// all. SQL narrows to the partnership and, for someone without an oversight
// role, to the escalations their agency is on either side of, raised in
// their management line, or that they are involved in; Can then decides on
// each. For an oversight role, whom Can lets list the whole partnership,
// and for Mine, whose narrowing is exactly who Can lets list, SQL counts and
// pages by itself. Listing is not a view of the case and records no event: opening one
// with Get does.
func (s *EscalationService) List(ctx context.Context, f escalate.EscalationFilter) ([]*escalate.Escalation, int, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, 0, err
	}
	if f.Offset < 0 || f.Limit < 0 {
		return nil, 0, escalate.FieldErrorf("offset", "Offset and limit cannot be negative.")
	}
	switch f.Status {
	case "", escalate.StatusOpen, escalate.StatusResolved, escalate.StatusRedirected, escalate.StatusWithdrawn:
	default:
		return nil, 0, escalate.FieldErrorf("status", "Unknown status %q.", f.Status)
	}
	limit := f.Limit
	if limit == 0 {
		limit = defaultListLimit
	}
	var page []*escalate.Escalation
	total := 0
	// A read-only transaction: one consistent snapshot for the several
	// queries, writing nothing.
	err = s.db.WithTx(ctx, func(tx *Tx) error {
		actor, err := tx.actingUser(actor)
		if err != nil || actor.Disabled {
			return err
		}
		reports, err := tx.reportsOf(actor.ID)
		if err != nil {
			return err
		}
		involved, err := tx.escalationsInvolving(actor.ID, actor.PartnershipID, f.Status)
		if err != nil {
			return err
		}
		where := []string{"e.partnership_id = $1"}
		args := []any{actor.PartnershipID}
		arg := func(v any) string {
			args = append(args, v)
			return "$" + strconv.Itoa(len(args))
		}
		oversight := slices.ContainsFunc(escalate.Oversight, actor.HasRole)
		if !oversight || f.Mine {
			mine := []string{"e.raised_by = " + arg(actor.ID)}
			if !f.Mine {
				mine = append(mine, "e.raising_agency_id = "+arg(actor.AgencyID), "e.receiving_agency_id = "+arg(actor.AgencyID))
			}
			if len(reports) > 0 {
				mine = append(mine, "e.raised_by IN ("+idList(reports)+")")
			}
			if len(involved) > 0 {
				mine = append(mine, "e.id IN ("+idList(involved)+")")
			}
			where = append(where, "("+strings.Join(mine, " OR ")+")")
		}
		if f.Raised {
			where = append(where, "e.raised_by = "+arg(actor.ID))
		}
		if f.Status != "" {
			where = append(where, "e.status = "+arg(string(f.Status)))
		}
		if f.AgencyID != 0 {
			a := arg(f.AgencyID)
			where = append(where, "(e.raising_agency_id = "+a+" OR e.receiving_agency_id = "+a+")")
		}
		if !f.OverdueAt.IsZero() {
			where = append(where, `EXISTS (SELECT 1 FROM clocks c WHERE c.escalation_id = e.id
				AND c.status = 'running' AND c.due_at < `+arg(timeArg(f.OverdueAt))+`)`)
		}
		if f.Category != "" {
			where = append(where, "e.categories LIKE "+arg("%"+jsonText(f.Category)+"%"))
		}
		order := ` ORDER BY CASE WHEN e.next_due IS NULL THEN 1 ELSE 0 END, e.next_due, e.ref`
		// escalate.Can lets an oversight role list every escalation of
		// the partnership, and anyone list those they raised, their line
		// raised, or are involved in (Mine's narrowing): then SQL alone
		// decides, unless a filter needs the policy (stage) or an exact
		// match (category: LIKE ignores case), and counts and reads only
		// the page.
		// A raiser may always list what they raised, so Raised is decided
		// by SQL too.
		sqlDecides := f.Stage == "" && (oversight && !f.Mine || (f.Mine || f.Raised) && f.Category == "")
		if sqlDecides {
			if err := tx.QueryRowContext(tx.ctx, `SELECT COUNT(*)`+escalationFrom+`WHERE `+strings.Join(where, " AND "),
				args...).Scan(&total); err != nil {
				return fmt.Errorf("list escalations: %w", err)
			}
			order += " LIMIT " + arg(limit) + " OFFSET " + arg(f.Offset)
			f.Offset = 0
		}
		rows, err := tx.QueryContext(tx.ctx, `SELECT `+escalationColumns+escalationFrom+
			`WHERE `+strings.Join(where, " AND ")+order, args...)
		if err != nil {
			return fmt.Errorf("list escalations: %w", err)
		}
		var candidates []*escalationRow
		for rows.Next() {
			row, err := scanEscalation(rows)
			if err != nil {
				rows.Close()
				return fmt.Errorf("list escalations: %w", err)
			}
			candidates = append(candidates, row)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if sqlDecides {
			for _, row := range candidates {
				page = append(page, row.Escalation)
			}
			candidates = nil
		}
		for _, row := range candidates {
			ok, err := tx.listable(row, actor, reports, involved, f)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			total++
			if total > f.Offset && len(page) < limit {
				page = append(page, row.Escalation)
			}
		}
		for _, e := range page {
			if e.Clocks, err = tx.loadClocks(e.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return page, total, nil
}

// listable applies escalate.Can and the filters SQL could not to one
// candidate. The facts are the actor's side of them: whether the raiser is
// in the actor's reports and whether the actor is involved, which is all
// Can asks of them.
func (tx *Tx) listable(row *escalationRow, actor *escalate.User, reports, involved []int64, f escalate.EscalationFilter) (bool, error) {
	p, err := tx.policyVersion(row.PolicyVersionID, row.PolicySHA)
	if err != nil {
		return false, err
	}
	e := row.Escalation
	var line, inv []int64
	if containsID(reports, e.RaisedBy) {
		line = []int64{actor.ID}
	}
	if containsID(involved, e.ID) {
		inv = []int64{actor.ID}
	}
	if !escalate.Can(actor, e, escalate.NewParties(p, e, line, inv), escalate.ActionList) {
		return false, nil
	}
	if f.Mine && e.RaisedBy != actor.ID && line == nil && inv == nil {
		return false, nil
	}
	if f.Stage != "" {
		if st := e.CurrentStage(p); st == nil || st.Key != f.Stage {
			return false, nil
		}
	}
	if f.Category != "" && !slices.Contains(e.Categories, f.Category) {
		return false, nil
	}
	return true, nil
}

// idList formats IDs read from the database for an IN list. They are
// integers, so they are safe to inline.
func idList(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, ",")
}
