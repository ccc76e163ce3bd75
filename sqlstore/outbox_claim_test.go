package sqlstore

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
)

// outboxFixture is a partnership with a school (two managers, one of them
// disabled) and a business manager at the police, and one row for each kind
// of recipient.
type outboxFixture struct {
	p                                       *escalate.Partnership
	school                                  *escalate.Agency
	mgr, gone, bm, prac                     *escalate.User
	toUser, toRole, toPartnership, toNobody int64
}

func newOutboxFixture(t *testing.T, db *DB) *outboxFixture {
	t.Helper()
	ctx := context.Background()
	f := &outboxFixture{p: mustPartnership(t, db, "outbox")}
	f.school = mustAgency(t, db, f.p.ID, "School", "school")
	police := mustAgency(t, db, f.p.ID, "Police", "police")
	f.mgr = mustUser(t, db, f.school, "mgr@example.org", 0, escalate.RoleManager)
	f.gone = mustUser(t, db, f.school, "gone@example.org", 0, escalate.RoleManager)
	mustExec(t, db, `UPDATE users SET disabled = TRUE WHERE id = $1`, f.gone.ID)
	f.prac = mustUser(t, db, f.school, "prac@example.org", f.mgr.ID, escalate.RolePractitioner)
	f.bm = mustUser(t, db, police, "bm@example.org", 0, escalate.RoleSafeguardingLead, escalate.RoleBusinessManager)
	enqueue := func(r escalate.Recipient) int64 {
		id, err := db.EnqueueOutbox(ctx, escalate.ActionRaise, 0, r, "escalation-raised", map[string]any{"ref": "X-1"})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	f.toUser = enqueue(escalate.Recipient{User: f.prac.ID})
	f.toRole = enqueue(escalate.Recipient{Role: escalate.RoleManager, AgencyID: f.school.ID})
	// The role with no agency (partnership-wide) needs an escalation to
	// name its partnership; notify's tests cover it through the service.
	f.toPartnership = enqueue(escalate.Recipient{Role: escalate.RoleBusinessManager, AgencyID: police.ID})
	f.toNobody = enqueue(escalate.Recipient{Role: escalate.RoleChair, AgencyID: f.school.ID})
	return f
}

func emails(as []escalate.Addressee) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Email)
	}
	return out
}

func TestClaimOutbox(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		f := newOutboxFixture(t, db)
		now := testNow.Add(time.Hour)

		t.Run("OK", func(t *testing.T) {
			got, err := db.ClaimOutbox(ctx, "w1", now, now.Add(escalate.OutboxLease), 3)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 3 || got[0].ID != f.toUser || got[1].ID != f.toRole || got[2].ID != f.toPartnership {
				t.Fatalf("claimed %+v, want the three oldest rows in order", got)
			}
			want := [][]string{{"prac@example.org"}, {"mgr@example.org"}, {"bm@example.org"}}
			for i, d := range got {
				if !slices.Equal(emails(d.To), want[i]) {
					t.Errorf("row %d: to %v, want %v (disabled users skipped)", d.ID, emails(d.To), want[i])
				}
				if d.Attempts != 1 || d.PartnershipID != f.p.ID {
					t.Errorf("row %d: attempts %d partnership %d, want 1 and %d", d.ID, d.Attempts, d.PartnershipID, f.p.ID)
				}
			}
			rest, err := db.ClaimOutbox(ctx, "w2", now, now.Add(escalate.OutboxLease), 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(rest) != 1 || rest[0].ID != f.toNobody || len(rest[0].To) != 0 {
				t.Fatalf("second claim = %+v, want only the row nobody holds the role for", rest)
			}
			none, err := db.ClaimOutbox(ctx, "w3", now, now.Add(escalate.OutboxLease), 10)
			if err != nil || len(none) != 0 {
				t.Fatalf("third claim = %v, %v: want nothing while the leases hold", none, err)
			}
		})

		t.Run("LeaseLapses", func(t *testing.T) {
			if err := db.MarkSent(ctx, f.toUser, "escalate-outbox-1@example.org"); err != nil {
				t.Fatal(err)
			}
			later := now.Add(escalate.OutboxLease + time.Second)
			got, err := db.ClaimOutbox(ctx, "w4", later, later.Add(escalate.OutboxLease), 10)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, d := range got {
				ids = append(ids, d.ID)
				if d.Attempts != 2 {
					t.Errorf("row %d: attempts %d after a lapsed claim, want 2", d.ID, d.Attempts)
				}
			}
			if want := []int64{f.toRole, f.toPartnership, f.toNobody}; !slices.Equal(ids, want) {
				t.Fatalf("after the lease lapsed claimed %v, want %v (not the sent row)", ids, want)
			}
		})

		t.Run("ErrSentTwice", func(t *testing.T) {
			wantCode(t, db.MarkSent(ctx, f.toUser, "again@example.org"), escalate.ECONFLICT)
			wantCode(t, db.MarkFailed(ctx, f.toUser, "x", now), escalate.ECONFLICT)
			wantCode(t, db.RetryOutbox(ctx, f.toUser), escalate.ECONFLICT)
		})

		t.Run("ErrLimit", func(t *testing.T) {
			_, err := db.ClaimOutbox(ctx, "w", now, now.Add(escalate.OutboxLease), 0)
			wantCode(t, err, escalate.EINVALID)
		})
	})
}

func TestMarkFailedDeadRetry(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		f := newOutboxFixture(t, db)
		at := testNow.Add(time.Hour)
		// Fail toRole until it dies; leave the others claimed.
		for i := 1; i <= escalate.MaxOutboxAttempts; i++ {
			got, err := db.ClaimOutbox(ctx, "w", at, at.Add(escalate.OutboxLease), 10)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, d := range got {
				if d.ID == f.toRole {
					found = true
					if d.Attempts != i {
						t.Fatalf("attempt %d: row says %d", i, d.Attempts)
					}
				}
			}
			if !found {
				t.Fatalf("attempt %d: row %d not claimed", i, f.toRole)
			}
			at = at.Add(time.Minute)
			if err := db.MarkFailed(ctx, f.toRole, "smtp: connection refused", at); err != nil {
				t.Fatal(err)
			}
			at = at.Add(escalate.OutboxLease) // every other claim lapses too
		}
		counts, err := db.OutboxStatusCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if counts["dead"] != 1 {
			t.Fatalf("status counts %v, want one dead row after %d failures", counts, escalate.MaxOutboxAttempts)
		}
		if err := db.MarkDead(ctx, f.toNobody, "nobody holds the role"); err != nil {
			t.Fatal(err)
		}
		dead, err := db.DeadOutbox(ctx, f.p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(dead) != 2 || dead[0].ID != f.toNobody || dead[1].ID != f.toRole ||
			dead[1].LastError != "smtp: connection refused" || dead[1].DeadAt.IsZero() {
			t.Fatalf("DeadOutbox = %+v, want the two dead rows, latest first, with their errors", dead)
		}
		other := mustPartnership(t, db, "other")
		if d, err := db.DeadOutbox(ctx, other.ID); err != nil || len(d) != 0 {
			t.Fatalf("another partnership's dead rows = %v, %v; want none", d, err)
		}

		if err := db.RetryOutbox(ctx, f.toRole); err != nil {
			t.Fatal(err)
		}
		got, err := db.ClaimOutbox(ctx, "w", at, at.Add(escalate.OutboxLease), 10)
		if err != nil {
			t.Fatal(err)
		}
		var retried *escalate.OutboxDelivery
		for i := range got {
			if got[i].ID == f.toRole {
				retried = &got[i]
			}
		}
		if retried == nil || retried.Attempts != 1 {
			t.Fatalf("after RetryOutbox claimed %+v, want the row again with attempts reset", got)
		}
	})
}

func TestEnqueueOutbox(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		_, err := db.EnqueueOutbox(context.Background(), "raise", 0, escalate.Recipient{}, "escalation-raised", nil)
		wantCode(t, err, escalate.EINVALID)
		if n := countRows(t, db, "outbox"); n != 0 {
			t.Fatalf("a refused enqueue wrote %d rows", n)
		}
	})
}
