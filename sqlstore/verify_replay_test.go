package sqlstore

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/escalate-project/escalate"
)

// replayFixture is a Wirral partnership with two cases: A, resolved at
// stage 2 with a party, an approved record, a proforma and learning; and B,
// open, whose newest change is a record. Plus a Surrey dissent.
type replayFixture struct {
	w, surrey *world
	a, b      *escalate.Escalation
	dissent   *escalate.Dissent
}

func newReplayFixture(t *testing.T, db *DB) *replayFixture {
	t.Helper()
	f := &replayFixture{w: newWorld(t, db, "wirral")}
	w := f.w
	a := w.mustRaise(t, escalate.RiskIncreased)
	a, err := w.svc.AddParty(w.as("prac"), a.Ref, w.users["rprac"].ID)
	if err != nil {
		t.Fatal(err)
	}
	if a, err = w.svc.AddRecord(w.as("rprac"), a.Ref, recordIn(a.Version, escalate.FormPhone)); err != nil {
		t.Fatal(err)
	}
	if a, err = w.svc.ApproveRecord(w.as("mgr"), a.Ref, escalate.ApproveInput{Version: a.Version, Record: 1}); err != nil {
		t.Fatal(err)
	}
	a = agree(t, w, escalateTo(t, w, a, 1), "rmgr")
	if _, err := w.db.RecordLearning(w.as("prac"), a.Ref, escalate.LearningInput{General: "yes",
		GeneralText: "Share the threshold guidance.", PolicyGap: "no", Training: "no", Debriefed: "yes"}); err != nil {
		t.Fatal(err)
	}
	b := w.mustRaise(t, escalate.RiskStandard)
	// Named, then removed: the grant's row stays, marked removed.
	if _, err = w.svc.AddParty(w.as("prac"), b.Ref, w.users["rmgr"].ID); err != nil {
		t.Fatal(err)
	}
	if _, err = w.svc.RemoveParty(w.as("prac"), b.Ref, w.users["rmgr"].ID); err != nil {
		t.Fatal(err)
	}
	if b, err = w.svc.AddRecord(w.as("prac"), b.Ref, recordIn(b.Version, escalate.FormEmail)); err != nil {
		t.Fatal(err)
	}
	f.a, f.b = a, b
	f.surrey = dissentWorld(t, db)
	if f.dissent, err = db.RecordDissent(f.surrey.as("cpchair"), f.surrey.dissentIn()); err != nil {
		t.Fatal(err)
	}
	return f
}

// TestVerifyRecordsTamper: each direct edit of the stored record that the
// chain alone cannot see is found by replaying the events, naming the
// case and the field, on both engines; the untouched fixture verifies.
func TestVerifyRecordsTamper(t *testing.T) {
	type tamper struct {
		name   string
		edit   func(t *testing.T, db *DB, f *replayFixture)
		object func(f *replayFixture) string
		field  string
	}
	esc := func(e func(f *replayFixture) *escalate.Escalation) func(f *replayFixture) string {
		return func(f *replayFixture) string { return "escalation:" + e(f).Ref }
	}
	caseA := esc(func(f *replayFixture) *escalate.Escalation { return f.a })
	caseB := esc(func(f *replayFixture) *escalate.Escalation { return f.b })
	tampers := []tamper{
		{"Issue", func(t *testing.T, db *DB, f *replayFixture) {
			mustExec(t, db, `UPDATE escalations SET issue = 'Nothing to see.' WHERE id = $1`, f.a.ID)
		}, caseA, "issue"},
		{"Outcome", func(t *testing.T, db *DB, f *replayFixture) {
			mustExec(t, db, `UPDATE escalations SET outcome_text = 'Agreed no action.' WHERE id = $1`, f.a.ID)
		}, caseA, "outcome"},
		{"RecordDiscussion", func(t *testing.T, db *DB, f *replayFixture) {
			dropRecordGuard(t, db)
			mustExec(t, db, `UPDATE records SET discussion = 'Rewritten.' WHERE escalation_id = $1 AND id = 1`, f.a.ID)
		}, caseA, "record 1: discussion"},
		{"Approval", func(t *testing.T, db *DB, f *replayFixture) {
			dropRecordGuard(t, db)
			mustExec(t, db, `UPDATE records SET approved_by = $1 WHERE escalation_id = $2 AND id = 1`, f.w.users["senior"].ID, f.a.ID)
		}, caseA, "record 1: approval"},
		{"PartyDeleted", func(t *testing.T, db *DB, f *replayFixture) {
			mustExec(t, db, `DELETE FROM escalation_parties WHERE escalation_id = $1 AND user_id = $2`, f.a.ID, f.w.users["rprac"].ID)
		}, caseA, "party user "},
		{"PartyAdded", func(t *testing.T, db *DB, f *replayFixture) {
			mustExec(t, db, `INSERT INTO escalation_parties (escalation_id, user_id, added_by, added) VALUES ($1, $2, $3, $4)`,
				f.b.ID, f.w.users["stranger"].ID, f.w.users["prac"].ID, timeArg(testNow))
		}, caseB, "party user "},
		{"PartyRemovalUndone", func(t *testing.T, db *DB, f *replayFixture) {
			mustExec(t, db, `UPDATE escalation_parties SET removed = NULL, removed_by = NULL WHERE escalation_id = $1`, f.b.ID)
		}, caseB, "party user "},
		{"PartyRemovedBy", func(t *testing.T, db *DB, f *replayFixture) {
			mustExec(t, db, `UPDATE escalation_parties SET removed_by = $1 WHERE escalation_id = $2`, f.w.users["bm"].ID, f.b.ID)
		}, caseB, "party user "},
		{"RecordResult", func(t *testing.T, db *DB, f *replayFixture) {
			dropRecordGuard(t, db)
			mustExec(t, db, `UPDATE records SET result = 'agreed' WHERE escalation_id = $1 AND id = 1`, f.a.ID)
		}, caseA, "record 1: result"},
		{"RecordFacilitator", func(t *testing.T, db *DB, f *replayFixture) {
			dropRecordGuard(t, db)
			mustExec(t, db, `UPDATE records SET facilitator = 'Someone else, independent' WHERE escalation_id = $1 AND id = 1`, f.a.ID)
		}, caseA, "record 1: facilitator"},
		{"RaisedBy", func(t *testing.T, db *DB, f *replayFixture) {
			mustExec(t, db, `UPDATE escalations SET raised_by = $1 WHERE id = $2`, f.w.users["stranger"].ID, f.b.ID)
		}, caseB, "raised_by"},
		{"Risk", func(t *testing.T, db *DB, f *replayFixture) {
			mustExec(t, db, `UPDATE escalations SET risk_level = 'standard' WHERE id = $1`, f.a.ID)
		}, caseA, "risk_level"},
		{"ClockDue", func(t *testing.T, db *DB, f *replayFixture) {
			mustExec(t, db, `UPDATE clocks SET due_at = $1 WHERE escalation_id = $2 AND id = 1`, timeArg(testNow.AddDate(0, 1, 0)), f.b.ID)
		}, caseB, "clock 1: due"},
		{"Stage", func(t *testing.T, db *DB, f *replayFixture) {
			mustExec(t, db, `UPDATE escalations SET stage = 0 WHERE id = $1`, f.a.ID)
		}, caseA, "stage"},
		{"NewestEventDeleted", func(t *testing.T, db *DB, f *replayFixture) {
			dropAuditGuards(t, db)
			// The newest event about B is its record's.
			var seq int64
			if err := db.db.QueryRow(`SELECT MAX(seq) FROM audit_events WHERE object = $1`, "escalation:"+f.b.Ref).Scan(&seq); err != nil {
				t.Fatal(err)
			}
			mustExec(t, db, `DELETE FROM audit_content WHERE seq >= $1`, seq)
			mustExec(t, db, `DELETE FROM audit_events WHERE seq >= $1`, seq)
			// The chain alone cannot see a truncated tail.
			if _, err := db.VerifyAudit(context.Background(), ""); err != nil {
				t.Fatalf("the chain check caught the truncation itself: %v", err)
			}
		}, caseB, "record 1"},
		{"ContentErasedOutsideRetention", func(t *testing.T, db *DB, f *replayFixture) {
			// The only change the guards allow on audit content, used to
			// hide what an event said without erasing the case.
			mustExec(t, db, `UPDATE audit_content SET content = NULL, salt = NULL
				WHERE seq = (SELECT MIN(seq) FROM audit_events WHERE object = $1)`, "escalation:"+f.a.Ref)
		}, caseA, "content"},
		{"CaseDeleted", func(t *testing.T, db *DB, f *replayFixture) {
			for _, q := range []string{`DELETE FROM clocks WHERE escalation_id = $1`, `DELETE FROM records WHERE escalation_id = $1`,
				`DELETE FROM escalation_parties WHERE escalation_id = $1`, `DELETE FROM outbox WHERE escalation_id = $1`,
				`DELETE FROM clock_notices WHERE escalation_id = $1`, `DELETE FROM escalation_people WHERE escalation_id = $1`,
				`DELETE FROM escalation_meeting_chairs WHERE escalation_id = $1`, `DELETE FROM escalations WHERE id = $1`} {
				mustExec(t, db, q, f.b.ID)
			}
		}, caseB, "escalation"},
		{"DissentGrounds", func(t *testing.T, db *DB, f *replayFixture) {
			mustExec(t, db, `UPDATE dissents SET grounds = 'None.' WHERE id = $1`, f.dissent.ID)
		}, func(f *replayFixture) string { return "dissent:" + f.dissent.Ref }, "recorded"},
		{"LearningItem", func(t *testing.T, db *DB, f *replayFixture) {
			mustExec(t, db, `UPDATE learning_items SET description = 'Nothing learned.'`)
		}, func(f *replayFixture) string { return "learning:" }, "item"},
		{"ProformaReviewed", func(t *testing.T, db *DB, f *replayFixture) {
			mustExec(t, db, `UPDATE proformas SET status = 'reviewed'`)
		}, func(f *replayFixture) string { return "proforma:" }, "review"},
		{"ProformaBody", func(t *testing.T, db *DB, f *replayFixture) {
			mustExec(t, db, `UPDATE proformas SET body = '{}'`)
		}, func(f *replayFixture) string { return "proforma:" }, "body"},
	}
	for _, engine := range engines {
		t.Run(string(engine), func(t *testing.T) {
			t.Run("Intact", func(t *testing.T) {
				db := MustOpenDB(t, engine)
				newReplayFixture(t, db)
				rep, err := db.VerifyRecords(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				if rep.Escalations != 2 || rep.Dissents != 1 || rep.LearningItems != 1 || rep.Proformas != 1 {
					t.Errorf("replayed %+v, want 2 escalations, 1 dissent, 1 learning item, 1 proforma", rep)
				}
			})
			for _, tc := range tampers {
				t.Run(tc.name, func(t *testing.T) {
					db := MustOpenDB(t, engine)
					f := newReplayFixture(t, db)
					if _, err := db.VerifyRecords(context.Background()); err != nil {
						t.Fatalf("before the edit: %v", err)
					}
					tc.edit(t, db, f)
					_, err := db.VerifyRecords(context.Background())
					var rf *ReplayFailure
					if !errors.As(err, &rf) {
						t.Fatalf("after the edit, verify = %v; want a replay failure", err)
					}
					if want := tc.object(f); !strings.HasPrefix(rf.Object, want) || !strings.HasPrefix(rf.Field, tc.field) {
						t.Errorf("verify named %q field %q (%v); want %q field %q", rf.Object, rf.Field, err, want, tc.field)
					}
				})
			}
		})
	}
}

// dropRecordGuard removes the trigger that keeps records unedited, as
// someone with full access to the database could.
func dropRecordGuard(tb testing.TB, db *DB) {
	tb.Helper()
	dropGuard(tb, db, "records_approve_only", "records")
}

// dropGuard removes a guard trigger: on SQLite the trigger named, on
// PostgreSQL every user trigger of table.
func dropGuard(tb testing.TB, db *DB, trigger, table string) {
	tb.Helper()
	q := `DROP TRIGGER ` + trigger
	if db.dialect == Postgres {
		q = `ALTER TABLE ` + table + ` DISABLE TRIGGER USER`
	}
	mustExec(tb, db, q)
}
