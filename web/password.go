package web

import (
	"encoding/json"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/escalate-project/escalate"
	"golang.org/x/text/unicode/norm"
)

// The password policy (OWASP ASVS 5.0, V6.2). Length is counted in
// characters after NFC normalisation, so any Unicode text, spaces included,
// may be a password; there are no composition rules.
const (
	MinPasswordLength = 8   // ASVS 6.2.1
	MaxPasswordLength = 256 // ASVS 6.2.9 asks that at least 64 be allowed
)

// CheckNewPassword returns an EINVALID error for field "password" if pw may
// not be set as a new password: too short, too long, one of the commonly
// used passwords, or containing one of avoid (context words such as the
// service's name or the user's email), case-insensitively.
func CheckNewPassword(pw string, avoid ...string) error {
	pw = norm.NFC.String(pw)
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinPasswordLength:
		return escalate.FieldErrorf("password", "Password must be %d characters or more", MinPasswordLength)
	case n > MaxPasswordLength:
		return escalate.FieldErrorf("password", "Password must be %d characters or fewer", MaxPasswordLength)
	}
	lower := strings.ToLower(pw)
	if commonPasswords()[lower] {
		return escalate.FieldErrorf("password", "Password is too easy to guess: it is on a list of commonly used passwords")
	}
	for _, w := range append([]string{"escalate"}, avoid...) {
		w = strings.ToLower(strings.TrimSpace(w))
		if utf8.RuneCountInString(w) >= 4 && strings.Contains(lower, w) {
			return escalate.FieldErrorf("password", "Password must not contain the name of the service, your partnership or your email address")
		}
	}
	return nil
}

// builtinCommon is used when the vendored list is missing (a build without
// make): the most common passwords of 8 characters or more.
var builtinCommon = []string{
	"password", "password1", "password123", "12345678", "123456789", "1234567890",
	"qwertyuiop", "qwerty123", "11111111", "iloveyou", "sunshine", "princess",
	"football", "baseball", "welcome1", "abc12345", "passw0rd", "superman",
	"1q2w3e4r", "00000000", "trustno1", "letmein1", "changeme", "qwerty12",
}

// commonPasswords is the list make copies from the popular-passwords npm
// package (about 40,000 passwords of 8 characters or more), lower-cased.
var commonPasswords = sync.OnceValue(func() map[string]bool {
	set := map[string]bool{}
	for _, p := range builtinCommon {
		set[p] = true
	}
	data, err := staticFS.ReadFile("static/vendor/common-passwords.json")
	if err != nil {
		return set
	}
	var list []string
	if json.Unmarshal(data, &list) == nil {
		for _, p := range list {
			set[strings.ToLower(norm.NFC.String(p))] = true
		}
	}
	return set
})

// CommonPasswordCount reports how many common passwords CheckNewPassword
// refuses, so start-up can warn when only the short built-in list is there.
func CommonPasswordCount() int { return len(commonPasswords()) }
