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
// all. An oversight role sees the whole partnership; anyone else the
// escalations routing ties them to (escalation_people, kept by every change
// and brought up to date here when the partnership's people changed). SQL
// decides, except for the filters that need the pinned policy (stage) or an
// exact match (category: LIKE ignores case). Listing is not a view of the
// case and records no event: opening one with Get does.
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
	err = s.db.WithTx(ctx, func(tx *Tx) error {
		actor, err := tx.actingUser(actor)
		if err != nil || actor.Disabled {
			return err
		}
		if err := tx.ensureRouting(actor.PartnershipID); err != nil {
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
			where = append(where, "e.id IN (SELECT escalation_id FROM escalation_people WHERE user_id = "+arg(actor.ID)+")")
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
		sqlDecides := f.Stage == "" && f.Category == ""
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
		for _, row := range candidates {
			if !sqlDecides {
				ok, err := tx.listable(row, f)
				if err != nil {
					return err
				}
				if !ok {
					continue
				}
				total++
				if total <= f.Offset || len(page) >= limit {
					continue
				}
			}
			page = append(page, row.Escalation)
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

// listable applies the filters SQL could not to one candidate.
func (tx *Tx) listable(row *escalationRow, f escalate.EscalationFilter) (bool, error) {
	p, err := tx.policyVersion(row.PolicyVersionID, row.PolicySHA)
	if err != nil {
		return false, err
	}
	e := row.Escalation
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
