package sqlstore

import (
	"github.com/escalate-project/escalate"
)

// SchedulerActor is the audit actor of the changes the scheduler makes by
// itself: a stage with on_lapse: escalate escalating when its clock lapses.
const SchedulerActor = "system:scheduler"

// LapseReason is the reason recorded on an escalation the scheduler makes.
const LapseReason = "The stage's timescale lapsed; the policy escalates automatically."

// escalateLapsed moves the escalation of clock c, whose stage says
// on_lapse: escalate, to its next stage, in the transaction that writes the
// clock's overdue notice: the notice's primary key makes it once per lapse.
// It runs the pure rule (stages cannot be skipped, the final stage cannot
// escalate, clocks stop and start) and writes the case, the audit events
// and the outbox as a person's escalation does, but attributed to
// SchedulerActor. It does nothing (false) for a closed case, one already
// past the clock's stage, a clock no longer running, or the final stage.
// Its events take their chain's lock as the transaction commits, after
// every row lock; a case changed meanwhile is ECONFLICT (its version).
func (tx *Tx) escalateLapsed(pin *pinned, c noticeCandidate) (bool, error) {
	row, err := tx.loadEscalation(c.ref)
	if err != nil {
		return false, err
	}
	p := pin.policy
	cur := row.CurrentStage(p)
	if row.Status.Closed() || cur == nil || cur.Key != c.clock.Stage || row.Stage >= len(p.Stages)-1 || !clockRunning(row.Escalation, c.clock.ID) {
		return false, nil
	}
	// Escalate checks the actor only for being enabled and of the case's
	// partnership; access (escalate.Can) is for people and is not asked.
	system := &escalate.User{PartnershipID: row.PartnershipID}
	old, from := row.Clone(), row.Version
	events, err := row.Escalate(tx.now, p, pin.cal, system, escalate.EscalateInput{Version: row.Version, Reason: LapseReason})
	if err != nil {
		return false, err
	}
	return true, tx.writeSchedulerChange(pin, row, old, from, events)
}

func clockRunning(e *escalate.Escalation, id int) bool {
	for _, c := range e.Clocks {
		if c.ID == id {
			return c.Status == escalate.ClockRunning
		}
	}
	return false
}
