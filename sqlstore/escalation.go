package sqlstore

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
	"github.com/escalate-project/escalate/policy"
)

// EscalationService implements escalate.EscalationService on a DB. Every
// change is one transaction (see doc/storage.md): load the case and its
// pinned policy version, build the calendar, check access with escalate.Can,
// apply the pure rule at the transaction's now, then write the new state
// (only if the stored version is still the one loaded), its audit events and
// its outbox rows.
type EscalationService struct {
	db *DB
}

var _ escalate.EscalationService = (*EscalationService)(nil)

// NewEscalationService returns the escalation service of db.
func NewEscalationService(db *DB) *EscalationService { return &EscalationService{db: db} }

// policies caches parsed policy versions by the SHA-256 of their text, which
// never changes for a stored version; the rules only read a policy. Keyed by
// content, not by row ID: a SQLite row ID can be given again after a
// rollback, a hash cannot name another text.
var policies sync.Map // string → *escalate.Policy

// pinned is an escalation's policy version made usable: the parsed policy
// and the calendar it counts working days on.
type pinned struct {
	policy *escalate.Policy
	cal    *calendar.Calendar
}

// pinnedPolicy loads policy version versionID and the partnership's calendar
// for that version's division, inside tx so it sees holidays tx imported.
func (tx *Tx) pinnedPolicy(partnershipID, versionID int64) (*pinned, error) {
	var sum string
	if err := tx.queryRow(`SELECT sha256 FROM policy_versions WHERE id = $1`, versionID).Scan(&sum); err != nil {
		return nil, fmt.Errorf("policy version %d: %w", versionID, err)
	}
	return tx.pin(partnershipID, versionID, sum)
}

// pin is pinnedPolicy for a caller that read the version's sha256 along
// with its own row, saving a query.
func (tx *Tx) pin(partnershipID, versionID int64, sum string) (*pinned, error) {
	p, err := tx.policyVersion(versionID, sum)
	if err != nil {
		return nil, err
	}
	// The version row's division and end of day are copied from its text.
	cal, err := tx.cachedCalendar(partnershipID, p.Calendar.Division, workingDayEnds(p))
	if err != nil {
		return nil, fmt.Errorf("calendar: %w", err)
	}
	return &pinned{policy: p, cal: cal}, nil
}

// policyVersion returns the parsed text of policy version versionID, whose
// sha256 is sum, reading and parsing it only the first time.
func (tx *Tx) policyVersion(versionID int64, sum string) (*escalate.Policy, error) {
	if p, ok := policies.Load(sum); ok {
		return p.(*escalate.Policy), nil
	}
	var text string
	if err := tx.queryRow(`SELECT yaml FROM policy_versions WHERE id = $1`, versionID).Scan(&text); err != nil {
		return nil, fmt.Errorf("policy version %d: %w", versionID, err)
	}
	pol, _, err := policy.Load(fmt.Sprintf("policy-version-%d.yaml", versionID), []byte(text))
	if err != nil {
		return nil, fmt.Errorf("policy version %d no longer loads: %w", versionID, err)
	}
	p, _ := policies.LoadOrStore(sum, pol)
	return p.(*escalate.Policy), nil
}

// calendarKey names a built calendar in DB.calendars.
type calendarKey struct {
	partnershipID    int64
	division, ending string
}

// calendarEntry is a built calendar and the calendar generation it was
// built at.
type calendarEntry struct {
	gen int64
	cal *calendar.Calendar
}

// cachedCalendar is calendarFor without reading every holiday and building
// the calendar on each change. The generation of a partnership's calendar
// of a division is the sequence number of the last calendar.import audit
// event about it (national or the partnership's own): ImportHolidays writes
// one in the same transaction as any change of the stored days, so the
// number moves exactly when they do, for every process sharing the
// database, and one indexed read (audit_events_object) tells whether a
// cached calendar is current. The generation is read before the holidays,
// so an entry never holds days older than its number says. A transaction
// that changed holidays itself builds afresh and caches nothing: its days
// may yet roll back, and a rolled-back sequence number is given again.
func (tx *Tx) cachedCalendar(partnershipID int64, division, ends string) (*calendar.Calendar, error) {
	q := cachedQuerier{tx}
	if tx.calendarChanged {
		return calendarFor(tx.ctx, q, partnershipID, division, ends)
	}
	var gen int64
	err := tx.queryRow(`SELECT COALESCE(MAX(seq), 0) FROM audit_events WHERE object IN ($1, $2)`,
		"calendar:"+division, fmt.Sprintf("partnership:%d/calendar:%s", partnershipID, division)).Scan(&gen)
	if err != nil {
		return nil, err
	}
	key := calendarKey{partnershipID, division, ends}
	if v, ok := tx.db.calendars.Load(key); ok && v.(calendarEntry).gen == gen {
		return v.(calendarEntry).cal, nil
	}
	cal, err := calendarFor(tx.ctx, q, partnershipID, division, ends)
	if err != nil {
		return nil, err
	}
	tx.db.calendars.Store(key, calendarEntry{gen: gen, cal: cal})
	return cal, nil
}

// actorOf returns the acting user of ctx, or EUNAUTHORIZED.
func actorOf(ctx context.Context) (*escalate.User, error) {
	u := escalate.UserFromContext(ctx)
	if u == nil {
		return nil, escalate.Errorf(escalate.EUNAUTHORIZED, "Sign in to do this.")
	}
	return u, nil
}

// actingUser re-reads the acting user inside tx: the store, not the
// session, supplies the facts access is decided on, so a change of roles or
// agency, or a disabled account, applies at once.
func (tx *Tx) actingUser(u *escalate.User) (*escalate.User, error) {
	fresh, err := findUser(tx.ctx, cachedQuerier{tx}, `id = $1`, u.ID)
	if notFound(err) || err == nil && fresh.PartnershipID != u.PartnershipID {
		return nil, escalate.Errorf(escalate.EUNAUTHORIZED, "Sign in to do this.")
	}
	return fresh, err
}

// writeEvents appends the events of one change to partnershipID's audit
// chain, each against the escalation it concerns.
func (tx *Tx) writeEvents(partnershipID int64, ref string, events []escalate.Event) error {
	items := make([]auditItem, len(events))
	for i, ev := range events {
		object := "escalation:" + ref
		if ref == "" {
			object = fmt.Sprintf("user:%d", ev.Actor)
		}
		items[i] = auditItem{partnershipID, fmt.Sprintf("user:%d", ev.Actor), ev.Action, object, replayContent(ev)}
	}
	return tx.auditAll(items)
}

// rule is a pure domain rule bound to its input.
type rule func(e *escalate.Escalation, now time.Time, pin *pinned, actor *escalate.User) ([]escalate.Event, error)

// change runs one state change on the escalation ref as described on
// EscalationService. action is what escalate.Can is asked about.
func (s *EscalationService) change(ctx context.Context, ref, action string, fn rule) (*escalate.Escalation, error) {
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
		row, pin, in, err := tx.loadChecked(ref, actor, action)
		if err != nil {
			return err
		}
		old, from := row.Clone(), row.Version
		events, err := fn(row.Escalation, tx.now, pin, actor)
		if err != nil {
			return err
		}
		if row.Version != from {
			if err := tx.updateEscalation(old, row.Escalation, from); err != nil {
				return err
			}
		}
		ps, err := tx.routeChanged(pin.policy, row.Escalation, in) // change_rows.go
		if err != nil {
			return err
		}
		notices := tell(pin.policy, row.Escalation, ps, events, actor.ID)
		if err := tx.writeEvents(row.PartnershipID, row.Ref, events); err != nil {
			return err
		}
		if err := tx.writeNotices(row.ID, notices); err != nil {
			return err
		}
		if err := tx.afterClose(pin, old, row.Escalation, actor); err != nil {
			return err
		}
		out = row.Escalation
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ctxPartnership is the partnership of the user ctx carries, 0 for none.
func ctxPartnership(ctx context.Context) int64 {
	if u := escalate.UserFromContext(ctx); u != nil {
		return u.PartnershipID
	}
	return 0
}

// loadForActor loads escalation ref with its pinned policy and checks actor
// may take action on it. A user of another partnership learns nothing:
// ENOTFOUND, as for a reference that does not exist.
func (tx *Tx) loadForActor(ref string, actor *escalate.User, action string) (*escalationRow, *pinned, error) {
	row, pin, _, err := tx.loadChecked(ref, actor, action)
	return row, pin, err
}

// loadChecked is loadForActor that also returns what routing the case read,
// for routing it again after a change (routeChanged).
func (tx *Tx) loadChecked(ref string, actor *escalate.User, action string) (*escalationRow, *pinned, routeInputs, error) {
	row, err := tx.loadEscalation(ref)
	if err != nil {
		return nil, nil, routeInputs{}, err
	}
	if row.PartnershipID != actor.PartnershipID {
		return nil, nil, routeInputs{}, escalate.Errorf(escalate.ENOTFOUND, "Escalation not found.")
	}
	pin, err := tx.pin(row.PartnershipID, row.PolicyVersionID, row.PolicySHA)
	if err != nil {
		return nil, nil, routeInputs{}, err
	}
	in, err := tx.routeInputsOf(pin.policy, row.Escalation)
	if err != nil {
		return nil, nil, routeInputs{}, err
	}
	ps := escalate.Route(pin.policy, row.Escalation, in.dir, in.inv)
	if err := authorize(actor, row.Escalation, ps, action); err != nil {
		return nil, nil, routeInputs{}, err
	}
	return row, pin, in, nil
}

// Get returns escalation ref with its clocks and records, and records that
// the actor viewed it: every view is attributable.
func (s *EscalationService) Get(ctx context.Context, ref string) (*escalate.Escalation, error) {
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
		row, _, err := tx.loadForActor(ref, actor, escalate.ActionView)
		if err != nil {
			return err
		}
		if err := tx.AuditIn(row.PartnershipID, fmt.Sprintf("user:%d", actor.ID), escalate.ActionView, "escalation:"+row.Ref,
			map[string]any{"version": row.Version}); err != nil {
			return err
		}
		out = row.Escalation
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AddRecord adds a record of a discussion or action.
func (s *EscalationService) AddRecord(ctx context.Context, ref string, in escalate.RecordInput) (*escalate.Escalation, error) {
	return s.change(ctx, ref, escalate.ActionRecordAdd, func(e *escalate.Escalation, now time.Time, pin *pinned, actor *escalate.User) ([]escalate.Event, error) {
		return e.AddRecord(now, pin.policy, pin.cal, actor, in)
	})
}

// ApproveRecord approves and dates a record, once.
func (s *EscalationService) ApproveRecord(ctx context.Context, ref string, in escalate.ApproveInput) (*escalate.Escalation, error) {
	return s.change(ctx, ref, escalate.ActionRecordApprove, func(e *escalate.Escalation, now time.Time, pin *pinned, actor *escalate.User) ([]escalate.Event, error) {
		return e.ApproveRecord(now, pin.policy, pin.cal, actor, in)
	})
}

// AgreeOutcome records the agreed outcome.
func (s *EscalationService) AgreeOutcome(ctx context.Context, ref string, in escalate.AgreeInput) (*escalate.Escalation, error) {
	return s.change(ctx, ref, escalate.ActionOutcomeAgree, func(e *escalate.Escalation, now time.Time, pin *pinned, actor *escalate.User) ([]escalate.Event, error) {
		return e.AgreeOutcome(now, pin.policy, pin.cal, actor, in)
	})
}

// ConfirmOutcome confirms an agreed outcome in writing.
func (s *EscalationService) ConfirmOutcome(ctx context.Context, ref string, in escalate.ConfirmInput) (*escalate.Escalation, error) {
	return s.change(ctx, ref, escalate.ActionOutcomeConfirm, func(e *escalate.Escalation, now time.Time, pin *pinned, actor *escalate.User) ([]escalate.Event, error) {
		return e.ConfirmOutcome(now, pin.policy, pin.cal, actor, in)
	})
}

// Escalate moves the escalation up its ladder.
func (s *EscalationService) Escalate(ctx context.Context, ref string, in escalate.EscalateInput) (*escalate.Escalation, error) {
	return s.change(ctx, ref, escalate.ActionEscalate, func(e *escalate.Escalation, now time.Time, pin *pinned, actor *escalate.User) ([]escalate.Event, error) {
		return e.Escalate(now, pin.policy, pin.cal, actor, in)
	})
}

// Determine records the final stage's determination or recommendations.
func (s *EscalationService) Determine(ctx context.Context, ref string, in escalate.DetermineInput) (*escalate.Escalation, error) {
	return s.change(ctx, ref, escalate.ActionDetermine, func(e *escalate.Escalation, now time.Time, pin *pinned, actor *escalate.User) ([]escalate.Event, error) {
		return e.Determine(now, pin.policy, pin.cal, actor, in)
	})
}

// Redirect takes the matter out of the process.
func (s *EscalationService) Redirect(ctx context.Context, ref string, in escalate.RedirectInput) (*escalate.Escalation, error) {
	return s.change(ctx, ref, escalate.ActionRedirect, func(e *escalate.Escalation, now time.Time, pin *pinned, actor *escalate.User) ([]escalate.Event, error) {
		return e.Redirect(now, pin.policy, pin.cal, actor, in)
	})
}

// Withdraw withdraws the escalation.
func (s *EscalationService) Withdraw(ctx context.Context, ref string, in escalate.WithdrawInput) (*escalate.Escalation, error) {
	return s.change(ctx, ref, escalate.ActionWithdraw, func(e *escalate.Escalation, now time.Time, pin *pinned, actor *escalate.User) ([]escalate.Event, error) {
		return e.Withdraw(now, pin.policy, pin.cal, actor, in)
	})
}

// ShortenClock brings a running clock's deadline forward.
func (s *EscalationService) ShortenClock(ctx context.Context, ref string, in escalate.ShortenInput) (*escalate.Escalation, error) {
	return s.change(ctx, ref, escalate.ActionClockShorten, func(e *escalate.Escalation, now time.Time, pin *pinned, actor *escalate.User) ([]escalate.Event, error) {
		return e.ShortenClock(now, pin.policy, pin.cal, actor, in)
	})
}

// ChangeRisk raises or lowers the risk level; raising it shortens clocks.
func (s *EscalationService) ChangeRisk(ctx context.Context, ref string, in escalate.RiskInput) (*escalate.Escalation, error) {
	action := escalate.ActionRiskRaise
	if in.Level.Valid() && !in.Level.Elevated() {
		action = escalate.ActionRiskLower
	}
	return s.change(ctx, ref, action, func(e *escalate.Escalation, now time.Time, pin *pinned, actor *escalate.User) ([]escalate.Event, error) {
		return e.ChangeRisk(now, pin.policy, pin.cal, actor, in)
	})
}
