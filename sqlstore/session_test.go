package sqlstore

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/policy"
)

// sessClock is a clock a test moves by hand.
type sessClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *sessClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *sessClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// sessFixture is a partnership with one agency, for sign-in tests.
type sessFixture struct {
	db     *DB
	clock  *sessClock
	s      *Sessions
	p      *escalate.Partnership
	agency *escalate.Agency
}

func newSessFixture(t *testing.T, db *DB) *sessFixture {
	t.Helper()
	ctx := context.Background()
	pol, err := policy.Pack("redbridge")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := policy.PackSource("redbridge")
	f := &sessFixture{db: db, clock: &sessClock{t: testNow}}
	db.Now = f.clock.now
	f.p = &escalate.Partnership{Key: "redbridge", Name: "Redbridge LSCB"}
	if err := db.CreatePartnership(ctx, f.p, pol, raw); err != nil {
		t.Fatal(err)
	}
	f.agency = &escalate.Agency{PartnershipID: f.p.ID, Name: "Redbridge School", Kind: "school"}
	if err := db.CreateAgency(ctx, f.agency); err != nil {
		t.Fatal(err)
	}
	f.s = &Sessions{DB: db, Idle: 30 * time.Minute, Lifetime: 12 * time.Hour}
	return f
}

// user adds a practitioner with the given email and password ("" for none).
func (f *sessFixture) user(t *testing.T, email, pw string) *escalate.User {
	t.Helper()
	ctx := context.Background()
	u := &escalate.User{PartnershipID: f.p.ID, AgencyID: f.agency.ID, Name: "Test Person",
		Email: email, Roles: []escalate.Role{escalate.RolePractitioner}}
	if err := f.db.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if pw != "" {
		if _, err := f.db.SetPassword(ctx, f.p.Key, email, pw); err != nil {
			t.Fatal(err)
		}
	}
	return u
}

// auditActions returns "action object" for every audit event from seq on.
func auditActions(t *testing.T, db *DB) []string {
	t.Helper()
	evs, err := db.AuditEvents(context.Background(), 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		out = append(out, e.Action+" "+e.Object)
	}
	return out
}

const sessPW = "a long enough passphrase"

func TestSignIn(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		f := newSessFixture(t, db)
		u := f.user(t, "Alex@Example.org", sessPW)
		off := f.user(t, "off@example.org", sessPW)
		if err := db.DisableUser(ctx, off.ID); err != nil {
			t.Fatal(err)
		}

		t.Run("OK", func(t *testing.T) {
			token, got, err := f.s.SignIn(ctx, " ALEX@example.org ", sessPW, "192.0.2.1", "")
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != u.ID || len(token) != tokenLen {
				t.Errorf("SignIn = user %d, token %q; want user %d and a %d-character token", got.ID, token, u.ID, tokenLen)
			}
			su, p, err := f.s.User(ctx, token)
			if err != nil || su.ID != u.ID || p.Key != "redbridge" {
				t.Fatalf("User(token) = %v, %v, %v", su, p, err)
			}
			// The token is stored only as its hash.
			var n int
			if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions WHERE id_hash = $1`, []byte(token)).Scan(&n); err != nil || n != 0 {
				t.Errorf("a session row holds the raw token (n=%d, err=%v)", n, err)
			}
			if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions WHERE id_hash = $1`, tokenHash(token)).Scan(&n); err != nil || n != 1 {
				t.Errorf("no session row holds the token's hash (n=%d, err=%v)", n, err)
			}
		})
		t.Run("ErrSameMessage", func(t *testing.T) {
			var msgs []string
			for _, c := range []struct{ email, pw string }{
				{"alex@example.org", "the wrong password"},
				{"nobody@example.org", sessPW},
				{"off@example.org", sessPW},
			} {
				_, _, err := f.s.SignIn(ctx, c.email, c.pw, "192.0.2.2", "")
				if escalate.ErrorCode(err) != escalate.EUNAUTHORIZED {
					t.Fatalf("SignIn(%s) error = %v, want EUNAUTHORIZED", c.email, err)
				}
				msgs = append(msgs, escalate.ErrorMessage(err))
			}
			if msgs[0] != msgs[1] || msgs[1] != msgs[2] {
				t.Errorf("messages differ: %q", msgs)
			}
		})
		t.Run("Audited", func(t *testing.T) {
			acts := strings.Join(auditActions(t, db), "\n")
			for _, want := range []string{
				"sign-in user:" + itoa(u.ID), "sign-in.failed user:" + itoa(u.ID),
				"sign-in.failed unknown", "sign-in.failed user:" + itoa(off.ID), "user.disable user:" + itoa(off.ID),
			} {
				if !strings.Contains(acts, want+"\n") && !strings.HasSuffix(acts, want) {
					t.Errorf("audit log lacks %q:\n%s", want, acts)
				}
			}
			if strings.Contains(strings.ToLower(acts), "example.org") {
				t.Errorf("an audit object names an email:\n%s", acts)
			}
		})
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestSignInRateLimit(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		f := newSessFixture(t, db)
		f.user(t, "sam@example.org", sessPW)

		t.Run("Account", func(t *testing.T) {
			for i := range MaxAccountFailures {
				if _, _, err := f.s.SignIn(ctx, "sam@example.org", "wrong", "192.0.2.10", ""); escalate.ErrorCode(err) != escalate.EUNAUTHORIZED {
					t.Fatalf("failure %d: %v", i+1, err)
				}
			}
			// Even the right password is refused now, from another address.
			_, _, err := f.s.SignIn(ctx, "sam@example.org", sessPW, "198.51.100.7", "")
			if escalate.ErrorCode(err) != escalate.EFORBIDDEN {
				t.Fatalf("after %d failures: %v, want EFORBIDDEN", MaxAccountFailures, err)
			}
			// Refused attempts are audited but do not extend the lock.
			f.clock.add(FailureWindow + time.Second)
			if _, _, err := f.s.SignIn(ctx, "sam@example.org", sessPW, "198.51.100.7", ""); err != nil {
				t.Fatalf("after the window: %v", err)
			}
			acts := strings.Join(auditActions(t, db), "\n")
			if !strings.Contains(acts, "sign-in.throttled user:") {
				t.Errorf("no sign-in.throttled event:\n%s", acts)
			}
		})
		t.Run("IP", func(t *testing.T) {
			for i := range MaxIPFailures {
				email := "spray" + strconv.Itoa(i) + "@example.org"
				if _, _, err := f.s.SignIn(ctx, email, "wrong", "203.0.113.9", ""); escalate.ErrorCode(err) != escalate.EUNAUTHORIZED {
					t.Fatalf("failure %d: %v", i+1, err)
				}
			}
			if _, _, err := f.s.SignIn(ctx, "sam@example.org", sessPW, "203.0.113.9", ""); escalate.ErrorCode(err) != escalate.EFORBIDDEN {
				t.Fatalf("after %d failures from one IP: %v, want EFORBIDDEN", MaxIPFailures, err)
			}
			if _, _, err := f.s.SignIn(ctx, "sam@example.org", sessPW, "203.0.113.10", ""); err != nil {
				t.Fatalf("another IP: %v", err)
			}
		})
	})
}

func TestSessions(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		f := newSessFixture(t, db)
		u := f.user(t, "kim@example.org", sessPW)
		signIn := func(t *testing.T, old string) string {
			t.Helper()
			token, _, err := f.s.SignIn(ctx, "kim@example.org", sessPW, "192.0.2.1", old)
			if err != nil {
				t.Fatal(err)
			}
			return token
		}
		alive := func(token string) bool {
			_, _, err := f.s.User(ctx, token)
			if err != nil && escalate.ErrorCode(err) != escalate.EUNAUTHORIZED {
				t.Fatal(err)
			}
			return err == nil
		}

		t.Run("Rotated", func(t *testing.T) {
			old := signIn(t, "")
			token := signIn(t, old)
			if token == old || alive(old) || !alive(token) {
				t.Errorf("after signing in again: old alive %v, new alive %v", alive(old), alive(token))
			}
		})
		t.Run("Idle", func(t *testing.T) {
			token := signIn(t, "")
			f.clock.add(29 * time.Minute)
			if !alive(token) { // and this use resets the idle clock
				t.Fatal("ended before the idle timeout")
			}
			f.clock.add(29 * time.Minute)
			if !alive(token) {
				t.Fatal("ended although used 29 minutes ago")
			}
			f.clock.add(30 * time.Minute)
			if alive(token) {
				t.Fatal("alive after 30 idle minutes")
			}
		})
		t.Run("Absolute", func(t *testing.T) {
			token := signIn(t, "")
			for i := range 28 { // busy all day, so never idle, for 11h40m
				f.clock.add(25 * time.Minute)
				if !alive(token) {
					t.Fatalf("ended after %d minutes of a 12-hour lifetime", (i+1)*25)
				}
			}
			f.clock.add(25 * time.Minute)
			if alive(token) {
				t.Fatal("alive 12h05m after sign-in")
			}
		})
		t.Run("SignOut", func(t *testing.T) {
			token := signIn(t, "")
			if err := f.s.SignOut(ctx, token); err != nil {
				t.Fatal(err)
			}
			if alive(token) {
				t.Error("alive after sign-out")
			}
			if err := f.s.SignOut(ctx, token); err != nil {
				t.Errorf("signing out twice: %v", err)
			}
		})
		t.Run("PasswordResetEndsSessions", func(t *testing.T) {
			token := signIn(t, "")
			if _, err := db.SetPassword(ctx, "redbridge", "kim@example.org", sessPW); err != nil {
				t.Fatal(err)
			}
			if alive(token) {
				t.Error("alive after the password was set")
			}
		})
		t.Run("DisableEndsSessions", func(t *testing.T) {
			a, b := signIn(t, ""), signIn(t, "")
			if err := db.DisableUser(ctx, u.ID); err != nil {
				t.Fatal(err)
			}
			if alive(a) || alive(b) {
				t.Error("a session survived disabling the user")
			}
			var n int
			if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions WHERE user_id = $1`, u.ID).Scan(&n); err != nil || n != 0 {
				t.Errorf("%d session rows left (err %v)", n, err)
			}
			if err := db.DisableUser(ctx, 999999); escalate.ErrorCode(err) != escalate.ENOTFOUND {
				t.Errorf("DisableUser(unknown) = %v, want ENOTFOUND", err)
			}
		})
		t.Run("ErrBadToken", func(t *testing.T) {
			for _, tok := range []string{"", "short", strings.Repeat("A", tokenLen), "!!!!!!!!!!!!!!!!!!!!!!"} {
				if alive(tok) {
					t.Errorf("token %q accepted", tok)
				}
			}
		})
	})
}
