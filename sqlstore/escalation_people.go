package sqlstore

import (
	"context"
	"fmt"

	"github.com/escalate-project/escalate"
)

// Who deals with an escalation: naming someone (or taking it yourself),
// removing them, and appointing the chair of a meeting. One rule
// (escalate.MayBeNamed, escalate.Can with ActionPartyName) decides for the
// pages and the API alike; every change is audited and routed again.

// peopleChange runs fn on escalation ref, as the acting user, after checking
// they may take action on it; then routes it again, tells whom routing says
// of the event fn returns, and audits it. None of these changes touch what
// the lifecycle rules read, so they need no version.
func (s *EscalationService) peopleChange(ctx context.Context, ref, action string,
	fn func(tx *Tx, row *escalationRow, pin *pinned, ps escalate.Parties, actor *escalate.User) (escalate.Event, int64, error)) (*escalate.Escalation, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	var out *escalate.Escalation
	err = s.db.WithTx(ctx, func(tx *Tx) error {
		// Two changes of one case's people run one after the other.
		if err := tx.lockEscalation(ref); err != nil {
			return err
		}
		actor, err := tx.actingUser(actor)
		if err != nil {
			return err
		}
		row, pin, err := tx.loadForActor(ref, actor, action)
		if err != nil {
			return err
		}
		before, err := tx.parties(pin.policy, row.Escalation)
		if err != nil {
			return err
		}
		ev, subject, err := fn(tx, row, pin, before, actor)
		if err != nil {
			return err
		}
		ps, err := tx.routeAndStore(pin.policy, row.Escalation)
		if err != nil {
			return err
		}
		kind, told := ev.Action, ps.Told(pin.policy, row.Escalation, ev.Action, actor.ID, subject)
		if ev.Action == escalate.ActionPartyName {
			kind = escalate.NoticeNamed
			told = ps.Told(pin.policy, row.Escalation, escalate.NoticeNamed, actor.ID, subject)
		}
		ev.Data["told"] = told
		if err := tx.AuditIn(row.PartnershipID, fmt.Sprintf("user:%d", actor.ID), ev.Action, "escalation:"+row.Ref, ev.Data); err != nil {
			return err
		}
		body := jsonText(payload(row.Escalation, pin.policy, kind))
		subjectKey := map[string]string{escalate.NoticeNamed: "party-added", escalate.ActionPartyRemove: "party-removed",
			escalate.ActionMeetingChair: "meeting-chair"}[kind]
		for _, id := range told {
			key := subjectKey
			if kind == escalate.NoticeNamed && id != subject {
				// Told that someone else was named: not "you were named".
				key = "party-named"
			}
			if err := tx.insertOutbox(kind, row.ID, escalate.Recipient{User: id}, key, body); err != nil {
				return err
			}
		}
		out = row.Escalation
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AddParty names user to deal with escalation ref (to take it yourself,
// name yourself). Who may be named is escalate.MayBeNamed: a person at
// either agency, or holding a partnership role the stage names; never an
// account that only administers. Someone else is EINVALID on field "user".
func (s *EscalationService) AddParty(ctx context.Context, ref string, userID int64) (*escalate.Escalation, error) {
	return s.peopleChange(ctx, ref, escalate.ActionPartyName, func(tx *Tx, row *escalationRow, pin *pinned, ps escalate.Parties, actor *escalate.User) (escalate.Event, int64, error) {
		person := ps.Directory().Person(userID)
		if person == nil {
			return escalate.Event{}, 0, escalate.FieldErrorf("user", "There is no such person in this partnership.")
		}
		if err := escalate.MayBeNamed(pin.policy, row.Escalation, person); err != nil {
			return escalate.Event{}, 0, err
		}
		if ps.Ties(userID)&escalate.TieNamed != 0 {
			return escalate.Event{}, 0, escalate.FieldErrorf("user", "%s is already dealing with this escalation.", person.Name)
		}
		if _, err := tx.exec(`
			INSERT INTO escalation_parties (escalation_id, user_id, added_by, added) VALUES ($1, $2, $3, $4)
			ON CONFLICT (escalation_id, user_id) DO UPDATE SET added_by = excluded.added_by, added = excluded.added,
				removed = NULL, removed_by = NULL`,
			row.ID, userID, actor.ID, timeArg(tx.now)); err != nil {
			return escalate.Event{}, 0, err
		}
		return escalate.Event{Action: escalate.ActionPartyName,
			Data: map[string]any{"user": userID, "agency": person.AgencyID, "took": userID == actor.ID}}, userID, nil
	})
}

// RemoveParty removes user, who was named to deal with escalation ref. The
// row stays, marked removed, so who dealt with it when is kept.
func (s *EscalationService) RemoveParty(ctx context.Context, ref string, userID int64) (*escalate.Escalation, error) {
	return s.peopleChange(ctx, ref, escalate.ActionPartyRemove, func(tx *Tx, row *escalationRow, pin *pinned, ps escalate.Parties, actor *escalate.User) (escalate.Event, int64, error) {
		if ps.Ties(userID)&escalate.TieNamed == 0 {
			return escalate.Event{}, 0, escalate.FieldErrorf("user", "That person is not named as dealing with this escalation.")
		}
		if _, err := tx.exec(`UPDATE escalation_parties SET removed = $1, removed_by = $2
			WHERE escalation_id = $3 AND user_id = $4 AND removed IS NULL`,
			timeArg(tx.now), actor.ID, row.ID, userID); err != nil {
			return escalate.Event{}, 0, err
		}
		return escalate.Event{Action: escalate.ActionPartyRemove, Data: map[string]any{"user": userID}}, userID, nil
	})
}

// AppointMeetingChair appoints user, a board member from an agency not
// involved, to chair the current stage's meeting (Hounslow stage 5). The
// Chair, Vice Chair or Business Manager appoints; a new appointment
// replaces the last.
func (s *EscalationService) AppointMeetingChair(ctx context.Context, ref string, userID int64) (*escalate.Escalation, error) {
	return s.peopleChange(ctx, ref, escalate.ActionMeetingChair, func(tx *Tx, row *escalationRow, pin *pinned, ps escalate.Parties, actor *escalate.User) (escalate.Event, int64, error) {
		person := ps.Directory().Person(userID)
		if err := escalate.CheckMeetingChair(pin.policy, row.Escalation, person); err != nil {
			return escalate.Event{}, 0, err
		}
		st := row.CurrentStage(pin.policy)
		if _, err := tx.exec(`
			INSERT INTO escalation_meeting_chairs (escalation_id, stage, user_id, appointed, appointed_by)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (escalation_id, stage) DO UPDATE SET user_id = excluded.user_id,
				appointed = excluded.appointed, appointed_by = excluded.appointed_by`,
			row.ID, st.Key, userID, timeArg(tx.now), actor.ID); err != nil {
			return escalate.Event{}, 0, err
		}
		return escalate.Event{Action: escalate.ActionMeetingChair,
			Data: map[string]any{"user": userID, "agency": person.AgencyID, "stage": st.Key}}, userID, nil
	})
}

// nameDealtWith names, at raise, the person at the receiving agency the
// raiser dealt with.
func (tx *Tx) nameDealtWith(p *escalate.Policy, e *escalate.Escalation, actor *escalate.User, userID int64) error {
	dir, err := tx.directory(e.PartnershipID)
	if err != nil {
		return err
	}
	person := dir.Person(userID)
	if person == nil || person.AgencyID != e.ReceivingAgencyID {
		return escalate.FieldErrorf("dealt_with", "Choose someone at %s, or leave it to the agency's escalation contacts.", dir.AgencyName(e.ReceivingAgencyID))
	}
	if err := escalate.MayBeNamed(p, e, person); err != nil {
		return escalate.FieldErrorf("dealt_with", "%s", escalate.ErrorMessage(err))
	}
	_, err = tx.exec(`INSERT INTO escalation_parties (escalation_id, user_id, added_by, added) VALUES ($1, $2, $3, $4)`,
		e.ID, userID, actor.ID, timeArg(tx.now))
	return err
}

// referAlongside puts each matter the raiser referred alongside the
// disagreement (Redirect.Alongside: H&F's strategic or policy issue) in the
// learning log as a policy item for the redirect's contact (the Business
// Manager), linked to the escalation, which carries on. The item holds the
// matter's words only: the case's own text stays on the case.
func (tx *Tx) referAlongside(p *escalate.Policy, e *escalate.Escalation, actor *escalate.User, keys []string) error {
	for _, k := range keys {
		var rd *escalate.Redirect
		for i := range p.Redirects {
			if p.Redirects[i].Key == k {
				rd = &p.Redirects[i]
			}
		}
		if rd == nil {
			continue
		}
		to := rd.Contact
		if to == "" {
			to = escalate.RoleBusinessManager
		}
		it := &escalate.LearningItem{PartnershipID: e.PartnershipID, Kind: escalate.LearningPolicyGap,
			Description: "Referred when escalation " + e.Ref + " was raised: " + rd.Matter + ". The disagreement about the child carries on.",
			Assignee:    escalate.Assignee{Role: to}, Status: escalate.LearningOpen, Refs: []string{e.Ref},
			CreatedBy: actor.ID, Created: tx.now, Updated: tx.now, Version: 1}
		if err := tx.insertLearningItem(it, e.ID, actor); err != nil {
			return err
		}
		if err := tx.tellOfItem(it, e); err != nil {
			return err
		}
	}
	return nil
}

// lockEscalation locks escalation ref's row on PostgreSQL until the
// transaction ends, for a change that its version does not guard; SQLite's
// immediate transaction holds the only write lock already. A reference that
// does not exist locks nothing: loading it says so.
func (tx *Tx) lockEscalation(ref string) error {
	if tx.db.dialect != Postgres {
		return nil
	}
	_, err := tx.exec(`SELECT id FROM escalations WHERE ref = $1 FOR UPDATE`, ref)
	return err
}
