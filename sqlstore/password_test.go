package sqlstore

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"
)

func TestHashPassword(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		pw := "correct horse battery staple"
		enc, err := HashPassword(pw)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(enc, "$argon2id$v=19$m=19456,t=2,p=1$") {
			t.Errorf("hash %q does not start with the argon2id parameters", enc)
		}
		h, err := ParsePasswordHash(enc)
		if err != nil {
			t.Fatal(err)
		}
		if h.Memory != 19456 || h.Time != 2 || h.Threads != 1 || len(h.Salt) != 16 || len(h.Key) != 32 {
			t.Errorf("parameters m=%d t=%d p=%d salt=%d key=%d, want m=19456 t=2 p=1 salt=16 key=32",
				h.Memory, h.Time, h.Threads, len(h.Salt), len(h.Key))
		}
		// The key is argon2id of the password with the stored salt.
		want := argon2.IDKey([]byte(pw), h.Salt, 2, 19456, 1, 32)
		if string(want) != string(h.Key) {
			t.Error("the stored key is not argon2id(password, salt)")
		}
		if ok, rehash, err := VerifyPassword(enc, pw); err != nil || !ok || rehash {
			t.Errorf("VerifyPassword(right) = %v, %v, %v; want true, false, nil", ok, rehash, err)
		}
		if ok, _, _ := VerifyPassword(enc, pw+" "); ok {
			t.Error("a wrong password verified")
		}
		other, _ := HashPassword(pw)
		if other == enc {
			t.Error("two hashes of one password are equal: the salt is not random")
		}
	})
	t.Run("UnicodeNFC", func(t *testing.T) {
		composed := "caf\u00e9 na\u00efve r\u00e9sum\u00e9 \U0001F510 пароль 密码"
		decomposed := "cafe\u0301 nai\u0308ve re\u0301sume\u0301 \U0001F510 пароль 密码"
		enc, err := HashPassword(composed)
		if err != nil {
			t.Fatal(err)
		}
		if ok, _, _ := VerifyPassword(enc, decomposed); !ok {
			t.Error("the decomposed form of the same password did not verify")
		}
	})
	t.Run("Long", func(t *testing.T) {
		long := strings.Repeat("długie hasło ", 100) // 1,400 bytes
		enc, err := HashPassword(long)
		if err != nil {
			t.Fatal(err)
		}
		if ok, _, _ := VerifyPassword(enc, long); !ok {
			t.Error("a long password did not verify")
		}
		if _, err := HashPassword(strings.Repeat("x", MaxPasswordBytes+1)); err == nil {
			t.Error("a password over MaxPasswordBytes was hashed")
		}
		if _, err := HashPassword(""); err == nil {
			t.Error("an empty password was hashed")
		}
	})
	t.Run("Rehash", func(t *testing.T) {
		salt := []byte("0123456789abcdef")
		key := argon2.IDKey([]byte("old parameters!"), salt, 1, 8192, 1, 32)
		enc := fmt.Sprintf("$argon2id$v=19$m=8192,t=1,p=1$%s$%s",
			base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
		ok, rehash, err := VerifyPassword(enc, "old parameters!")
		if err != nil || !ok || !rehash {
			t.Errorf("VerifyPassword(old parameters) = %v, %v, %v; want true, true, nil", ok, rehash, err)
		}
	})
	t.Run("ErrBadHash", func(t *testing.T) {
		for _, enc := range []string{
			"", "plain", "$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$a2V5",
			"$argon2id$v=19$m=19456,t=2,p=1$!!$a2V5a2V5a2V5a2V5a2V5a2V5",
			"$argon2id$v=19$m=0,t=2,p=1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5",
			"$argon2id$v=16$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5",
		} {
			if _, _, err := VerifyPassword(enc, "x"); err == nil {
				t.Errorf("VerifyPassword(%q) gave no error", enc)
			}
		}
	})
}

func BenchmarkHashPassword(b *testing.B) {
	for b.Loop() {
		if _, err := HashPassword("correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}
