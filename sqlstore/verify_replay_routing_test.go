package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/escalate-project/escalate"
)

// routingFixture is a Hounslow case taken to its final meeting, whose
// chair the Chair appointed and who reported to the Sub Committee, and
// social care's escalation contacts: one from the world, one the Business
// Manager added, one added and removed again.
type routingFixture struct {
	w *world
	e *escalate.Escalation
}

func newRoutingFixture(t *testing.T, db *DB) *routingFixture {
	t.Helper()
	w := newWorld(t, db, "hounslow")
	care := w.agencies["care"].ID
	if err := db.AddEscalationContact(w.as("bm"), care, w.users["rdsl"].ID); err != nil {
		t.Fatal(err)
	}
	if err := db.AddEscalationContact(w.as("bm"), care, w.users["rprac"].ID); err != nil {
		t.Fatal(err)
	}
	if err := db.RemoveEscalationContact(w.as("bm"), care, w.users["rprac"].ID); err != nil {
		t.Fatal(err)
	}
	e := w.mustRaise(t, escalate.RiskStandard)
	e, err := w.svc.AddRecord(w.as("mgr"), e.Ref, recordIn(e.Version, escalate.FormMeeting))
	if err != nil {
		t.Fatal(err)
	}
	e = climb(t, w, e)
	if _, err := w.svc.AppointMeetingChair(w.as("chair"), e.Ref, w.users["board"].ID); err != nil {
		t.Fatal(err)
	}
	if e, err = w.svc.AddRecord(w.as("board"), e.Ref, recordIn(e.Version, escalate.FormMeeting)); err != nil {
		t.Fatal(err)
	}
	if e, err = w.svc.AgreeOutcome(w.as("board"), e.Ref, escalate.AgreeInput{Version: e.Version,
		Outcome: "Both agencies to hold a joint strategy discussion.", OutstandingIssues: "None.",
		Report: "Issues arising reported to the SCR Sub Committee."}); err != nil {
		t.Fatal(err)
	}
	return &routingFixture{w: w, e: e}
}

// TestVerifyRoutingTamper: each piece of state routing added (migration
// 00016) that its events describe — the meeting's report, the appointed
// meeting chair, and each agency's escalation contacts — is replayed, so
// a direct edit of it is found and named, on both engines. (A record's
// result and a removed party are in TestVerifyRecordsTamper.) Routing's
// own output, escalation_people, is worked out again from the rest and
// not replayed.
func TestVerifyRoutingTamper(t *testing.T) {
	caseObject := func(f *routingFixture) string { return "escalation:" + f.e.Ref }
	careObject := func(f *routingFixture) string { return fmt.Sprintf("agency:%d", f.w.agencies["care"].ID) }
	tampers := []struct {
		name   string
		edit   func(t *testing.T, db *DB, f *routingFixture)
		object func(f *routingFixture) string
		field  string
	}{
		{"OutcomeReport", func(t *testing.T, db *DB, f *routingFixture) {
			mustExec(t, db, `UPDATE escalations SET outcome_report = 'Nothing to report.' WHERE id = $1`, f.e.ID)
		}, caseObject, "outcome"},
		{"MeetingChairChanged", func(t *testing.T, db *DB, f *routingFixture) {
			mustExec(t, db, `UPDATE escalation_meeting_chairs SET user_id = $1 WHERE escalation_id = $2`, f.w.users["stranger"].ID, f.e.ID)
		}, caseObject, "meeting chair of stage-5"},
		{"MeetingChairAppointedBy", func(t *testing.T, db *DB, f *routingFixture) {
			mustExec(t, db, `UPDATE escalation_meeting_chairs SET appointed_by = $1 WHERE escalation_id = $2`, f.w.users["bm"].ID, f.e.ID)
		}, caseObject, "meeting chair of stage-5"},
		{"MeetingChairDeleted", func(t *testing.T, db *DB, f *routingFixture) {
			mustExec(t, db, `DELETE FROM escalation_meeting_chairs WHERE escalation_id = $1`, f.e.ID)
		}, caseObject, "meeting chair of stage-5"},
		{"MeetingChairForged", func(t *testing.T, db *DB, f *routingFixture) {
			mustExec(t, db, `INSERT INTO escalation_meeting_chairs (escalation_id, stage, user_id, appointed, appointed_by)
				VALUES ($1, 'stage-4', $2, $3, $4)`, f.e.ID, f.w.users["stranger"].ID, timeArg(testNow), f.w.users["chair"].ID)
		}, caseObject, "meeting chair of stage-4"},
		{"ContactAdded", func(t *testing.T, db *DB, f *routingFixture) {
			// The contact the Business Manager removed, put back behind the
			// service's back: new cases would reach them again.
			mustExec(t, db, `INSERT INTO agency_contacts (agency_id, user_id, added, added_by) VALUES ($1, $2, $3, $4)`,
				f.w.agencies["care"].ID, f.w.users["rprac"].ID, timeArg(testNow), f.w.users["bm"].ID)
		}, careObject, "escalation contact user"},
		{"ContactDeleted", func(t *testing.T, db *DB, f *routingFixture) {
			mustExec(t, db, `DELETE FROM agency_contacts WHERE user_id = $1`, f.w.users["rmgr"].ID)
		}, careObject, "escalation contact user"},
		{"ContactAddedBy", func(t *testing.T, db *DB, f *routingFixture) {
			mustExec(t, db, `UPDATE agency_contacts SET added_by = $1 WHERE user_id = $2`, f.w.users["stranger"].ID, f.w.users["rdsl"].ID)
		}, careObject, "escalation contact user"},
	}
	for _, engine := range engines {
		t.Run(string(engine), func(t *testing.T) {
			t.Run("Intact", func(t *testing.T) {
				db := MustOpenDB(t, engine)
				f := newRoutingFixture(t, db)
				rep, err := db.VerifyRecords(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				if rep.Escalations != 1 || rep.AgencyContacts != 2 {
					t.Errorf("replayed %+v, want 1 escalation and 2 escalation contacts", rep)
				}
				// Routing's output is not the record: rebuilt from the rest,
				// it is not replayed, so changing it is no replay failure.
				mustExec(t, db, `DELETE FROM escalation_people WHERE escalation_id = $1`, f.e.ID)
				if _, err := db.VerifyRecords(context.Background()); err != nil {
					t.Errorf("verify after escalation_people changed: %v", err)
				}
			})
			for _, tc := range tampers {
				t.Run(tc.name, func(t *testing.T) {
					db := MustOpenDB(t, engine)
					f := newRoutingFixture(t, db)
					tc.edit(t, db, f)
					_, err := db.VerifyRecords(context.Background())
					var rf *ReplayFailure
					if !errors.As(err, &rf) {
						t.Fatalf("after the edit, verify = %v; want a replay failure", err)
					}
					if want := tc.object(f); rf.Object != want || !strings.HasPrefix(rf.Field, tc.field) {
						t.Errorf("verify named %q field %q (%v); want %q field %q", rf.Object, rf.Field, err, want, tc.field)
					}
				})
			}
		})
	}
}
