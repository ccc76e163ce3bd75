package sqlstore

import (
	"github.com/escalate-project/escalate"
)

// The store's half of need-to-know: escalate.Can decides, on the parties
// routing works out (routing.go); the store checks it inside every
// transaction that reads or changes a case.

// authorize checks actor may take action on e. Someone who may not even see
// e gets ENOTFOUND, so that a reference reveals nothing to a stranger;
// someone who may see it but not do this gets EFORBIDDEN.
func authorize(actor *escalate.User, e *escalate.Escalation, ps escalate.Parties, action string) error {
	if escalate.Can(actor, e, ps, action) {
		return nil
	}
	if !escalate.Can(actor, e, ps, escalate.ActionView) {
		return escalate.Errorf(escalate.ENOTFOUND, "Escalation not found.")
	}
	if e.Status.Closed() {
		return escalate.Errorf(escalate.ECONFLICT, "This escalation is closed (%s): it can no longer change.", e.Status)
	}
	return escalate.Errorf(escalate.EFORBIDDEN, "You are not a party who may do this to escalation %s.", e.Ref)
}
