package sqlstore

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
)

// linkMail returns the secrets of the pending link emails to userID, oldest
// first.
func linkMail(t *testing.T, db *DB, userID int64, subject string) []string {
	t.Helper()
	rows, err := db.db.QueryContext(context.Background(), `SELECT payload FROM outbox WHERE recipient_user = $1 AND subject_key = $2 ORDER BY id`,
		userID, subject)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var body string
		rows.Scan(&body)
		_, s, _ := strings.Cut(body, `"secret":"`)
		s, _, _ = strings.Cut(s, `"`)
		out = append(out, s)
	}
	return out
}

func TestAccountLinks(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		f := newSessFixture(t, db)
		admin := f.user(t, "admin@example.org", "")
		as := escalate.NewContextWithUser(ctx, admin)
		newbie := f.user(t, "new@example.org", "")

		t.Run("Invite", func(t *testing.T) {
			expires, err := db.Invite(as, newbie.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !expires.Equal(f.clock.now().Add(InviteLifetime)) {
				t.Errorf("expires %v, want in 7 days", expires)
			}
			secrets := linkMail(t, db, newbie.ID, "account-invite")
			if len(secrets) != 1 || len(secrets[0]) != 43 {
				t.Fatalf("invitation mail secrets %q", secrets)
			}
			secret := secrets[0]
			// Only the hash is stored with the link.
			var n int
			db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM account_links WHERE hash = $1`, []byte(secret)).Scan(&n)
			if n != 0 {
				t.Error("the link's secret is stored in account_links")
			}
			u, p, err := db.CheckLink(ctx, LinkInvite, secret)
			if err != nil || u.ID != newbie.ID || p.ID != f.p.ID {
				t.Fatalf("CheckLink = %v, %v, %v", u, p, err)
			}
			if _, _, err := db.CheckLink(ctx, LinkReset, secret); escalate.ErrorCode(err) != escalate.ENOTFOUND {
				t.Errorf("an invitation used as a reset: %v", err)
			}
			if _, err := db.UseLink(ctx, LinkInvite, secret, "a long enough passphrase"); err != nil {
				t.Fatal(err)
			}
			if _, _, err := f.s.SignIn(ctx, "new@example.org", "a long enough passphrase", "192.0.2.1", ""); err != nil {
				t.Errorf("sign in with the password the invitation set: %v", err)
			}
			// Single use.
			if _, err := db.UseLink(ctx, LinkInvite, secret, "another long passphrase"); escalate.ErrorCode(err) != escalate.ENOTFOUND {
				t.Errorf("second use: %v, want ENOTFOUND", err)
			}
		})
		t.Run("InviteExpiresAndIsReplaced", func(t *testing.T) {
			later := f.user(t, "later@example.org", "")
			if _, err := db.Invite(as, later.ID); err != nil {
				t.Fatal(err)
			}
			first := linkMail(t, db, later.ID, "account-invite")[0]
			if _, err := db.Invite(as, later.ID); err != nil {
				t.Fatal(err)
			}
			second := linkMail(t, db, later.ID, "account-invite")[1]
			if _, _, err := db.CheckLink(ctx, LinkInvite, first); escalate.ErrorCode(err) != escalate.ENOTFOUND {
				t.Errorf("the replaced invitation: %v, want ENOTFOUND", err)
			}
			f.clock.add(InviteLifetime - time.Second)
			if _, _, err := db.CheckLink(ctx, LinkInvite, second); err != nil {
				t.Errorf("a second before expiry: %v", err)
			}
			f.clock.add(time.Second)
			if _, err := db.UseLink(ctx, LinkInvite, second, "a long enough passphrase"); escalate.ErrorCode(err) != escalate.ENOTFOUND {
				t.Errorf("at expiry: %v, want ENOTFOUND", err)
			}
			f.clock.add(-InviteLifetime)
		})
		t.Run("ErrOtherPartnershipOrDisabled", func(t *testing.T) {
			other := &escalate.User{ID: admin.ID, PartnershipID: f.p.ID + 1000}
			if _, err := db.Invite(escalate.NewContextWithUser(ctx, other), newbie.ID); escalate.ErrorCode(err) != escalate.ENOTFOUND {
				t.Errorf("inviting across partnerships: %v", err)
			}
			off := f.user(t, "off@example.org", "")
			db.DisableUser(ctx, off.ID)
			if _, err := db.Invite(as, off.ID); escalate.ErrorCode(err) != escalate.ECONFLICT {
				t.Errorf("inviting a disabled account: %v", err)
			}
		})
		t.Run("Reset", func(t *testing.T) {
			u := f.user(t, "reset@example.org", sessPW)
			session, _, err := f.s.SignIn(ctx, "reset@example.org", sessPW, "192.0.2.1", "")
			if err != nil {
				t.Fatal(err)
			}
			tokens := NewTokenService(db)
			api, _, err := tokens.CreateToken(escalate.NewContextWithUser(ctx, u), escalate.TokenRequest{Name: "sync"})
			if err != nil {
				t.Fatal(err)
			}
			if err := db.RequestReset(ctx, " RESET@example.org ", "192.0.2.9"); err != nil {
				t.Fatal(err)
			}
			secret := linkMail(t, db, u.ID, "account-reset")[0]
			if _, err := db.UseLink(ctx, LinkReset, secret, "my new long passphrase"); err != nil {
				t.Fatal(err)
			}
			if _, _, err := f.s.User(ctx, session); escalate.ErrorCode(err) != escalate.EUNAUTHORIZED {
				t.Errorf("a session survived the reset: %v", err)
			}
			if _, _, _, err := tokens.TokenUser(ctx, api); escalate.ErrorCode(err) != escalate.EUNAUTHORIZED {
				t.Errorf("an API token survived the reset: %v", err)
			}
			if _, _, err := f.s.SignIn(ctx, "reset@example.org", sessPW, "192.0.2.1", ""); escalate.ErrorCode(err) != escalate.EUNAUTHORIZED {
				t.Errorf("the old password after the reset: %v", err)
			}
			var changed int
			db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE recipient_user = $1 AND subject_key = 'account-password-changed'`, u.ID).Scan(&changed)
			if changed != 1 {
				t.Errorf("%d password-changed mails, want 1", changed)
			}
			// Reset links expire in an hour.
			if err := db.RequestReset(ctx, "reset@example.org", "192.0.2.9"); err != nil {
				t.Fatal(err)
			}
			f.clock.add(ResetLifetime)
			if _, _, err := db.CheckLink(ctx, LinkReset, linkMail(t, db, u.ID, "account-reset")[1]); escalate.ErrorCode(err) != escalate.ENOTFOUND {
				t.Errorf("a reset link an hour old: %v", err)
			}
		})
		t.Run("ResetRevealsNothing", func(t *testing.T) {
			var before int
			db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox`).Scan(&before)
			for _, email := range []string{"nobody@example.org", "new@example.org"} {
				if err := db.RequestReset(ctx, email, "192.0.2.9"); err != nil {
					t.Errorf("RequestReset(%s) = %v, want nil", email, err)
				}
			}
			var after int
			db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox`).Scan(&after)
			// new@ has a password now, so it gets one mail; nobody@ none.
			if after != before+1 {
				t.Errorf("%d mails for an unknown and a known address, want 1", after-before)
			}
		})
		t.Run("ResetFloodDropped", func(t *testing.T) {
			u := f.user(t, "flood@example.org", sessPW)
			for range MaxResetsPerHour + 3 {
				if err := db.RequestReset(ctx, "flood@example.org", "192.0.2.9"); err != nil {
					t.Fatal(err)
				}
			}
			if n := len(linkMail(t, db, u.ID, "account-reset")); n != MaxResetsPerHour {
				t.Errorf("%d reset mails in an hour, want %d", n, MaxResetsPerHour)
			}
		})
		t.Run("SecretErasedOnceSent", func(t *testing.T) {
			u := f.user(t, "sent@example.org", "")
			if _, err := db.Invite(as, u.ID); err != nil {
				t.Fatal(err)
			}
			var id int64
			db.db.QueryRowContext(ctx, `SELECT id FROM outbox WHERE recipient_user = $1`, u.ID).Scan(&id)
			claimed, err := db.ClaimOutbox(ctx, "test", f.clock.now().Add(time.Hour), f.clock.now().Add(time.Hour+escalate.OutboxLease), 100)
			if err != nil || len(claimed) == 0 {
				t.Fatalf("claim: %v", err)
			}
			if err := db.MarkSent(ctx, id, "m1"); err != nil {
				t.Fatal(err)
			}
			if s := linkMail(t, db, u.ID, "account-invite"); len(s) != 1 || s[0] != "" {
				t.Errorf("after sending, the outbox still holds the secret: %q", s)
			}
		})
		t.Run("ChangePassword", func(t *testing.T) {
			u := f.user(t, "change@example.org", sessPW)
			session, _, err := f.s.SignIn(ctx, "change@example.org", sessPW, "192.0.2.1", "")
			if err != nil {
				t.Fatal(err)
			}
			err = f.s.ChangePassword(ctx, session, "not it", "my new long passphrase", "192.0.2.1")
			wantEscErr(t, err, escalate.EINVALID, "current")
			if _, _, err := f.s.User(ctx, session); err != nil {
				t.Fatalf("a wrong current password ended the session: %v", err)
			}
			if err := f.s.ChangePassword(ctx, session, sessPW, "my new long passphrase", "192.0.2.1"); err != nil {
				t.Fatal(err)
			}
			if _, _, err := f.s.User(ctx, session); escalate.ErrorCode(err) != escalate.EUNAUTHORIZED {
				t.Errorf("the session survived the change: %v", err)
			}
			if _, _, err := f.s.SignIn(ctx, "change@example.org", "my new long passphrase", "192.0.2.1", ""); err != nil {
				t.Errorf("the new password: %v", err)
			}
			var changed int
			db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE recipient_user = $1 AND subject_key = 'account-password-changed'`, u.ID).Scan(&changed)
			if changed != 1 {
				t.Errorf("%d password-changed mails, want 1", changed)
			}
		})
	})
}
