package sqlstore

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
)

// BenchmarkSignIn compares a whole password sign-in with an authenticator
// app's code (SignIn, then VerifyFactor: the throttle's reads, the hash
// under the concurrency limit, the session's writes, the TOTP check and the
// new full session) with bare argon2id hashing of the same password, in
// one run, so that benchstat shows the ratio (doc/performance.md):
//
//	go test ./sqlstore -run '^$' -bench BenchmarkSignIn -benchtime 30x -count 6 | tee signin.txt
//	benchstat -col /step signin.txt
func BenchmarkSignIn(b *testing.B) {
	b.Run("step=argon2id", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := HashPassword(sessPW); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("step=password+totp", func(b *testing.B) {
		db := MustOpenDB(b, SQLite)
		f := requiredFixture(b, db)
		u := f.user(b, "bench@example.org", sessPW)
		ctx := context.Background()
		secret := benchEnrol(b, f, u)
		// Each sign-in uses the next 30-second step: a code works once.
		var step atomic.Int64
		base := f.clock.now()
		db.Now = func() time.Time { return base.Add(time.Duration(step.Load()) * TOTPPeriod) }
		b.ReportAllocs()
		for b.Loop() {
			step.Add(1)
			token, _, err := f.s.SignIn(ctx, "bench@example.org", sessPW, "192.0.2.1", "")
			if err != nil {
				b.Fatal(err)
			}
			code, _ := TOTPCode(secret, db.Now())
			if _, err := f.s.VerifyFactor(ctx, token, code, "192.0.2.1"); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// benchEnrol sets up u's authenticator app and returns its secret.
func benchEnrol(tb testing.TB, f *sessFixture, u *escalate.User) string {
	tb.Helper()
	ctx := context.Background()
	token, _, err := f.s.SignIn(ctx, u.Email, sessPW, "192.0.2.1", "")
	if err != nil {
		tb.Fatal(err)
	}
	secret, _, err := f.s.StartTOTP(ctx, token)
	if err != nil {
		tb.Fatal(err)
	}
	code, _ := TOTPCode(secret, f.clock.now())
	if _, _, err := f.s.ConfirmTOTP(ctx, token, code, "192.0.2.1"); err != nil {
		tb.Fatal(err)
	}
	return secret
}
