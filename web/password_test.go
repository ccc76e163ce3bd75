package web_test

import (
	"strings"
	"testing"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/web"
)

func TestCheckNewPassword(t *testing.T) {
	wirral := web.PasswordContext{PartnershipKey: "wirral", PartnershipName: "Wirral Safeguarding Children Partnership",
		Email: "jo.bloggs@seaview.example"}
	for _, c := range []struct {
		name, pw string
		ctx      web.PasswordContext
		want     string // a word of the message, "" for accepted
	}{
		{"OK", "purple elephant umbrella", wirral, ""},
		{"OKUnicode", "żółta łódź 🚣 płynie", wirral, ""},
		{"OK64", strings.Repeat("a walk by the river ", 3) + "home", wirral, ""},
		{"OKMax", "é" + strings.Repeat("ab cdé fgh ", web.MaxPasswordLength/11)[:web.MaxPasswordLength-3] + "z", wirral, ""},
		{"OKCombiningCountsOnce", "cafe\u0301 cre\u0300me brûle\u0301e", wirral, ""},
		{"OKGenericNameWordsAllowed", "the children of the board walk", wirral, ""},
		{"ErrShort", "abc123!", wirral, "12 characters or more"},
		{"ErrEleven", "eleven char", wirral, "12 characters or more"},
		{"ErrShortAfterNFC", strings.Repeat("e\u0301", 11), wirral, "12 characters or more"},
		{"ErrLong", strings.Repeat("ab", web.MaxPasswordLength), wirral, "256 characters or fewer"},
		{"ErrCommon", "password1234", wirral, "list of common"},
		{"ErrCommonCase", "PassWord1234", wirral, "list of common"},
		{"ErrBreached", "iloveyoubaby", wirral, "list of common"},
		{"ErrCommonSpaces", "i love you baby", wirral, "list of common"},
		{"ErrOneChar", "zzzzzzzzzzzz", wirral, "repeated"},
		{"ErrNearlyOneChar", "111111111112", wirral, "repeated"},
		{"ErrSpaces", strings.Repeat(" ", 12), wirral, "repeated"},
		{"ErrPair", "abababababab", wirral, "repeated"},
		{"ErrUnit", "cat1!cat1!cat1!", wirral, "repeated"},
		{"ErrAlphabet", "abcdefghijklm!", wirral, "sequence"},
		{"ErrDigitsWrap", "789012345678", wirral, "sequence"},
		{"ErrBackwards", "zyxwvutsrqpo", wirral, "sequence"},
		{"ErrKeyboard", "qwertyuiop1!", wirral, "sequence"},
		{"ErrService", "my escalate passphrase", wirral, "name of the service"},
		{"ErrKey", "Wirral rocks in 2026", wirral, "name of the service"},
		{"ErrName", "Wirral Safeguarding Children Partnership", wirral, "name of the service"},
		{"ErrNameSquashed", "wirral-safeguarding-children!", wirral, "name of the service"},
		{"ErrEmail", "jo.bloggs@seaview.example", wirral, "email address"},
		{"ErrEmailPart", "Bloggs is my name ok", wirral, "email address"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := web.CheckNewPassword(c.pw, c.ctx)
			if c.want == "" {
				if err != nil {
					t.Fatalf("CheckNewPassword(%q) = %v, want accepted", c.pw, err)
				}
				return
			}
			if escalate.ErrorCode(err) != escalate.EINVALID || escalate.ErrorField(err) != "password" {
				t.Fatalf("CheckNewPassword(%q) = %v, want EINVALID on field password", c.pw, err)
			}
			if !strings.Contains(escalate.ErrorMessage(err), c.want) {
				t.Errorf("message %q does not say %q", escalate.ErrorMessage(err), c.want)
			}
		})
	}
}

// TestCommonPasswordList checks that make bundled the lists: at least
// 100,000 common and breached passwords.
func TestCommonPasswordList(t *testing.T) {
	if n := web.CommonPasswordCount(); n < 100_000 {
		t.Fatalf("%d common passwords bundled, want at least 100,000: run make", n)
	}
}
