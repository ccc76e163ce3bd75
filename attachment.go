package escalate

import (
	"archive/zip"
	"bytes"
	"net/mail"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Attachment is a letter, email or document kept on an escalation: the
// written confirmation of an outcome, or another written communication
// (Redbridge 4.3, Hammersmith & Fulham, Surrey). Its content is kept in the
// store; who may see it is who may see the escalation.
type Attachment struct {
	ID          int64
	Name        string // the file's name as uploaded, without any folder
	Kind        string // one of AttachmentKinds, decided from the content
	ContentType string
	Size        int64
	SHA256      string // hex, of the content
	Description string
	UploadedBy  int64
	Uploaded    time.Time
}

// AttachmentInput is a file to attach.
type AttachmentInput struct {
	Name        string
	Description string
	Data        []byte
}

// MaxAttachmentSize bounds one attached file: a scanned letter or an email
// with its attachments fits; a case file's worth of scans does not.
const MaxAttachmentSize = 10 << 20

// MaxAttachmentDescription bounds what the uploader says about a file.
const MaxAttachmentDescription = 500

// Attachment audit actions: adding one, and downloading one (a read, as
// need to know is audited).
const (
	ActionAttachmentAdd      = "escalation.attachment.add"
	ActionAttachmentDownload = "escalation.attachment.download"
	// ActionCaseFileDownload is taking the case's PDF for the child's file.
	ActionCaseFileDownload = "escalation.download"
)

// AttachmentKind is a kind of file Escalate keeps: how to recognise it by
// its content, its type, and the names it may have.
type AttachmentKind struct {
	Key         string
	Name        string // in words
	ContentType string
	Extensions  []string
}

// AttachmentKinds are the kinds of file that may be attached.
var AttachmentKinds = []AttachmentKind{
	{"pdf", "PDF", "application/pdf", []string{".pdf"}},
	{"docx", "Word document", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", []string{".docx"}},
	{"eml", "Email", "message/rfc822", []string{".eml"}},
	{"msg", "Outlook email", "application/vnd.ms-outlook", []string{".msg"}},
	{"png", "PNG image", "image/png", []string{".png"}},
	{"jpeg", "JPEG image", "image/jpeg", []string{".jpg", ".jpeg"}},
}

// attachmentsAllowed says which files may be attached, for error messages.
const attachmentsAllowed = "a PDF, a Word document (DOCX), an email (EML or MSG) or an image (PNG or JPEG)"

// Validate checks the file by its content, not its name, and returns its
// kind: a file whose content is none of AttachmentKinds, or whose name
// claims another kind than its content, is refused. It also cleans Name
// and Description.
func (in *AttachmentInput) Validate() (AttachmentKind, error) {
	in.Name = cleanFileName(in.Name)
	in.Description = strings.TrimSpace(in.Description)
	switch {
	case len(in.Data) == 0:
		return AttachmentKind{}, FieldErrorf("file", "Select a file to attach: %s.", attachmentsAllowed)
	case len(in.Data) > MaxAttachmentSize:
		return AttachmentKind{}, FieldErrorf("file", "The selected file must be smaller than %d MB.", MaxAttachmentSize>>20)
	case in.Name == "":
		return AttachmentKind{}, FieldErrorf("file", "The selected file has no name.")
	case utf8.RuneCountInString(in.Description) > MaxAttachmentDescription:
		return AttachmentKind{}, FieldErrorf("description", "Keep the description to %d characters or fewer.", MaxAttachmentDescription)
	}
	k, ok := sniffAttachment(in.Data)
	if !ok {
		return AttachmentKind{}, FieldErrorf("file", "The selected file must be %s. This file's content is none of those, whatever its name says.", attachmentsAllowed)
	}
	ext := strings.ToLower(path.Ext(in.Name))
	for _, e := range k.Extensions {
		if e == ext {
			return k, nil
		}
	}
	return AttachmentKind{}, FieldErrorf("file", "The selected file is named %q but its content is a %s: rename it to end %s, or choose the right file.",
		in.Name, k.Name, k.Extensions[0])
}

// cleanFileName keeps the last part of a name a browser sent (some send a
// whole path), without control characters or quotes.
func cleanFileName(name string) string {
	name = strings.ReplaceAll(name, `\`, "/")
	if i := strings.LastIndex(name, "/"); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '"' {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if r := []rune(name); len(r) > 200 {
		name = string(r[len(r)-200:])
	}
	return name
}

// sniffAttachment decides a file's kind from its first bytes and, for the
// kinds that share a container (ZIP, OLE) or are plain text, from what is
// inside.
func sniffAttachment(b []byte) (AttachmentKind, bool) {
	kind := func(key string) (AttachmentKind, bool) {
		for _, k := range AttachmentKinds {
			if k.Key == key {
				return k, true
			}
		}
		return AttachmentKind{}, false
	}
	switch {
	case bytes.HasPrefix(b, []byte("%PDF-")):
		return kind("pdf")
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return kind("png")
	case bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}):
		return kind("jpeg")
	case bytes.HasPrefix(b, []byte("PK\x03\x04")):
		if isDOCX(b) {
			return kind("docx")
		}
	case bytes.HasPrefix(b, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}):
		// An OLE compound file: an Outlook message has property streams
		// named __substg1.0_…, written in UTF-16 in its directory.
		if bytes.Contains(b, utf16le("__substg1.0_")) {
			return kind("msg")
		}
	default:
		if isEmail(b) {
			return kind("eml")
		}
	}
	return AttachmentKind{}, false
}

// isDOCX reports whether b is a ZIP holding a Word document's main part.
func isDOCX(b []byte) bool {
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return false
	}
	var types, doc bool
	for _, f := range z.File {
		switch f.Name {
		case "[Content_Types].xml":
			types = true
		case "word/document.xml":
			doc = true
		}
	}
	return types && doc
}

// isEmail reports whether b is an Internet message: text, with a From
// header and a Date or Subject, and a body.
func isEmail(b []byte) bool {
	if bytes.IndexByte(b, 0) >= 0 {
		return false
	}
	m, err := mail.ReadMessage(bytes.NewReader(b))
	if err != nil {
		return false
	}
	return m.Header.Get("From") != "" && (m.Header.Get("Date") != "" || m.Header.Get("Subject") != "")
}

func utf16le(s string) []byte {
	out := make([]byte, 0, 2*len(s))
	for _, r := range s {
		out = append(out, byte(r), 0)
	}
	return out
}

// SizeWords is a file size as people read it: "820 KB", "2.4 MB".
func SizeWords(n int64) string {
	switch {
	case n < 1000:
		return strconv.FormatInt(n, 10) + " bytes"
	case n < 1000*1000:
		return strconv.FormatInt((n+500)/1000, 10) + " KB"
	}
	tenths := (n + 50*1000) / (100 * 1000)
	return strconv.FormatInt(tenths/10, 10) + "." + strconv.FormatInt(tenths%10, 10) + " MB"
}

// CaseFile is everything the child's-file PDF of an escalation holds: the
// case, its pinned policy, its parties, its audit events (the chronology)
// and its attachments (listed, not included).
type CaseFile struct {
	Escalation  *Escalation
	Policy      *Policy
	Parties     Parties
	Events      []Event
	Attachments []Attachment
}
