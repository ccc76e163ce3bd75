package sqlstore

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
)

// TestOutboxRouting: H&F's routing rules alert the Designated Nurse and the
// Named GP, who hold accounts, when a disagreement concerns primary care; the
// immediate-risk route tells the raiser's own line manager; posts only the
// contacts directory lists, who cannot sign in to open the case, are never
// told; and everyone told may open the case.
func TestOutboxRouting(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := newWorld(t, db, "hammersmith-fulham")
		gp := &escalate.Agency{PartnershipID: w.p.ID, Name: "Riverside Surgery", Kind: "primary-care"}
		if err := db.CreateAgency(ctx, gp); err != nil {
			t.Fatal(err)
		}
		icb := &escalate.Agency{PartnershipID: w.p.ID, Name: "Integrated Care Board", Kind: "integrated-care-board"}
		if err := db.CreateAgency(ctx, icb); err != nil {
			t.Fatal(err)
		}
		for _, u := range []struct {
			key  string
			role escalate.Role
		}{{"dn", escalate.RoleDesignatedNurse}, {"ngp", escalate.RoleNamedGP}} {
			user := &escalate.User{PartnershipID: w.p.ID, AgencyID: icb.ID, Name: "User " + u.key,
				Email: u.key + "@icb.example.org", Roles: []escalate.Role{u.role}}
			if err := db.CreateUser(ctx, user); err != nil {
				t.Fatal(err)
			}
			w.users[u.key] = user
		}
		// A directory entry for the same post: never told, as it cannot
		// open the case.
		if err := db.CreateContact(ctx, &escalate.Contact{PartnershipID: w.p.ID, AgencyID: w.agencies["care"].ID,
			Role: escalate.RoleDesignatedNurse, Name: "Directory nurse", JobTitle: "Safeguarding", Email: "dir@icb.example.org",
			LastVerified: "2026-11-01"}); err != nil {
			t.Fatal(err)
		}
		surgeryContact := &escalate.User{PartnershipID: w.p.ID, AgencyID: gp.ID, Name: "Practice manager",
			Email: "pm@surgery.example.org", Roles: []escalate.Role{escalate.RoleManager}}
		if err := db.CreateUser(ctx, surgeryContact); err != nil {
			t.Fatal(err)
		}
		if err := db.AddEscalationContact(ctx, gp.ID, surgeryContact.ID); err != nil {
			t.Fatal(err)
		}

		t.Run("OK", func(t *testing.T) {
			in := w.raiseInput(escalate.RiskImmediate)
			in.ReceivingAgencyID = gp.ID
			e, err := w.svc.Raise(w.as("prac"), in)
			if err != nil {
				t.Fatal(err)
			}
			msgs, err := db.Outbox(ctx, e.ID)
			if err != nil {
				t.Fatal(err)
			}
			has := func(kind string, id int64) bool {
				return slices.ContainsFunc(msgs, func(m escalate.OutboxMessage) bool { return m.Kind == kind && m.Recipient.User == id })
			}
			for _, k := range []string{"dn", "ngp"} {
				if !has(escalate.ActionRaise, w.users[k].ID) {
					t.Errorf("raise against primary care did not alert %s: %+v", k, msgs)
				}
				if _, err := w.svc.Get(w.as(k), e.Ref); err != nil {
					t.Errorf("%s was told but cannot open the case: %v", k, err)
				}
			}
			if !has(escalate.ActionRaise, surgeryContact.ID) {
				t.Errorf("the surgery's escalation contact was not told: %+v", msgs)
			}
			if !has(escalate.ActionRiskImmediate, w.users["mgr"].ID) {
				t.Errorf("the immediate-risk notice did not go to the raiser's line manager: %+v", msgs)
			}
			for _, m := range msgs {
				if m.Recipient.User == 0 || m.Recipient.Role != "" {
					t.Errorf("notification addressed to a role, not a person: %+v", m)
				}
			}
			got, err := db.ClaimOutbox(ctx, "test", db.Now().Add(time.Hour), db.Now().Add(2*time.Hour), 500)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range got {
				for _, a := range d.To {
					if a.Email == "dir@icb.example.org" {
						t.Errorf("a directory entry, who cannot open the case, was emailed: %+v", d)
					}
				}
			}
		})
		t.Run("NoRouteForOtherKinds", func(t *testing.T) {
			e := w.mustRaise(t, escalate.RiskStandard) // school against social care
			msgs, err := db.Outbox(ctx, e.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range msgs {
				if m.Recipient.User == w.users["dn"].ID || m.Recipient.User == w.users["ngp"].ID {
					t.Errorf("school vs social care alerted %+v", m)
				}
			}
		})
	})
}

// TestOutboxNobody: a raise against an agency nobody can receive for, in a
// partnership with no Business Manager account, reaches nobody: it is
// flagged on the undelivered list with the reason, not lost.
func TestOutboxNobody(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := newWorld(t, db, "redbridge")
		if err := db.DisableUser(ctx, w.users["bm"].ID); err != nil {
			t.Fatal(err)
		}
		empty := &escalate.Agency{PartnershipID: w.p.ID, Name: "Housing Association", Kind: "housing"}
		if err := db.CreateAgency(ctx, empty); err != nil {
			t.Fatal(err)
		}
		in := w.raiseInput(escalate.RiskStandard)
		in.ReceivingAgencyID = empty.ID
		e, err := w.svc.Raise(w.as("prac"), in)
		if err != nil {
			t.Fatal(err)
		}
		dead, err := db.Undelivered(ctx, w.p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(dead, func(d escalate.UndeliveredNotification) bool {
			return d.Ref == e.Ref && d.Kind == escalate.ActionRaise && strings.Contains(d.LastError, "Housing Association")
		}) {
			t.Errorf("a raise that reached nobody is not on the undelivered list: %+v", dead)
		}
	})
}

// TestOutboxParty: naming someone on an escalation tells them, and only them.
func TestOutboxParty(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := newWorld(t, db, "redbridge")
		e := w.mustRaise(t, escalate.RiskStandard)
		if _, err := w.svc.AddParty(w.as("prac"), e.Ref, w.users["rprac"].ID); err != nil {
			t.Fatal(err)
		}
		msgs, err := db.Outbox(ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		var got []escalate.Recipient
		for _, m := range msgs {
			if m.Kind == escalate.NoticeNamed {
				got = append(got, m.Recipient)
				if m.SubjectKey != "party-added" || m.Payload["ref"] != e.Ref {
					t.Errorf("party notice %+v", m)
				}
			}
		}
		if len(got) != 1 || got[0] != (escalate.Recipient{User: w.users["rprac"].ID}) {
			t.Errorf("party notices went to %+v, want only the person named", got)
		}
		// Named by someone else, the raiser is told too, but not that
		// they were named.
		if _, err := w.svc.AddParty(w.as("rmgr"), e.Ref, w.users["rdsl"].ID); err != nil {
			t.Fatal(err)
		}
		if msgs, err = db.Outbox(ctx, e.ID); err != nil {
			t.Fatal(err)
		}
		keys := map[int64]string{}
		for _, m := range msgs[len(msgs)-2:] {
			keys[m.Recipient.User] = m.SubjectKey
		}
		if want := map[int64]string{w.users["rdsl"].ID: "party-added", w.users["prac"].ID: "party-named"}; !maps.Equal(keys, want) {
			t.Errorf("the second naming's notices: %v, want %v", keys, want)
		}
	})
}
