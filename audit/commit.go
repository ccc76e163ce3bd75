package audit

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
)

// commitDomain separates commitments from every other hash in the log.
const commitDomain = "escalate-audit-commit-v1\x00"

// SaltSize is the length of a commitment's salt.
const SaltSize = 32

// Commit returns a salted SHA-256 commitment to content and the fresh random
// salt it used. The chain holds only the commitment; the store keeps content
// and salt in a separate table so both can be erased on a retention schedule
// while the chain still verifies. The salt stops anyone guessing short
// content (initials, a case reference) from the commitment alone.
func Commit(content []byte) (commitment [32]byte, salt []byte) {
	salt = make([]byte, SaltSize)
	rand.Read(salt) // never fails: crypto/rand.Read aborts the program instead
	return commitTo(salt, content), salt
}

// Open reports whether content and salt are what commitment was made from.
func Open(commitment [32]byte, salt, content []byte) bool {
	if len(salt) != SaltSize {
		return false
	}
	c := commitTo(salt, content)
	return subtle.ConstantTimeCompare(c[:], commitment[:]) == 1
}

func commitTo(salt, content []byte) [32]byte {
	h := sha256.New()
	h.Write([]byte(commitDomain))
	h.Write(salt)
	h.Write(content)
	var c [32]byte
	h.Sum(c[:0])
	return c
}
