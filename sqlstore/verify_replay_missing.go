package sqlstore

import (
	"database/sql"
	"fmt"

	"github.com/escalate-project/escalate"
)

// Rows deleted outright (doc/audit.md, "Rows deleted outright"). The
// replay walks what is stored, so a row that is gone is never walked:
// missing walks the other way, from each event that creates an object to
// the object's row, one query per kind, reading the creating events by a
// partial index (audit_events_creations, migration 00025;
// audit_events_made, 00044) and probing the row by its key. The retention
// job deletes learning items, proformas and recognitions of good practice
// and logs retention.erase on each; a directory contact is deleted with
// contact.delete: those absences are explained. Escalations, dissents,
// accounts, agencies and partnerships are never deleted (retention
// de-identifies them and keeps the row), so nothing explains theirs.
//
// The reverse, a row with no event that creates it, each kind's replay
// finds as it walks the rows; for accounts, agencies and partnerships,
// which are not replayed field by field, unmade finds it.

// madeActions are the actions audit_events_made indexes (migration
// 00044): a query names them all, word for word, so either engine may use
// the index.
const madeActions = `('good-practice.record', 'user.add', 'agency.add', 'partnership.add', 'contact.add')`

// createdKind is a kind of object whose row must be stored while an
// event that created it stands, unless an event explains its absence.
type createdKind struct {
	name      string // how a failure names the row: "learning item"
	prefix    string // the audit object before the row's key: "learning:"
	action    string // the event that creates one
	indexed   string // the action list of the partial index that holds action
	table     string // the row's table, keyed by id, or by ref when byRef
	byRef     bool
	explained string // the actions that explain a deleted row, as an SQL list; "" when none may
	// unreplayed kinds have no replay of their own to find a row stored
	// with no event that creates it: unmade looks for one.
	unreplayed bool
}

// createdKinds are the kinds missing checks, in the order it reports:
// a partnership before its agencies, an agency before its accounts, so a
// whole chain deleted is named by its partnership.
var createdKinds = []createdKind{
	{"escalation", "escalation:", escalate.ActionRaise, indexedActions, "escalations", true, "", false},
	{"dissent", "dissent:", escalate.DissentActionRecord, indexedActions, "dissents", true, "", false},
	{"learning item", "learning:", escalate.ActionLearningCreate, indexedActions, "learning_items", false, `('retention.erase')`, false},
	{"proforma", "proforma:", escalate.ActionProformaCreate, indexedActions, "proformas", false, `('retention.erase')`, false},
	{"recognition", "good-practice:", escalate.ActionGoodPractice, madeActions, "good_practice", false, `('retention.erase')`, false},
	{"partnership", "partnership:", "partnership.add", madeActions, "partnerships", false, "", true},
	{"agency", "agency:", "agency.add", madeActions, "agencies", false, "", true},
	{"account", "user:", "user.add", madeActions, "users", false, "", true},
	{"directory contact", "contact:", "contact.add", madeActions, "contacts", false, `('contact.delete', 'retention.erase')`, false},
}

// missing finds the first object of each kind that an event created and
// that is no longer stored, with no event to explain why.
func (r *replayer) missing(*ReplayReport) error {
	for _, k := range createdKinds {
		// The object's key, after its prefix: SQL counts from 1.
		key := fmt.Sprintf("substr(e.object, %d)", len(k.prefix)+1)
		col := "ref"
		if !k.byRef {
			key, col = "CAST("+key+" AS BIGINT)", "id"
		}
		q := `SELECT e.object, e.seq FROM audit_events e
			WHERE e.action IN ` + k.indexed + ` AND e.action = '` + k.action + `'
				AND NOT EXISTS (SELECT 1 FROM ` + k.table + ` x WHERE x.` + col + ` = ` + key + `)`
		reason := "an event (" + k.action + ") created it, but it is not stored"
		if k.explained != "" {
			q += ` AND NOT EXISTS (SELECT 1 FROM audit_events g WHERE g.object = e.object AND g.action IN ` + k.explained + `)`
			reason += ", and no event erased or deleted it"
		}
		var object string
		var seq int64
		err := r.tx.QueryRowContext(r.ctx, q+` ORDER BY e.seq LIMIT 1`).Scan(&object, &seq)
		switch {
		case err == sql.ErrNoRows:
			continue
		case err != nil:
			return fmt.Errorf("replay: missing %ss: %w", k.name, err)
		}
		return &ReplayFailure{Object: object, Field: k.name, Seq: seq, Reason: reason}
	}
	return r.unmade()
}

// unmade finds the first account, agency or partnership stored with no
// event that added it: one made behind the service's back.
func (r *replayer) unmade() error {
	for _, k := range createdKinds {
		if !k.unreplayed {
			continue
		}
		var id int64
		err := r.tx.QueryRowContext(r.ctx, `SELECT x.id FROM `+k.table+` x WHERE NOT EXISTS (
				SELECT 1 FROM audit_events e WHERE e.action IN `+madeActions+` AND e.action = '`+k.action+`'
					AND e.object = '`+k.prefix+`' || CAST(x.id AS TEXT))
			ORDER BY x.id LIMIT 1`).Scan(&id)
		switch {
		case err == sql.ErrNoRows:
			continue
		case err != nil:
			return fmt.Errorf("replay: %ss: %w", k.name, err)
		}
		return &ReplayFailure{Object: fmt.Sprintf("%s%d", k.prefix, id), Field: k.name,
			Reason: "stored, but no event (" + k.action + ") adds it"}
	}
	return nil
}
