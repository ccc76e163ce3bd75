package sqlstore

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
)

// bulkInsert buffers rows for one table and writes them many to a statement:
// full statements through one prepared multi-row INSERT, the remainder at
// the end through a statement of its own size.
type bulkInsert struct {
	ctx     context.Context
	tx      *sql.Tx
	table   string
	cols    []string
	dialect Dialect
	per     int         // rows per full statement
	before  *bulkInsert // rows this table's foreign keys point at, written first
	full    *sql.Stmt
	args    []any
	rows    int   // rows buffered
	n       int64 // rows added in all
}

// maxBulkParams keeps a statement under SQLite's limit of 32,766 host
// parameters (PostgreSQL allows 65,535); maxBulkRows keeps it a size the
// parser handles quickly.
const (
	maxBulkParams = 30000
	maxBulkRows   = 250
)

func newBulkInsert(ctx context.Context, tx *sql.Tx, d Dialect, table string, before *bulkInsert, cols ...string) *bulkInsert {
	return &bulkInsert{ctx: ctx, tx: tx, dialect: d, table: table, cols: cols, before: before,
		per: min(maxBulkParams/len(cols), maxBulkRows)}
}

// add buffers one row, whose values are in the order of the columns.
func (b *bulkInsert) add(vals ...any) error {
	b.args = append(b.args, vals...)
	b.rows++
	b.n++
	if b.rows == b.per {
		return b.exec()
	}
	return nil
}

// exec writes the buffered rows, and first those of the table they refer to.
func (b *bulkInsert) exec() error {
	if b.rows == 0 {
		return nil
	}
	if b.before != nil {
		if err := b.before.exec(); err != nil {
			return err
		}
	}
	var err error
	if b.rows == b.per {
		if b.full == nil {
			if b.full, err = b.tx.PrepareContext(b.ctx, b.statement(b.per)); err != nil {
				return b.wrap(err)
			}
		}
		_, err = b.full.ExecContext(b.ctx, b.args...)
	} else {
		_, err = b.tx.ExecContext(b.ctx, b.statement(b.rows), b.args...)
	}
	clear(b.args)
	b.args, b.rows = b.args[:0], 0
	return b.wrap(err)
}

func (b *bulkInsert) wrap(err error) error {
	if err != nil {
		return &bulkError{table: b.table, err: err}
	}
	return nil
}

type bulkError struct {
	table string
	err   error
}

func (e *bulkError) Error() string { return "bulk insert into " + e.table + ": " + e.err.Error() }
func (e *bulkError) Unwrap() error { return e.err }

// statement returns the INSERT of rows rows. SQLite gets anonymous "?"
// placeholders: the driver looks the name of each "$n" up in a list as
// long as the statement's, which for thousands of parameters costs more
// than the insert itself.
func (b *bulkInsert) statement(rows int) string {
	var s strings.Builder
	s.WriteString("INSERT INTO " + b.table + " (" + strings.Join(b.cols, ", ") + ") VALUES ")
	n := 1
	for r := range rows {
		if r > 0 {
			s.WriteByte(',')
		}
		s.WriteByte('(')
		for c := range b.cols {
			if c > 0 {
				s.WriteByte(',')
			}
			if b.dialect == SQLite {
				s.WriteByte('?')
			} else {
				s.WriteByte('$')
				s.WriteString(strconv.Itoa(n))
			}
			n++
		}
		s.WriteByte(')')
	}
	return s.String()
}

func (b *bulkInsert) close() {
	if b.full != nil {
		b.full.Close()
	}
}

// scaleBatch is the bulk inserters of one generator transaction.
type scaleBatch struct {
	escalations, clocks, records, parties, events, content *bulkInsert
}

func newScaleBatch(ctx context.Context, tx *sql.Tx, d Dialect) *scaleBatch {
	b := &scaleBatch{}
	b.escalations = newBulkInsert(ctx, tx, d, "escalations", nil, "id", "ref", "partnership_id", "policy_version_id",
		"raised_by", "raised_role", "raising_agency_id", "receiving_agency_id", "receiving_contact",
		"decision", "decision_date", "child_ref", "child_initials", "categories",
		"issue", "risk", "disagreement", "outcome_sought", "risk_level", "stage", "status",
		"outcome_kind", "outcome_text", "outcome_outstanding", "outcome_redirect_to", "outcome_reason",
		"outcome_at", "outcome_by", "outcome_confirmed_at",
		"immediate_action", "immediate_at", "immediate_by", "version", "created", "updated", "next_due")
	b.clocks = newBulkInsert(ctx, tx, d, "clocks", b.escalations, "escalation_id", "id", "stage", "key", "action",
		"by_side", "within", "start_at", "due_at", "immediate", "explanation", "status", "met_at")
	b.records = newBulkInsert(ctx, tx, d, "records", b.escalations, "escalation_id", "id", "stage", "at", "form",
		"participants", "discussion", "outcome", "by_user", "created", "approved_by", "approved_at")
	b.parties = newBulkInsert(ctx, tx, d, "escalation_parties", b.escalations, "escalation_id", "user_id", "added_by", "added")
	b.events = newBulkInsert(ctx, tx, d, "audit_events", nil, "seq", "chain", "chain_seq", "at", "actor", "action", "object",
		"commitment", "prev_hash", "hash")
	b.content = newBulkInsert(ctx, tx, d, "audit_content", b.events, "seq", "salt", "content")
	return b
}

func (b *scaleBatch) all() []*bulkInsert {
	return []*bulkInsert{b.escalations, b.clocks, b.records, b.parties, b.events, b.content}
}

// flush writes every buffered row and closes the prepared statements.
func (b *scaleBatch) flush() error {
	defer func() {
		for _, t := range b.all() {
			t.close()
		}
	}()
	for _, t := range b.all() {
		if err := t.exec(); err != nil {
			return err
		}
	}
	return nil
}
