package sqlstore

import (
	"context"
	"fmt"
	"testing"

	"github.com/escalate-project/escalate"
)

// TestRoutingAuditChain: the changes routing stores (escalation contacts set
// by an administrator on the command line, people named on and removed
// from a case) are audited on their partnership's own chain, never on the
// service-wide chain or another partnership's, whoever makes them; and each
// chain still verifies on its own.
func TestRoutingAuditChain(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := newWorld(t, db, "redbridge")
		other := w.users["outsider"].PartnershipID
		e := w.mustRaise(t, escalate.RiskStandard)
		if _, err := w.svc.AddParty(w.as("prac"), e.Ref, w.users["rprac"].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.RemoveParty(w.as("prac"), e.Ref, w.users["rprac"].ID); err != nil {
			t.Fatal(err)
		}
		cli := WithActor(ctx, "cli:admin") // no signed-in user: no partnership from the context
		care := w.agencies["care"].ID
		if err := db.AddEscalationContact(cli, care, w.users["rdsl"].ID); err != nil {
			t.Fatal(err)
		}
		if err := db.RemoveEscalationContact(cli, care, w.users["rdsl"].ID); err != nil {
			t.Fatal(err)
		}

		rows, err := db.db.QueryContext(ctx, `SELECT chain, action, actor FROM audit_events
			WHERE action IN ($1, $2, $3, $4) ORDER BY chain, chain_seq`,
			"agency.contact.add", "agency.contact.remove", escalate.ActionPartyName, escalate.ActionPartyRemove)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		got := map[string]int{}
		for rows.Next() {
			var chain int64
			var action, actor string
			if err := rows.Scan(&chain, &action, &actor); err != nil {
				t.Fatal(err)
			}
			if chain != w.p.ID {
				t.Errorf("%s by %s is on %s, want %s", action, actor, ChainName(chain), ChainName(w.p.ID))
			}
			got[fmt.Sprintf("%s by %s", action, actor)]++
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		want := map[string]int{
			"agency.contact.add by system":                                               1, // newWorld's contact for social care
			"agency.contact.add by cli:admin":                                            1,
			"agency.contact.remove by cli:admin":                                         1,
			fmt.Sprintf("%s by user:%d", escalate.ActionPartyName, w.users["prac"].ID):   1,
			fmt.Sprintf("%s by user:%d", escalate.ActionPartyRemove, w.users["prac"].ID): 1,
		}
		for k, n := range want {
			if got[k] != n {
				t.Errorf("%q audited %d times, want %d (all: %v)", k, got[k], n, got)
			}
		}

		mustVerifyAudit(t, db)
		for _, p := range []int64{w.p.ID, other} {
			if _, err := db.VerifyChain(ctx, p, ""); err != nil {
				t.Errorf("VerifyChain(%s): %v", ChainName(p), err)
			}
		}
	})
}
