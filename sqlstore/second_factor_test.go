package sqlstore

import (
	"context"
	"encoding/base32"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// TestTOTPVectors checks the codes against RFC 6238's test vectors
// (Appendix B): the app's 6 digits are the last 6 of the RFC's 8, and the
// library gives all 8 for SHA-1, SHA-256 and SHA-512.
func TestTOTPVectors(t *testing.T) {
	b32 := func(s string) string {
		return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString([]byte(s))
	}
	seeds := map[otp.Algorithm]string{
		otp.AlgorithmSHA1:   b32("12345678901234567890"),
		otp.AlgorithmSHA256: b32("12345678901234567890123456789012"),
		otp.AlgorithmSHA512: b32("1234567890123456789012345678901234567890123456789012345678901234"),
	}
	for _, v := range []struct {
		unix int64
		alg  otp.Algorithm
		code string
	}{
		{59, otp.AlgorithmSHA1, "94287082"}, {59, otp.AlgorithmSHA256, "46119246"}, {59, otp.AlgorithmSHA512, "90693936"},
		{1111111109, otp.AlgorithmSHA1, "07081804"}, {1111111109, otp.AlgorithmSHA256, "68084774"}, {1111111109, otp.AlgorithmSHA512, "25091201"},
		{1111111111, otp.AlgorithmSHA1, "14050471"}, {1111111111, otp.AlgorithmSHA256, "67062674"}, {1111111111, otp.AlgorithmSHA512, "99943326"},
		{1234567890, otp.AlgorithmSHA1, "89005924"}, {1234567890, otp.AlgorithmSHA256, "91819424"}, {1234567890, otp.AlgorithmSHA512, "93441116"},
		{2000000000, otp.AlgorithmSHA1, "69279037"}, {2000000000, otp.AlgorithmSHA256, "90698825"}, {2000000000, otp.AlgorithmSHA512, "38618901"},
		{20000000000, otp.AlgorithmSHA1, "65353130"}, {20000000000, otp.AlgorithmSHA256, "77737706"}, {20000000000, otp.AlgorithmSHA512, "47863826"},
	} {
		at := time.Unix(v.unix, 0).UTC()
		got, err := totp.GenerateCodeCustom(seeds[v.alg], at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsEight, Algorithm: v.alg})
		if err != nil || got != v.code {
			t.Errorf("%v at %d: %q, %v; want %s", v.alg, v.unix, got, err, v.code)
		}
		if v.alg != otp.AlgorithmSHA1 {
			continue
		}
		six, err := TOTPCode(seeds[v.alg], at)
		if err != nil || six != v.code[2:] {
			t.Errorf("TOTPCode at %d = %q, %v; want %s", v.unix, six, err, v.code[2:])
		}
		if step := matchTOTP(seeds[v.alg], v.code[2:], at.Add(TOTPPeriod)); step != totpStep(at) {
			t.Errorf("a code one step late at %d: step %d, want %d", v.unix, step, totpStep(at))
		}
		if step := matchTOTP(seeds[v.alg], v.code[2:], at.Add(2*TOTPPeriod)); step != 0 {
			t.Errorf("a code two steps late at %d was accepted", v.unix)
		}
	}
}

// requiredFixture is a partnership that keeps the default: password
// sign-in needs a second factor.
func requiredFixture(t testing.TB, db *DB) *sessFixture {
	t.Helper()
	f := newSessFixture(t, db)
	if err := db.SetSecondFactorOptional(context.Background(), f.p.ID, false); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestSecondFactorRequired(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		pol, raw := testPolicy("surrey", "england-and-wales")
		p := &escalate.Partnership{Key: "fresh", Name: "Fresh SCP"}
		if err := db.CreatePartnership(ctx, p, pol, raw); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.FindPartnership(ctx, "fresh"); got.SecondFactorOptional {
			t.Fatal("a new partnership does not require a second factor")
		}
		f := requiredFixture(t, db)
		u := f.user(t, "two@example.org", sessPW)
		var secret string
		var codes []string

		t.Run("EnrolAtFirstSignIn", func(t *testing.T) {
			token, _, err := f.s.SignIn(ctx, "two@example.org", sessPW, "192.0.2.1", "")
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := f.s.User(ctx, token); escalate.ErrorCode(err) != escalate.EUNAUTHORIZED {
				t.Fatalf("a password alone signed in: %v", err)
			}
			if _, _, stage, err := f.s.Pending(ctx, token); err != nil || stage != escalate.StageEnrol {
				t.Fatalf("Pending = %q, %v; want enrol", stage, err)
			}
			var uri string
			if secret, uri, err = f.s.StartTOTP(ctx, token); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(uri, "otpauth://totp/Escalate:two@example.org?") || !strings.Contains(uri, "secret="+secret) {
				t.Errorf("otpauth URI %q", uri)
			}
			if again, _, _ := f.s.StartTOTP(ctx, token); again != secret {
				t.Error("starting again changed the secret")
			}
			_, _, err = f.s.ConfirmTOTP(ctx, token, "000000", "192.0.2.1")
			wantEscErr(t, err, escalate.EINVALID, "code")
			code, _ := TOTPCode(secret, f.clock.now())
			var fresh string
			if codes, fresh, err = f.s.ConfirmTOTP(ctx, token, code, "192.0.2.1"); err != nil {
				t.Fatal(err)
			}
			if len(codes) != RecoveryCodeCount || len(codes[0]) != 19 {
				t.Errorf("recovery codes %q", codes)
			}
			if su, _, err := f.s.User(ctx, fresh); err != nil || su.ID != u.ID {
				t.Fatalf("after enrolling: %v", err)
			}
			if _, _, _, err := f.s.Pending(ctx, token); err == nil {
				t.Error("the waiting session outlived its promotion")
			}
		})
		t.Run("CodeAtSignIn", func(t *testing.T) {
			token, _, err := f.s.SignIn(ctx, "two@example.org", sessPW, "192.0.2.1", "")
			if err != nil {
				t.Fatal(err)
			}
			if _, _, stage, _ := f.s.Pending(ctx, token); stage != escalate.StageSecondFactor {
				t.Fatalf("stage %q, want second-factor", stage)
			}
			// The code used to enrol cannot be used again.
			used, _ := TOTPCode(secret, f.clock.now())
			_, err = f.s.VerifyFactor(ctx, token, used, "192.0.2.1")
			wantEscErr(t, err, escalate.EINVALID, "code")
			f.clock.add(TOTPPeriod)
			code, _ := TOTPCode(secret, f.clock.now())
			fresh, err := f.s.VerifyFactor(ctx, token, code, "192.0.2.1")
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := f.s.User(ctx, fresh); err != nil {
				t.Errorf("after the code: %v", err)
			}
		})
		t.Run("RecoveryCodeOnce", func(t *testing.T) {
			for i, want := range []bool{true, false} {
				token, _, err := f.s.SignIn(ctx, "two@example.org", sessPW, "192.0.2.1", "")
				if err != nil {
					t.Fatal(err)
				}
				_, err = f.s.VerifyFactor(ctx, token, strings.ToLower(codes[0]), "192.0.2.1")
				if (err == nil) != want {
					t.Errorf("recovery code, use %d: %v", i+1, err)
				}
			}
			fs, err := factorsOf(ctx, db.db, u.ID)
			if err != nil || fs.RecoveryLeft != RecoveryCodeCount-1 || !fs.TOTP {
				t.Errorf("factors %+v, %v", fs, err)
			}
		})
		t.Run("ErrTooManyWrongCodes", func(t *testing.T) {
			f.clock.add(FailureWindow) // forget the failures so far
			token, _, err := f.s.SignIn(ctx, "two@example.org", sessPW, "198.51.100.1", "")
			if err != nil {
				t.Fatal(err)
			}
			for i := range MaxFactorFailures {
				_, err = f.s.VerifyFactor(ctx, token, "12345"+itoa(int64(i)), "198.51.100.1")
			}
			if escalate.ErrorCode(err) != escalate.EUNAUTHORIZED {
				t.Fatalf("after %d wrong codes: %v, want the sign-in ended", MaxFactorFailures, err)
			}
			code, _ := TOTPCode(secret, f.clock.now().Add(TOTPPeriod))
			if _, err := f.s.VerifyFactor(ctx, token, code, "198.51.100.1"); escalate.ErrorCode(err) != escalate.EUNAUTHORIZED {
				t.Errorf("the ended sign-in took a right code: %v", err)
			}
		})
		t.Run("AttackerElsewhereDoesNotLockOut", func(t *testing.T) {
			f.clock.add(FailureWindow)
			for i := range 20 {
				_, _, err := f.s.SignIn(ctx, "two@example.org", "guess "+itoa(int64(i)), "203.0.113.66", "")
				if escalate.ErrorCode(err) == escalate.ETOOMANY {
					f.clock.add(escalate.RetryAfter(err))
					_, _, err = f.s.SignIn(ctx, "two@example.org", "guess "+itoa(int64(i)), "203.0.113.66", "")
				}
				if escalate.ErrorCode(err) != escalate.EUNAUTHORIZED {
					t.Fatalf("guess %d: %v", i+1, err)
				}
			}
			token, _, err := f.s.SignIn(ctx, "two@example.org", sessPW, "192.0.2.200", "")
			if err != nil {
				t.Fatalf("the right password from the person's own client: %v", err)
			}
			f.clock.add(TOTPPeriod)
			code, _ := TOTPCode(secret, f.clock.now())
			if _, err := f.s.VerifyFactor(ctx, token, code, "192.0.2.200"); err != nil {
				t.Fatalf("the second factor from the person's own client: %v", err)
			}
		})
		t.Run("ReauthWithCode", func(t *testing.T) {
			token, _, _ := f.s.SignIn(ctx, "two@example.org", sessPW, "192.0.2.1", "")
			f.clock.add(TOTPPeriod)
			code, _ := TOTPCode(secret, f.clock.now())
			full, err := f.s.VerifyFactor(ctx, token, code, "192.0.2.1")
			if err != nil {
				t.Fatal(err)
			}
			f.clock.add(TOTPPeriod)
			code, _ = TOTPCode(secret, f.clock.now())
			if err := f.s.Reauthenticate(ctx, full, "", code, "192.0.2.1"); err != nil {
				t.Errorf("re-authenticating with a code: %v", err)
			}
		})
		t.Run("AdminReset", func(t *testing.T) {
			admin := f.user(t, "admin@example.org", "")
			as := escalate.NewContextWithUser(ctx, admin)
			wantEscErr(t, db.ResetSecondFactors(as, admin.ID), escalate.EFORBIDDEN, "")
			if err := db.ResetSecondFactors(as, u.ID); err != nil {
				t.Fatal(err)
			}
			if fs, _ := factorsOf(ctx, db.db, u.ID); fs.Any() || fs.RecoveryLeft != 0 {
				t.Errorf("factors after the reset: %+v", fs)
			}
			token, _, _ := f.s.SignIn(ctx, "two@example.org", sessPW, "192.0.2.1", "")
			if _, _, stage, _ := f.s.Pending(ctx, token); stage != escalate.StageEnrol {
				t.Errorf("after the reset the next sign-in is at %q, want enrol", stage)
			}
			var mails int
			db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE recipient_user = $1 AND subject_key = 'account-factors-reset'`, u.ID).Scan(&mails)
			if mails != 1 {
				t.Errorf("%d reset mails, want 1", mails)
			}
		})
		t.Run("RelaxedPartnership", func(t *testing.T) {
			if err := db.SetSecondFactorOptional(ctx, f.p.ID, true); err != nil {
				t.Fatal(err)
			}
			f.user(t, "relaxed@example.org", sessPW)
			token, _, err := f.s.SignIn(ctx, "relaxed@example.org", sessPW, "192.0.2.1", "")
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := f.s.User(ctx, token); err != nil {
				t.Errorf("relaxed: the password alone should sign in: %v", err)
			}
		})
	})
}
