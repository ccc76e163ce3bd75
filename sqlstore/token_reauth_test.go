package sqlstore

import (
	"context"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
)

func TestTokenExpiryScopeReauth(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		f := newSessFixture(t, db)
		u := f.user(t, "tok@example.org", sessPW)
		as := escalate.NewContextWithUser(ctx, u)
		ts := NewTokenService(db)
		session, _, err := f.s.SignIn(ctx, "tok@example.org", sessPW, "192.0.2.1", "")
		if err != nil {
			t.Fatal(err)
		}

		t.Run("DefaultsReadAnd90Days", func(t *testing.T) {
			secret, tok, err := ts.CreateToken(as, escalate.TokenRequest{Name: "reader"})
			if err != nil {
				t.Fatal(err)
			}
			if tok.Scope != escalate.ScopeRead || !tok.Expires.Equal(f.clock.now().Add(escalate.DefaultTokenLifetime)) {
				t.Errorf("token %+v: want scope read and expiry in 90 days", tok)
			}
			_, _, scope, err := ts.TokenUser(ctx, secret)
			if err != nil || scope != escalate.ScopeRead {
				t.Errorf("TokenUser = %q, %v; want read", scope, err)
			}
			f.clock.add(escalate.DefaultTokenLifetime - time.Second)
			if _, _, _, err := ts.TokenUser(ctx, secret); err != nil {
				t.Errorf("a second before expiry: %v", err)
			}
			f.clock.add(time.Second)
			if _, _, _, err := ts.TokenUser(ctx, secret); escalate.ErrorCode(err) != escalate.EUNAUTHORIZED {
				t.Errorf("at expiry: %v, want EUNAUTHORIZED", err)
			}
			f.clock.add(-escalate.DefaultTokenLifetime)
		})
		t.Run("ErrBounds", func(t *testing.T) {
			now := f.clock.now()
			for _, c := range []struct {
				req   escalate.TokenRequest
				field string
			}{
				{escalate.TokenRequest{Name: "past", Expires: now.Add(-time.Hour)}, "expires"},
				{escalate.TokenRequest{Name: "too long", Expires: now.Add(400 * 24 * time.Hour)}, "expires"},
				{escalate.TokenRequest{Name: "bad scope", Scope: "admin"}, "scope"},
				{escalate.TokenRequest{Name: ""}, "name"},
			} {
				_, _, err := ts.CreateToken(as, c.req)
				wantEscErr(t, err, escalate.EINVALID, c.field)
			}
			if _, tok, err := ts.CreateToken(as, escalate.TokenRequest{Name: "a year", Scope: escalate.ScopeReadWrite,
				Expires: now.Add(escalate.MaxTokenLifetime)}); err != nil || tok.Scope != escalate.ScopeReadWrite {
				t.Errorf("a year, read-write: %v %+v", err, tok)
			}
		})
		t.Run("ReauthRequired", func(t *testing.T) {
			req := escalate.TokenRequest{Name: "from the page", Session: session}
			_, _, err := ts.CreateToken(as, req)
			wantEscErr(t, err, escalate.EINVALID, "password")
			err = f.s.Reauthenticate(ctx, session, "not my password", "", "192.0.2.1")
			wantEscErr(t, err, escalate.EINVALID, "password")
			if _, _, err := ts.CreateToken(as, req); escalate.ErrorCode(err) != escalate.EINVALID {
				t.Fatalf("after a wrong password: %v, want still refused", err)
			}
			if err := f.s.Reauthenticate(ctx, session, sessPW, "", "192.0.2.1"); err != nil {
				t.Fatal(err)
			}
			if _, _, err := ts.CreateToken(as, req); err != nil {
				t.Fatalf("after re-entering the password: %v", err)
			}
			f.clock.add(ReauthWindow + time.Second)
			_, _, err = ts.CreateToken(as, req)
			wantEscErr(t, err, escalate.EINVALID, "password")
			// Another person's session does not count.
			other := f.user(t, "other@example.org", sessPW)
			_, _, err = ts.CreateToken(escalate.NewContextWithUser(ctx, other), req)
			wantEscErr(t, err, escalate.EUNAUTHORIZED, "")
		})
		t.Run("ReauthThrottled", func(t *testing.T) {
			for range FreePairFailures {
				f.s.Reauthenticate(ctx, session, "guess guess guess", "", "203.0.113.50")
			}
			err := f.s.Reauthenticate(ctx, session, sessPW, "", "203.0.113.50")
			if escalate.ErrorCode(err) != escalate.ETOOMANY {
				t.Fatalf("after %d wrong passwords: %v, want ETOOMANY", FreePairFailures, err)
			}
		})
		t.Run("PasswordChangeRevokes", func(t *testing.T) {
			secret, _, err := ts.CreateToken(as, escalate.TokenRequest{Name: "before the change"})
			if err != nil {
				t.Fatal(err)
			}
			feed, err := db.CreateFeed(as)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.SetPassword(ctx, f.p.Key, u.Email, "a brand new passphrase"); err != nil {
				t.Fatal(err)
			}
			if _, _, _, err := ts.TokenUser(ctx, secret); escalate.ErrorCode(err) != escalate.EUNAUTHORIZED {
				t.Errorf("token after the password changed: %v, want EUNAUTHORIZED", err)
			}
			if _, err := db.FeedUser(ctx, feed); escalate.ErrorCode(err) != escalate.ENOTFOUND {
				t.Errorf("calendar feed after the password changed: %v, want ENOTFOUND", err)
			}
			if _, _, err := f.s.User(ctx, session); escalate.ErrorCode(err) != escalate.EUNAUTHORIZED {
				t.Errorf("session after the password changed: %v, want ended", err)
			}
			ts, err := ts.Tokens(as)
			if err != nil {
				t.Fatal(err)
			}
			for _, tok := range ts {
				if tok.Revoked.IsZero() {
					t.Errorf("token %q not revoked", tok.Name)
				}
			}
		})
	})
}
