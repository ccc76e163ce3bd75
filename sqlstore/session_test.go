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

func newSessFixture(t testing.TB, db *DB) *sessFixture {
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
	// Sign-in tests that are not about second factors relax them, as the
	// demo does; second_factor_test.go covers the required default.
	if err := db.SetSecondFactorOptional(ctx, f.p.ID, true); err != nil {
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
func (f *sessFixture) user(t testing.TB, email, pw string) *escalate.User {
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

func TestSignInThrottle(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		f := newSessFixture(t, db)
		sam := f.user(t, "sam@example.org", sessPW)
		throttledEvents := func(t *testing.T) int {
			t.Helper()
			n := 0
			for _, a := range auditActions(t, db) {
				if strings.HasPrefix(a, "sign-in.throttled ") {
					n++
				}
			}
			return n
		}

		t.Run("AccountFromAnotherClient", func(t *testing.T) {
			// 20 wrong passwords from one client, each after the wait the
			// one before earned, so all 20 are checked and counted.
			start := f.clock.now()
			for i := range 20 {
				_, _, err := f.s.SignIn(ctx, "sam@example.org", "wrong guess number "+itoa(int64(i)), "192.0.2.10", "")
				if escalate.ErrorCode(err) == escalate.ETOOMANY {
					f.clock.add(escalate.RetryAfter(err))
					_, _, err = f.s.SignIn(ctx, "sam@example.org", "wrong guess number "+itoa(int64(i)), "192.0.2.10", "")
				}
				if escalate.ErrorCode(err) != escalate.EUNAUTHORIZED {
					t.Fatalf("failure %d: %v, want EUNAUTHORIZED", i+1, err)
				}
			}
			// The delays doubled: 20 guesses took the attacker over 15
			// minutes, where 5 were free.
			if took := f.clock.now().Sub(start); took < FailureWindow {
				t.Errorf("20 guesses took %v, want the delays to add up to at least %v", took, FailureWindow)
			}
			// That client must wait, even with the right password; the
			// person's own client is not held up at all.
			_, _, err := f.s.SignIn(ctx, "sam@example.org", sessPW, "192.0.2.10", "")
			if w := escalate.RetryAfter(err); escalate.ErrorCode(err) != escalate.ETOOMANY || w <= 0 || w > MaxPairDelay {
				t.Fatalf("the attacking client after 20 failures: %v (wait %v), want ETOOMANY for up to %v", err, w, MaxPairDelay)
			}
			before := throttledEvents(t)
			for range 10 {
				if _, _, err := f.s.SignIn(ctx, "sam@example.org", "wrong again", "192.0.2.10", ""); escalate.ErrorCode(err) != escalate.ETOOMANY {
					t.Fatalf("hammering: %v, want ETOOMANY", err)
				}
			}
			if after := throttledEvents(t); after != before {
				t.Errorf("10 more refusals in one window wrote %d audit events, want 0 (one per window)", after-before)
			}
			token, u, err := f.s.SignIn(ctx, "sam@example.org", sessPW, "198.51.100.7", "")
			if err != nil || u.ID != sam.ID || token == "" {
				t.Fatalf("the right password from another client: %v", err)
			}
			// A window later the attacking client may try again.
			f.clock.add(FailureWindow + time.Second)
			if _, _, err := f.s.SignIn(ctx, "sam@example.org", sessPW, "192.0.2.10", ""); err != nil {
				t.Fatalf("after the window: %v", err)
			}
		})
		t.Run("Delays", func(t *testing.T) {
			for _, c := range []struct {
				n    int
				want time.Duration
			}{{4, 0}, {5, time.Second}, {6, 2 * time.Second}, {10, 32 * time.Second}, {13, 256 * time.Second}, {14, MaxPairDelay}, {60, MaxPairDelay}} {
				if got := throttleDelay(c.n, FreePairFailures, MaxPairDelay); got != c.want {
					t.Errorf("throttleDelay(%d) = %v, want %v", c.n, got, c.want)
				}
			}
		})
		t.Run("Client", func(t *testing.T) {
			for i := range FreeClientFailures {
				email := "spray" + strconv.Itoa(i) + "@example.org"
				if _, _, err := f.s.SignIn(ctx, email, "wrong", "203.0.113.9", ""); escalate.ErrorCode(err) != escalate.EUNAUTHORIZED {
					t.Fatalf("failure %d: %v", i+1, err)
				}
			}
			_, _, err := f.s.SignIn(ctx, "sam@example.org", sessPW, "203.0.113.9", "")
			if escalate.ErrorCode(err) != escalate.ETOOMANY || escalate.RetryAfter(err) != time.Second {
				t.Fatalf("after %d failures from one client: %v, want ETOOMANY for 1s", FreeClientFailures, err)
			}
			if _, _, err := f.s.SignIn(ctx, "sam@example.org", sessPW, "203.0.113.10", ""); err != nil {
				t.Fatalf("another client: %v", err)
			}
			f.clock.add(time.Second)
			if _, _, err := f.s.SignIn(ctx, "sam@example.org", sessPW, "203.0.113.9", ""); err != nil {
				t.Fatalf("after the wait: %v", err)
			}
		})
		t.Run("IPv6Prefix", func(t *testing.T) {
			for i := range FreePairFailures {
				ip := "2001:db8:1:2::" + strconv.Itoa(i+1)
				if _, _, err := f.s.SignIn(ctx, "sam@example.org", "wrong", ip, ""); escalate.ErrorCode(err) != escalate.EUNAUTHORIZED {
					t.Fatalf("failure %d: %v", i+1, err)
				}
			}
			// Another address of the same /64 is the same client.
			if _, _, err := f.s.SignIn(ctx, "sam@example.org", sessPW, "2001:db8:1:2::ff", ""); escalate.ErrorCode(err) != escalate.ETOOMANY {
				t.Fatalf("same /64: %v, want ETOOMANY", err)
			}
			if _, _, err := f.s.SignIn(ctx, "sam@example.org", sessPW, "2001:db8:1:3::1", ""); err != nil {
				t.Fatalf("another /64: %v", err)
			}
		})
		t.Run("Audited", func(t *testing.T) {
			if throttledEvents(t) == 0 {
				t.Error("no sign-in.throttled event")
			}
			for _, a := range auditActions(t, db) {
				if strings.Contains(a, "example.org") {
					t.Errorf("audit names an email: %s", a)
				}
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
