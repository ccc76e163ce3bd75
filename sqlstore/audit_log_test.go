package sqlstore

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
)

// withDPO adds a data protection officer to w, in the police agency.
func withDPO(t *testing.T, w *world) {
	t.Helper()
	u := &escalate.User{PartnershipID: w.p.ID, AgencyID: w.agencies["police"].ID, Name: "User dpo",
		Email: "dpo@example.org", Roles: []escalate.Role{escalate.RoleDataProtectionOfficer}}
	if err := w.db.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	w.users["dpo"] = u
}

// TestAuditLog: the Business Manager and the data protection officer see
// every view and change of a case, with who and when, and one person's
// activity over a period; nobody else may, not even another partnership's
// Business Manager; and every reading is itself audited.
func TestAuditLog(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db, "redbridge")
		withDPO(t, w)
		ctx := context.Background()
		e := w.mustRaise(t, escalate.RiskStandard)
		if _, err := w.svc.Get(w.as("mgr"), e.Ref); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.AddRecord(w.as("prac"), e.Ref, recordIn(e.Version, escalate.FormPhone)); err != nil {
			t.Fatal(err)
		}

		for _, who := range []string{"bm", "dpo"} {
			log, err := db.AuditLog(w.as(who), escalate.AuditQuery{Ref: e.Ref})
			if err != nil {
				t.Fatalf("%s: %v", who, err)
			}
			var viewBy, raiseBy string
			for _, en := range log.Entries {
				switch en.Action {
				case escalate.ActionView:
					viewBy = en.ActorEmail
					if en.Kind != escalate.AuditView {
						t.Errorf("a view is a %q", en.Kind)
					}
				case escalate.ActionRaise:
					raiseBy = en.ActorEmail
					if en.Kind != escalate.AuditChange || en.At.IsZero() {
						t.Errorf("the raise: %+v", en)
					}
				}
			}
			if viewBy != "mgr@example.org" || raiseBy != "prac@example.org" || log.Subject != "escalation:"+e.Ref {
				t.Errorf("%s: view by %q, raise by %q, subject %q; entries %+v", who, viewBy, raiseBy, log.Subject, log.Entries)
			}
		}
		// The second reading shows the first: the log of the log.
		log, err := db.AuditLog(w.as("dpo"), escalate.AuditQuery{Ref: e.Ref})
		if err != nil {
			t.Fatal(err)
		}
		readers := 0
		for _, en := range log.Entries {
			if en.Action == escalate.ActionAuditRead {
				readers++
			}
		}
		if readers != 2 {
			t.Errorf("%d readings of the log logged, want 2 (bm, dpo)", readers)
		}

		t.Run("Person", func(t *testing.T) {
			log, err := db.AuditLog(w.as("dpo"), escalate.AuditQuery{Email: "PRAC@example.org"})
			if err != nil {
				t.Fatal(err)
			}
			var actions []string
			for _, en := range log.Entries {
				if en.Actor != "user:"+strconv.FormatInt(w.users["prac"].ID, 10) {
					t.Errorf("someone else's event in prac's activity: %+v", en)
				}
				actions = append(actions, en.Action)
			}
			if !slices.Contains(actions, escalate.ActionRaise) || !slices.Contains(actions, escalate.ActionRecordAdd) {
				t.Errorf("prac's activity: %v", actions)
			}
			// A period after everything holds nothing.
			later, err := db.AuditLog(w.as("dpo"), escalate.AuditQuery{Email: "prac@example.org", From: db.Now().Add(time.Hour)})
			if err != nil || len(later.Entries) != 0 {
				t.Errorf("a later period: %v, %+v", err, later)
			}
		})
		t.Run("ErrNotAllowed", func(t *testing.T) {
			before := countRows(t, db, "audit_events")
			for _, who := range []string{"prac", "mgr", "chair", "stranger"} {
				if _, err := db.AuditLog(w.as(who), escalate.AuditQuery{Ref: e.Ref}); escalate.ErrorCode(err) != escalate.ENOTFOUND {
					t.Errorf("%s reads the audit log: %v", who, err)
				}
			}
			// Another partnership's Business Manager learns nothing.
			if _, err := db.AuditLog(w.as("outsider"), escalate.AuditQuery{Ref: e.Ref}); escalate.ErrorCode(err) != escalate.EINVALID {
				t.Errorf("outsider: %v", err)
			}
			if _, err := db.AuditLog(w.as("outsider"), escalate.AuditQuery{Email: "prac@example.org"}); escalate.ErrorCode(err) != escalate.EINVALID {
				t.Errorf("outsider, by person: %v", err)
			}
			if _, err := db.AuditLog(ctx, escalate.AuditQuery{Ref: e.Ref}); escalate.ErrorCode(err) != escalate.EUNAUTHORIZED {
				t.Errorf("no one: %v", err)
			}
			if _, err := db.AuditLog(w.as("dpo"), escalate.AuditQuery{}); escalate.ErrorField(err) != "ref" {
				t.Errorf("no query: %v", err)
			}
			if n := countRows(t, db, "audit_events"); n != before {
				t.Errorf("refused readings wrote %d events", n-before)
			}
		})
		t.Run("Console", func(t *testing.T) {
			log, err := db.AuditLog(WithActor(ctx, "cli:alice"), escalate.AuditQuery{Ref: e.Ref})
			if err != nil || len(log.Entries) == 0 {
				t.Fatalf("console: %v %+v", err, log)
			}
		})
		mustVerifyAudit(t, db)
	})
}
