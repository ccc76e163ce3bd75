package sqlstore

import (
	"github.com/escalate-project/escalate"
)

// startOnLapse starts the clocks that start when clock c lapses unmet
// (starts.event clock-lapsed: "if they cannot agree, a meeting within a
// further 5 working days"), in the transaction that writes c's overdue
// notice, whose primary key makes it once per lapse. It runs the pure rule
// (escalate.Escalation.ClockLapsed) and writes the case, the audit events and
// the outbox as a person's change does, attributed to SchedulerActor. It
// does nothing (false) for a closed case or a clock no longer running. Its
// audit events are sealed onto the case's partnership's chain at commit,
// after every row lock, as every change's are.
func (tx *Tx) startOnLapse(pin *pinned, c noticeCandidate) (bool, error) {
	row, err := tx.loadEscalation(c.ref)
	if err != nil {
		return false, err
	}
	system := &escalate.User{PartnershipID: row.PartnershipID}
	old, from := row.Clone(), row.Version
	events, err := row.ClockLapsed(tx.now, pin.policy, pin.cal, system, c.clock.ID)
	if err != nil || len(events) == 0 {
		return false, err
	}
	return true, tx.writeSchedulerChange(pin, row, old, from, events)
}

// writeSchedulerChange writes what a rule the scheduler ran did to row
// (before it: old, at version from): the case, its people as routing now
// says, its audit events attributed to SchedulerActor, and the notices to
// whom routing says is told.
func (tx *Tx) writeSchedulerChange(pin *pinned, row *escalationRow, old *escalate.Escalation, from int, events []escalate.Event) error {
	if err := tx.updateEscalation(old, row.Escalation, from); err != nil {
		return err
	}
	// Who is tied to the case may change with its stage: route it again
	// and tell whom routing says (the tells are recorded in the events).
	ps, err := tx.routeAndStore(pin.policy, row.Escalation)
	if err != nil {
		return err
	}
	notices := tell(pin.policy, row.Escalation, ps, events, 0)
	items := make([]auditItem, len(events))
	for i, ev := range events {
		items[i] = auditItem{row.PartnershipID, SchedulerActor, ev.Action, "escalation:" + row.Ref, ev.Data}
	}
	if err := tx.auditAll(items); err != nil {
		return err
	}
	return tx.writeNotices(row.ID, notices)
}
