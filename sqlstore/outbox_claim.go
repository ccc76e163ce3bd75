package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/escalate-project/escalate"
)

// Delivering the outbox (doc/notifications.md). A worker claims a batch of
// due pending rows: the claim moves next_attempt_at (and claimed_until) one
// lease ahead, so the rows are invisible to other workers while it sends and
// come back by themselves if it crashes. Each attempt is counted at the
// claim, so a row that crashes its worker still dies after escalate.MaxOutboxAttempts.

// outboxColumns are the columns scanOutbox reads, for a query over outbox o.
// The partnership is the escalation's, else the recipient agency's, else the
// recipient user's.
const outboxColumns = `o.id, o.kind, COALESCE(o.escalation_id, 0), o.recipient_role,
	COALESCE(o.recipient_agency_id, 0), COALESCE(o.recipient_user, 0), o.subject_key, o.payload, o.status,
	o.attempts, o.last_error, COALESCE(o.message_id, ''), o.dead_at, ` + outboxPartnership

const outboxPartnership = `COALESCE((SELECT e.partnership_id FROM escalations e WHERE e.id = o.escalation_id),
		(SELECT a.partnership_id FROM agencies a WHERE a.id = o.recipient_agency_id),
		(SELECT u.partnership_id FROM users u WHERE u.id = o.recipient_user), 0)`

func scanOutbox(rows *sql.Rows) (escalate.OutboxDelivery, error) {
	var d escalate.OutboxDelivery
	var role, body string
	m := &d.OutboxMessage
	err := rows.Scan(&m.ID, &m.Kind, &m.EscalationID, &role, &m.Recipient.AgencyID, &m.Recipient.User,
		&m.SubjectKey, &body, &m.Status, &d.Attempts, &d.LastError, &d.MessageID, scanTime(&d.DeadAt),
		&d.PartnershipID)
	if err != nil {
		return d, err
	}
	m.Recipient.Role = escalate.Role(role)
	if err := json.Unmarshal([]byte(body), &m.Payload); err != nil {
		return d, fmt.Errorf("outbox row %d: payload: %w", m.ID, err)
	}
	return d, nil
}

// ClaimOutbox claims up to limit pending rows due at now for worker until
// until (the lease) and returns them, oldest due first, each with its
// addressees resolved. On
// PostgreSQL concurrent workers skip each other's locked rows (FOR UPDATE SKIP
// LOCKED), so no row is claimed twice; on SQLite the immediate transaction
// serialises claims.
func (db *DB) ClaimOutbox(ctx context.Context, worker string, now, until time.Time, limit int) ([]escalate.OutboxDelivery, error) {
	if limit <= 0 {
		return nil, escalate.Errorf(escalate.EINVALID, "claim limit must be positive, not %d", limit)
	}
	if !until.After(now) {
		return nil, escalate.Errorf(escalate.EINVALID, "a claim must last beyond now")
	}
	lock := ""
	if db.dialect == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	var out []escalate.OutboxDelivery
	var fold *journalFold
	err := db.WithTx(ctx, func(tx *Tx) error {
		out = out[:0]
		if db.dialect == SQLite {
			// No row may be claimed whose mark is still in a journal.
			var err error
			if fold, err = tx.foldSentJournals(); err != nil {
				return err
			}
		}
		ids, err := tx.QueryContext(ctx, `
			UPDATE outbox SET claimed_by = $1, claimed_until = $2, next_attempt_at = $2, attempts = attempts + 1
			WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $3
				ORDER BY next_attempt_at, id LIMIT $4`+lock+`)
			RETURNING id`, worker, timeArg(until), timeArg(now), limit)
		if err != nil {
			return fmt.Errorf("claim outbox: %w", err)
		}
		var claimed []int64
		for ids.Next() {
			var id int64
			if err := ids.Scan(&id); err != nil {
				ids.Close()
				return err
			}
			claimed = append(claimed, id)
		}
		ids.Close()
		if err := ids.Err(); err != nil {
			return err
		}
		sort.Slice(claimed, func(i, j int) bool { return claimed[i] < claimed[j] })
		for _, id := range claimed {
			d, err := tx.outboxRow(id)
			if err != nil {
				return err
			}
			if d.To, err = tx.addressees(d.PartnershipID, d.Recipient); err != nil {
				return err
			}
			out = append(out, d)
		}
		return nil
	})
	if fold != nil {
		if ferr := fold.done(err == nil); ferr != nil && err == nil {
			return nil, WrapError(ferr)
		}
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (tx *Tx) outboxRow(id int64) (escalate.OutboxDelivery, error) {
	rows, err := tx.QueryContext(tx.ctx, `SELECT `+outboxColumns+` FROM outbox o WHERE o.id = $1`, id)
	if err != nil {
		return escalate.OutboxDelivery{}, err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return escalate.OutboxDelivery{}, err
		}
		return escalate.OutboxDelivery{}, escalate.Errorf(escalate.ENOTFOUND, "no outbox row %d", id)
	}
	return scanOutbox(rows)
}

// addressees resolves r to the enabled users it stands for now: the user, or
// every user of the partnership holding the role at the agency (anywhere in
// the partnership when the agency is 0). Roles are stored comma-separated.
// A partnership-wide post that is not a user role resolves to the contacts
// directory's entries for it.
func (tx *Tx) addressees(partnershipID int64, r escalate.Recipient) ([]escalate.Addressee, error) {
	var rows *sql.Rows
	var err error
	switch {
	case r.User != 0:
		rows, err = tx.QueryContext(tx.ctx, `SELECT name, email FROM users WHERE id = $1 AND NOT disabled`, r.User)
	case !escalate.IsUserRole(r.Role):
		// A post no account holds (a Designated Nurse, a Named GP, a front
		// door team): whoever the partnership's contacts directory lists for
		// it, at any agency, since such posts often sit in another one.
		rows, err = tx.QueryContext(tx.ctx, `SELECT name, email FROM contacts
			WHERE partnership_id = $1 AND role = $2 AND email <> '' ORDER BY id`, partnershipID, string(r.Role))
	case r.AgencyID != 0:
		rows, err = tx.QueryContext(tx.ctx, `SELECT name, email FROM users
			WHERE partnership_id = $1 AND agency_id = $2 AND NOT disabled AND ',' || roles || ',' LIKE $3
			ORDER BY id`, partnershipID, r.AgencyID, "%,"+string(r.Role)+",%")
	default:
		rows, err = tx.QueryContext(tx.ctx, `SELECT name, email FROM users
			WHERE partnership_id = $1 AND NOT disabled AND ',' || roles || ',' LIKE $2
			ORDER BY id`, partnershipID, "%,"+string(r.Role)+",%")
	}
	if err != nil {
		return nil, fmt.Errorf("outbox addressees: %w", err)
	}
	defer rows.Close()
	var out []escalate.Addressee
	for rows.Next() {
		var a escalate.Addressee
		if err := rows.Scan(&a.Name, &a.Email); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// MarkSent records that row id was accepted by the mail server with
// messageID, in the database at once (never through SQLite's sent
// journal). Only a pending row can be marked, so a row is marked sent
// once; ECONFLICT says it was not pending (another worker finished it
// after this one's lease lapsed).
func (db *DB) MarkSent(ctx context.Context, id int64, messageID string) error {
	if db.dialect != Postgres {
		return db.markSentLazily(context.WithoutCancel(ctx), id, messageID)
	}
	m, err := db.PrepareMarkSent(ctx, id, messageID)
	if err != nil {
		return err
	}
	return m.Commit()
}

// sentMark is escalate.SentMark for one outbox row: the mark of it as sent, made ready before the
// message goes to the mail server and committed the moment the server
// accepts it (notify.Worker). A crash between the acceptance and the
// commit leaves the row pending, to be sent again with the same
// Message-ID: the mark is built so that this window is as short as can be.
//
// The mark is also the one write whose loss costs no data (lost, the row
// is sent again), so its commit does not wait for the disk (PostgreSQL
// synchronous_commit off; SQLite synchronous=NORMAL on its connection). It
// survives a crash of the process; only a power cut, or a crash of the
// database server, in the moment after it could undo it.
type sentMark struct {
	db        *DB
	ctx       context.Context
	id        int64
	messageID string
	// claimedUntil is the row's lease on SQLite, as stored: its line in
	// the sent journal carries it, so that a line folds only into the very
	// claim it was written for (never into another database's row of the
	// same id, such as a restored backup's). Empty: mark in the database.
	claimedUntil string
	// pg is PostgreSQL's open transaction, in which the row is already
	// updated and locked: Commit is one round trip. SQLite cannot hold its
	// single write lock while the mail server answers, so there Commit
	// writes one line to the sent journal, folded into the outbox later.
	pg *sql.Tx
}

// PrepareMarkSent readies the mark of row id as sent with messageID, to be
// committed with Commit once the server has accepted the message, or
// dropped with Rollback if it has not. ECONFLICT says the row is not
// pending. sent_at is the time the mark was prepared, when sending began.
func (db *DB) PrepareMarkSent(ctx context.Context, id int64, messageID string) (escalate.SentMark, error) {
	// The mark must outlive a shutdown that starts during the send.
	m := &sentMark{db: db, ctx: context.WithoutCancel(ctx), id: id, messageID: messageID}
	if db.dialect != Postgres {
		var until sql.NullString
		err := db.db.QueryRowContext(m.ctx, `SELECT claimed_until FROM outbox WHERE id = $1 AND status = 'pending'`,
			id).Scan(&until)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, escalate.Errorf(escalate.ECONFLICT, "outbox row %d is not pending", id)
		}
		if err != nil {
			return nil, WrapError(fmt.Errorf("outbox row %d: %w", id, err))
		}
		m.claimedUntil = until.String
		return m, nil
	}
	stx, err := db.db.BeginTx(m.ctx, nil)
	if err != nil {
		return nil, WrapError(fmt.Errorf("begin: %w", err))
	}
	tx := &Tx{Tx: stx, ctx: m.ctx, db: db, now: db.Now().UTC().Truncate(time.Microsecond)}
	if _, err := tx.exec(`SET LOCAL synchronous_commit = off`); err != nil {
		stx.Rollback()
		return nil, WrapError(err)
	}
	if err := m.update(tx); err != nil {
		stx.Rollback()
		return nil, WrapError(err)
	}
	m.pg = stx
	return m, nil
}

func (m *sentMark) update(tx *Tx) error {
	res, err := tx.exec(lazyMarkSent, m.id, timeArg(tx.now), m.messageID)
	return oneRow(res, err, m.id)
}

// Commit records the row as sent: on PostgreSQL the open transaction's
// COMMIT (once its bytes are written the server commits it, even if this
// process dies before the answer); on SQLite one line in the handle's sent
// journal (sent_journal.go), or the update itself where there is no journal.
func (m *sentMark) Commit() error {
	if m.pg != nil {
		if err := m.pg.Commit(); err != nil {
			return WrapError(fmt.Errorf("commit: %w", err))
		}
		return nil
	}
	if m.claimedUntil != "" && m.db.journalSent(m.id, m.messageID, m.claimedUntil) {
		return nil
	}
	return m.db.markSentLazily(m.ctx, m.id, m.messageID)
}

// Rollback drops the mark: the message was not accepted.
func (m *sentMark) Rollback() {
	if m.pg != nil {
		m.pg.Rollback()
	}
}

// MarkFailed records a failed attempt at row id: it is tried again at
// nextAttempt, or is dead once it has had escalate.MaxOutboxAttempts attempts. The
// caller chooses nextAttempt (notify.Backoff); errText must hold no personal
// data.
func (db *DB) MarkFailed(ctx context.Context, id int64, errText string, nextAttempt time.Time) error {
	return db.WithTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET next_attempt_at = $3, claimed_until = NULL,
			last_error = $2 WHERE id = $1 AND status = 'pending'`, id, errText, timeArg(nextAttempt))
		if err := oneRow(res, err, id); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE outbox SET status = 'dead', dead_at = $2
			WHERE id = $1 AND attempts >= $3`, id, timeArg(tx.now), escalate.MaxOutboxAttempts)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE outbox SET payload = '{"erased":true}'
			WHERE id = $1 AND kind = 'account.link' AND status = 'dead'`, id)
		return err
	})
}

// MarkDead records that row id cannot be delivered however often it is
// tried (no addressee, a refused address): it is dead at once.
func (db *DB) MarkDead(ctx context.Context, id int64, errText string) error {
	return db.WithTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'dead', dead_at = $3, claimed_until = NULL,
			last_error = $2 WHERE id = $1 AND status = 'pending'`, id, errText, timeArg(tx.now))
		if err := oneRow(res, err, id); err != nil {
			return err
		}
		return tx.scrubLink(id)
	})
}

// DeadOutbox lists partnership's dead rows, most recently dead first, for a
// page of undelivered notifications.
func (db *DB) DeadOutbox(ctx context.Context, partnershipID int64) ([]escalate.OutboxDelivery, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT `+outboxColumns+` FROM outbox o
		WHERE o.status = 'dead' AND `+outboxPartnership+` = $1 ORDER BY o.dead_at DESC, o.id DESC`,
		partnershipID)
	if err != nil {
		return nil, WrapError(fmt.Errorf("dead outbox: %w", err))
	}
	defer rows.Close()
	var out []escalate.OutboxDelivery
	for rows.Next() {
		d, err := scanOutbox(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// RetryOutbox puts dead row id back in the queue, due now, with its attempts
// reset. A row that is not dead is left alone (ECONFLICT), so a sent row is
// never sent again.
func (db *DB) RetryOutbox(ctx context.Context, id int64) error {
	return db.WithTx(ctx, func(tx *Tx) error { return tx.retryOutbox(id) })
}

// retryOutbox is RetryOutbox in tx, for a caller that checks and audits in
// the same transaction (RetryUndelivered).
func (tx *Tx) retryOutbox(id int64) error {
	res, err := tx.ExecContext(tx.ctx, `UPDATE outbox SET status = 'pending', attempts = 0, dead_at = NULL,
		next_attempt_at = $2, claimed_by = NULL WHERE id = $1 AND status = 'dead'`, id, timeArg(tx.now))
	return oneRow(res, err, id)
}

// OutboxStatusCounts returns how many outbox rows have each status.
func (db *DB) OutboxStatusCounts(ctx context.Context) (map[string]int, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT status, COUNT(*) FROM outbox GROUP BY status`)
	if err != nil {
		return nil, WrapError(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, err
		}
		out[s] = n
	}
	return out, rows.Err()
}

// EnqueueOutbox adds a pending notification outside an escalation change
// (reminders, tests) and returns its id. escalationID 0 is none; the payload,
// like every outbox payload, must hold no child data.
func (db *DB) EnqueueOutbox(ctx context.Context, kind string, escalationID int64, r escalate.Recipient,
	subjectKey string, payload map[string]any) (int64, error) {
	if kind == "" || subjectKey == "" || (r.User == 0 && r.Role == "") {
		return 0, escalate.Errorf(escalate.EINVALID, "an outbox row needs a kind, a subject key and a recipient")
	}
	var id int64
	err := db.WithTx(ctx, func(tx *Tx) error {
		return tx.QueryRowContext(ctx, `
			INSERT INTO outbox (created, kind, escalation_id, recipient_role, recipient_agency_id, recipient_user,
				subject_key, payload, status, attempts, next_attempt_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', 0, $1) RETURNING id`,
			timeArg(tx.now), kind, nullInt(escalationID), string(r.Role), nullInt(r.AgencyID), nullInt(r.User),
			subjectKey, jsonText(payload)).Scan(&id)
	})
	if err != nil {
		return 0, fmt.Errorf("enqueue outbox: %w", err)
	}
	return id, nil
}

func oneRow(res sql.Result, err error, id int64) error {
	if err != nil {
		return fmt.Errorf("outbox row %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return escalate.Errorf(escalate.ECONFLICT, "outbox row %d is not in a state that allows this", id)
	}
	return nil
}
