package sqlstore

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/policy"
)

const testIssuer = "https://login.example.org/tenant/v2.0"

func TestSignInIdentity(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		f := newSessFixture(t, db)
		alex := f.user(t, "alex@example.org", "")
		off := f.user(t, "off@example.org", "")
		if err := db.DisableUser(ctx, off.ID); err != nil {
			t.Fatal(err)
		}
		linking := &Identities{Sessions: f.s, Partnership: f.p.Key, LinkByEmail: true}
		strict := &Identities{Sessions: f.s, Partnership: f.p.Key}

		t.Run("OK", func(t *testing.T) {
			old, _, err := linking.SignInIdentity(ctx, testIssuer, "sub-alex", "Alex@Example.org", true, "192.0.2.1", "")
			if err != nil {
				t.Fatal(err)
			}
			if id, err := db.IdentityUser(ctx, testIssuer, "sub-alex"); err != nil || id != alex.ID {
				t.Fatalf("identity links to %d, %v; want %d", id, err, alex.ID)
			}
			// Linked now: the strict policy signs them in by sub alone,
			// whatever email the provider sends, and the old session ends.
			token, u, err := strict.SignInIdentity(ctx, testIssuer, "sub-alex", "changed@example.org", false, "192.0.2.1", old)
			if err != nil || u.ID != alex.ID || token == old {
				t.Fatalf("second sign-in: %v, user %v", err, u)
			}
			if _, _, err := f.s.User(ctx, token); err != nil {
				t.Errorf("new session: %v", err)
			}
			if _, _, err := f.s.User(ctx, old); escalate.ErrorCode(err) != escalate.EUNAUTHORIZED {
				t.Errorf("old session still works: %v", err)
			}
		})
		refusals := []struct {
			name     string
			ids      *Identities
			issuer   string
			sub      string
			email    string
			verified bool
			want     error
		}{
			{"ErrNotLinked", strict, testIssuer, "sub-new", "alex@example.org", true, errNotLinked},
			{"ErrEmailUnverified", linking, testIssuer, "sub-new", "alex@example.org", false, errEmailUnverified},
			{"ErrNoUser", linking, testIssuer, "sub-new", "nobody@example.org", true, errNoUserForEmail},
			{"ErrOtherIdentity", linking, testIssuer, "sub-impostor", "alex@example.org", true, errOtherIdentity},
			{"ErrDisabled", linking, testIssuer, "sub-off", "off@example.org", true, errDisabled},
			{"ErrOtherPartnership", &Identities{Sessions: f.s, Partnership: "other"}, testIssuer, "sub-alex", "", false, nil},
		}
		other := &escalate.Partnership{Key: "other", Name: "Other LSCP"}
		pol, err := policy.Pack("redbridge")
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := policy.PackSource("redbridge")
		if err := db.CreatePartnership(ctx, other, pol, raw); err != nil {
			t.Fatal(err)
		}
		refusals[len(refusals)-1].want = errOtherPartnership
		for _, tc := range refusals {
			t.Run(tc.name, func(t *testing.T) {
				before := auditActions(t, db)
				token, _, err := tc.ids.SignInIdentity(ctx, tc.issuer, tc.sub, tc.email, tc.verified, "192.0.2.9", "")
				if err != tc.want || token != "" {
					t.Fatalf("got %q, %v; want %v", token, err, tc.want)
				}
				after := auditActions(t, db)
				if len(after) != len(before)+1 || !strings.HasPrefix(after[len(after)-1], "sign-in.refused ") {
					t.Errorf("audit gained %v, want one sign-in.refused", after[len(before):])
				}
				if _, err := db.IdentityUser(ctx, tc.issuer, tc.sub); tc.sub != "sub-alex" && !notFound(err) {
					t.Errorf("a refused sign-in linked the identity: %v", err)
				}
			})
		}
		t.Run("AuditHasNoEmail", func(t *testing.T) {
			evs, err := db.AuditEvents(ctx, 1, 0)
			if err != nil {
				t.Fatal(err)
			}
			var actions []string
			for _, e := range evs {
				actions = append(actions, e.Action)
				if e.Action == "user.add" || e.Action == "user.disable" {
					continue // the record of adding a user holds their email by design
				}
				if strings.Contains(string(e.Content), "@") || strings.Contains(string(e.Content), "sub-") {
					t.Errorf("audit %s holds personal data: %s", e.Action, e.Content)
				}
			}
			for _, want := range []string{"identity.link", "sign-in", "sign-in.refused"} {
				if !slices.Contains(actions, want) {
					t.Errorf("no %s in the audit", want)
				}
			}
		})
		t.Run("LinkIdentity", func(t *testing.T) {
			bo := f.user(t, "bo@example.org", "")
			if err := db.LinkIdentity(ctx, bo.ID, testIssuer, "sub-bo"); err != nil {
				t.Fatal(err)
			}
			if _, u, err := strict.SignInIdentity(ctx, testIssuer, "sub-bo", "", false, "192.0.2.1", ""); err != nil || u.ID != bo.ID {
				t.Errorf("sign-in after linking: %v, %v", u, err)
			}
			for _, tc := range []struct{ name, sub string }{{"ErrTaken", "sub-alex"}, {"ErrSecondAtIssuer", "sub-bo-2"}} {
				if err := db.LinkIdentity(ctx, bo.ID, testIssuer, tc.sub); escalate.ErrorCode(err) != escalate.ECONFLICT {
					t.Errorf("%s: %v, want ECONFLICT", tc.name, err)
				}
			}
		})
	})
}
