package sqlstore

import (
	"fmt"
	"slices"
	"strings"

	"github.com/escalate-project/escalate"
)

// dissentNotifiable are the dissent events that tell someone something, and
// the message (subject_key) each uses. Evaluating tells no one: the group's
// decision, which follows, carries the feedback.
var dissentNotifiable = map[string]string{
	escalate.DissentActionRefer:    "dissent-referred",
	escalate.DissentActionSchedule: "dissent-scheduled",
	escalate.DissentActionDecide:   "dissent-decided",
	escalate.DissentActionReport:   "dissent-report-reviewed",
	escalate.DissentActionStrategy: "dissent-closed",
}

// dissentPayload is what a dissent notification carries: the dissent's own
// reference, what happened, its step and next deadline. Never the
// conference's reference or anything minuted.
func dissentPayload(d *escalate.Dissent, action string) map[string]any {
	p := map[string]any{"ref": d.Ref, "object": "dissent", "action": action, "step": string(d.Step)}
	if due, ok := d.NextDue(); ok {
		p["next_due"] = due.UTC().Format(timeLayout)
	}
	return p
}

// writeDissentOutbox adds the outbox rows for a change's notifiable events.
// Who hears:
//   - referral: the Business Manager(s), who service the Dissents Group;
//   - scheduled: the chair who recorded it;
//   - decided: the chair, and the dissenting agency's safeguarding leads and
//     managers (they pass the feedback to the professional); if upheld,
//     children's social care's senior managers, who investigate;
//   - report reviewed, closed: the chair, the dissenting agency's
//     safeguarding leads and the Business Manager(s).
//
// Partnership-wide posts are addressed to their holders by user, as a
// dissent row has no escalation to say whose partnership it is. The actor
// is never told of their own action.
func (tx *Tx) writeDissentOutbox(d *escalate.Dissent, events []escalate.Event) error {
	for _, ev := range events {
		key, ok := dissentNotifiable[ev.Action]
		if !ok {
			continue
		}
		var to []escalate.Recipient
		add := func(r escalate.Recipient) {
			if r.User != 0 && r.User == ev.Actor || slices.Contains(to, r) {
				return
			}
			to = append(to, r)
		}
		holders := func(role escalate.Role) error {
			ids, err := tx.roleHolders(d.PartnershipID, role)
			for _, id := range ids {
				add(escalate.Recipient{User: id})
			}
			return err
		}
		dissenting := func(roles ...escalate.Role) {
			for _, r := range roles {
				add(escalate.Recipient{Role: r, AgencyID: d.AgencyID})
			}
		}
		chair := escalate.Recipient{User: d.RecordedBy}
		switch ev.Action {
		case escalate.DissentActionRefer:
			if err := holders(escalate.RoleBusinessManager); err != nil {
				return err
			}
		case escalate.DissentActionSchedule:
			add(chair)
		case escalate.DissentActionDecide:
			add(chair)
			dissenting(escalate.RoleSafeguardingLead, escalate.RoleManager)
			if d.Outcome == escalate.DissentUpheld {
				ids, err := tx.agenciesOfKind(d.PartnershipID, escalate.AgencyKindChildrensSocialCare)
				if err != nil {
					return err
				}
				for _, id := range ids {
					add(escalate.Recipient{Role: escalate.RoleSeniorManager, AgencyID: id})
				}
			}
		case escalate.DissentActionReport, escalate.DissentActionStrategy:
			add(chair)
			dissenting(escalate.RoleSafeguardingLead)
			if err := holders(escalate.RoleBusinessManager); err != nil {
				return err
			}
		}
		body := jsonText(dissentPayload(d, ev.Action))
		for _, r := range to {
			if err := tx.insertOutbox(ev.Action, 0, r, key, body); err != nil {
				return err
			}
		}
	}
	return nil
}

// roleHolders are the enabled users of the partnership holding role.
func (tx *Tx) roleHolders(partnershipID int64, role escalate.Role) ([]int64, error) {
	rows, err := tx.query(`SELECT id, roles FROM users WHERE partnership_id = $1 AND NOT disabled ORDER BY id`, partnershipID)
	if err != nil {
		return nil, fmt.Errorf("role holders: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		var roles string
		if err := rows.Scan(&id, &roles); err != nil {
			return nil, err
		}
		if slices.Contains(strings.Split(roles, ","), string(role)) {
			out = append(out, id)
		}
	}
	return out, rows.Err()
}

// agenciesOfKind are the partnership's agencies of kind.
func (tx *Tx) agenciesOfKind(partnershipID int64, kind string) ([]int64, error) {
	rows, err := tx.query(`SELECT id FROM agencies WHERE partnership_id = $1 AND kind = $2 ORDER BY id`, partnershipID, kind)
	if err != nil {
		return nil, fmt.Errorf("agencies of kind: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
