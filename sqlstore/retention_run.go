package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/escalate-project/escalate"
)

// The retention job (doc/privacy.md): find what each partnership keeps
// past its period, and erase it, unless a legal hold stands; log both. A
// dry run only lists. Each item is erased in its own transaction, with its
// audit event, so a failure part way leaves every item either erased and
// logged or untouched.

// RunRetention runs the retention job at db.Now: it erases what is past
// its partnership's period and not held, and returns what it erased and
// what it kept under a hold; with DryRun it only lists them. A signed-in
// data protection officer may only dry-run their own partnership; the
// daily job (actor "system") and the console run for real.
func (db *DB) RunRetention(ctx context.Context, opt escalate.RetentionOptions) (*escalate.RetentionRun, error) {
	now := db.Now().UTC().Truncate(time.Microsecond)
	run := &escalate.RetentionRun{At: now, DryRun: opt.DryRun}
	var due []escalate.RetentionItem
	err := db.readTx(ctx, func(stx *sql.Tx) error {
		tx := &Tx{Tx: stx, ctx: ctx, db: db, now: now}
		_, p, err := tx.dpoActor(opt.PartnershipID)
		if err != nil {
			return err
		}
		if escalate.UserFromContext(ctx) != nil && !opt.DryRun {
			return escalate.Errorf(escalate.EFORBIDDEN, "The daily retention job erases; from the page, only a dry run.")
		}
		due, err = tx.retentionDue(p)
		return err
	})
	if err != nil || opt.DryRun {
		run.Items = due
		return run, err
	}
	for _, it := range due {
		it := it
		var done bool
		err := db.WithTx(ctx, func(tx *Tx) error {
			var err error
			done, err = tx.retire(&it)
			return err
		})
		if err != nil {
			return run, fmt.Errorf("retention: %s: %w", it.Object, err)
		}
		if done {
			run.Items = append(run.Items, it)
		}
	}
	return run, nil
}

// retentionDue lists, at tx.now, what partnership p (0 for all) keeps past
// its periods, marking what a standing legal hold keeps.
func (tx *Tx) retentionDue(p int64) ([]escalate.RetentionItem, error) {
	ctx := tx.ctx
	var parts []int64
	rows, err := tx.QueryContext(ctx, `SELECT id FROM partnerships WHERE $1 = 0 OR id = $1 ORDER BY id`, p)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		parts = append(parts, id)
	}
	rows.Close()
	var out []escalate.RetentionItem
	for _, pid := range parts {
		days, err := retentionDays(ctx, tx, pid)
		if err != nil {
			return nil, err
		}
		holds, err := legalHolds(ctx, tx, pid, `h.lifted IS NULL`)
		if err != nil {
			return nil, err
		}
		var all int64
		byCase := map[string]int64{}
		for _, h := range holds {
			if h.Ref == "" {
				all = h.ID
			} else if _, ok := byCase[h.Ref]; !ok {
				byCase[h.Ref] = h.ID
			}
		}
		for _, class := range escalate.RetentionClasses {
			cutoff := tx.now.AddDate(0, 0, -days[class])
			items, err := tx.dueItems(pid, class, cutoff)
			if err != nil {
				return nil, fmt.Errorf("retention: %s: %w", class, err)
			}
			for _, it := range items {
				it.PartnershipID, it.Class = pid, class
				it.Due = it.Ended.AddDate(0, 0, days[class])
				it.HoldID = all
				if ref, ok := caseOf(it.Object); ok && it.HoldID == 0 {
					it.HoldID = byCase[ref]
				}
				it.Held = it.HoldID != 0
				out = append(out, it)
			}
		}
	}
	return out, nil
}

// caseOf is the escalation an object is, or belongs to.
func caseOf(object string) (string, bool) {
	var ref string
	_, err := fmt.Sscanf(object, "escalation:%s", &ref)
	return ref, err == nil
}

// dueItems lists partnership p's data of class that ended before cutoff
// and is not yet erased.
func (tx *Tx) dueItems(p int64, class escalate.RetentionClass, cutoff time.Time) ([]escalate.RetentionItem, error) {
	var query string
	switch class {
	case escalate.RetainClosedEscalations:
		// A case closes when its outcome is recorded, or confirmed.
		query = `SELECT 'escalation:' || ref, CASE WHEN outcome_confirmed_at IS NOT NULL AND outcome_confirmed_at > outcome_at
				THEN outcome_confirmed_at ELSE outcome_at END
			FROM escalations WHERE partnership_id = $1 AND status <> 'open' AND erased IS NULL AND outcome_at < $2`
	case escalate.RetainLearningItems:
		query = `SELECT 'learning:' || CAST(id AS TEXT), updated FROM learning_items
			WHERE partnership_id = $1 AND status = 'done' AND updated < $2`
	case escalate.RetainProformas:
		query = `SELECT 'proforma:' || CAST(id AS TEXT), created FROM proformas WHERE partnership_id = $1 AND created < $2`
	case escalate.RetainConferenceDissents:
		// A dissent closes at its last step; nothing changes it after.
		query = `SELECT 'dissent:' || ref, updated FROM dissents
			WHERE partnership_id = $1 AND step = 'closed' AND erased IS NULL AND updated < $2`
	case escalate.RetainGoodPractice:
		query = `SELECT 'good-practice:' || CAST(id AS TEXT), at FROM good_practice WHERE partnership_id = $1 AND at < $2`
	case escalate.RetainDisabledAccounts:
		query = `SELECT 'user:' || CAST(u.id AS TEXT), MAX(e.at) FROM users u
			JOIN audit_events e ON e.action IN ` + indexedActions + ` AND e.action = 'user.disable' AND e.object = 'user:' || CAST(u.id AS TEXT)
			WHERE u.partnership_id = $1 AND u.disabled
				AND NOT EXISTS (SELECT 1 FROM retention_log l WHERE l.object = 'user:' || CAST(u.id AS TEXT) AND NOT l.held)
			GROUP BY u.id HAVING MAX(e.at) < $2`
	case escalate.RetainContacts:
		return tx.dueContacts(p, cutoff)
	case escalate.RetainNotifications:
		var n int
		var oldest time.Time
		err := tx.QueryRowContext(tx.ctx, `SELECT COUNT(*), MIN(o.created) FROM outbox o
			WHERE o.status IN ('sent', 'dead') AND o.created < $2 AND `+outboxPartnership+` = $1`, p, timeArg(cutoff)).
			Scan(&n, scanTime(&oldest))
		if err != nil || n == 0 {
			return nil, err
		}
		return []escalate.RetentionItem{{Object: "outbox", Count: n, Ended: oldest}}, nil
	}
	rows, err := tx.QueryContext(tx.ctx, query, p, timeArg(cutoff))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []escalate.RetentionItem
	for rows.Next() {
		it := escalate.RetentionItem{Count: 1}
		if err := rows.Scan(&it.Object, scanTime(&it.Ended)); err != nil {
			return nil, err
		}
		if it.Ended.Before(cutoff) {
			out = append(out, it)
		}
	}
	return out, rows.Err()
}

// dueContacts lists contacts deleted before cutoff whose details the audit
// log still holds.
func (tx *Tx) dueContacts(p int64, cutoff time.Time) ([]escalate.RetentionItem, error) {
	rows, err := tx.QueryContext(tx.ctx, `SELECT e.object, e.at, c.content FROM audit_events e
		JOIN audit_content c ON c.seq = e.seq
		WHERE e.action IN `+indexedActions+` AND e.action = 'contact.delete' AND c.content IS NOT NULL AND e.at < $1
		ORDER BY e.seq`, timeArg(cutoff))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []escalate.RetentionItem
	for rows.Next() {
		it := escalate.RetentionItem{Count: 1}
		var content []byte
		if err := rows.Scan(&it.Object, scanTime(&it.Ended), &content); err != nil {
			return nil, err
		}
		var c struct {
			PartnershipID int64 `json:"partnership_id"`
		}
		if json.Unmarshal(content, &c) == nil && c.PartnershipID == p {
			out = append(out, it)
		}
	}
	return out, rows.Err()
}

// retire erases it, or logs it as held, in tx; it reports whether it did
// either (a held item already logged under the same hold is not logged
// again).
func (tx *Tx) retire(it *escalate.RetentionItem) (bool, error) {
	it.At = tx.now
	// Lock its partnership's row, as placing a hold does, and the case's,
	// as its changes do; then look again: another instance's job may have
	// erased it, or someone placed a hold, since the list was read.
	if err := tx.lockPartnership(it.PartnershipID); err != nil {
		return false, err
	}
	if ref, ok := caseOf(it.Object); ok {
		if err := tx.lockEscalation(ref); err != nil {
			return false, err
		}
	}
	if !it.Held {
		hold, err := tx.standingHold(it)
		if err != nil {
			return false, err
		}
		it.Held, it.HoldID = hold != 0, hold
	}
	if !it.Held && it.Class != escalate.RetainNotifications {
		var n int
		if err := tx.queryRow(`SELECT COUNT(*) FROM retention_log WHERE object = $1 AND NOT held`, it.Object).Scan(&n); err != nil || n > 0 {
			return false, err
		}
	}
	if it.Held {
		var n int
		if err := tx.queryRow(`SELECT COUNT(*) FROM retention_log WHERE object = $1 AND held AND hold_id = $2`,
			it.Object, it.HoldID).Scan(&n); err != nil || n > 0 {
			return false, err
		}
		return true, tx.logRetention(it)
	}
	var err error
	switch it.Class {
	case escalate.RetainClosedEscalations:
		err = tx.eraseEscalation(it.Object)
	case escalate.RetainLearningItems:
		err = tx.eraseRows(it.Object, `DELETE FROM learning_links WHERE item_id = $1`, `DELETE FROM learning_items WHERE id = $1`)
	case escalate.RetainProformas:
		err = tx.eraseRows(it.Object, `DELETE FROM proformas WHERE id = $1`)
	case escalate.RetainConferenceDissents:
		err = tx.eraseDissent(it.Object)
	case escalate.RetainGoodPractice:
		err = tx.eraseRows(it.Object, `DELETE FROM good_practice WHERE id = $1`)
	case escalate.RetainDisabledAccounts:
		err = tx.eraseAccount(it.Object)
	case escalate.RetainContacts:
		err = tx.eraseRows(it.Object)
	case escalate.RetainNotifications:
		var days map[escalate.RetentionClass]int
		if days, err = retentionDays(tx.ctx, tx, it.PartnershipID); err != nil {
			return false, err
		}
		var res sql.Result
		res, err = tx.ExecContext(tx.ctx, `DELETE FROM outbox WHERE id IN (SELECT o.id FROM outbox o
			WHERE o.status IN ('sent', 'dead') AND o.created < $2 AND `+outboxPartnership+` = $1)`,
			it.PartnershipID, timeArg(tx.now.AddDate(0, 0, -days[it.Class])))
		if err == nil {
			n, _ := res.RowsAffected()
			if it.Count = int(n); n == 0 {
				return false, nil
			}
		}
	}
	if err != nil {
		return false, err
	}
	if err := tx.AuditIn(it.PartnershipID, "system", escalate.ActionRetentionErase, it.Object, map[string]any{"class": it.Class, "count": it.Count}); err != nil {
		return false, err
	}
	return true, tx.logRetention(it)
}

// standingHold returns the standing legal hold that keeps it, 0 for none.
func (tx *Tx) standingHold(it *escalate.RetentionItem) (int64, error) {
	ref, _ := caseOf(it.Object)
	var id int64
	err := tx.queryRow(`SELECT COALESCE(MIN(h.id), 0) FROM legal_holds h LEFT JOIN escalations e ON e.id = h.escalation_id
		WHERE h.partnership_id = $1 AND h.lifted IS NULL AND (h.escalation_id IS NULL OR e.ref = $2)`,
		it.PartnershipID, ref).Scan(&id)
	return id, err
}

func (tx *Tx) logRetention(it *escalate.RetentionItem) error {
	_, err := tx.exec(`INSERT INTO retention_log (at, partnership_id, class, object, count, ended, held, hold_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, timeArg(it.At), it.PartnershipID, string(it.Class), it.Object,
		it.Count, timeArg(it.Ended), it.Held, nullInt(it.HoldID))
	return err
}

// eraseContent erases the stored content of every audit event about
// object: the chain keeps its commitments, and still verifies.
func (tx *Tx) eraseContent(object string) error {
	_, err := tx.exec(`UPDATE audit_content SET content = NULL, salt = NULL, erased = $1
		WHERE content IS NOT NULL AND seq IN (SELECT seq FROM audit_events WHERE object = $2)`, timeArg(tx.now), object)
	return err
}

// eraseRows runs each statement with the object's numeric ID, then erases
// the object's audit content.
func (tx *Tx) eraseRows(object string, stmts ...string) error {
	_, num, _ := strings.Cut(object, ":")
	id, err := strconv.ParseInt(num, 10, 64)
	if err != nil && len(stmts) > 0 {
		return fmt.Errorf("object %q: %w", object, err)
	}
	for _, s := range stmts {
		if _, err := tx.exec(s, id); err != nil {
			return err
		}
	}
	return tx.eraseContent(object)
}

// eraseEscalation erases a closed case's personal data: its child fields
// and free text (the de-identified row stays for the board's counts), its
// records, parties, meeting chairs and learning answers, and its events'
// content; then routes it again, so escalation_people says who is still
// tied to it.
func (tx *Tx) eraseEscalation(object string) error {
	ref, _ := caseOf(object)
	var id int64
	if err := tx.queryRow(`SELECT id FROM escalations WHERE ref = $1`, ref).Scan(&id); err != nil {
		return err
	}
	if _, err := tx.exec(`UPDATE escalations SET decision = '', child_ref = '', child_initials = '', issue = '', risk = '',
			disagreement = '', outcome_sought = '', receiving_contact = '', outcome_text = '', outcome_outstanding = '',
			outcome_reason = '', outcome_report = '', immediate_action = NULL, immediate_at = NULL, immediate_by = NULL, erased = $2
		WHERE id = $1`, id, timeArg(tx.now)); err != nil {
		return err
	}
	for _, s := range []string{
		`UPDATE clocks SET shortened_reason = '' WHERE escalation_id = $1`,
		`DELETE FROM records WHERE escalation_id = $1`,
		`DELETE FROM escalation_parties WHERE escalation_id = $1`,
		`DELETE FROM learning_responses WHERE escalation_id = $1`,
		`DELETE FROM escalation_meeting_chairs WHERE escalation_id = $1`,
		`DELETE FROM attachments WHERE escalation_id = $1`, // letters and emails kept for the child's file
	} {
		if _, err := tx.exec(s, id); err != nil {
			return err
		}
	}
	// Who may open it is routing's to say, from what is left: those named,
	// who wrote its records or chaired its meeting are no longer tied to it.
	row, err := tx.loadEscalation(ref)
	if err != nil {
		return err
	}
	pin, err := tx.pin(row.PartnershipID, row.PolicyVersionID, row.PolicySHA)
	if err != nil {
		return err
	}
	if _, err := tx.routeAndStore(pin.policy, row.Escalation); err != nil {
		return err
	}
	return tx.eraseContent(object)
}

// eraseDissent erases a closed conference dissent's personal data: the
// conference's reference, the dissenting professional's post, the nature
// and grounds of the dissent, the chair's decision and every step recorded
// on it, and its events' content. The de-identified row (agency, kind,
// outcome, dates) stays for the board's counts.
func (tx *Tx) eraseDissent(object string) error {
	ref, _ := strings.CutPrefix(object, "dissent:")
	var id int64
	if err := tx.queryRow(`SELECT id FROM dissents WHERE ref = $1`, ref).Scan(&id); err != nil {
		return err
	}
	// Marked erased first: only then may its entries be deleted
	// (migration 00043's trigger).
	for _, s := range []string{
		`UPDATE dissents SET conference_ref = '', professional = '', nature = '', grounds = '', chair_decision = '',
			erased = $2 WHERE id = $1`,
		`DELETE FROM dissent_entries WHERE dissent_id = $1`,
	} {
		args := []any{id}
		if strings.Contains(s, "$2") {
			args = append(args, timeArg(tx.now))
		}
		if _, err := tx.exec(s, args...); err != nil {
			return err
		}
	}
	return tx.eraseContent(object)
}

// eraseAccount anonymises a disabled account: its name and email, how it
// signed in, its tokens, feeds, drafts and sessions, the roles it was
// given and lost (role_changes; their user.roles events are its events),
// and its events' content. What the person did stays attributed to "user:N".
func (tx *Tx) eraseAccount(object string) error {
	var id int64
	if _, err := fmt.Sscanf(object, "user:%d", &id); err != nil {
		return err
	}
	if _, err := tx.exec(`UPDATE users SET name = $2, email = $3 WHERE id = $1`,
		id, fmt.Sprintf("Erased account %d", id), fmt.Sprintf("erased-%d@erased.invalid", id)); err != nil {
		return err
	}
	for _, table := range []string{"passwords", "sessions", "user_identities", "api_tokens", "calendar_feeds",
		"digest_subscribers", "digest_sent", "drafts", "notification_reads",
		"account_links", "totp_secrets", "recovery_codes", "passkeys", "role_changes"} {
		if _, err := tx.exec(`DELETE FROM `+table+` WHERE user_id = $1`, id); err != nil {
			return err
		}
	}
	return tx.eraseContent(object)
}

// RetentionLog returns what the retention job erased, and kept under a
// hold, for the partnership, newest first. partnershipID names the
// partnership at the console.
func (db *DB) RetentionLog(ctx context.Context, partnershipID int64, limit int) ([]escalate.RetentionItem, error) {
	if limit <= 0 {
		limit = 500
	}
	var out []escalate.RetentionItem
	err := db.readTx(ctx, func(stx *sql.Tx) error {
		tx := &Tx{Tx: stx, ctx: ctx, db: db}
		_, p, err := tx.dpoActor(partnershipID)
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT at, COALESCE(partnership_id, 0), class, object, count, ended, held, COALESCE(hold_id, 0)
			FROM retention_log WHERE $1 = 0 OR partnership_id = $1 ORDER BY id DESC LIMIT $2`, p, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var it escalate.RetentionItem
			var class string
			if err := rows.Scan(scanTime(&it.At), &it.PartnershipID, &class, &it.Object, &it.Count, scanTime(&it.Ended),
				&it.Held, &it.HoldID); err != nil {
				return err
			}
			it.Class = escalate.RetentionClass(class)
			out = append(out, it)
		}
		return rows.Err()
	})
	slices.SortStableFunc(out, func(a, b escalate.RetentionItem) int { return b.At.Compare(a.At) })
	return out, err
}
