package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

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
}

// Recipient is one addressee: a user, or a role at an agency (AgencyID 0:
// the partnership's holder of the role, e.g. its Business Manager).
type Recipient struct {
	User     int64
	Role     escalate.Role
	AgencyID int64
}

// OutboxMessage is one stored notification.
type OutboxMessage struct {
	ID           int64
	Kind         string // the event's action
	EscalationID int64  // 0 for an immediate action recorded before a raise
	Recipient    Recipient
	SubjectKey   string
	Payload      map[string]any
	Status       string
}

// recipients decides who hears of event ev on escalation e (its state after
// the change) under policy p. raiserManager is the raiser's line manager, 0
// for none. The actor is never told of their own action.
func recipients(p *escalate.Policy, e *escalate.Escalation, ev escalate.Event, raiserManager int64, kinds [2]string) []Recipient {
	var out []Recipient
	add := func(r Recipient) {
		if r.User != 0 && r.User == ev.Actor || slices.Contains(out, r) {
			return
		}
		out = append(out, r)
	}
	raiser := Recipient{User: e.RaisedBy}
	st := e.CurrentStage(p)
	// stageReceivers are who acts for the receiving side at the current
	// stage: at a stage within the raising agency, the raiser's manager.
	stageReceivers := func() {
		if st == nil {
			return
		}
		if st.Scope == "within-agency" {
			if raiserManager != 0 {
				add(Recipient{User: raiserManager})
			}
			for _, r := range st.Receive {
				if r != escalate.RolePractitioner {
					add(Recipient{Role: r, AgencyID: e.RaisingAgencyID})
				}
			}
			return
		}
		for _, r := range st.Receive {
			add(Recipient{Role: r, AgencyID: e.ReceivingAgencyID})
		}
	}
	copied := func() {
		if st == nil {
			return
		}
		for _, r := range st.Copy {
			add(Recipient{Role: r})
		}
	}
	switch ev.Action {
	case escalate.ActionRaise, escalate.ActionEscalate:
		stageReceivers()
		copied()
		add(raiser)
	case escalate.ActionRecordAdd:
		add(raiser)
		stageReceivers()
	case escalate.ActionOutcomeAgree, escalate.ActionOutcomeConfirm:
		add(raiser)
		copied()
	case escalate.ActionDetermine, escalate.ActionRedirect, escalate.ActionWithdraw:
		add(raiser)
		stageReceivers()
		copied()
	case escalate.ActionRiskImmediate:
		// The raiser's own line manager first, then the route's posts at the
		// raising agency (its manager, its DSL …).
		if raiserManager != 0 {
			add(Recipient{User: raiserManager})
		}
		for _, r := range p.Immediate.Contacts {
			add(Recipient{Role: r, AgencyID: e.RaisingAgencyID})
		}
		stageReceivers()
	}
	// Routing rules alert posts partnership-wide whenever either side is an
	// agency of the named kind, e.g. H&F's Designated Nurse for a health
	// provider and the Named GP for primary care.
	for _, rule := range p.Routing {
		if k := rule.When.AgencyKind; k != "" && (k == kinds[0] || k == kinds[1]) {
			for _, r := range rule.Alert {
				add(Recipient{Role: r})
			}
		}
	}
	return out
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

// writeOutbox adds the outbox rows for the notifiable events of one change.
func (tx *Tx) writeOutbox(p *escalate.Policy, e *escalate.Escalation, events []escalate.Event) error {
	var manager int64
	var kinds [2]string // the raising and receiving agencies' kinds, for routing
	looked := false
	for _, ev := range events {
		key, ok := notifiable[ev.Action]
		if !ok {
			continue
		}
		if !looked {
			looked = true
			if err := tx.queryRow(`SELECT COALESCE(manager_id, 0) FROM users WHERE id = $1`,
				e.RaisedBy).Scan(&manager); err != nil {
				return fmt.Errorf("outbox: raiser's manager: %w", err)
			}
			for i, id := range []int64{e.RaisingAgencyID, e.ReceivingAgencyID} {
				if err := tx.queryRow(`SELECT kind FROM agencies WHERE id = $1`, id).Scan(&kinds[i]); err != nil {
					return fmt.Errorf("outbox: agency kind: %w", err)
				}
			}
		}
		body := jsonText(payload(e, p, ev.Action))
		for _, r := range recipients(p, e, ev, manager, kinds) {
			if err := tx.insertOutbox(ev.Action, e.ID, r, key, body); err != nil {
				return err
			}
		}
	}
	return nil
}

func (tx *Tx) insertOutbox(kind string, escalationID int64, r Recipient, subject, body string) error {
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
func (db *DB) Outbox(ctx context.Context, escalationID int64) ([]OutboxMessage, error) {
	rows, err := db.db.QueryContext(ctx, `
		SELECT id, kind, COALESCE(escalation_id, 0), recipient_role, COALESCE(recipient_agency_id, 0),
			COALESCE(recipient_user, 0), subject_key, payload, status
		FROM outbox WHERE COALESCE(escalation_id, 0) = $1 AND kind NOT LIKE 'account.%' ORDER BY id`, escalationID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []OutboxMessage
	for rows.Next() {
		var m OutboxMessage
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
