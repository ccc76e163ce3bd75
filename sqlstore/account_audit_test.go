package sqlstore

import (
	"context"
	"testing"
)

// TestAccountAuditChain: account events made before anyone is signed in
// (sign-in attempts, forgotten passwords) or from the command line
// (invitations, second factors reset or relaxed) join the chain of the
// account's partnership; only an attempt on an email with no account, whose
// partnership nobody knows, joins the service-wide chain.
func TestAccountAuditChain(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		f := newSessFixture(t, db)
		u := f.user(t, "known@example.org", sessPW)
		cli := WithActor(ctx, "cli:admin") // no signed-in user: no partnership from the context
		if _, _, err := f.s.SignIn(ctx, "known@example.org", "not the right passphrase", "192.0.2.1", ""); err == nil {
			t.Fatal("a wrong password signed in")
		}
		if _, _, err := f.s.SignIn(ctx, "nobody@example.org", "not the right passphrase", "192.0.2.2", ""); err == nil {
			t.Fatal("an unknown email signed in")
		}
		if _, _, err := f.s.SignIn(ctx, "known@example.org", sessPW, "192.0.2.1", ""); err != nil {
			t.Fatal(err)
		}
		for _, email := range []string{"known@example.org", "nobody@example.org"} {
			if err := db.RequestReset(ctx, email, "192.0.2.3"); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.Invite(cli, u.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.ResetSecondFactors(cli, u.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.SetSecondFactorOptional(cli, f.p.ID, false); err != nil {
			t.Fatal(err)
		}

		rows, err := db.db.QueryContext(ctx, `SELECT chain, actor, action, object FROM audit_events ORDER BY seq`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		seen := map[string]bool{}
		for rows.Next() {
			var chain int64
			var actor, action, object string
			if err := rows.Scan(&chain, &actor, &action, &object); err != nil {
				t.Fatal(err)
			}
			want := f.p.ID
			if object == "unknown" {
				want = 0
			}
			if chain != want {
				t.Errorf("%s by %s on %s is on %s, want %s", action, actor, object, ChainName(chain), ChainName(want))
			}
			seen[action+" on "+map[bool]string{true: "unknown", false: "account"}[object == "unknown"]] = true
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"sign-in.failed on account", "sign-in.failed on unknown", "sign-in on account",
			"password.reset-request on account", "password.reset-request on unknown", "account.invite on account",
			"second-factor.reset on account", "partnership.second-factor on account"} {
			if !seen[want] {
				t.Errorf("no %s audited (all: %v)", want, seen)
			}
		}
	})
}
