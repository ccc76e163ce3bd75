package sqlstore

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
)

// TestRouteChangedMatchesFresh checks that routing after a change from what
// the check before it read (routeChanged) gives the parties a fresh read
// gives, change after change: a record's author and the outcome's recorder
// join the involvement, and a new stage reads its meeting chair again.
func TestRouteChangedMatchesFresh(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db, "redbridge")
		e := w.mustRaise(t, escalate.RiskStandard)
		errDone := errors.New("compared")
		compare := func(who, action string, rule func(e *escalate.Escalation, now time.Time, pin *pinned, actor *escalate.User) ([]escalate.Event, error)) {
			t.Helper()
			err := db.WithTx(w.as(who), func(tx *Tx) error {
				row, pin, in, err := tx.loadChecked(e.Ref, w.users[who], action)
				if err != nil {
					return err
				}
				old, from := row.Clone(), row.Version
				if _, err := rule(row.Escalation, tx.now, pin, w.users[who]); err != nil {
					return err
				}
				if err := tx.updateEscalation(old, row.Escalation, from); err != nil {
					return err
				}
				got, err := tx.routeChanged(pin.policy, row.Escalation, in)
				if err != nil {
					return err
				}
				want, err := tx.parties(pin.policy, row.Escalation)
				if err != nil {
					return err
				}
				if !slices.Equal(got.People(), want.People()) {
					t.Errorf("%s by %s: people %v, a fresh read gives %v", action, who, got.People(), want.People())
				}
				for _, id := range want.People() {
					if got.Ties(id) != want.Ties(id) {
						t.Errorf("%s by %s: user %d has ties %b, a fresh read gives %b", action, who, id, got.Ties(id), want.Ties(id))
					}
					if got.ActsNow(id) != want.ActsNow(id) {
						t.Errorf("%s by %s: user %d acts now %v, a fresh read says %v", action, who, id, got.ActsNow(id), want.ActsNow(id))
					}
				}
				if len(want.With(escalate.TieInvolved)) == 0 && action == escalate.ActionRecordAdd {
					t.Errorf("%s by %s: nobody is involved after a record", action, who)
				}
				return errDone // roll back; the service makes the change below
			})
			if !errors.Is(err, errDone) {
				t.Fatalf("%s by %s: %v", action, who, err)
			}
		}
		record := func(who string) {
			t.Helper()
			in := escalate.RecordInput{Version: e.Version, At: db.Now().Add(-time.Hour), Form: escalate.FormPhone,
				Participants: []string{"A", "B"}, Discussion: "Discussed the referral.", Outcome: "To review."}
			compare(who, escalate.ActionRecordAdd, func(e *escalate.Escalation, now time.Time, pin *pinned, actor *escalate.User) ([]escalate.Event, error) {
				return e.AddRecord(now, pin.policy, pin.cal, actor, in)
			})
			got, err := w.svc.AddRecord(w.as(who), e.Ref, in)
			if err != nil {
				t.Fatal(err)
			}
			e = got
		}
		record("rmgr")
		record("prac")
		in := escalate.EscalateInput{Version: e.Version, Reason: "No agreement."}
		compare("prac", escalate.ActionEscalate, func(e *escalate.Escalation, now time.Time, pin *pinned, actor *escalate.User) ([]escalate.Event, error) {
			return e.Escalate(now, pin.policy, pin.cal, actor, in)
		})
		got, err := w.svc.Escalate(w.as("prac"), e.Ref, in)
		if err != nil {
			t.Fatal(err)
		}
		e = got
		record("mgr")
		// The stored people match a fresh routing too.
		err = db.WithTx(w.as("prac"), func(tx *Tx) error {
			row, pin, err := tx.loadForActor(e.Ref, w.users["prac"], escalate.ActionView)
			if err != nil {
				return err
			}
			ps, err := tx.parties(pin.policy, row.Escalation)
			if err != nil {
				return err
			}
			var n int
			if err := tx.QueryRowContext(tx.ctx, `SELECT COUNT(*) FROM escalation_people WHERE escalation_id = $1`, row.ID).Scan(&n); err != nil {
				return err
			}
			if n != len(ps.People()) {
				t.Errorf("escalation_people has %d rows, routing names %d people", n, len(ps.People()))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// What the narrower UPDATEs wrote replays to the same rows
		// (verify compares next_due with the soonest running clock).
		ctx := context.Background()
		if _, err := db.VerifyRecords(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := db.VerifyAudit(ctx, ""); err != nil {
			t.Fatal(err)
		}
	})
}

// TestRaiseToNewAgency checks that a raise sees an agency added after the
// partnership's directory was read and cached: the raise checks the
// receiving agency against the directory.
func TestRaiseToNewAgency(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db, "redbridge")
		w.mustRaise(t, escalate.RiskStandard) // reads and caches the directory
		health := &escalate.Agency{PartnershipID: w.p.ID, Name: "Health visiting", Kind: "health-provider"}
		if err := db.CreateAgency(context.Background(), health); err != nil {
			t.Fatal(err)
		}
		in := w.raiseInput(escalate.RiskStandard)
		in.ReceivingAgencyID = health.ID
		e, err := w.svc.Raise(w.as("prac"), in)
		if err != nil {
			t.Fatalf("raise to a new agency: %v", err)
		}
		if e.ReceivingAgencyID != health.ID {
			t.Errorf("receiving agency %d, want %d", e.ReceivingAgencyID, health.ID)
		}
	})
}
