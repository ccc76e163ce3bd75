package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/audit"
)

// auditLockClass is the first key of the PostgreSQL advisory locks that
// serialise appends to one audit chain ("esca" in ASCII); the second is the
// chain: the partnership's ID, or 0 for the service-wide chain. Each
// append reads the chain's last entry and writes the next chain_seq, so two
// writers to one chain must not interleave; writers to different chains
// never wait for each other. The transaction-scoped lock is held until
// commit or rollback, and works on an empty chain, where a SELECT … FOR
// UPDATE of the last row would have nothing to lock. SQLite needs nothing:
// an immediate transaction already holds the only write lock.
const auditLockClass int32 = 0x65736361

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

// Audit appends an event to the audit chain of the acting user's
// partnership (the service-wide chain when no user acts), in this
// transaction, so the event is written if and only if the change it records
// is. The event is sealed onto its chain when the transaction commits
// (flushAudit); its fields and content are checked now. content, if not nil, is stored as JSON in audit_content (erasable);
// the chain holds only a salted commitment to it. The event's time is the
// transaction's, except that it never runs before the chain's previous
// event's: a transaction that began earlier may reach the log later.
//
// A change made for a partnership without a user (the scheduler, the
// command line) uses AuditIn to name the partnership's chain.
func (tx *Tx) Audit(actor, action, object string, content any) error {
	var chain int64
	if u := escalate.UserFromContext(tx.ctx); u != nil {
		chain = u.PartnershipID
	}
	return tx.AuditIn(chain, actor, action, object, content)
}

// AuditIn is Audit onto the chain of partnership partnershipID, or the
// service-wide chain for 0 (doc/audit.md "One chain per partnership").
func (tx *Tx) AuditIn(partnershipID int64, actor, action, object string, content any) error {
	return tx.auditAll([]auditItem{{partnershipID, actor, action, object, content}})
}

// auditUser is AuditIn onto the chain of user userID's partnership.
func (tx *Tx) auditUser(userID int64, actor, action, object string, content any) error {
	var p int64
	if err := tx.queryRow(`SELECT partnership_id FROM users WHERE id = $1`, userID).Scan(&p); err != nil {
		return fmt.Errorf("audit %s: the user's partnership: %w", action, err)
	}
	return tx.AuditIn(p, actor, action, object, content)
}

// auditItem is one event for auditAll.
type auditItem struct {
	chain                 int64 // the partnership whose chain it joins; 0 for the service-wide chain
	actor, action, object string
	content               any
}

// pendingEvent is an event waiting in its transaction to be sealed onto
// its chain at commit: content already encoded, so a bad one fails at once.
type pendingEvent struct {
	chain                 int64
	actor, action, object string
	body                  []byte // the content's JSON; nil for none
}

// auditBatch bounds the rows of one multi-row INSERT, so a recompute of
// many clocks still uses a few fixed statement texts.
const auditBatch = 32

// auditAll queues items to be appended to their chains, in order, when the
// transaction commits (flushAudit): the check of every field, and the
// encoding of the content, happen now.
func (tx *Tx) auditAll(items []auditItem) error {
	for _, it := range items {
		// The time and seq are placeholders: the fields are what is checked.
		probe := audit.Entry{Seq: 1, At: tx.now, Actor: it.actor, Action: it.action, Object: it.object}
		if err := probe.Validate(); err != nil {
			return fmt.Errorf("audit %s: %w", it.action, err)
		}
		ev := pendingEvent{chain: it.chain, actor: it.actor, action: it.action, object: it.object}
		if it.content != nil {
			var err error
			if ev.body, err = json.Marshal(it.content); err != nil {
				return fmt.Errorf("audit %s: encoding content: %w", it.action, err)
			}
		}
		tx.pendingAudit = append(tx.pendingAudit, ev)
	}
	return nil
}

// flushAudit appends the transaction's queued events to their chains, just
// before it commits, writing each table's rows with one multi-row INSERT
// per auditBatch events of a chain. It takes each chain's lock (on
// PostgreSQL) here, at the very end, lowest chain first: a transaction
// holds a chain's lock only for these inserts and its commit, and once it
// holds one it waits for nothing but other chains' locks, taken in one
// order, so partnerships' writers never deadlock and barely queue.
func (tx *Tx) flushAudit() error {
	if len(tx.pendingAudit) == 0 {
		return nil
	}
	var chains []int64
	for _, ev := range tx.pendingAudit {
		if !slices.Contains(chains, ev.chain) {
			chains = append(chains, ev.chain)
		}
	}
	slices.Sort(chains)
	for _, c := range chains {
		var evs []pendingEvent
		for _, ev := range tx.pendingAudit {
			if ev.chain == c {
				evs = append(evs, ev)
			}
		}
		for len(evs) > 0 {
			n := min(len(evs), auditBatch)
			if err := tx.auditSome(c, evs[:n]); err != nil {
				return err
			}
			evs = evs[n:]
		}
	}
	tx.pendingAudit = nil
	return nil
}

// auditSome appends evs to chain.
func (tx *Tx) auditSome(chain int64, evs []pendingEvent) error {
	prev, err := tx.lastAudit(chain)
	if err != nil {
		return err
	}
	events := make([]any, 0, 9*len(evs))
	var contents []auditContent
	last := *prev
	first := last.Seq + 1 // the chain_seq of evs[0]
	for _, it := range evs {
		var salt []byte
		var commitment [32]byte
		if it.body != nil {
			commitment, salt = audit.Commit(it.body)
		}
		at := tx.now
		if at.Before(last.At) {
			at = last.At
		}
		e, err := audit.Next(last, it.actor, it.action, it.object, at, commitment)
		if err != nil {
			return err
		}
		events = append(events, chain, e.Seq, timeArg(e.At), e.Actor, e.Action, e.Object, e.Commitment[:], e.Prev[:], e.Hash[:])
		if it.body != nil {
			contents = append(contents, auditContent{e.Seq, salt, it.body})
		}
		last = e
	}
	insert := `INSERT INTO audit_events (chain, chain_seq, at, actor, action, object, commitment, prev_hash, hash) VALUES ` +
		valuesList(len(evs), 9)
	if len(contents) == 0 {
		if _, err := tx.exec(insert, events...); err != nil {
			return fmt.Errorf("audit %s: %w", evs[0].action, err)
		}
		tx.auditTails[chain] = &last
		return nil
	}
	if tx.db.dialect == Postgres {
		if err := tx.insertEventsWithContent(insert, events, contents); err != nil {
			return fmt.Errorf("audit %s: %w", evs[0].action, err)
		}
		tx.auditTails[chain] = &last
		return nil
	}
	// audit_content is keyed by the row's seq, which the database gives.
	seqs, err := tx.insertSeqs(insert, events, len(evs))
	if err != nil {
		return fmt.Errorf("audit %s: %w", evs[0].action, err)
	}
	args := make([]any, 0, 3*len(contents))
	for _, c := range contents {
		args = append(args, seqs[c.chainSeq-first], c.salt, c.body)
	}
	if _, err := tx.exec(`INSERT INTO audit_content (seq, salt, content) VALUES `+
		valuesList(len(contents), 3), args...); err != nil {
		return fmt.Errorf("audit %s: %w", evs[0].action, err)
	}
	tx.auditTails[chain] = &last
	return nil
}

// insertSeqs runs insert, a multi-row INSERT of n audit events, on SQLite,
// and returns the seq the database gave each row, in the order of the rows:
// the rows of one INSERT take consecutive rowids (each is one more than the
// largest before it, and the immediate transaction holds the only write
// lock), so the last row's ID gives them all, without the cost of reading
// rows back. PostgreSQL's identity gives no such promise: there the events
// and their contents go in one statement (insertEventsWithContent).
func (tx *Tx) insertSeqs(insert string, args []any, n int) ([]int64, error) {
	res, err := tx.exec(insert, args...)
	if err != nil {
		return nil, err
	}
	last, err := res.LastInsertId()
	if err != nil {
		return nil, err
	}
	seqs := make([]int64, n)
	for i := range seqs {
		seqs[i] = last - int64(n-1-i)
	}
	return seqs, nil
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

// lastAudit returns the last entry of chain (the zero Entry for an empty
// chain), taking the chain's lock first on PostgreSQL. It reads the
// database once per chain per transaction; later appends in the same
// transaction follow on from the entry it last wrote. Entry.Seq is the
// position in the chain (chain_seq), the number its hash covers.
func (tx *Tx) lastAudit(chain int64) (*audit.Entry, error) {
	if e, ok := tx.auditTails[chain]; ok {
		return e, nil
	}
	if tx.db.dialect == Postgres {
		if chain < 0 || chain > math.MaxInt32 {
			return nil, fmt.Errorf("audit: chain %d out of range", chain)
		}
		// In READ COMMITTED (WithTx's level) the next statement sees every
		// append committed before the lock was granted.
		if _, err := tx.exec(`SELECT pg_advisory_xact_lock($1, $2)`, auditLockClass, int32(chain)); err != nil {
			return nil, fmt.Errorf("audit lock: %w", err)
		}
	}
	var e audit.Entry
	var hash []byte
	err := tx.queryRow(`SELECT chain_seq, at, hash FROM audit_events WHERE chain = $1 ORDER BY chain_seq DESC LIMIT 1`, chain).
		Scan(&e.Seq, scanTime(&e.At), &hash)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		e = audit.Entry{}
	case err != nil:
		return nil, fmt.Errorf("audit: reading the last event of chain %d: %w", chain, err)
	case len(hash) != len(e.Hash):
		return nil, fmt.Errorf("audit: chain %d seq %d: stored hash has %d bytes", chain, e.Seq, len(hash))
	default:
		copy(e.Hash[:], hash)
	}
	if tx.auditTails == nil {
		tx.auditTails = map[int64]*audit.Entry{}
	}
	tx.auditTails[chain] = &e
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
		// The erasure joins the chain of the events it erased.
		var chain int64
		if err := tx.QueryRowContext(ctx, `SELECT chain FROM audit_events WHERE object = $1 ORDER BY seq DESC LIMIT 1`,
			object).Scan(&chain); err != nil {
			return err
		}
		return tx.AuditIn(chain, Actor(ctx), "audit.erase", object, nil)
	})
	return n, err
}

// AuditEvent is one stored audit event with its content, if not erased.
// Its Entry's Seq is its place in its chain (chain_seq), the number its hash
// covers.
type AuditEvent struct {
	audit.Entry
	ID      int64  // the row's seq: its place in the whole log, in the order rows were written
	Chain   int64  // 0 for the service-wide chain, else the partnership's ID
	Salt    []byte // nil once erased
	Content []byte // JSON; nil when there was none or it was erased
}

// AuditEvents returns the audit events, of every chain, whose row seq is
// from fromSeq to toSeq (toSeq 0 for no upper bound), in the order they
// were written, with their content.
func (db *DB) AuditEvents(ctx context.Context, fromSeq, toSeq int64) ([]AuditEvent, error) {
	if toSeq <= 0 {
		toSeq = 1<<63 - 1
	}
	var out []AuditEvent
	for ev, err := range db.auditEvents(ctx, `e.seq >= $1 AND e.seq <= $2 ORDER BY e.seq`, fromSeq, toSeq) {
		if err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	return out, nil
}

// chainEvents streams the events of chain in chain order.
func (db *DB) chainEvents(ctx context.Context, chain int64) iter.Seq2[AuditEvent, error] {
	return db.auditEvents(ctx, `e.chain = $1 ORDER BY e.chain_seq`, chain)
}

// auditEvents streams the stored events that where (a WHERE clause with
// its ORDER BY) selects.
func (db *DB) auditEvents(ctx context.Context, where string, args ...any) iter.Seq2[AuditEvent, error] {
	return func(yield func(AuditEvent, error) bool) {
		rows, err := db.db.QueryContext(ctx, `
			SELECT e.seq, e.chain, e.chain_seq, e.at, e.actor, e.action, e.object, e.commitment, e.prev_hash, e.hash,
				c.salt, c.content
			FROM audit_events e LEFT JOIN audit_content c ON c.seq = e.seq
			WHERE `+where, args...)
		if err != nil {
			yield(AuditEvent{}, err)
			return
		}
		defer rows.Close()
		for rows.Next() {
			var ev AuditEvent
			var commitment, prev, hash []byte
			if err := rows.Scan(&ev.ID, &ev.Chain, &ev.Seq, scanTime(&ev.At), &ev.Actor, &ev.Action, &ev.Object,
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
