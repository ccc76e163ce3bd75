// Package testfiles makes small files of each kind Escalate accepts as an
// attachment, and some it must refuse, for tests. They are built here
// rather than kept as binaries so a reader can see what is in them.
package testfiles

import (
	"archive/zip"
	"bytes"
)

// File is a named test file.
type File struct {
	Name string
	Data []byte
}

// Accepted returns one file of each kind an attachment may be, by kind key
// (escalate.AttachmentKinds).
func Accepted() map[string]File {
	return map[string]File{
		"pdf":  {"Outcome letter.pdf", PDF()},
		"docx": {"Confirmation.docx", DOCX()},
		"eml":  {"Re outcome.eml", EML()},
		"msg":  {"Re outcome.msg", MSG()},
		"png":  {"scan.png", PNG()},
		"jpeg": {"photo of letter.jpg", JPEG()},
	}
}

// PDF is a one-page PDF that says "Outcome confirmed in writing".
func PDF() []byte {
	return []byte("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n" +
		"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n" +
		"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >> endobj\n" +
		"trailer << /Root 1 0 R >>\n%%EOF\n")
}

// DOCX is a ZIP with the parts of a Word document.
func DOCX() []byte {
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	for _, part := range [][2]string{
		{"[Content_Types].xml", `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`},
		{"word/document.xml", `<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Outcome confirmed</w:t></w:r></w:p></w:body></w:document>`},
	} {
		w, _ := z.Create(part[0])
		_, _ = w.Write([]byte(part[1]))
	}
	_ = z.Close()
	return b.Bytes()
}

// ZIP is a ZIP that is not a Word document.
func ZIP() []byte {
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	w, _ := z.Create("notes.txt")
	_, _ = w.Write([]byte("not a document"))
	_ = z.Close()
	return b.Bytes()
}

// EML is an email confirming an outcome.
func EML() []byte {
	return []byte("From: Team Manager <manager@care.example>\r\nTo: dsl@school.example\r\n" +
		"Subject: Outcome confirmed\r\nDate: Thu, 24 Dec 2026 10:00:00 +0000\r\n\r\n" +
		"I confirm the assessment will start on Monday.\r\n")
}

// MSG is the start of an Outlook message: the OLE compound file's header
// and a directory naming a property stream.
func MSG() []byte {
	b := []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	b = append(b, make([]byte, 504)...)
	for _, r := range "__substg1.0_0037001F" {
		b = append(b, byte(r), 0)
	}
	return append(b, make([]byte, 256)...)
}

// PNG is a PNG's signature and header chunk.
func PNG() []byte {
	return append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 64)...)
}

// JPEG is a JPEG's start-of-image and JFIF marker.
func JPEG() []byte {
	return append([]byte{0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0}, make([]byte, 64)...)
}

// Disguised returns files whose names claim an accepted kind but whose
// content is not one, or is another: each must be refused.
func Disguised() []File {
	return []File{
		{"letter.pdf", []byte("<html><script>alert(1)</script></html>")},
		{"invoice.pdf", append([]byte("MZ\x90\x00"), make([]byte, 64)...)}, // a Windows program
		{"scan.png", PDF()},      // a PDF named as an image
		{"letter.docx", ZIP()},   // a ZIP that is not a Word document
		{"old.doc", MSG()[:512]}, // an OLE file that is not an Outlook message
		{"notes.eml", []byte("just some text, not an email")},
	}
}
