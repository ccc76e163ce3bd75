package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/escalate-project/escalate"
)

// Reminders and overdue prompts (doc/notifications.md). The scheduler in
// package notify calls EnqueueOverdue and EnqueueReminders once per pass.
// Each writes, per clock, a clock_notices row and the notice's outbox rows
// in one transaction; the notice's primary key (escalation_id, clock_id,
// kind) makes a second notice for the same clock impossible, whichever
// instance tries. Both read running clocks through the partial index
// clocks_running_due, so a pass costs what is due, not what is stored.

// The kinds of clock notice.
const (
	NoticeReminder = "reminder"
	NoticeOverdue  = "overdue"
)

// noticeCandidate is a running clock with what its notice needs.
type noticeCandidate struct {
	escalationID, partnershipID, versionID int64
	ref                                    string
	raisedBy, raiserManager                int64
	raisingAgency, receivingAgency         int64
	clock                                  escalate.ClockState
}

const candidateSelect = `SELECT c.escalation_id, e.ref, e.partnership_id, e.policy_version_id, e.raised_by,
		COALESCE(u.manager_id, 0), e.raising_agency_id, e.receiving_agency_id,
		c.id, c.stage, c.key, c.action, c.by_side, c.within, c.start_at, c.due_at, c.immediate, c.status
	FROM clocks c
	JOIN escalations e ON e.id = c.escalation_id
	JOIN users u ON u.id = e.raised_by
	WHERE c.status = 'running' `

const (
	// queryReminderWindow is every running clock due in [$1, $2) without a
	// reminder yet: a range of clocks_running_due, probed against the
	// notices' primary key. The window is what may need a reminder now.
	queryReminderWindow = candidateSelect + `AND c.due_at >= $1 AND c.due_at < $2
		AND NOT EXISTS (SELECT 1 FROM clock_notices n
			WHERE n.escalation_id = c.escalation_id AND n.clock_id = c.id AND n.kind = 'reminder')
		ORDER BY c.due_at, c.escalation_id, c.id`
	// queryOverdueUnnoticed is up to $2 running clocks due before $1 without
	// an overdue notice, the most overdue first.
	queryOverdueUnnoticed = candidateSelect + `AND c.due_at < $1
		AND NOT EXISTS (SELECT 1 FROM clock_notices n
			WHERE n.escalation_id = c.escalation_id AND n.clock_id = c.id AND n.kind = 'overdue')
		ORDER BY c.due_at, c.escalation_id, c.id LIMIT $2`
	// skipLocked makes concurrent PostgreSQL schedulers take different
	// overdue clocks instead of queueing behind each other's; the notice key
	// still decides who writes. SQLite has one writer and no row locks.
	skipLocked = ` FOR UPDATE OF c SKIP LOCKED`
)

func (tx *Tx) noticeCandidates(query string, args ...any) ([]noticeCandidate, error) {
	rows, err := tx.QueryContext(tx.ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []noticeCandidate
	for rows.Next() {
		var n noticeCandidate
		c := &n.clock
		if err := rows.Scan(&n.escalationID, &n.ref, &n.partnershipID, &n.versionID, &n.raisedBy,
			&n.raiserManager, &n.raisingAgency, &n.receivingAgency,
			&c.ID, &c.Stage, &c.Key, &c.Action, &c.By, &c.Within, scanTime(&c.Start), scanTime(&c.Due),
			&c.Immediate, &c.Status); err != nil {
			return nil, err
		}
		if c.Immediate {
			c.Due = time.Time{}
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// pinCache keeps the policy versions one pass has loaded.
type pinCache map[int64]*pinned

func (tx *Tx) pinFor(cache pinCache, partnershipID, versionID int64) (*pinned, error) {
	if p, ok := cache[versionID]; ok {
		return p, nil
	}
	p, err := tx.pinnedPolicy(partnershipID, versionID)
	if err != nil {
		return nil, err
	}
	cache[versionID] = p
	return p, nil
}

// EnqueueReminders writes the reminders due at now, at most limit, and
// returns them. A clock already overdue gets no reminder, only its overdue
// prompt.
func (db *DB) EnqueueReminders(ctx context.Context, now time.Time, limit int) ([]escalate.ClockNotice, error) {
	if limit <= 0 {
		limit = 100
	}
	now = now.UTC()
	var out []escalate.ClockNotice
	err := db.WithTx(ctx, func(tx *Tx) error {
		out = nil
		// Every calendar is needed for the window's end, so every version is
		// loaded: a handful per partnership, parsed once per process.
		cache := pinCache{}
		rows, err := tx.QueryContext(ctx, `SELECT id, partnership_id FROM policy_versions`)
		if err != nil {
			return err
		}
		vs, err := scanIDPairs(rows) // version, its partnership
		if err != nil {
			return err
		}
		horizon := now
		for _, v := range vs {
			p, err := tx.pinFor(cache, v[1], v[0])
			if err != nil {
				return err
			}
			if h := reminderHorizon(p.cal, now); h.After(horizon) {
				horizon = h
			}
		}
		cands, err := tx.noticeCandidates(queryReminderWindow, timeArg(now), timeArg(horizon))
		if err != nil {
			return fmt.Errorf("reminder candidates: %w", err)
		}
		for _, c := range cands {
			if len(out) == limit {
				break
			}
			p, err := tx.pinFor(cache, c.partnershipID, c.versionID)
			if err != nil {
				return err
			}
			at, ok := RemindAt(p.cal, c.clock)
			if !ok || at.After(now) {
				continue
			}
			n, err := tx.writeNotice(NoticeReminder, p.policy, c)
			if err != nil {
				return err
			}
			if n != nil {
				out = append(out, *n)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("enqueue reminders: %w", err)
	}
	return out, nil
}

// EnqueueOverdue writes the overdue prompts for up to limit running clocks
// due before now, the most overdue first, and returns them. A clock gets one
// prompt however long it stays overdue, so catching up after downtime sends
// one each, limit per pass.
func (db *DB) EnqueueOverdue(ctx context.Context, now time.Time, limit int) ([]escalate.ClockNotice, error) {
	if limit <= 0 {
		limit = 100
	}
	q := queryOverdueUnnoticed
	if db.dialect == Postgres {
		q += skipLocked
	}
	var out []escalate.ClockNotice
	err := db.WithTx(ctx, func(tx *Tx) error {
		out = nil
		// A stage with on_lapse: escalate is escalated in this transaction
		// (lapse.go); its audit events take their chains' locks at commit,
		// after every row lock, as every change's do: one lock order.
		cands, err := tx.noticeCandidates(q, timeArg(now), limit)
		if err != nil {
			return fmt.Errorf("overdue candidates: %w", err)
		}
		cache := pinCache{}
		for _, c := range cands {
			p, err := tx.pinFor(cache, c.partnershipID, c.versionID)
			if err != nil {
				return err
			}
			n, err := tx.writeNotice(NoticeOverdue, p.policy, c)
			if err != nil {
				return err
			}
			if n == nil {
				continue
			}
			// Clocks that start on this one's lapse start first, from its
			// deadline; an escalation on lapse then stops the stage's.
			if escalate.StartsOnLapse(p.policy, c.clock.Stage, c.clock.Key) {
				if _, err := tx.startOnLapse(p, c); err != nil {
					return fmt.Errorf("start clocks on the lapse of %s clock %d: %w", c.ref, c.clock.ID, err)
				}
			}
			if n.OnLapse == "escalate" {
				if n.Escalated, err = tx.escalateLapsed(p, c); err != nil {
					return fmt.Errorf("escalate %s on lapse: %w", c.ref, err)
				}
			}
			out = append(out, *n)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("enqueue overdue: %w", err)
	}
	return out, nil
}

// writeNotice records notice kind for clock c and writes its outbox rows,
// or does nothing (nil) when another pass or instance already has: the
// insert that loses on the primary key writes no outbox row.
func (tx *Tx) writeNotice(kind string, p *escalate.Policy, c noticeCandidate) (*escalate.ClockNotice, error) {
	res, err := tx.ExecContext(tx.ctx, `
		INSERT INTO clock_notices (escalation_id, clock_id, kind, at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (escalation_id, clock_id, kind) DO NOTHING`,
		c.escalationID, c.clock.ID, kind, timeArg(tx.now))
	if err != nil {
		return nil, fmt.Errorf("clock notice: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return nil, err
	} else if n == 0 {
		return nil, nil
	}
	st := stageByKey(p, c.clock.Stage)
	row, err := tx.loadEscalation(c.ref)
	if err != nil {
		return nil, err
	}
	ps, err := tx.parties(p, row.Escalation)
	if err != nil {
		return nil, err
	}
	body := map[string]any{"ref": c.ref, "clock_id": c.clock.ID, "clock": c.clock.Key, "action": c.clock.Action,
		"stage": c.clock.Stage, "within": c.clock.Within}
	if !c.clock.Immediate {
		body["due"] = c.clock.Due.UTC().Format(timeLayout)
	}
	notice := &escalate.ClockNotice{Kind: kind, EscalationID: c.escalationID, Ref: c.ref, ClockID: c.clock.ID, Due: c.clock.Due}
	subject, what := "clock-reminder", escalate.NoticeReminder
	if kind == NoticeOverdue {
		subject, what = "clock-overdue", escalate.NoticeOverdue
		notice.OnLapse = "prompt"
		if st != nil && st.OnLapse != "" {
			notice.OnLapse = st.OnLapse
		}
		body["expects"] = "escalation"
		body["on_lapse"] = notice.OnLapse
		body["link"] = "/escalations/" + c.ref + "/escalate"
	}
	// Who is on the clock (its side at its stage) and, when it is overdue,
	// their line managers, and whoever the stage copies in: routing's rule.
	to := ps.Told(p, row.Escalation, what, 0, int64(c.clock.ID))
	text := jsonText(body)
	if len(to) == 0 {
		if err := tx.insertNobody("clock."+kind, c.escalationID, subject, text, escalate.NobodyToTell(ps, row.Escalation)); err != nil {
			return nil, err
		}
	}
	for _, id := range to {
		if err := tx.insertOutbox("clock."+kind, c.escalationID, escalate.Recipient{User: id}, subject, text); err != nil {
			return nil, err
		}
	}
	notice.Recipients = len(to)
	return notice, nil
}

func stageByKey(p *escalate.Policy, key string) *escalate.Stage {
	for i := range p.Stages {
		if p.Stages[i].Key == key {
			return &p.Stages[i]
		}
	}
	return nil
}
