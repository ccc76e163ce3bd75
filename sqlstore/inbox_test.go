package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/escalate-project/escalate"
)

// inboxIDs returns the ids of u's notifications, newest first.
func inboxIDs(t *testing.T, db *DB, u *escalate.User) []int64 {
	t.Helper()
	ns, err := db.Notifications(context.Background(), u, 500)
	if err != nil {
		t.Fatal(err)
	}
	var out []int64
	for _, n := range ns {
		out = append(out, n.ID)
	}
	return out
}

func unread(t *testing.T, db *DB, u *escalate.User) int {
	t.Helper()
	n, err := db.UnreadNotifications(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestNotifications(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := newWorld(t, db, "wirral")
		e := w.mustRaise(t, escalate.RiskStandard)
		// Social care's contact names who deals with it: the named person
		// and the raiser are told.
		if _, err := w.svc.AddParty(w.as("rmgr"), e.Ref, w.users["rprac"].ID); err != nil {
			t.Fatal(err)
		}
		// A row for each way of naming a recipient: partnership-wide, role
		// at an agency, a user.
		enqueue := func(r escalate.Recipient) int64 {
			id, err := db.EnqueueOutbox(ctx, "clock.reminder", e.ID, r, "clock-reminder",
				map[string]any{"ref": e.Ref, "action": "Reply in writing", "due": "2026-12-30T17:00:00.000000Z"})
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		enqueue(escalate.Recipient{Role: escalate.RoleBusinessManager})
		enqueue(escalate.Recipient{Role: escalate.RoleManager, AgencyID: w.agencies["care"].ID})
		enqueue(escalate.Recipient{User: w.users["dsl"].ID})

		t.Run("ResolvedAsTheSender", func(t *testing.T) {
			// The inbox runs the sender's resolution (addressees) backwards:
			// for every row and person, the sender mails them iff their
			// inbox shows it.
			var rows []escalate.OutboxDelivery
			err := db.WithTx(ctx, func(tx *Tx) error {
				rs, err := tx.QueryContext(ctx, `SELECT `+outboxColumns+` FROM outbox o ORDER BY o.id`)
				if err != nil {
					return err
				}
				defer rs.Close()
				for rs.Next() {
					d, err := scanOutbox(rs)
					if err != nil {
						return err
					}
					rows = append(rows, d)
				}
				if err := rs.Err(); err != nil {
					return err
				}
				for i := range rows {
					if rows[i].To, err = tx.addressees(rows[i].PartnershipID, rows[i].Recipient); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) < 5 {
				t.Fatalf("only %d outbox rows: the fixture is too thin", len(rows))
			}
			seen := 0
			for name, u := range w.users {
				inbox := inboxIDs(t, db, u)
				if !slices.IsSortedFunc(inbox, func(a, b int64) int { return int(b - a) }) {
					t.Errorf("%s: inbox %v is not newest first", name, inbox)
				}
				for _, d := range rows {
					mailed := slices.ContainsFunc(d.To, func(a escalate.Addressee) bool { return a.Email == u.Email })
					if shown := slices.Contains(inbox, d.ID); shown != mailed {
						t.Errorf("%s, row %d (%+v): in the inbox %v, mailed %v", name, d.ID, d.Recipient, shown, mailed)
					}
					if mailed {
						seen++
					}
				}
				if got := unread(t, db, u); got != len(inbox) {
					t.Errorf("%s: unread %d, want %d (nothing read yet)", name, got, len(inbox))
				}
			}
			if seen < 4 {
				t.Errorf("only %d (row, person) pairs resolved: the check proves little", seen)
			}
			if got := inboxIDs(t, db, w.users["outsider"]); len(got) != 0 {
				t.Errorf("the other partnership's user sees %v", got)
			}
		})

		t.Run("Content", func(t *testing.T) {
			ns, err := db.Notifications(ctx, w.users["dsl"], 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(ns) != 1 {
				t.Fatalf("dsl has %d notifications, want 1", len(ns))
			}
			n := ns[0]
			if n.Ref != e.Ref || n.What != "Reply in writing" || n.Due.Format("2006-01-02T15:04") != "2026-12-30T17:00" ||
				n.Kind != "clock.reminder" || n.Read || n.Created.IsZero() {
				t.Errorf("got %+v", n)
			}
		})

		t.Run("MarkRead", func(t *testing.T) {
			bm := w.users["bm"]
			ids := inboxIDs(t, db, bm)
			if len(ids) == 0 || unread(t, db, bm) == 0 {
				t.Fatal("the Business Manager has nothing unread to mark")
			}
			if err := db.MarkNotificationsRead(ctx, bm.ID, ids[0]); err != nil {
				t.Fatal(err)
			}
			if got := unread(t, db, bm); got != 0 {
				t.Errorf("after marking read: %d unread", got)
			}
			ns, _ := db.Notifications(ctx, bm, 10)
			for _, n := range ns {
				if !n.Read {
					t.Errorf("notification %d still unread", n.ID)
				}
			}
			// A later row is unread; marking an older id moves nothing back.
			later := enqueue(escalate.Recipient{Role: escalate.RoleBusinessManager})
			if err := db.MarkNotificationsRead(ctx, bm.ID, 1); err != nil {
				t.Fatal(err)
			}
			if got := unread(t, db, bm); got != 1 {
				t.Errorf("after a new row: %d unread, want 1", got)
			}
			// Another user's marker is their own.
			if got := unread(t, db, w.users["rmgr"]); got != len(inboxIDs(t, db, w.users["rmgr"])) || got == 0 {
				t.Errorf("the receiving manager's unread count %d moved with the Business Manager's", got)
			}
			// 0 is everything there is now; a forged id past the newest
			// row cannot mark future rows read.
			if err := db.MarkNotificationsRead(ctx, bm.ID, later+1000); err != nil {
				t.Fatal(err)
			}
			enqueue(escalate.Recipient{Role: escalate.RoleBusinessManager})
			if got := unread(t, db, bm); got != 1 {
				t.Errorf("a row after a forged marker: %d unread, want 1", got)
			}
			wantCode(t, db.MarkNotificationsRead(ctx, bm.ID, -1), escalate.EINVALID)
		})

		t.Run("RetryUndelivered", func(t *testing.T) {
			id := enqueue(escalate.Recipient{User: w.users["prac"].ID})
			if err := db.MarkDead(ctx, id, "550 mailbox unavailable"); err != nil {
				t.Fatal(err)
			}
			us, err := db.Undelivered(ctx, w.p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(us) != 1 || us[0].ID != id || us[0].Ref != e.Ref || us[0].LastError != "550 mailbox unavailable" || us[0].DeadAt.IsZero() {
				t.Fatalf("undelivered %+v", us)
			}
			other := w.users["outsider"].PartnershipID
			if got, _ := db.Undelivered(ctx, other); len(got) != 0 {
				t.Errorf("the other partnership lists %+v", got)
			}
			before := countRows(t, db, "audit_events")
			wantCode(t, db.RetryUndelivered(ctx, other, id), escalate.ENOTFOUND)
			wantCode(t, db.RetryUndelivered(ctx, w.p.ID, id+1000), escalate.ENOTFOUND)
			if got := countRows(t, db, "audit_events"); got != before {
				t.Errorf("refused retries wrote %d audit events", got-before)
			}
			if err := db.RetryUndelivered(WithActor(ctx, "user:1"), w.p.ID, id); err != nil {
				t.Fatal(err)
			}
			var status string
			if err := db.db.QueryRow(`SELECT status FROM outbox WHERE id = $1`, id).Scan(&status); err != nil || status != "pending" {
				t.Errorf("status %q (%v), want pending", status, err)
			}
			evs, err := db.AuditEvents(ctx, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			last := evs[len(evs)-1]
			if len(evs) != before+1 || last.Action != "outbox.retry" || last.Actor != "user:1" {
				t.Errorf("last audit event %+v (of %d, was %d)", last.Entry, len(evs), before)
			}
			wantCode(t, db.RetryUndelivered(ctx, w.p.ID, id), escalate.ECONFLICT)
		})
	})
}

// TestUnreadNotificationsPlan checks that the header's count reads each
// branch through its index (migration 00010), never scanning the outbox.
func TestUnreadNotificationsPlan(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		u := &escalate.User{ID: 1, AgencyID: 2, PartnershipID: 3,
			Roles: []escalate.Role{escalate.RoleManager, escalate.RoleBusinessManager}}
		ctx := context.Background()
		q, args := unreadQuery(u)
		conn, err := db.db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		explain := "EXPLAIN QUERY PLAN "
		if db.Dialect() == Postgres {
			// An empty table would be scanned whatever the indexes.
			if _, err := conn.ExecContext(ctx, `SET enable_seqscan = off`); err != nil {
				t.Fatal(err)
			}
			explain = "EXPLAIN "
		}
		rows, err := conn.QueryContext(ctx, explain+q, args...)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		var plan []string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, fmt.Sprint(vals[len(vals)-1]))
		}
		text := strings.Join(plan, "\n")
		for _, ix := range []string{"outbox_user", "outbox_agency_role", "outbox_partnership_role"} {
			if !strings.Contains(text, ix) {
				t.Errorf("the plan does not use %s:\n%s", ix, text)
			}
		}
		t.Logf("plan:\n%s", text)
	})
}
