package audit_test

import (
	"bytes"
	"testing"

	"github.com/escalate-project/escalate/audit"
)

func TestCommit(t *testing.T) {
	content := []byte(`{"child":"case 4471, initials JD"}`)
	c, salt := audit.Commit(content)
	if len(salt) != audit.SaltSize {
		t.Fatalf("salt has %d bytes, want %d", len(salt), audit.SaltSize)
	}
	c2, salt2 := audit.Commit(content)
	if c == c2 || bytes.Equal(salt, salt2) {
		t.Error("two commitments to the same content are equal; the salt is not fresh")
	}

	otherSalt := bytes.Clone(salt)
	otherSalt[0] ^= 1
	tests := []struct {
		name    string
		salt    []byte
		content []byte
		want    bool
	}{
		{"OK", salt, content, true},
		{"ErrOtherContent", salt, []byte(`{"child":"case 4471, initials JE"}`), false},
		{"ErrNoContent", salt, nil, false},
		{"ErrOtherSalt", otherSalt, content, false},
		{"ErrShortSalt", salt[:16], content, false},
		{"ErrErased", nil, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := audit.Open(c, tt.salt, tt.content); got != tt.want {
				t.Errorf("Open = %v, want %v", got, tt.want)
			}
		})
	}
	t.Run("OKEmptyContent", func(t *testing.T) {
		c, salt := audit.Commit(nil)
		if !audit.Open(c, salt, []byte{}) {
			t.Error("a commitment to empty content does not open")
		}
	})
}
