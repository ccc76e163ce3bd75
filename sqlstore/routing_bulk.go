package sqlstore

import (
	"fmt"
	"slices"
	"strings"

	"github.com/escalate-project/escalate"
)

// Routing many escalations at once: after a partnership's people changed
// (ensureRouting: its open cases) or after a bulk load (the scale
// generator: every case). The cases are read with a few queries for the
// whole partnership, not a few per case, routed in memory, and their
// escalation_people rows replaced.

// routeBulk routes partnershipID's escalations (only the open ones when
// openOnly) and replaces their escalation_people rows. It returns how many
// escalations it routed.
func (tx *Tx) routeBulk(partnershipID int64, openOnly bool) (int, error) {
	dir, err := tx.directory(partnershipID)
	if err != nil {
		return 0, err
	}
	status := ""
	if openOnly {
		status = ` AND e.status = 'open'`
	}
	rows, err := tx.QueryContext(tx.ctx, `SELECT `+escalationColumns+escalationFrom+
		`WHERE e.partnership_id = $1`+status+` ORDER BY e.id`, partnershipID)
	if err != nil {
		return 0, fmt.Errorf("route: escalations: %w", err)
	}
	var cases []*escalationRow
	byID := map[int64]*escalationRow{}
	for rows.Next() {
		row, err := scanEscalation(rows)
		if err != nil {
			rows.Close()
			return 0, fmt.Errorf("route: escalations: %w", err)
		}
		cases = append(cases, row)
		byID[row.ID] = row
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if len(cases) == 0 {
		return 0, nil
	}
	// Clocks, records' results and authors, named people and meeting
	// chairs, for the whole partnership in one query each.
	inv := map[int64]*escalate.Involvement{}
	for _, c := range cases {
		inv[c.ID] = &escalate.Involvement{}
		if c.Outcome != nil && c.Outcome.By != 0 {
			inv[c.ID].Involved = append(inv[c.ID].Involved, c.Outcome.By)
		}
	}
	scope := ` JOIN escalations e ON e.id = x.escalation_id WHERE e.partnership_id = $1` + status
	crows, err := tx.QueryContext(tx.ctx, `SELECT x.escalation_id, `+prefixColumns("x.", clockColumns)+
		` FROM clocks x`+scope+` ORDER BY x.escalation_id, x.id`, partnershipID)
	if err != nil {
		return 0, fmt.Errorf("route: clocks: %w", err)
	}
	for crows.Next() {
		var id int64
		c, err := scanClock(prefixScanner{&id, crows})
		if err != nil {
			crows.Close()
			return 0, fmt.Errorf("route: clocks: %w", err)
		}
		byID[id].Clocks = append(byID[id].Clocks, c)
	}
	crows.Close()
	if err := crows.Err(); err != nil {
		return 0, err
	}
	rrows, err := tx.QueryContext(tx.ctx, `SELECT x.escalation_id, x.id, x.stage, x.result, x.by_user, COALESCE(x.approved_by, 0)
		FROM records x`+scope+` ORDER BY x.escalation_id, x.id`, partnershipID)
	if err != nil {
		return 0, fmt.Errorf("route: records: %w", err)
	}
	for rrows.Next() {
		var id, approved int64
		var r escalate.Record
		if err := rrows.Scan(&id, &r.ID, &r.Stage, &r.Result, &r.By, &approved); err != nil {
			rrows.Close()
			return 0, fmt.Errorf("route: records: %w", err)
		}
		byID[id].Records = append(byID[id].Records, r)
		inv[id].Involved = append(inv[id].Involved, r.By)
		if approved != 0 {
			inv[id].Involved = append(inv[id].Involved, approved)
		}
	}
	rrows.Close()
	if err := rrows.Err(); err != nil {
		return 0, err
	}
	prows, err := tx.QueryContext(tx.ctx, `SELECT x.escalation_id, 0, x.user_id, '' FROM escalation_parties x`+scope+
		` AND x.removed IS NULL
		UNION ALL SELECT x.escalation_id, 1, x.user_id, x.stage FROM escalation_meeting_chairs x`+scope, partnershipID)
	if err != nil {
		return 0, fmt.Errorf("route: parties: %w", err)
	}
	chairs := map[int64]map[string]int64{}
	for prows.Next() {
		var id, uid int64
		var kind int
		var stage string
		if err := prows.Scan(&id, &kind, &uid, &stage); err != nil {
			prows.Close()
			return 0, fmt.Errorf("route: parties: %w", err)
		}
		if kind == 0 {
			inv[id].Named = append(inv[id].Named, uid)
		} else {
			if chairs[id] == nil {
				chairs[id] = map[string]int64{}
			}
			chairs[id][stage] = uid
		}
	}
	prows.Close()
	if err := prows.Err(); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(tx.ctx, `DELETE FROM escalation_people WHERE escalation_id IN
		(SELECT e.id FROM escalations e WHERE e.partnership_id = $1`+status+`)`, partnershipID); err != nil {
		return 0, fmt.Errorf("route: clear: %w", err)
	}
	ins := newBulkInsert(tx.ctx, tx.Tx, tx.db.dialect, "escalation_people", nil,
		"escalation_id", "user_id", "turn", "what", "due_at", "immediate")
	defer ins.close()
	for _, c := range cases {
		p, err := tx.policyVersion(c.PolicyVersionID, c.PolicySHA)
		if err != nil {
			return 0, err
		}
		in := inv[c.ID]
		if st := c.CurrentStage(p); st != nil {
			in.MeetingChair = chairs[c.ID][st.Key]
		}
		ps := escalate.Route(p, c.Escalation, dir, *in)
		want := peopleRows(ps)
		ids := make([]int64, 0, len(want))
		for id := range want {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		for _, id := range ids {
			r := want[id]
			if err := ins.add(c.ID, id, r.turn, r.what, nullTime(r.due), r.immediate); err != nil {
				return 0, err
			}
		}
	}
	if err := ins.exec(); err != nil {
		return 0, err
	}
	return len(cases), nil
}

// prefixColumns puts prefix before each of a comma-separated column list.
func prefixColumns(prefix, cols string) string {
	var out []string
	for _, c := range strings.Split(cols, ",") {
		out = append(out, prefix+strings.TrimSpace(c))
	}
	return strings.Join(out, ", ")
}

// prefixScanner scans a leading column into v and the rest into the
// destinations a row scanner is given.
type prefixScanner struct {
	v    any
	rows rowScanner
}

func (p prefixScanner) Scan(dest ...any) error { return p.rows.Scan(append([]any{p.v}, dest...)...) }
