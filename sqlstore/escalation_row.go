package sqlstore

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
)

// escalationRow is an escalation as stored: the domain value and the policy
// version row it is pinned to.
type escalationRow struct {
	*escalate.Escalation
	PolicyVersionID int64
	PolicySHA       string // the version's sha256, which keys the parsed policy
}

// escalationColumns is the SELECT list scanEscalation reads, in order.
const escalationColumns = `e.id, e.ref, e.partnership_id, e.policy_version_id, v.policy_id, v.version,
	e.raised_by, e.raised_role, e.raising_agency_id, e.receiving_agency_id, e.receiving_contact,
	e.decision, e.decision_date, e.child_ref, e.child_initials, e.child_expected, e.categories,
	e.issue, e.risk, e.disagreement, e.outcome_sought, e.risk_level, e.stage, e.status,
	e.outcome_kind, e.outcome_text, e.outcome_outstanding, e.outcome_redirect_to, e.outcome_reason,
	e.outcome_at, e.outcome_by, e.outcome_confirmed_at, e.outcome_decision, e.outcome_report,
	e.immediate_action, e.immediate_at, e.immediate_by,
	e.version, e.created, e.updated, v.sha256`

// escalationFrom joins the pinned policy version so the domain value carries
// the policy's id and version.
const escalationFrom = ` FROM escalations e JOIN policy_versions v ON v.id = e.policy_version_id `

type rowScanner interface{ Scan(dest ...any) error }

func scanEscalation(r rowScanner) (*escalationRow, error) {
	e := &escalate.Escalation{}
	row := &escalationRow{Escalation: e}
	var cats string
	var outcomeKind, immAction sql.NullString
	var outcomeText, outcomeOutstanding, outcomeRedirect, outcomeReason, outcomeDecision, outcomeReport string
	var outcomeAt, outcomeConfirmed, immAt time.Time
	var outcomeBy, immBy sql.NullInt64
	var raisedRole, riskLevel, status string
	err := r.Scan(&e.ID, &e.Ref, &e.PartnershipID, &row.PolicyVersionID, &e.PolicyID, &e.PolicyVersion,
		&e.RaisedBy, &raisedRole, &e.RaisingAgencyID, &e.ReceivingAgencyID, &e.ReceivingContact,
		&e.Decision, &e.DecisionDate, &e.ChildRef, &e.ChildInitials, &e.ChildExpected, &cats,
		&e.Issue, &e.Risk, &e.Disagreement, &e.OutcomeSought, &riskLevel, &e.Stage, &status,
		&outcomeKind, &outcomeText, &outcomeOutstanding, &outcomeRedirect, &outcomeReason,
		scanTime(&outcomeAt), &outcomeBy, scanTime(&outcomeConfirmed), &outcomeDecision, &outcomeReport,
		&immAction, scanTime(&immAt), &immBy,
		&e.Version, scanTime(&e.Created), scanTime(&e.Updated), &row.PolicySHA)
	if err != nil {
		return nil, err
	}
	e.RaisedRole, e.RiskLevel, e.Status = escalate.Role(raisedRole), escalate.RiskLevel(riskLevel), escalate.Status(status)
	if err := json.Unmarshal([]byte(cats), &e.Categories); err != nil {
		return nil, fmt.Errorf("escalation %s: categories: %w", e.Ref, err)
	}
	if outcomeKind.Valid {
		e.Outcome = &escalate.Outcome{
			Kind: outcomeKind.String, Text: outcomeText, OutstandingIssues: outcomeOutstanding,
			RedirectTo: outcomeRedirect, Reason: outcomeReason, At: outcomeAt, By: outcomeBy.Int64,
			ConfirmedAt: outcomeConfirmed, Decision: outcomeDecision, Report: outcomeReport,
		}
	}
	if immAction.Valid {
		e.Immediate = &escalate.ImmediateAction{Action: immAction.String, At: immAt, By: immBy.Int64}
	}
	return row, nil
}

// loadEscalation reads the escalation with the given ref, with its clocks and
// records; ENOTFOUND when there is none.
func (tx *Tx) loadEscalation(ref string) (*escalationRow, error) {
	row, err := scanEscalation(tx.queryRow(`SELECT `+escalationColumns+escalationFrom+`WHERE e.ref = $1`, ref))
	if err == sql.ErrNoRows {
		return nil, escalate.Errorf(escalate.ENOTFOUND, "Escalation not found.")
	} else if err != nil {
		return nil, fmt.Errorf("load escalation: %w", err)
	}
	if row.Clocks, err = tx.loadClocks(row.ID); err != nil {
		return nil, err
	}
	if row.Records, err = tx.loadRecords(row.ID); err != nil {
		return nil, err
	}
	return row, nil
}

const clockColumns = `id, stage, key, action, by_side, within, start_at, due_at, immediate,
	explanation, status, met_at, shortened_reason, recomputed`

func scanClock(r rowScanner) (escalate.ClockState, error) {
	var c escalate.ClockState
	err := r.Scan(&c.ID, &c.Stage, &c.Key, &c.Action, &c.By, &c.Within, scanTime(&c.Start), scanTime(&c.Due),
		&c.Immediate, &c.Explanation, &c.Status, scanTime(&c.MetAt), &c.ShortenedReason, &c.Recomputed)
	if c.Immediate {
		c.Due = time.Time{} // stored as the start; see dueArg
	}
	return c, err
}

// dueArg is the clock's due_at: its due instant, or its start for an
// immediate clock, which is due the moment it starts. Storing that rather
// than NULL lets the running-clocks index find immediate clocks as overdue.
func dueArg(c escalate.ClockState) any {
	if c.Immediate {
		return timeArg(c.Start)
	}
	return nullTime(c.Due)
}

func (tx *Tx) loadClocks(escalationID int64) ([]escalate.ClockState, error) {
	rows, err := tx.query(`SELECT `+clockColumns+` FROM clocks WHERE escalation_id = $1 ORDER BY id`, escalationID)
	if err != nil {
		return nil, fmt.Errorf("load clocks: %w", err)
	}
	defer rows.Close()
	var cs []escalate.ClockState
	for rows.Next() {
		c, err := scanClock(rows)
		if err != nil {
			return nil, fmt.Errorf("load clocks: %w", err)
		}
		cs = append(cs, c)
	}
	return cs, rows.Err()
}

func (tx *Tx) loadRecords(escalationID int64) ([]escalate.Record, error) {
	rows, err := tx.query(`
		SELECT `+recordColumns+` FROM records WHERE escalation_id = $1 ORDER BY id`, escalationID)
	if err != nil {
		return nil, fmt.Errorf("load records: %w", err)
	}
	defer rows.Close()
	var rs []escalate.Record
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, fmt.Errorf("load records: %w", err)
		}
		rs = append(rs, r)
	}
	return rs, rows.Err()
}

// recordColumns is the SELECT list scanRecord reads, in order.
const recordColumns = `id, stage, at, form, participants, discussion, outcome, corrects, by_user, created,
	approved_by, approved_at, result, facilitator`

// scanRecord reads a record's recordColumns.
func scanRecord(sc rowScanner) (escalate.Record, error) {
	var r escalate.Record
	var parts string
	var corrects, approvedBy sql.NullInt64
	if err := sc.Scan(&r.ID, &r.Stage, scanTime(&r.At), &r.Form, &parts, &r.Discussion, &r.Outcome,
		&corrects, &r.By, scanTime(&r.Created), &approvedBy, scanTime(&r.ApprovedAt), &r.Result, &r.Facilitator); err != nil {
		return r, err
	}
	if err := json.Unmarshal([]byte(parts), &r.Participants); err != nil {
		return r, fmt.Errorf("record %d: participants: %w", r.ID, err)
	}
	r.Corrects, r.ApprovedBy = int(corrects.Int64), approvedBy.Int64
	return r, nil
}

// nullTime is t as a query argument, NULL when t is zero.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return timeArg(t)
}

// nullInt is n as a query argument, NULL when n is zero.
func nullInt(n int64) any {
	if n == 0 {
		return nil
	}
	return n
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only slices of strings are passed
	}
	return string(b)
}

// nextDue is the escalation's soonest running deadline as a query argument,
// NULL when no clock runs.
func nextDue(e *escalate.Escalation) any {
	if t, ok := e.NextDue(); ok {
		return timeArg(t)
	}
	return nil
}

// refPrefix is the partnership part of a reference: its key in capitals,
// e.g. "REDBRIDGE" or "HAMMERSMITH-FULHAM". Keys are unique, so references
// are too.
func refPrefix(key string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return unicode.ToUpper(r)
		}
		return -1
	}, key)
}

// allocateRef takes the next reference of the partnership for the London
// year of now. The counter row is locked by the update until commit, so two
// raises never share a number, and a rolled-back raise gives its number back.
func (tx *Tx) allocateRef(partnershipID int64, key string) (string, error) {
	year := calendar.DateOf(tx.now).Year
	var n int
	err := tx.queryRow(`
		INSERT INTO escalation_refs (partnership_id, year, n) VALUES ($1, $2, 1)
		ON CONFLICT (partnership_id, year) DO UPDATE SET n = escalation_refs.n + 1
		RETURNING n`, partnershipID, year).Scan(&n)
	if err != nil {
		return "", fmt.Errorf("allocate reference: %w", err)
	}
	return refPrefix(key) + "-" + strconv.Itoa(year) + "-" + fmt.Sprintf("%04d", n), nil
}

// insertEscalation writes a newly raised escalation with its clocks and
// records, setting its ID.
func (tx *Tx) insertEscalation(row *escalationRow) error {
	e := row.Escalation
	err := tx.queryRow(`
		INSERT INTO escalations (ref, partnership_id, policy_version_id, raised_by, raised_role,
			raising_agency_id, receiving_agency_id, receiving_contact, decision, decision_date,
			child_ref, child_initials, categories, issue, risk, disagreement, outcome_sought,
			risk_level, stage, status, immediate_action, immediate_at, immediate_by,
			version, created, updated, next_due, child_expected)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
			$18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28)
		RETURNING id`,
		e.Ref, e.PartnershipID, row.PolicyVersionID, e.RaisedBy, string(e.RaisedRole),
		e.RaisingAgencyID, e.ReceivingAgencyID, e.ReceivingContact, e.Decision, e.DecisionDate,
		e.ChildRef, e.ChildInitials, jsonText(e.Categories), e.Issue, e.Risk, e.Disagreement, e.OutcomeSought,
		string(e.RiskLevel), e.Stage, string(e.Status), immAction(e), immAt(e), immBy(e),
		e.Version, timeArg(e.Created), timeArg(e.Updated), nextDue(e), e.ChildExpected,
	).Scan(&e.ID)
	if err != nil {
		return fmt.Errorf("insert escalation: %w", err)
	}
	return tx.saveChildren(e, nil)
}

func immAction(e *escalate.Escalation) any {
	if e.Immediate == nil {
		return nil
	}
	return e.Immediate.Action
}

func immAt(e *escalate.Escalation) any {
	if e.Immediate == nil {
		return nil
	}
	return timeArg(e.Immediate.At)
}

func immBy(e *escalate.Escalation) any {
	if e.Immediate == nil {
		return nil
	}
	return nullInt(e.Immediate.By)
}

// updateEscalation writes e's new state over the stored one. It updates only
// when the stored version is still fromVersion: on PostgreSQL a concurrent
// writer blocks on the row and then matches nothing, so the loser of a race
// gets ECONFLICT and no update is lost. old is the state that was loaded.
func (tx *Tx) updateEscalation(old, e *escalate.Escalation, fromVersion int) error {
	query, args := escalationUpdate(old, e, fromVersion) // escalation_update.go
	res, err := tx.exec(query, args...)
	if err != nil {
		return fmt.Errorf("update escalation: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n != 1 {
		return escalate.Errorf(escalate.ECONFLICT, escalate.MsgConflict)
	}
	return tx.saveChildren(e, old)
}

// saveChildren inserts the clocks and records e has that old lacks, and
// updates the clocks and record approvals that changed. Records are
// otherwise never rewritten (a trigger refuses it).
func (tx *Tx) saveChildren(e, old *escalate.Escalation) error {
	var added []escalate.ClockState
	for _, c := range e.Clocks {
		var prev *escalate.ClockState
		if old != nil {
			prev = old.Clock(c.ID)
		}
		switch {
		case prev == nil:
			added = append(added, c)
		case *prev != c:
			if err := tx.updateClock(e.ID, c); err != nil {
				return err
			}
		}
	}
	if err := tx.insertClocks(e.ID, added); err != nil { // change_rows.go
		return err
	}
	for _, r := range e.Records {
		var prev *escalate.Record
		if old != nil {
			prev = old.Record(r.ID)
		}
		switch {
		case prev == nil:
			if err := tx.insertRecord(e.ID, r); err != nil {
				return err
			}
		case prev.ApprovedBy == 0 && r.ApprovedBy != 0:
			res, err := tx.exec(`
				UPDATE records SET approved_by = $1, approved_at = $2
				WHERE escalation_id = $3 AND id = $4 AND approved_by IS NULL`,
				r.ApprovedBy, timeArg(r.ApprovedAt), e.ID, r.ID)
			if err != nil {
				return fmt.Errorf("approve record: %w", err)
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return escalate.Errorf(escalate.ECONFLICT, "Record %d is already approved.", r.ID)
			}
		}
	}
	return nil
}

// updateClock writes the parts of a clock that may change: its deadline
// (shortened or recomputed), its status and when it was met.
func (tx *Tx) updateClock(escalationID int64, c escalate.ClockState) error {
	_, err := tx.exec(`
		UPDATE clocks SET within = $1, due_at = $2, immediate = $3, explanation = $4, status = $5,
			met_at = $6, shortened_reason = $7, recomputed = $8
		WHERE escalation_id = $9 AND id = $10`,
		c.Within, dueArg(c), c.Immediate, c.Explanation, c.Status, nullTime(c.MetAt),
		c.ShortenedReason, c.Recomputed, escalationID, c.ID)
	if err != nil {
		return fmt.Errorf("update clock: %w", err)
	}
	return nil
}

func (tx *Tx) insertRecord(escalationID int64, r escalate.Record) error {
	_, err := tx.exec(`
		INSERT INTO records (escalation_id, id, stage, at, form, participants, discussion, outcome,
			corrects, by_user, created, approved_by, approved_at, result, facilitator)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		escalationID, r.ID, r.Stage, timeArg(r.At), r.Form, jsonText(r.Participants), r.Discussion, r.Outcome,
		nullInt(int64(r.Corrects)), r.By, timeArg(r.Created), nullInt(r.ApprovedBy), nullTime(r.ApprovedAt), r.Result, r.Facilitator)
	if err != nil {
		return fmt.Errorf("insert record: %w", err)
	}
	return nil
}
