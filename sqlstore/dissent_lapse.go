package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/escalate-project/escalate"
)

// Reminders and overdue prompts for dissent clocks, as EnqueueReminders and
// EnqueueOverdue write them for escalation clocks: one of each kind per
// clock (dissent_clock_notices' primary key), written with its outbox rows
// in one transaction, reminded at RemindAt on the partnership's calendar.
// notify.Scheduler calls EnqueueDissentNotices on each pass.

// dissentNoticeCandidate is a running dissent clock with what its notice needs.
type dissentNoticeCandidate struct {
	dissentID, partnershipID, versionID int64
	ref                                 string
	clock                               escalate.ClockState
}

const dissentCandidateSelect = `SELECT c.dissent_id, d.ref, d.partnership_id, d.policy_version_id,
		c.id, c.key, c.action, c.within, c.start_at, c.due_at
	FROM dissent_clocks c JOIN dissents d ON d.id = c.dissent_id
	WHERE c.status = 'running' `

const (
	// queryDissentOverdue is up to $2 running dissent clocks due before $1
	// without an overdue notice, the most overdue first.
	queryDissentOverdue = dissentCandidateSelect + `AND c.due_at < $1
		AND NOT EXISTS (SELECT 1 FROM dissent_clock_notices n
			WHERE n.dissent_id = c.dissent_id AND n.clock_id = c.id AND n.kind = 'overdue')
		ORDER BY c.due_at, c.dissent_id, c.id LIMIT $2`
	// queryDissentReminders is every running dissent clock due in [$1, $2)
	// without a reminder.
	queryDissentReminders = dissentCandidateSelect + `AND c.due_at >= $1 AND c.due_at < $2
		AND NOT EXISTS (SELECT 1 FROM dissent_clock_notices n
			WHERE n.dissent_id = c.dissent_id AND n.clock_id = c.id AND n.kind = 'reminder')
		ORDER BY c.due_at, c.dissent_id, c.id`
)

// dissentReminderWindow is how far ahead a dissent clock may be due and
// still need its reminder now: RemindAt reminds on the working day before
// the due day, which a run of holidays (Christmas, Easter) can put at most
// a few calendar days earlier.
const dissentReminderWindow = 14 * 24 * time.Hour

// EnqueueDissentNotices writes the overdue prompts (up to limit) and the
// reminders (up to limit) of running dissent clocks at now, and returns
// how many notices it wrote.
func (db *DB) EnqueueDissentNotices(ctx context.Context, now time.Time, limit int) (int, error) {
	if limit <= 0 {
		limit = 100
	}
	now = now.UTC()
	written := 0
	err := db.WithTx(ctx, func(tx *Tx) error {
		written = 0
		cache := pinCache{}
		over, err := tx.dissentCandidates(queryDissentOverdue, timeArg(now), limit)
		if err != nil {
			return fmt.Errorf("overdue dissent clocks: %w", err)
		}
		for _, c := range over {
			ok, err := tx.writeDissentNotice(NoticeOverdue, c)
			if err != nil {
				return err
			}
			if ok {
				written++
			}
		}
		soon, err := tx.dissentCandidates(queryDissentReminders, timeArg(now), timeArg(now.Add(dissentReminderWindow)))
		if err != nil {
			return fmt.Errorf("dissent reminders: %w", err)
		}
		reminded := 0
		for _, c := range soon {
			if reminded == limit {
				break
			}
			p, err := tx.pinFor(cache, c.partnershipID, c.versionID)
			if err != nil {
				return err
			}
			if at, ok := RemindAt(p.cal, c.clock); !ok || at.After(now) {
				continue
			}
			ok, err := tx.writeDissentNotice(NoticeReminder, c)
			if err != nil {
				return err
			}
			if ok {
				reminded++
			}
		}
		written += reminded
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("enqueue dissent notices: %w", err)
	}
	return written, nil
}

func (tx *Tx) dissentCandidates(query string, args ...any) ([]dissentNoticeCandidate, error) {
	rows, err := tx.QueryContext(tx.ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []dissentNoticeCandidate
	for rows.Next() {
		n := dissentNoticeCandidate{clock: escalate.ClockState{Stage: "dissent", Status: escalate.ClockRunning}}
		c := &n.clock
		if err := rows.Scan(&n.dissentID, &n.ref, &n.partnershipID, &n.versionID,
			&c.ID, &c.Key, &c.Action, &c.Within, scanTime(&c.Start), scanTime(&c.Due)); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// writeDissentNotice writes one notice and its outbox rows; false when
// another pass wrote it first. Who acts on the clock hears: the Business
// Manager(s) for the group's review; children's social care's senior
// managers, and the Business Manager(s), for the report back.
func (tx *Tx) writeDissentNotice(kind string, c dissentNoticeCandidate) (bool, error) {
	res, err := tx.ExecContext(tx.ctx, `
		INSERT INTO dissent_clock_notices (dissent_id, clock_id, kind, at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (dissent_id, clock_id, kind) DO NOTHING`,
		c.dissentID, c.clock.ID, kind, timeArg(tx.now))
	if err != nil {
		return false, fmt.Errorf("dissent clock notice: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, err
	}
	var to []escalate.Recipient
	bms, err := tx.roleHolders(c.partnershipID, escalate.RoleBusinessManager)
	if err != nil {
		return false, err
	}
	for _, id := range bms {
		to = append(to, escalate.Recipient{User: id})
	}
	if c.clock.Key == escalate.DissentClockInvestigate {
		ids, err := tx.agenciesOfKind(c.partnershipID, escalate.AgencyKindChildrensSocialCare)
		if err != nil {
			return false, err
		}
		for _, id := range ids {
			to = append(to, escalate.Recipient{Role: escalate.RoleSeniorManager, AgencyID: id})
		}
	}
	body := jsonText(map[string]any{"ref": c.ref, "object": "dissent", "clock_id": c.clock.ID, "clock": c.clock.Key,
		"action": c.clock.Action, "within": c.clock.Within, "due": c.clock.Due.UTC().Format(timeLayout)})
	subject := "dissent-clock-" + kind
	for _, r := range to {
		if err := tx.insertOutbox("dissent.clock."+kind, 0, r, subject, body); err != nil {
			return false, err
		}
	}
	return true, nil
}
