package sqlstore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
)

func TestTokens(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db, "wirral")
		ts := NewTokenService(db)
		ctx := context.Background()

		t.Run("OK", func(t *testing.T) {
			secret, tok, err := ts.CreateToken(w.as("prac"), escalate.TokenRequest{Name: "  case system  ", Scope: escalate.ScopeReadWrite})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(secret, "esc_") || len(secret) != 47 {
				t.Errorf("secret %q: want esc_ and 43 characters", secret)
			}
			if tok.Name != "case system" || tok.UserID != w.users["prac"].ID || tok.Hint != "esc_…"+secret[43:] {
				t.Errorf("token %+v", tok)
			}
			u, p, _, err := ts.TokenUser(ctx, secret)
			if err != nil || u.ID != w.users["prac"].ID || p.ID != w.p.ID {
				t.Fatalf("TokenUser = %v, %v, %v", u, p, err)
			}
			list, err := ts.Tokens(w.as("prac"))
			if err != nil || len(list) != 1 || list[0].ID != tok.ID || list[0].LastUsed.IsZero() || !list[0].Revoked.IsZero() {
				t.Fatalf("Tokens = %+v, %v; want one, used, live", list, err)
			}
			if other, _ := ts.Tokens(w.as("mgr")); len(other) != 0 {
				t.Errorf("another user sees %d tokens", len(other))
			}
		})
		t.Run("HashedAtRest", func(t *testing.T) {
			secret, tok, err := ts.CreateToken(w.as("prac"), escalate.TokenRequest{Name: "hashed", Scope: escalate.ScopeReadWrite})
			if err != nil {
				t.Fatal(err)
			}
			var hash []byte
			var hint string
			if err := db.db.QueryRowContext(ctx, `SELECT hash, hint FROM api_tokens WHERE id = $1`, tok.ID).Scan(&hash, &hint); err != nil {
				t.Fatal(err)
			}
			want := sha256.Sum256([]byte(secret))
			if !bytes.Equal(hash, want[:]) {
				t.Errorf("stored hash %x, want SHA-256 of the secret", hash)
			}
			if strings.Contains(hint, secret[4:40]) {
				t.Errorf("the hint %q gives away the secret", hint)
			}
			var n int
			if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM api_tokens WHERE name LIKE $1 OR hint LIKE $1`,
				"%"+secret[4:20]+"%").Scan(&n); err != nil || n != 0 {
				t.Errorf("the secret is stored in %d rows (%v)", n, err)
			}
		})
		t.Run("Revoke", func(t *testing.T) {
			secret, tok, err := ts.CreateToken(w.as("prac"), escalate.TokenRequest{Name: "to revoke", Scope: escalate.ScopeReadWrite})
			if err != nil {
				t.Fatal(err)
			}
			wantEscErr(t, ts.RevokeToken(w.as("mgr"), tok.ID), escalate.ENOTFOUND, "")
			if _, _, _, err := ts.TokenUser(ctx, secret); err != nil {
				t.Fatalf("another user's revoke stopped the token: %v", err)
			}
			if err := ts.RevokeToken(w.as("prac"), tok.ID); err != nil {
				t.Fatal(err)
			}
			if err := ts.RevokeToken(w.as("prac"), tok.ID); err != nil {
				t.Errorf("revoking twice: %v", err)
			}
			_, _, _, err = ts.TokenUser(ctx, secret)
			wantEscErr(t, err, escalate.EUNAUTHORIZED, "")
			list, _ := ts.Tokens(w.as("prac"))
			for _, x := range list {
				if x.ID == tok.ID && x.Revoked.IsZero() {
					t.Error("the list does not show the token revoked")
				}
			}
			var acts []string
			for _, a := range auditActions(t, db) {
				acts = append(acts, strings.Fields(a)[0])
			}
			if countOf(acts, "api-token.create") < 1 || countOf(acts, "api-token.revoke") != 1 {
				t.Errorf("audit actions %v: want creates and one revoke", acts)
			}
		})
		t.Run("ErrDisabledUser", func(t *testing.T) {
			secret, _, err := ts.CreateToken(w.as("stranger"), escalate.TokenRequest{Name: "soon disabled", Scope: escalate.ScopeReadWrite})
			if err != nil {
				t.Fatal(err)
			}
			if err := db.DisableUser(ctx, w.users["stranger"].ID); err != nil {
				t.Fatal(err)
			}
			_, _, _, err = ts.TokenUser(ctx, secret)
			wantEscErr(t, err, escalate.EUNAUTHORIZED, "")
			_, _, err = ts.CreateToken(w.as("stranger"), escalate.TokenRequest{Name: "another", Scope: escalate.ScopeReadWrite})
			wantEscErr(t, err, escalate.EUNAUTHORIZED, "")
		})
		t.Run("ErrUnknown", func(t *testing.T) {
			for _, s := range []string{"", "esc_", "Bearer x", "esc_" + strings.Repeat("A", 43), strings.Repeat("A", 47)} {
				_, _, _, err := ts.TokenUser(ctx, s)
				wantEscErr(t, err, escalate.EUNAUTHORIZED, "")
			}
		})
		t.Run("ErrName", func(t *testing.T) {
			before := rowCounts(t, db)
			tokens := func() (n int) {
				db.db.QueryRow(`SELECT COUNT(*) FROM api_tokens`).Scan(&n)
				return n
			}
			nTokens := tokens()
			for _, name := range []string{"", "   ", strings.Repeat("x", MaxTokenName+1), "two\nlines"} {
				_, _, err := ts.CreateToken(w.as("prac"), escalate.TokenRequest{Name: name, Scope: escalate.ScopeReadWrite})
				wantEscErr(t, err, escalate.EINVALID, "name")
			}
			_, _, err := ts.CreateToken(ctx, escalate.TokenRequest{Name: "no actor", Scope: escalate.ScopeReadWrite})
			wantEscErr(t, err, escalate.EUNAUTHORIZED, "")
			wantUnchanged(t, db, before)
			if n := tokens(); n != nTokens {
				t.Errorf("%d tokens before, %d after a refused create", nTokens, n)
			}
		})
		t.Run("ErrTooMany", func(t *testing.T) {
			for i := range MaxLiveTokens {
				if _, _, err := ts.CreateToken(w.as("rprac"), escalate.TokenRequest{Name: "t"}); err != nil {
					t.Fatalf("token %d: %v", i, err)
				}
			}
			_, _, err := ts.CreateToken(w.as("rprac"), escalate.TokenRequest{Name: "one too many", Scope: escalate.ScopeReadWrite})
			wantEscErr(t, err, escalate.EINVALID, "name")
		})
		t.Run("LastUsedThrottled", func(t *testing.T) {
			secret, tok, err := ts.CreateToken(w.as("dsl"), escalate.TokenRequest{Name: "throttle", Scope: escalate.ScopeReadWrite})
			if err != nil {
				t.Fatal(err)
			}
			last := func() time.Time {
				var at time.Time
				if err := db.db.QueryRowContext(ctx, `SELECT last_used FROM api_tokens WHERE id = $1`, tok.ID).Scan(scanTime(&at)); err != nil {
					t.Fatal(err)
				}
				return at
			}
			ts.TokenUser(ctx, secret)
			first := last()
			ts.TokenUser(ctx, secret)
			if got := last(); !got.Equal(first) {
				t.Errorf("last_used moved from %v to %v within a minute", first, got)
			}
		})
	})
}
