package sqlstore

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
)

// TestOutboxRouting: H&F's routing rules alert the Designated Nurse and the
// Named GP when a disagreement concerns primary care, and the immediate-risk
// route tells the raiser's own line manager; posts no account holds reach the
// people the contacts directory lists for them.
func TestOutboxRouting(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := newWorld(t, db, "hammersmith-fulham")
		gp := &escalate.Agency{PartnershipID: w.p.ID, Name: "Riverside Surgery", Kind: "primary-care"}
		if err := db.CreateAgency(ctx, gp); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			role  escalate.Role
			email string
		}{{escalate.RoleDesignatedNurse, "dn@icb.example.org"}, {escalate.RoleNamedGP, "ngp@icb.example.org"}} {
			if err := db.CreateContact(ctx, &escalate.Contact{PartnershipID: w.p.ID, AgencyID: w.agencies["care"].ID,
				Role: c.role, Name: "Contact " + string(c.role), JobTitle: "Safeguarding", Email: c.email,
				LastVerified: "2026-11-01"}); err != nil {
				t.Fatal(err)
			}
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
			has := func(kind string, r Recipient) bool {
				return slices.ContainsFunc(msgs, func(m OutboxMessage) bool { return m.Kind == kind && m.Recipient == r })
			}
			for _, r := range []Recipient{{Role: escalate.RoleDesignatedNurse}, {Role: escalate.RoleNamedGP}} {
				if !has(escalate.ActionRaise, r) {
					t.Errorf("raise against primary care did not alert %s: %+v", r.Role, msgs)
				}
			}
			if !has(escalate.ActionRiskImmediate, Recipient{User: w.users["mgr"].ID}) {
				t.Errorf("the immediate-risk notice did not go to the raiser's line manager: %+v", msgs)
			}

			got, err := db.ClaimOutbox(ctx, "test", db.Now().Add(time.Hour), db.Now().Add(2*time.Hour), 500)
			if err != nil {
				t.Fatal(err)
			}
			emails := map[escalate.Role][]string{}
			for _, d := range got {
				for _, a := range d.To {
					emails[d.Recipient.Role] = append(emails[d.Recipient.Role], a.Email)
				}
			}
			if !slices.Contains(emails[escalate.RoleNamedGP], "ngp@icb.example.org") ||
				!slices.Contains(emails[escalate.RoleDesignatedNurse], "dn@icb.example.org") {
				t.Errorf("directory posts resolved to %v", emails)
			}
		})
		t.Run("NoRouteForOtherKinds", func(t *testing.T) {
			e := w.mustRaise(t, escalate.RiskStandard) // school against social care
			msgs, err := db.Outbox(ctx, e.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range msgs {
				if m.Recipient.Role == escalate.RoleNamedGP || m.Recipient.Role == escalate.RoleDesignatedNurse {
					t.Errorf("school vs social care alerted %s", m.Recipient.Role)
				}
			}
		})
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
		var got []Recipient
		for _, m := range msgs {
			if m.Kind == "escalation.party" {
				got = append(got, m.Recipient)
				if m.SubjectKey != "party-added" || m.Payload["ref"] != e.Ref {
					t.Errorf("party notice %+v", m)
				}
			}
		}
		if len(got) != 1 || got[0] != (Recipient{User: w.users["rprac"].ID}) {
			t.Errorf("party notices went to %+v, want only the person named", got)
		}
	})
}
