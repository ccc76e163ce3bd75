package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"strconv"
	"strings"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/audit"
)

// auditLockKey is the PostgreSQL advisory lock that serialises audit appends
// ("escaudit" in ASCII). Each append reads the last entry and writes the
// next seq, so two writers must not interleave: the transaction-scoped lock
// is held until commit or rollback. It works on an empty log, where a
// SELECT … FOR UPDATE of the last row would have nothing to lock. SQLite
// needs nothing: an immediate transaction already holds the only write lock.
const auditLockKey int64 = 0x6573636175646974

type actorKey struct{}

// WithActor returns a copy of ctx that names actor in the audit trail when no
// signed-in user acts, e.g. "cli:alice" for an administrator at the console.
func WithActor(ctx context.Context, actor string) context.Context {
	return context.WithValue(ctx, actorKey{}, actor)
}

// Actor returns the audit actor of ctx: "user:ID" for a signed-in user, the
// name given to WithActor, or "system".
func Actor(ctx context.Context) string {
	if u := escalate.UserFromContext(ctx); u != nil {
		return fmt.Sprintf("user:%d", u.ID)
	}
	if a, ok := ctx.Value(actorKey{}).(string); ok && a != "" {
		return a
	}
	return "system"
}

// Audit appends an event to the audit chain in this transaction, so the event
// is written if and only if the change it records is. content, if not nil, is
// stored as JSON in audit_content (erasable); the chain holds only a salted
// commitment to it. The event's time is the transaction's, except that it
// never runs before the previous event's: a transaction that began earlier
// may reach the log later.
func (tx *Tx) Audit(actor, action, object string, content any) error {
	return tx.auditAll([]auditItem{{actor, action, object, content}})
}

// auditItem is one event for auditAll.
type auditItem struct {
	actor, action, object string
	content               any
}

// auditBatch bounds the rows of one multi-row INSERT, so a recompute of
// many clocks still uses a few fixed statement texts.
const auditBatch = 32

// auditAll appends items to the chain in order, as Audit does one, writing
// each table's rows with one multi-row INSERT per auditBatch events: a
// change writes 2 to 10 events, and two statements each were a tenth of its
// time.
func (tx *Tx) auditAll(items []auditItem) error {
	for len(items) > 0 {
		n := min(len(items), auditBatch)
		if err := tx.auditSome(items[:n]); err != nil {
			return err
		}
		items = items[n:]
	}
	return nil
}

func (tx *Tx) auditSome(items []auditItem) error {
	prev, err := tx.lastAudit()
	if err != nil {
		return err
	}
	events := make([]any, 0, 8*len(items))
	var contents []any
	last := *prev
	for _, it := range items {
		var body, salt []byte
		var commitment [32]byte
		if it.content != nil {
			if body, err = json.Marshal(it.content); err != nil {
				return fmt.Errorf("audit %s: encoding content: %w", it.action, err)
			}
			commitment, salt = audit.Commit(body)
		}
		at := tx.now
		if at.Before(last.At) {
			at = last.At
		}
		e, err := audit.Next(last, it.actor, it.action, it.object, at, commitment)
		if err != nil {
			return err
		}
		events = append(events, e.Seq, timeArg(e.At), e.Actor, e.Action, e.Object, e.Commitment[:], e.Prev[:], e.Hash[:])
		if it.content != nil {
			contents = append(contents, e.Seq, salt, body)
		}
		last = e
	}
	if _, err := tx.exec(`INSERT INTO audit_events (seq, at, actor, action, object, commitment, prev_hash, hash) VALUES `+
		valuesList(len(items), 8), events...); err != nil {
		return fmt.Errorf("audit %s: %w", items[0].action, err)
	}
	if len(contents) > 0 {
		if _, err := tx.exec(`INSERT INTO audit_content (seq, salt, content) VALUES `+
			valuesList(len(contents)/3, 3), contents...); err != nil {
			return fmt.Errorf("audit %s: %w", items[0].action, err)
		}
	}
	tx.auditTail = &last
	return nil
}

// valuesList returns the VALUES rows of a multi-row INSERT of rows rows of
// cols parameters each: "($1, $2), ($3, $4)".
func valuesList(rows, cols int) string {
	var b strings.Builder
	for r := range rows {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := range cols {
			if c > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(r*cols + c + 1))
		}
		b.WriteByte(')')
	}
	return b.String()
}

// lastAudit returns the last entry of the chain (the zero Entry for an empty
// log), taking the audit lock first on PostgreSQL. It reads the database
// once per transaction; later appends in the same transaction follow on
// from the entry it last wrote.
func (tx *Tx) lastAudit() (*audit.Entry, error) {
	if tx.auditTail != nil {
		return tx.auditTail, nil
	}
	if tx.db.dialect == Postgres {
		// In READ COMMITTED (WithTx's level) the next statement sees every
		// append committed before the lock was granted.
		if _, err := tx.exec(`SELECT pg_advisory_xact_lock($1)`, auditLockKey); err != nil {
			return nil, fmt.Errorf("audit lock: %w", err)
		}
	}
	var e audit.Entry
	var hash []byte
	err := tx.queryRow(`SELECT seq, at, hash FROM audit_events ORDER BY seq DESC LIMIT 1`).
		Scan(&e.Seq, scanTime(&e.At), &hash)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		e = audit.Entry{}
	case err != nil:
		return nil, fmt.Errorf("audit: reading the last event: %w", err)
	case len(hash) != len(e.Hash):
		return nil, fmt.Errorf("audit: seq %d: stored hash has %d bytes", e.Seq, len(hash))
	default:
		copy(e.Hash[:], hash)
	}
	tx.auditTail = &e
	return &e, nil
}

// EraseAuditContent erases the stored content of every audit event about
// object (e.g. "escalation:RB-2026-0001") when its retention period is over,
// and records the erasure. The chain and its checkpoints still verify: they
// hold only commitments. It returns how many events had content erased.
func (db *DB) EraseAuditContent(ctx context.Context, object string) (int64, error) {
	if object == "" {
		return 0, escalate.FieldErrorf("object", "Name the object whose audit content is to be erased.")
	}
	var n int64
	err := db.WithTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `
			UPDATE audit_content SET content = NULL, salt = NULL, erased = $1
			WHERE content IS NOT NULL AND seq IN (SELECT seq FROM audit_events WHERE object = $2)`,
			timeArg(tx.now), object)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		return tx.Audit(Actor(ctx), "audit.erase", object, nil)
	})
	return n, err
}

// AuditEvent is one stored audit event with its content, if not erased.
type AuditEvent struct {
	audit.Entry
	Salt    []byte // nil once erased
	Content []byte // JSON; nil when there was none or it was erased
}

// AuditEvents returns the audit events with fromSeq <= seq <= toSeq (toSeq 0
// for no upper bound) in sequence order, with their content.
func (db *DB) AuditEvents(ctx context.Context, fromSeq, toSeq int64) ([]AuditEvent, error) {
	var out []AuditEvent
	for ev, err := range db.auditEvents(ctx, fromSeq, toSeq) {
		if err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	return out, nil
}

// auditEvents streams stored events in sequence order.
func (db *DB) auditEvents(ctx context.Context, fromSeq, toSeq int64) iter.Seq2[AuditEvent, error] {
	return func(yield func(AuditEvent, error) bool) {
		if toSeq <= 0 {
			toSeq = 1<<63 - 1
		}
		rows, err := db.db.QueryContext(ctx, `
			SELECT e.seq, e.at, e.actor, e.action, e.object, e.commitment, e.prev_hash, e.hash,
				c.salt, c.content
			FROM audit_events e LEFT JOIN audit_content c ON c.seq = e.seq
			WHERE e.seq >= $1 AND e.seq <= $2
			ORDER BY e.seq`, fromSeq, toSeq)
		if err != nil {
			yield(AuditEvent{}, err)
			return
		}
		defer rows.Close()
		for rows.Next() {
			var ev AuditEvent
			var commitment, prev, hash []byte
			if err := rows.Scan(&ev.Seq, scanTime(&ev.At), &ev.Actor, &ev.Action, &ev.Object,
				&commitment, &prev, &hash, &ev.Salt, &ev.Content); err != nil {
				yield(AuditEvent{}, err)
				return
			}
			// A hash of the wrong length is tampering, not a read error.
			for _, f := range [...]struct {
				name string
				b    []byte
			}{{"commitment", commitment}, {"prev_hash", prev}, {"hash", hash}} {
				if len(f.b) != 32 {
					yield(AuditEvent{}, &audit.Failure{Seq: ev.Seq, Reason: fmt.Sprintf("stored %s has %d bytes, not 32", f.name, len(f.b))})
					return
				}
			}
			copy(ev.Commitment[:], commitment)
			copy(ev.Prev[:], prev)
			copy(ev.Hash[:], hash)
			if !yield(ev, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(AuditEvent{}, err)
		}
	}
}
