package sqlstore

import (
	"context"
	"database/sql"
	"slices"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
)

// retentionFixture is a Wirral partnership with a DPO and, from testNow: A,
// a case resolved at stage 2 (so with a proforma, records, a party and
// learning marked done); B, a closed case under a legal hold; C, an open
// case; a deleted contact; a disabled account; and sent notifications.
type retentionFixture struct {
	w       *world
	a, b, c *escalate.Escalation
	hold    *escalate.LegalHold
	contact int64
	gone    *escalate.User
}

func newRetentionFixture(t *testing.T, db *DB) *retentionFixture {
	t.Helper()
	ctx := context.Background()
	w := newWorld(t, db, "wirral")
	withDPO(t, w)
	f := &retentionFixture{w: w}
	a := w.mustRaise(t, escalate.RiskStandard)
	a, err := w.svc.AddRecord(w.as("prac"), a.Ref, recordIn(a.Version, escalate.FormPhone))
	if err != nil {
		t.Fatal(err)
	}
	// Social care's practitioner, named to deal with it: tied to A only by that.
	if a, err = w.svc.AddParty(w.as("prac"), a.Ref, w.users["rprac"].ID); err != nil {
		t.Fatal(err)
	}
	f.a = agree(t, w, escalateTo(t, w, a, 1), "rmgr")
	items, err := db.RecordLearning(w.as("prac"), f.a.Ref, escalate.LearningInput{General: "yes",
		GeneralText: "Share the threshold guidance.", PolicyGap: "no", Training: "no", Debriefed: "yes"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateLearningItem(w.as("bm"), items[0].ID, escalate.LearningUpdate{Version: 1,
		Assignee: items[0].Assignee, Status: escalate.LearningDone, ActionTaken: "Shared at the board."}); err != nil {
		t.Fatal(err)
	}
	b := w.mustRaise(t, escalate.RiskStandard)
	if f.b, err = w.svc.Withdraw(w.as("prac"), b.Ref, escalate.WithdrawInput{Version: b.Version, Reason: "Sorted."}); err != nil {
		t.Fatal(err)
	}
	f.c = w.mustRaise(t, escalate.RiskStandard)
	if f.hold, err = db.PlaceHold(w.as("dpo"), 0, f.b.Ref, "Preserved for the inquiry's order of 1 December 2026."); err != nil {
		t.Fatal(err)
	}
	ct := &escalate.Contact{PartnershipID: w.p.ID, AgencyID: w.agencies["care"].ID, Role: escalate.RoleLADO,
		Name: "Casey Contact", Phone: "01632 960123", Email: "casey@example.org", LastVerified: "2026-12-01"}
	if err := db.CreateContact(WithActor(ctx, "cli:test"), ct); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteContact(WithActor(ctx, "cli:test"), w.p.ID, ct.ID); err != nil {
		t.Fatal(err)
	}
	f.contact = ct.ID
	f.gone = w.users["stranger"]
	if err := db.DisableUser(WithActor(ctx, "cli:test"), f.gone.ID); err != nil {
		t.Fatal(err)
	}
	mustExec(t, db, `UPDATE outbox SET status = 'sent'`)
	return f
}

// runAt runs the retention job at now, as the daily job does.
func runAt(t *testing.T, db *DB, now time.Time, dry bool) *escalate.RetentionRun {
	t.Helper()
	saved := db.Now
	db.Now = func() time.Time { return now }
	defer func() { db.Now = saved }()
	run, err := db.RunRetention(WithActor(context.Background(), "system"), escalate.RetentionOptions{DryRun: dry})
	if err != nil {
		t.Fatal(err)
	}
	return run
}

func objects(items []escalate.RetentionItem, held bool) []string {
	var out []string
	for _, it := range items {
		if it.Held == held {
			out = append(out, it.Object)
		}
	}
	slices.Sort(out)
	return out
}

// TestRetention: with a fixed now past every period, a dry run lists what
// is due and erases nothing; the run erases what is due and keeps what a
// legal hold covers; the chain and the replay still verify; the log lists
// both; a lifted hold lets the next run erase; a hold on the whole
// partnership stops everything.
func TestRetention(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		f := newRetentionFixture(t, db)
		w := f.w
		ctx := context.Background()
		later := testNow.AddDate(7, 0, 0)
		soon := testNow.AddDate(0, 0, 30)

		if run := runAt(t, db, soon, true); len(run.Items) != 0 {
			t.Errorf("a month on, due: %+v", run.Items)
		}
		tiedBefore := peopleOf(t, db, f.a.ID)
		before := rowCounts(t, db)
		dry := runAt(t, db, later, true)
		wantDue := []string{"escalation:" + f.a.Ref, "learning:1", "outbox", "proforma:1",
			"user:" + itoa(f.gone.ID), "contact:" + itoa(f.contact)}
		slices.Sort(wantDue)
		if got := objects(dry.Items, false); !slices.Equal(got, wantDue) {
			t.Errorf("dry run due %v, want %v", got, wantDue)
		}
		if got := objects(dry.Items, true); !slices.Equal(got, []string{"escalation:" + f.b.Ref}) {
			t.Errorf("dry run held %v, want B", got)
		}
		wantUnchanged(t, db, before)

		// The data protection officer may dry-run their own partnership,
		// not erase from the page; nobody else may do either.
		saved := db.Now
		db.Now = func() time.Time { return later }
		if run, err := db.RunRetention(w.as("dpo"), escalate.RetentionOptions{DryRun: true}); err != nil || len(run.Items) != len(dry.Items) {
			t.Errorf("the DPO's dry run: %v, %d items", err, len(run.Items))
		}
		if _, err := db.RunRetention(w.as("dpo"), escalate.RetentionOptions{}); escalate.ErrorCode(err) != escalate.EFORBIDDEN {
			t.Errorf("the DPO erases from the page: %v", err)
		}
		for _, who := range []string{"bm", "prac", "outsider"} {
			if _, err := db.RunRetention(w.as(who), escalate.RetentionOptions{DryRun: true}); escalate.ErrorCode(err) != escalate.ENOTFOUND {
				t.Errorf("%s runs retention: %v", who, err)
			}
		}
		db.Now = saved

		run := runAt(t, db, later, false)
		if got := objects(run.Items, false); !slices.Equal(got, wantDue) {
			t.Errorf("erased %v, want %v", got, wantDue)
		}
		// A: nothing personal left, its row kept for the counts.
		var childRef, issue string
		var erased time.Time
		if err := db.db.QueryRow(`SELECT child_ref, issue, erased FROM escalations WHERE id = $1`, f.a.ID).
			Scan(&childRef, &issue, scanTime(&erased)); err != nil {
			t.Fatal(err)
		}
		if childRef != "" || issue != "" || !erased.Equal(later) {
			t.Errorf("A after erasure: child_ref %q, issue %q, erased %v", childRef, issue, erased)
		}
		for _, q := range []string{`SELECT COUNT(*) FROM records WHERE escalation_id = $1`,
			`SELECT COUNT(*) FROM escalation_parties WHERE escalation_id = $1`,
			`SELECT COUNT(*) FROM audit_content c JOIN audit_events e ON e.seq = c.seq
				WHERE e.object = 'escalation:' || (SELECT ref FROM escalations WHERE id = $1) AND c.content IS NOT NULL AND e.action <> 'retention.erase'`} {
			var n int
			if err := db.db.QueryRow(q, f.a.ID).Scan(&n); err != nil || n != 0 {
				t.Errorf("%s: %d left (%v)", q, n, err)
			}
		}
		// Who may open A is routing's to say from what is left: the person
		// named to deal with it no longer can, and escalation_people says so.
		wantRoutedAsStored(t, db, f.a.Ref)
		tiedAfter := peopleOf(t, db, f.a.ID)
		if !slices.Contains(tiedBefore, w.users["rprac"].ID) || slices.Contains(tiedAfter, w.users["rprac"].ID) {
			t.Errorf("tied to A: %v before erasure, %v after; want user %d (named) only before", tiedBefore, tiedAfter, w.users["rprac"].ID)
		}
		if _, err := w.svc.Get(w.as("rprac"), f.a.Ref); escalate.ErrorCode(err) != escalate.ENOTFOUND {
			t.Errorf("the named practitioner opens A after erasure: %v", err)
		}
		if _, err := w.svc.Get(w.as("prac"), f.a.Ref); err != nil {
			t.Errorf("the raiser opens A after erasure: %v", err)
		}
		// B, held, and C, open, are untouched.
		for _, e := range []*escalate.Escalation{f.b, f.c} {
			var ref string
			if err := db.db.QueryRow(`SELECT child_ref FROM escalations WHERE id = $1 AND erased IS NULL`, e.ID).Scan(&ref); err != nil || ref != "SCH-0042" {
				t.Errorf("%s was erased: %q %v", e.Ref, ref, err)
			}
		}
		// The disabled account is anonymised; it can no longer sign in.
		u, err := findUser(ctx, db.db, `id = $1`, f.gone.ID)
		if err != nil || u.Email != "erased-"+itoa(f.gone.ID)+"@erased.invalid" || countRows(t, db, "passwords WHERE user_id = "+itoa(f.gone.ID)) != 0 {
			t.Errorf("the disabled account: %+v %v", u, err)
		}
		if n := countRows(t, db, "outbox"); n != 0 {
			t.Errorf("%d notifications left", n)
		}
		// The chain verifies, and the replay with it: A is checked as erased.
		mustVerifyAudit(t, db)
		rep, err := db.VerifyRecords(ctx)
		if err != nil || rep.Erased != 1 {
			t.Errorf("replay after erasure: %+v %v", rep, err)
		}

		// The report lists what went and what a hold kept, and when.
		log, err := db.RetentionLog(w.as("dpo"), 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got := objects(log, false); !slices.Equal(got, wantDue) {
			t.Errorf("log erased %v, want %v", got, wantDue)
		}
		if got := objects(log, true); !slices.Equal(got, []string{"escalation:" + f.b.Ref}) || log[0].At.IsZero() {
			t.Errorf("log held %v", got)
		}
		// Another run the same day erases nothing and logs the hold once.
		if again := runAt(t, db, later.Add(time.Hour), false); len(again.Items) != 0 {
			t.Errorf("a second run: %+v", again.Items)
		}
		// Lifted, the hold stops nothing.
		if err := db.LiftHold(w.as("dpo"), 0, f.hold.ID, "The inquiry closed on 1 June 2033."); err != nil {
			t.Fatal(err)
		}
		if got := objects(runAt(t, db, later.Add(2*time.Hour), false).Items, false); !slices.Equal(got, []string{"escalation:" + f.b.Ref}) {
			t.Errorf("after the lift, erased %v, want B", got)
		}
		mustVerifyAudit(t, db)
	})
}

// TestRetentionPartnershipHold: a hold on the whole partnership keeps
// everything due; settings and holds are the data protection officer's.
func TestRetentionPartnershipHold(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		f := newRetentionFixture(t, db)
		w := f.w
		if _, err := db.PlaceHold(w.as("dpo"), 0, "", "Public inquiry: preservation order of 2 December 2026."); err != nil {
			t.Fatal(err)
		}
		before := rowCounts(t, db)
		run := runAt(t, db, testNow.AddDate(7, 0, 0), false)
		if len(objects(run.Items, false)) != 0 || len(objects(run.Items, true)) == 0 {
			t.Errorf("under a partnership hold: erased %v, held %v", objects(run.Items, false), objects(run.Items, true))
		}
		after := rowCounts(t, db)
		if after["records"] != before["records"] || after["outbox"] != before["outbox"] {
			t.Errorf("a partnership hold let rows go: %v → %v", before, after)
		}
		mustVerifyAudit(t, db)

		t.Run("Settings", func(t *testing.T) {
			if err := db.SetRetentionPeriod(w.as("dpo"), 0, escalate.RetainNotifications, 30); err != nil {
				t.Fatal(err)
			}
			days, own, err := db.RetentionPeriods(w.as("dpo"), 0)
			if err != nil || days[escalate.RetainNotifications] != 30 || !own[escalate.RetainNotifications] ||
				days[escalate.RetainClosedEscalations] != escalate.DefaultRetentionDays[escalate.RetainClosedEscalations] {
				t.Errorf("periods %v own %v %v", days, own, err)
			}
			for _, c := range []struct {
				who   string
				days  int
				class escalate.RetentionClass
				code  string
			}{
				{"dpo", 0, escalate.RetainNotifications, escalate.EINVALID},
				{"dpo", 30, "forever", escalate.EINVALID},
				{"bm", 30, escalate.RetainNotifications, escalate.ENOTFOUND},
				{"outsider", 30, escalate.RetainNotifications, escalate.ENOTFOUND},
			} {
				if err := db.SetRetentionPeriod(w.as(c.who), 0, c.class, c.days); escalate.ErrorCode(err) != c.code {
					t.Errorf("%+v: %v", c, err)
				}
			}
			if _, err := db.PlaceHold(w.as("dpo"), 0, f.a.Ref, " "); escalate.ErrorField(err) != "reason" {
				t.Errorf("a hold without a reason: %v", err)
			}
			if _, err := db.PlaceHold(w.as("outsider"), 0, f.a.Ref, "x"); escalate.ErrorCode(err) != escalate.ENOTFOUND {
				t.Errorf("another partnership's hold: %v", err)
			}
		})
	})
}

// TestRetentionTwice: items listed before a hold was placed are kept by
// it; and two jobs working from the same list (two app instances) erase
// each item once.
func TestRetentionTwice(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		f := newRetentionFixture(t, db)
		ctx := context.Background()
		later := testNow.AddDate(7, 0, 0)
		saved := db.Now
		db.Now = func() time.Time { return later }
		defer func() { db.Now = saved }()
		var due []escalate.RetentionItem
		err := db.readTx(ctx, func(stx *sql.Tx) error {
			var err error
			due, err = (&Tx{Tx: stx, ctx: ctx, db: db, now: later}).retentionDue(0)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		retireAll := func() (erased, held []string) {
			for _, it := range due {
				err := db.WithTx(ctx, func(tx *Tx) error {
					done, err := tx.retire(&it)
					switch {
					case done && it.Held:
						held = append(held, it.Object)
					case done:
						erased = append(erased, it.Object)
					}
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			return erased, held
		}
		// A hold placed after the list was read.
		if _, err := db.PlaceHold(f.w.as("dpo"), 0, f.a.Ref, "Placed after the list was read."); err != nil {
			t.Fatal(err)
		}
		erased, held := retireAll()
		if slices.Contains(erased, "escalation:"+f.a.Ref) || !slices.Contains(held, "escalation:"+f.a.Ref) {
			t.Errorf("A under a late hold: erased %v, held %v", erased, held)
		}
		// The same list again, as a second instance would: nothing twice.
		if again, _ := retireAll(); len(again) != 0 {
			t.Errorf("a second job erased %v again", again)
		}
		var n int
		if err := db.db.QueryRow(`SELECT COUNT(*) FROM audit_events WHERE action = $1`, escalate.ActionRetentionErase).Scan(&n); err != nil || n != len(erased) {
			t.Errorf("%d erasure events, want %d (%v)", n, len(erased), err)
		}
		mustVerifyAudit(t, db)
	})
}

// peopleOf returns who escalation_people ties to escalation id, in order.
func peopleOf(t *testing.T, db *DB, id int64) []int64 {
	t.Helper()
	rows, err := db.db.Query(`SELECT user_id FROM escalation_people WHERE escalation_id = $1 ORDER BY user_id`, id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var u int64
		if err := rows.Scan(&u); err != nil {
			t.Fatal(err)
		}
		out = append(out, u)
	}
	return out
}

// wantRoutedAsStored checks that escalation_people for ref is what routing
// says from the case as stored now.
func wantRoutedAsStored(t *testing.T, db *DB, ref string) {
	t.Helper()
	var want []int64
	var id int64
	err := db.WithTx(context.Background(), func(tx *Tx) error {
		row, err := tx.loadEscalation(ref)
		if err != nil {
			return err
		}
		pin, err := tx.pin(row.PartnershipID, row.PolicyVersionID, row.PolicySHA)
		if err != nil {
			return err
		}
		ps, err := tx.parties(pin.policy, row.Escalation)
		for u := range peopleRows(ps) {
			want = append(want, u)
		}
		id = row.ID
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(want)
	if got := peopleOf(t, db, id); !slices.Equal(got, want) {
		t.Errorf("%s: escalation_people ties %v, routing says %v", ref, got, want)
	}
}
