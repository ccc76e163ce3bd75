package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/escalate-project/escalate"
)

// The outbox holds the notifications a change causes, written in the change's
// own transaction so that a notification is sent if and only if the change
// happened. Sending is a later worker's job: it claims pending rows by
// next_attempt_at (index outbox_pending).

// notifiable are the events that tell someone something, and the template
// (subject_key) each uses.
var notifiable = map[string]string{
	escalate.ActionRaise:          "escalation-raised",
	escalate.ActionRecordAdd:      "record-added",
	escalate.ActionOutcomeAgree:   "outcome-agreed",
	escalate.ActionOutcomeConfirm: "outcome-confirmed",
	escalate.ActionEscalate:       "escalated",
	escalate.ActionDetermine:      "determined",
	escalate.ActionRedirect:       "redirected",
	escalate.ActionWithdraw:       "withdrawn",
	escalate.ActionRiskImmediate:  "immediate-risk",
	escalate.ActionMeetingChair:   "meeting-chair",
}

// payload is what a notification carries: the reference, what happened and
// the next deadline. Never child data: the recipient signs in to read more.
func payload(e *escalate.Escalation, p *escalate.Policy, action string) map[string]any {
	d := map[string]any{"ref": e.Ref, "action": action, "status": string(e.Status)}
	if st := e.CurrentStage(p); st != nil {
		d["stage"] = st.Key
	}
	if due, ok := e.NextDue(); ok {
		d["next_due"] = due.UTC().Format(timeLayout)
	}
	return d
}

// notice is one notification of a change, addressed to people, waiting to
// be written to the outbox once the change's events are.
type notice struct {
	kind, subject string
	to            []int64
	body          string
	nobody        string // why it reached nobody; "" when it reached someone
}

// tell works out who routing says is told of each notifiable event of one
// change (ps: the parties after it) and records them in the event's data as
// "told", so the timeline and the audit say who was told. A notification
// that would reach nobody but the person who acted is kept, to be flagged
// on the undelivered list with the reason.
func tell(p *escalate.Policy, e *escalate.Escalation, ps escalate.Parties, events []escalate.Event, actor int64) []notice {
	var out []notice
	for i, ev := range events {
		key, ok := notifiable[ev.Action]
		if !ok {
			continue
		}
		n := notice{kind: ev.Action, subject: key, body: jsonText(payload(e, p, ev.Action)),
			to: ps.Told(p, e, ev.Action, actor, 0)}
		if len(n.to) == 0 {
			n.nobody = escalate.NobodyToTell(ps, e)
		}
		if events[i].Data == nil {
			events[i].Data = map[string]any{}
		}
		events[i].Data["told"] = n.to
		out = append(out, n)
	}
	return out
}

// writeNotices writes the outbox rows of notices about escalation id: one
// per person told, or one flagged row for a notice that reached nobody.
func (tx *Tx) writeNotices(escalationID int64, ns []notice) error {
	for _, n := range ns {
		if n.nobody != "" {
			if err := tx.insertNobody(n.kind, escalationID, n.subject, n.body, n.nobody); err != nil {
				return err
			}
			continue
		}
		for _, id := range n.to {
			if err := tx.insertOutbox(n.kind, escalationID, escalate.Recipient{User: id}, n.subject, n.body); err != nil {
				return err
			}
		}
	}
	return nil
}

// insertNobody writes a notification that reached nobody as undelivered at
// once, with the reason, so the Business Manager and the administrator see
// it on the undelivered list.
func (tx *Tx) insertNobody(kind string, escalationID int64, subject, body, reason string) error {
	_, err := tx.exec(`
		INSERT INTO outbox (created, kind, escalation_id, recipient_role, subject_key, payload, status, attempts,
			next_attempt_at, dead_at, last_error)
		VALUES ($1, $2, $3, '', $4, $5, 'dead', 0, $1, $1, $6)`,
		timeArg(tx.now), kind, nullInt(escalationID), subject, body, reason)
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	return nil
}

func (tx *Tx) insertOutbox(kind string, escalationID int64, r escalate.Recipient, subject, body string) error {
	_, err := tx.exec(`
		INSERT INTO outbox (created, kind, escalation_id, recipient_role, recipient_agency_id, recipient_user,
			subject_key, payload, status, attempts, next_attempt_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', 0, $9)`,
		timeArg(tx.now), kind, nullInt(escalationID), string(r.Role), nullInt(r.AgencyID), nullInt(r.User),
		subject, body, timeArg(tx.now))
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	return nil
}

// Outbox returns the outbox rows of an escalation (0: those written before
// any escalation existed), oldest first; account messages (kind account.*,
// about sign-in and roles, not escalations) are left out. The sending worker of a later issue
// claims rows itself; this is for tests and the admin CLI.
func (db *DB) Outbox(ctx context.Context, escalationID int64) ([]escalate.OutboxMessage, error) {
	rows, err := db.db.QueryContext(ctx, `
		SELECT id, kind, COALESCE(escalation_id, 0), recipient_role, COALESCE(recipient_agency_id, 0),
			COALESCE(recipient_user, 0), subject_key, payload, status
		FROM outbox WHERE COALESCE(escalation_id, 0) = $1 AND kind NOT LIKE 'account.%' ORDER BY id`, escalationID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []escalate.OutboxMessage
	for rows.Next() {
		var m escalate.OutboxMessage
		var role, body string
		if err := rows.Scan(&m.ID, &m.Kind, &m.EscalationID, &role, &m.Recipient.AgencyID, &m.Recipient.User,
			&m.SubjectKey, &body, &m.Status); err != nil {
			return nil, err
		}
		m.Recipient.Role = escalate.Role(role)
		if err := json.Unmarshal([]byte(body), &m.Payload); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
