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

// In-app notifications (doc/notifications.md "In-app notifications"). Every
// outbox row is also a notification in the app for the users it stands for,
// resolved as the sender resolves it (addressees): the user it names, or
// the holders of its role at its agency, or anywhere in the escalation's
// partnership when it names no agency. Here the resolution runs backwards,
// from the signed-in user to the rows, as three indexed branches (migration
// 00010). A user's read state is one marker, notification_reads.read_upto:
// rows with an id up to it are read.

// MaxUnreadCount is where UnreadNotifications stops counting, so the count
// in every page's header costs at most this many index entries.
const MaxUnreadCount = 100

// inboxBranches returns the query of the rows addressed to u with an id
// above the SQL expression bound, and its arguments: $1 user, $2 agency,
// $3 partnership, then u's roles. cols are selected from outbox o; each
// branch is ordered by id descending and limited by limit (0: none).
func inboxBranches(u *escalate.User, cols, bound string, limit int) (string, []any) {
	args := []any{u.ID, u.AgencyID, u.PartnershipID}
	var in []string
	for _, r := range u.Roles {
		args = append(args, string(r))
		in = append(in, "$"+strconv.Itoa(len(args)))
	}
	tail := ""
	if limit > 0 {
		tail = " ORDER BY o.id DESC LIMIT " + strconv.Itoa(limit)
	}
	branches := []string{`SELECT ` + cols + ` FROM outbox o WHERE o.recipient_user = $1 AND o.id > ` + bound + tail}
	if len(in) > 0 {
		roles := strings.Join(in, ", ")
		branches = append(branches,
			`SELECT `+cols+` FROM outbox o WHERE o.recipient_user IS NULL AND o.recipient_agency_id = $2
				AND o.recipient_role IN (`+roles+`) AND o.id > `+bound+tail,
			`SELECT `+cols+` FROM outbox o JOIN escalations e ON e.id = o.escalation_id
				WHERE o.recipient_user IS NULL AND o.recipient_agency_id IS NULL
				AND o.recipient_role IN (`+roles+`) AND e.partnership_id = $3 AND o.id > `+bound+tail)
	} else {
		// Keep $2 and $3 in the text: PostgreSQL wants every parameter used.
		branches[0] = `SELECT ` + cols + ` FROM outbox o WHERE o.recipient_user = $1 AND $2 = $2 AND $3 = $3 AND o.id > ` + bound + tail
	}
	for i, b := range branches {
		branches[i] = `SELECT * FROM (` + b + `) b` + strconv.Itoa(i)
	}
	return strings.Join(branches, " UNION ALL "), args
}

// readMarker is the subquery of u's read marker, 0 when they never read.
const readMarker = `(SELECT COALESCE(MAX(read_upto), 0) FROM notification_reads WHERE user_id = $1)`

// Notifications returns up to limit notifications addressed to u, newest
// first, each marked read or unread.
func (db *DB) Notifications(ctx context.Context, u *escalate.User, limit int) ([]escalate.Notification, error) {
	if limit <= 0 {
		return nil, escalate.Errorf(escalate.EINVALID, "notification limit must be positive, not %d", limit)
	}
	q, args := inboxBranches(u, `o.id, o.kind, o.subject_key, o.payload, o.created`, "0", limit)
	rows, err := db.db.QueryContext(ctx, `SELECT n.id, n.kind, n.subject_key, n.payload, n.created,
			CASE WHEN n.id <= `+readMarker+` THEN 1 ELSE 0 END
		FROM (`+q+`) n ORDER BY n.id DESC LIMIT `+strconv.Itoa(limit), args...)
	if err != nil {
		return nil, WrapError(fmt.Errorf("notifications: %w", err))
	}
	defer rows.Close()
	var out []escalate.Notification
	for rows.Next() {
		var n escalate.Notification
		var body string
		var read int
		if err := rows.Scan(&n.ID, &n.Kind, &n.SubjectKey, &body, scanTime(&n.Created), &read); err != nil {
			return nil, err
		}
		n.Read = read == 1
		if err := fillNotification(&n, body); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return db.notificationsNow(ctx, dedupNotices(out))
}

// dedupNotices keeps the newest of notifications that say the same thing
// (the same kind about the same case and clock), so a prompt that reached
// someone twice is listed once. ns is newest first.
func dedupNotices(ns []escalate.Notification) []escalate.Notification {
	type key struct {
		kind, ref string
		clock     int
	}
	seen := map[key]bool{}
	out := ns[:0]
	for _, n := range ns {
		k := key{n.Kind, n.Ref, n.Clock}
		if n.Ref != "" && strings.HasPrefix(n.Kind, "clock.") {
			if seen[k] {
				continue
			}
			seen[k] = true
		}
		out = append(out, n)
	}
	return out
}

// notificationsNow says, for each notification, how its case stands now
// when that overtakes it: a prompt's clock since met or stopped, or the case
// since closed. One query for the cases listed, one for their clocks.
func (db *DB) notificationsNow(ctx context.Context, ns []escalate.Notification) ([]escalate.Notification, error) {
	var refs []any
	var in []string
	for _, n := range ns {
		if n.Ref != "" && !slices.Contains(refs, any(n.Ref)) {
			refs = append(refs, n.Ref)
			in = append(in, "$"+strconv.Itoa(len(refs)))
		}
	}
	if len(refs) == 0 {
		return ns, nil
	}
	rows, err := db.db.QueryContext(ctx, `SELECT e.ref, e.status, COALESCE(c.id, 0), COALESCE(c.status, '')
		FROM escalations e LEFT JOIN clocks c ON c.escalation_id = e.id
		WHERE e.ref IN (`+strings.Join(in, ", ")+`)`, refs...)
	if err != nil {
		return nil, WrapError(fmt.Errorf("notifications now: %w", err))
	}
	defer rows.Close()
	status := map[string]string{}
	clocks := map[string]string{}
	for rows.Next() {
		var ref, st, cst string
		var id int
		if err := rows.Scan(&ref, &st, &id, &cst); err != nil {
			return nil, err
		}
		status[ref] = st
		clocks[ref+"/"+strconv.Itoa(id)] = cst
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range ns {
		n := &ns[i]
		switch {
		case n.Ref == "":
		case escalate.Status(status[n.Ref]).Closed():
			n.Now = status[n.Ref]
		case n.Clock != 0 && clocks[n.Ref+"/"+strconv.Itoa(n.Clock)] != escalate.ClockRunning:
			n.Now = escalate.NoticeClockDone
		}
	}
	return ns, nil
}

// fillNotification reads the reference, stage, deadline and (for a clock
// notice) what is due from an outbox payload.
func fillNotification(n *escalate.Notification, body string) error {
	var p map[string]any
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		return fmt.Errorf("notification %d: payload: %w", n.ID, err)
	}
	n.Ref, _ = p["ref"].(string)
	n.Stage, _ = p["stage"].(string)
	if strings.HasPrefix(n.Kind, "clock.") {
		n.What, _ = p["action"].(string)
		if f, ok := p["clock_id"].(float64); ok {
			n.Clock = int(f)
		}
	}
	due, _ := p["next_due"].(string)
	if d, _ := p["due"].(string); d != "" {
		due = d
	}
	if due != "" {
		t, err := time.Parse(time.RFC3339Nano, due)
		if err != nil {
			return fmt.Errorf("notification %d: due: %w", n.ID, err)
		}
		n.Due = t
	}
	return nil
}

// UnreadNotifications counts u's unread notifications, up to
// MaxUnreadCount: one query over the three indexes, from u's marker up.
func (db *DB) UnreadNotifications(ctx context.Context, u *escalate.User) (int, error) {
	q, args := unreadQuery(u)
	var count int
	err := db.db.QueryRowContext(ctx, q, args...).Scan(&count)
	if err != nil {
		return 0, WrapError(fmt.Errorf("unread notifications: %w", err))
	}
	return count, nil
}

func unreadQuery(u *escalate.User) (string, []any) {
	q, args := inboxBranches(u, `o.id`, readMarker, MaxUnreadCount)
	return `SELECT COUNT(*) FROM (SELECT 1 AS one FROM (` + q + `) u LIMIT ` + strconv.Itoa(MaxUnreadCount) + `) c`, args
}

// MarkNotificationsRead marks every notification of userID with an id up
// to upto as read (upto 0: all there are now). The marker never moves back,
// and never past the newest outbox row, so rows written later stay unread.
func (db *DB) MarkNotificationsRead(ctx context.Context, userID, upto int64) error {
	if upto < 0 {
		return escalate.Errorf(escalate.EINVALID, "the notifications to mark read are not like 123")
	}
	return db.WithTx(ctx, func(tx *Tx) error {
		var newest int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM outbox`).Scan(&newest); err != nil {
			return err
		}
		if upto == 0 || upto > newest {
			upto = newest
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO notification_reads (user_id, read_upto) VALUES ($1, $2)
			ON CONFLICT (user_id) DO UPDATE SET read_upto = CASE WHEN excluded.read_upto > notification_reads.read_upto
				THEN excluded.read_upto ELSE notification_reads.read_upto END`, userID, upto)
		if err != nil {
			return fmt.Errorf("mark notifications read: %w", err)
		}
		return nil
	})
}

// Undelivered lists the partnership's dead outbox rows, most recently dead
// first, for the page of undelivered notifications.
func (db *DB) Undelivered(ctx context.Context, partnershipID int64) ([]escalate.UndeliveredNotification, error) {
	ds, err := db.DeadOutbox(ctx, partnershipID)
	if err != nil {
		return nil, err
	}
	out := make([]escalate.UndeliveredNotification, len(ds))
	for i, d := range ds {
		ref, _ := d.Payload["ref"].(string)
		out[i] = escalate.UndeliveredNotification{ID: d.ID, Kind: d.Kind, SubjectKey: d.SubjectKey, Ref: ref,
			Attempts: d.Attempts, LastError: d.LastError, DeadAt: d.DeadAt}
	}
	return out, nil
}

// RetryUndelivered puts the partnership's dead row id back in the queue, as
// RetryOutbox does, and audits it as the context's actor. A row of another
// partnership, or none, is ENOTFOUND; one that is not dead ECONFLICT.
func (db *DB) RetryUndelivered(ctx context.Context, partnershipID, id int64) error {
	return db.WithTx(ctx, func(tx *Tx) error {
		var status string
		var pid int64
		err := tx.QueryRowContext(ctx, `SELECT o.status, `+outboxPartnership+` FROM outbox o WHERE o.id = $1`, id).
			Scan(&status, &pid)
		if err == sql.ErrNoRows || err == nil && pid != partnershipID {
			return escalate.Errorf(escalate.ENOTFOUND, "There is no such undelivered notification.")
		} else if err != nil {
			return fmt.Errorf("retry undelivered: %w", err)
		}
		if status != "dead" {
			return escalate.Errorf(escalate.ECONFLICT, "This notification is no longer undelivered: it has been retried already.")
		}
		if err := tx.retryOutbox(id); err != nil {
			return err
		}
		return tx.Audit(Actor(ctx), "outbox.retry", fmt.Sprintf("outbox:%d", id), nil)
	})
}
