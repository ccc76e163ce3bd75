package sqlstore

import (
	"context"
	"time"

	"github.com/escalate-project/escalate"
)

// Raising an escalation, and the immediate-risk step that must never wait
// for anything, not even a raise.

// Raise raises an escalation under the actor's partnership's current policy,
// which it pins for life, and gives it the partnership's next reference.
func (s *EscalationService) Raise(ctx context.Context, in escalate.RaiseInput) (*escalate.Escalation, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	var out *escalate.Escalation
	err = s.db.WithTx(ctx, func(tx *Tx) error {
		actor, err := tx.actingUser(actor)
		if err != nil {
			return err
		}
		e, err := tx.Raise(actor, in)
		out = e
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Raise raises an escalation inside tx, as actor; EscalationService.Raise
// wraps it in its own transaction. It is exported for bulk loaders, such as
// a scale generator, that raise many escalations per transaction: each
// still gets its reference, pinned policy, clocks, audit events and outbox
// rows exactly as through the service.
func (tx *Tx) Raise(actor *escalate.User, in escalate.RaiseInput) (*escalate.Escalation, error) {
	if !escalate.Can(actor, nil, escalate.Parties{}, escalate.ActionRaise) {
		return nil, escalate.Errorf(escalate.EFORBIDDEN, "Your account may not raise escalations.")
	}
	var key, sum string
	var versionID, peopleGen int64
	threshold := -1 // the policy's default, unless the Business Manager set one
	err := tx.queryRow(`SELECT p.key, COALESCE(p.policy_version_id, 0), COALESCE(v.sha256, ''), COALESCE(s.pattern_threshold, -1), p.people_gen
		FROM partnerships p LEFT JOIN policy_versions v ON v.id = p.policy_version_id
		LEFT JOIN learning_settings s ON s.partnership_id = p.id WHERE p.id = $1`,
		actor.PartnershipID).Scan(&key, &versionID, &sum, &threshold, &peopleGen)
	if err != nil {
		return nil, WrapError(err)
	}
	if versionID == 0 {
		return nil, escalate.Errorf(escalate.EINTERNAL, "partnership %d has no policy", actor.PartnershipID)
	}
	pin, err := tx.pin(actor.PartnershipID, versionID, sum)
	if err != nil {
		return nil, err
	}
	e, events, err := escalate.Raise(tx.now, pin.policy, pin.cal, actor, in)
	if err != nil {
		return nil, err
	}
	// The receiving agency must be one of the partnership's: the foreign
	// key alone would accept another partnership's agency. The directory
	// (read for routing anyway) holds the partnership's agencies as of the
	// people generation read above, which every new agency moves.
	dir, err := tx.directoryAt(actor.PartnershipID, peopleGen)
	if err != nil {
		return nil, err
	}
	if !dir.HasAgency(in.ReceivingAgencyID) {
		return nil, escalate.FieldErrorf("receiving_agency", "There is no such agency in this partnership.")
	}
	if e.Ref, err = tx.allocateRef(actor.PartnershipID, key); err != nil {
		return nil, err
	}
	for i := range events {
		events[i].Ref = e.Ref
	}
	if err := tx.insertEscalation(&escalationRow{Escalation: e, PolicyVersionID: versionID}); err != nil {
		return nil, err
	}
	if in.DealtWith != 0 {
		if err := tx.nameDealtWith(pin.policy, e, actor, in.DealtWith); err != nil {
			return nil, err
		}
	}
	ps, err := tx.routeRaised(pin.policy, e, dir, in.DealtWith != 0) // change_rows.go
	if err != nil {
		return nil, err
	}
	notices := tell(pin.policy, e, ps, events, actor.ID)
	if err := tx.writeEvents(e.PartnershipID, e.Ref, events); err != nil {
		return nil, err
	}
	if err := tx.writeNotices(e.ID, notices); err != nil {
		return nil, err
	}
	if err := tx.referAlongside(pin.policy, e, actor, in.Referred); err != nil {
		return nil, err
	}
	if threshold < 0 {
		threshold = pin.policy.Learning.PatternThreshold
	}
	if err := tx.flagPatterns(e, threshold); err != nil {
		return nil, err
	}
	return e, nil
}

// RecordImmediateAction records what was done for a child at immediate
// risk. It asks for no version: should another change commit between load
// and write, it loads again and retries rather than refuse, because this
// step must never be held up.
func (s *EscalationService) RecordImmediateAction(ctx context.Context, ref string, in escalate.ImmediateInput) (*escalate.ImmediateAction, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	if ref == "" {
		return s.recordImmediateBeforeRaise(ctx, actor, in)
	}
	var e *escalate.Escalation
	var at time.Time
	for attempt := 0; ; attempt++ {
		e, err = s.change(ctx, ref, escalate.ActionRiskImmediate, func(e *escalate.Escalation, now time.Time, pin *pinned, actor *escalate.User) ([]escalate.Event, error) {
			at = now
			return e.RecordImmediateAction(now, pin.policy, pin.cal, actor, in)
		})
		if escalate.ErrorCode(err) != escalate.ECONFLICT || attempt == 4 {
			break
		}
	}
	if err != nil {
		return nil, err
	}
	if e.Immediate == nil || e.Status.Closed() {
		// A closed case records the event only.
		return &escalate.ImmediateAction{Action: in.Action, At: at, By: actor.ID}, nil
	}
	im := *e.Immediate
	return &im, nil
}

// recordImmediateBeforeRaise records an immediate action that no escalation
// holds yet, against the actor, and tells the policy's immediate-risk
// contacts in the actor's agency.
func (s *EscalationService) recordImmediateBeforeRaise(ctx context.Context, actor *escalate.User, in escalate.ImmediateInput) (*escalate.ImmediateAction, error) {
	var out *escalate.ImmediateAction
	err := s.db.WithTx(ctx, func(tx *Tx) error {
		actor, err := tx.actingUser(actor)
		if err != nil {
			return err
		}
		im, ev, err := escalate.RecordImmediateAction(tx.now, actor, in)
		if err != nil {
			return err
		}
		if err := tx.writeEvents(actor.PartnershipID, "", []escalate.Event{ev}); err != nil {
			return err
		}
		var versionID int64
		err = tx.queryRow(`SELECT COALESCE(policy_version_id, 0) FROM partnerships WHERE id = $1`,
			actor.PartnershipID).Scan(&versionID)
		if err != nil {
			return WrapError(err)
		}
		if versionID != 0 {
			pin, err := tx.pinnedPolicy(actor.PartnershipID, versionID)
			if err != nil {
				return err
			}
			body := jsonText(map[string]any{"action": ev.Action, "user": actor.ID})
			for _, r := range pin.policy.Immediate.Contacts {
				if err := tx.insertOutbox(ev.Action, 0, escalate.Recipient{Role: r, AgencyID: actor.AgencyID}, notifiable[ev.Action], body); err != nil {
					return err
				}
			}
		}
		out = im
		return nil
	})
	return out, err
}
