package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/escalate-project/escalate"
)

// Child Protection Conference dissents (doc/dissents.md). Each change is one
// transaction, as for escalations: re-read the actor,
// load the dissent and its pinned policy and calendar, check access with
// escalate.CanDissent (someone who may not see it: not found; who may see it
// but not do this: forbidden), apply the pure rule at the transaction's
// now, then write the new state, its entry, its audit events (object
// "dissent:<ref>") and its outbox rows, or nothing at all.

// DissentsEnabled reports whether the partnership's current policy has the
// dissent workflow. Every page's header asks, so it reads one hash and
// parses the policy only when no parse of that text is cached.
func (db *DB) DissentsEnabled(ctx context.Context, partnershipID int64) (bool, error) {
	const q = `SELECT v.sha256 FROM partnerships p
		JOIN policy_versions v ON v.id = p.policy_version_id WHERE p.id = $1`
	var row *sql.Row
	if st := db.prepared(ctx, q); st != nil {
		row = st.QueryRowContext(ctx, partnershipID)
	} else {
		row = db.db.QueryRowContext(ctx, q, partnershipID)
	}
	var sum string
	err := row.Scan(&sum)
	if err != nil {
		return false, WrapError(err)
	}
	if p, ok := policies.Load(sum); ok {
		return escalate.DissentsEnabled(p.(*escalate.Policy)), nil
	}
	p, err := db.CurrentPolicy(ctx, partnershipID)
	if err != nil {
		return false, err
	}
	return escalate.DissentsEnabled(p), nil
}

// currentPin is the partnership's current policy version, pinned, and its ID.
func (tx *Tx) currentPin(partnershipID int64) (*pinned, int64, error) {
	var sum string
	var versionID int64
	err := tx.queryRow(`SELECT COALESCE(p.policy_version_id, 0), COALESCE(v.sha256, '')
		FROM partnerships p LEFT JOIN policy_versions v ON v.id = p.policy_version_id WHERE p.id = $1`,
		partnershipID).Scan(&versionID, &sum)
	if err != nil {
		return nil, 0, WrapError(err)
	}
	if versionID == 0 {
		return nil, 0, escalate.Errorf(escalate.EINTERNAL, "partnership %d has no policy", partnershipID)
	}
	pin, err := tx.pin(partnershipID, versionID, sum)
	return pin, versionID, err
}

// agencyKind is the kind of agency id, "" for none.
func (tx *Tx) agencyKind(id int64) (string, error) {
	var kind string
	err := tx.queryRow(`SELECT kind FROM agencies WHERE id = $1`, id).Scan(&kind)
	if err != nil {
		return "", fmt.Errorf("agency kind: %w", err)
	}
	return kind, nil
}

// dissentActor begins a dissent change or view: the acting user as the
// database holds them now, and their agency's kind. (The audit events take
// their chain's lock as the transaction commits.)
func (tx *Tx) dissentActor(ctx context.Context) (*escalate.User, string, error) {
	u, err := actorOf(ctx)
	if err != nil {
		return nil, "", err
	}
	if u, err = tx.actingUser(u); err != nil {
		return nil, "", err
	}
	kind, err := tx.agencyKind(u.AgencyID)
	return u, kind, err
}

// RecordDissent records a dissent as the acting conference chair and
// refers it to the Dissents Group: where the policy has no dissent
// workflow, not found.
func (db *DB) RecordDissent(ctx context.Context, in escalate.DissentInput) (*escalate.Dissent, error) {
	var out *escalate.Dissent
	err := db.WithTx(ctx, func(tx *Tx) error {
		actor, _, err := tx.dissentActor(ctx)
		if err != nil {
			return err
		}
		var key string
		if err := tx.queryRow(`SELECT key FROM partnerships WHERE id = $1`, actor.PartnershipID).Scan(&key); err != nil {
			return WrapError(err)
		}
		pin, versionID, err := tx.currentPin(actor.PartnershipID)
		if err != nil {
			return err
		}
		d, events, err := escalate.NewDissent(tx.now, pin.policy, pin.cal, actor, in)
		if err != nil {
			return err
		}
		// The dissenting agency must be the partnership's own.
		var agencyPartnership int64
		err = tx.queryRow(`SELECT partnership_id FROM agencies WHERE id = $1`, in.AgencyID).Scan(&agencyPartnership)
		if notFound(WrapError(err)) || err == nil && agencyPartnership != actor.PartnershipID {
			return escalate.FieldErrorf("agency", "There is no such agency in this partnership.")
		} else if err != nil {
			return err
		}
		d.PolicyVersionID = versionID
		if d.Ref, err = tx.allocateDissentRef(actor.PartnershipID, key); err != nil {
			return err
		}
		if err := tx.insertDissent(d); err != nil {
			return err
		}
		if err := tx.writeDissentEvents(d.PartnershipID, d.Ref, events); err != nil {
			return err
		}
		if err := tx.writeDissentOutbox(d, events); err != nil {
			return err
		}
		out = d
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// loadDissentFor loads dissent ref for actor, whose agency is of kind kind,
// to take action: not found unless they may see it (and always for another
// partnership's), forbidden when they may see it but not do this.
func (tx *Tx) loadDissentFor(ref string, actor *escalate.User, kind, action string) (*escalate.Dissent, *pinned, error) {
	d, sum, err := tx.loadDissent(ref)
	if err != nil {
		return nil, nil, err
	}
	notFound := escalate.Errorf(escalate.ENOTFOUND, "Dissent not found.")
	if d.PartnershipID != actor.PartnershipID || !escalate.CanDissent(actor, kind, d, escalate.DissentActionView) {
		return nil, nil, notFound
	}
	pin, err := tx.pin(d.PartnershipID, d.PolicyVersionID, sum)
	if err != nil {
		return nil, nil, err
	}
	if !escalate.DissentsEnabled(pin.policy) {
		return nil, nil, notFound
	}
	if !escalate.CanDissent(actor, kind, d, action) {
		return nil, nil, escalate.Errorf(escalate.EFORBIDDEN, "You may not do this on this dissent.")
	}
	return d, pin, nil
}

// Dissent returns dissent ref with its clocks and entries, and the steps
// the acting user's roles let them take on it (whether the dissent's step
// allows one now is Dissent.Allows), recording a view event: every view of
// one dissent is attributable.
func (db *DB) Dissent(ctx context.Context, ref string) (*escalate.Dissent, []string, error) {
	var out *escalate.Dissent
	var may []string
	err := db.WithTx(ctx, func(tx *Tx) error {
		actor, kind, err := tx.dissentActor(ctx)
		if err != nil {
			return err
		}
		d, _, err := tx.loadDissentFor(ref, actor, kind, escalate.DissentActionView)
		if err != nil {
			return err
		}
		if err := tx.AuditIn(d.PartnershipID, fmt.Sprintf("user:%d", actor.ID), escalate.DissentActionView, "dissent:"+d.Ref,
			map[string]any{"version": d.Version}); err != nil {
			return err
		}
		for _, a := range escalate.DissentStepActions {
			if escalate.CanDissent(actor, kind, d, a) {
				may = append(may, a)
			}
		}
		out = d
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return out, may, nil
}

// DissentStep records step action (one of escalate.DissentStepActions) on
// dissent ref as the acting user.
func (db *DB) DissentStep(ctx context.Context, ref, action string, in escalate.DissentStepInput) (*escalate.Dissent, error) {
	var out *escalate.Dissent
	err := db.WithTx(ctx, func(tx *Tx) error {
		actor, kind, err := tx.dissentActor(ctx)
		if err != nil {
			return err
		}
		d, pin, err := tx.loadDissentFor(ref, actor, kind, action)
		if err != nil {
			return err
		}
		old := *d
		_, events, err := d.Apply(tx.now, pin.policy, pin.cal, actor, action, in)
		if err != nil {
			return err
		}
		if err := tx.updateDissent(&old, d); err != nil {
			return err
		}
		if err := tx.writeDissentEvents(d.PartnershipID, d.Ref, events); err != nil {
			return err
		}
		if err := tx.writeDissentOutbox(d, events); err != nil {
			return err
		}
		out = d
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// writeDissentEvents appends a change's events to partnershipID's audit
// chain against the dissent.
func (tx *Tx) writeDissentEvents(partnershipID int64, ref string, events []escalate.Event) error {
	items := make([]auditItem, len(events))
	for i, ev := range events {
		items[i] = auditItem{partnershipID, fmt.Sprintf("user:%d", ev.Actor), ev.Action, "dissent:" + ref, ev.Data}
	}
	return tx.auditAll(items)
}

// Dissents lists the acting user's partnership's dissents that they may
// see, newest first, without their entries. Listing records no view: it
// shows that dissents exist; opening one is a view. Someone who may see no
// dissent, or where the policy has no dissent workflow, gets not found.
func (db *DB) Dissents(ctx context.Context) ([]*escalate.Dissent, error) {
	var out []*escalate.Dissent
	err := db.WithTx(ctx, func(tx *Tx) error {
		actor, err := actorOf(ctx)
		if err != nil {
			return err
		}
		if actor, err = tx.actingUser(actor); err != nil {
			return err
		}
		kind, err := tx.agencyKind(actor.AgencyID)
		if err != nil {
			return err
		}
		pin, _, err := tx.currentPin(actor.PartnershipID)
		if err != nil {
			return err
		}
		if !escalate.DissentsEnabled(pin.policy) || !escalate.CanDissent(actor, kind, nil, escalate.DissentActionView) {
			return escalate.Errorf(escalate.ENOTFOUND, "Page not found")
		}
		all, err := tx.partnershipDissents(actor.PartnershipID, time.Time{}, time.Time{})
		if err != nil {
			return err
		}
		for _, d := range all {
			if escalate.CanDissent(actor, kind, d, escalate.DissentActionView) {
				out = append(out, d)
			}
		}
		return nil
	})
	return out, err
}

// partnershipDissents reads a partnership's dissents created in [from, to)
// (zero: unbounded), newest first, with their clocks.
func (tx *Tx) partnershipDissents(partnershipID int64, from, to time.Time) ([]*escalate.Dissent, error) {
	lo, hi := "0001-01-01T00:00:00.000000Z", "9999-12-31T23:59:59.999999Z"
	if !from.IsZero() {
		lo = timeArg(from)
	}
	if !to.IsZero() {
		hi = timeArg(to)
	}
	rows, err := tx.query(`SELECT `+dissentColumns+` FROM dissents d
		WHERE d.partnership_id = $1 AND d.created >= $2 AND d.created < $3 ORDER BY d.created DESC, d.id DESC`,
		partnershipID, lo, hi)
	if err != nil {
		return nil, err
	}
	var out []*escalate.Dissent
	for rows.Next() {
		d, err := scanDissent(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, d := range out {
		if d.Clocks, err = tx.dissentClocks(d.ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// DissentOutcomes counts the partnership's dissents recorded in [from, to)
// by where they stand now (escalate.Dissent.Standing: "Awaiting review",
// "Scheduled for a meeting", "Evaluated, awaiting decision", "Upheld: with
// children's services", "Upheld: report reviewed", "Upheld: closed after
// strategy meeting", "Not upheld: closed"), for the quality-assurance
// subgroup's report. Every standing is present, with 0 when none; the
// counts hold no reference. It checks no access: the report's caller does.
func (db *DB) DissentOutcomes(ctx context.Context, partnershipID int64, from, to time.Time) (map[string]int, error) {
	out := map[string]int{}
	for _, s := range escalate.DissentStandings {
		out[s] = 0
	}
	rows, err := db.db.QueryContext(ctx, `SELECT step, outcome, count(*) FROM dissents
		WHERE partnership_id = $1 AND created >= $2 AND created < $3 GROUP BY step, outcome`,
		partnershipID, timeArg(from), timeArg(to))
	if err != nil {
		return nil, WrapError(fmt.Errorf("dissent outcomes: %w", err))
	}
	defer rows.Close()
	for rows.Next() {
		var step, outcome string
		var n int
		if err := rows.Scan(&step, &outcome, &n); err != nil {
			return nil, err
		}
		d := escalate.Dissent{Step: escalate.DissentStep(step), Outcome: outcome}
		out[d.Standing()] += n
	}
	return out, rows.Err()
}
