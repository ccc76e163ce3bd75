package escalate_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/internal/testfiles"
)

// TestAttachmentValidate: each kind is recognised by its content; a file
// whose content is none of them, or another kind than its name says, is
// refused; an empty or oversize file is refused; names lose any folder.
func TestAttachmentValidate(t *testing.T) {
	for key, f := range testfiles.Accepted() {
		t.Run("OK"+key, func(t *testing.T) {
			in := escalate.AttachmentInput{Name: `C:\Users\jo\` + f.Name, Data: f.Data}
			k, err := in.Validate()
			if err != nil || k.Key != key {
				t.Fatalf("kind %q, %v; want %q", k.Key, err, key)
			}
			if in.Name != f.Name {
				t.Errorf("name %q, want %q", in.Name, f.Name)
			}
		})
	}
	for _, f := range testfiles.Disguised() {
		t.Run("ErrDisguised"+f.Name, func(t *testing.T) {
			in := escalate.AttachmentInput{Name: f.Name, Data: f.Data}
			_, err := in.Validate()
			assertCode(t, err, escalate.EINVALID, "file")
			if msg := escalate.ErrorMessage(err); !strings.Contains(msg, "content") {
				t.Errorf("message %q does not say the content is what counts", msg)
			}
		})
	}
	t.Run("ErrEmpty", func(t *testing.T) {
		_, err := (&escalate.AttachmentInput{Name: "a.pdf"}).Validate()
		assertCode(t, err, escalate.EINVALID, "file")
	})
	t.Run("ErrTooBig", func(t *testing.T) {
		data := append(testfiles.PDF(), bytes.Repeat([]byte(" "), escalate.MaxAttachmentSize)...)
		_, err := (&escalate.AttachmentInput{Name: "a.pdf", Data: data}).Validate()
		assertCode(t, err, escalate.EINVALID, "file")
		if !strings.Contains(escalate.ErrorMessage(err), "smaller than 10 MB") {
			t.Errorf("message %q", escalate.ErrorMessage(err))
		}
	})
	t.Run("ErrDescription", func(t *testing.T) {
		_, err := (&escalate.AttachmentInput{Name: "a.pdf", Data: testfiles.PDF(), Description: strings.Repeat("x", 501)}).Validate()
		assertCode(t, err, escalate.EINVALID, "description")
	})
}

func TestSizeWords(t *testing.T) {
	for n, want := range map[int64]string{0: "0 bytes", 999: "999 bytes", 1000: "1 KB", 820_400: "820 KB", 2_449_999: "2.4 MB", 10 << 20: "10.5 MB"} {
		if got := escalate.SizeWords(n); got != want {
			t.Errorf("SizeWords(%d) = %q, want %q", n, got, want)
		}
	}
}
