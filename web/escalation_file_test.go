package web_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os/exec"
	"strings"
	"testing"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/internal/testenv"
	"github.com/escalate-project/escalate/internal/testfiles"
)

// attach posts a file (and a description) to path as who, as a browser's
// multipart form would.
func (c *cases) attach(t *testing.T, who, path, name string, data []byte, desc string) *response {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	if name != "" {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="file"; filename="`+name+`"`)
		h.Set("Content-Type", "application/octet-stream") // what the browser says counts for nothing
		part, err := mw.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := part.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := mw.WriteField("description", desc); err != nil {
		t.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return c.postMultipart(t, who, path, mw.FormDataContentType(), &b)
}

// postMultipart posts a multipart body as who, without following redirects.
func (c *cases) postMultipart(t *testing.T, who, path, ctype string, body io.Reader) *response {
	t.Helper()
	req, err := http.NewRequest("POST", c.ts.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", ctype)
	req.AddCookie(&http.Cookie{Name: c.cookieName(), Value: c.tokens[who]})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return &response{res, string(b)}
}

// TestAttachmentPages: upload every accepted kind and download it back;
// refuse a disguised file and an oversize one with the error summary and
// store nothing; a stranger finds no such page; the case page lists the
// files; the child's-file PDF reads back with pdftotext and lists them.
func TestAttachmentPages(t *testing.T) {
	c := newCases(t, "redbridge")
	e := c.raise(t)
	base := "/escalations/" + e.Ref
	if res := c.get(t, "jo", base+"/attach"); res.StatusCode != 200 || !strings.Contains(res.body, `enctype="multipart/form-data"`) {
		t.Fatalf("attach form: %d", res.StatusCode)
	}
	changes, _ := c.auditCounts(t)
	for _, f := range testfiles.Disguised() {
		res := c.attach(t, "jo", base+"/attach", f.Name, f.Data, "")
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.body, "govuk-error-summary") || !strings.Contains(res.body, `href="#file"`) {
			t.Errorf("disguised %s: %d", f.Name, res.StatusCode)
		}
	}
	big := append(testfiles.PDF(), bytes.Repeat([]byte{' '}, escalate.MaxAttachmentSize+300<<10)...)
	if res := c.attach(t, "jo", base+"/attach", "big.pdf", big, ""); res.StatusCode != http.StatusRequestEntityTooLarge ||
		!strings.Contains(res.body, "The selected file must be smaller than 10 MB") {
		t.Errorf("oversize: %d", res.StatusCode)
	}
	if res := c.attach(t, "jo", base+"/attach", "", nil, "nothing chosen"); res.StatusCode != http.StatusBadRequest ||
		!strings.Contains(res.body, "Select a file to attach") || !strings.Contains(res.body, `value="nothing chosen"`) {
		t.Errorf("no file: %d", res.StatusCode)
	}
	if res := c.attach(t, "stranger", base+"/attach", "a.pdf", testfiles.PDF(), ""); res.StatusCode != http.StatusNotFound {
		t.Errorf("a stranger uploading: %d", res.StatusCode)
	}
	if res := c.get(t, "stranger", base+"/attach"); res.StatusCode != http.StatusNotFound {
		t.Errorf("a stranger's attach form: %d", res.StatusCode)
	}
	if now, _ := c.auditCounts(t); now != changes {
		t.Fatalf("refused uploads wrote %d changes", now-changes)
	}

	for key, f := range testfiles.Accepted() {
		res := c.attach(t, "jo", base+"/attach", f.Name, f.Data, "The "+key+" file")
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != base+"?done=attach#attachments" {
			t.Fatalf("%s upload: %d %s\n%s", key, res.StatusCode, res.Header.Get("Location"), res.body)
		}
	}
	page := c.get(t, "bm", base+"?done=attach")
	if !strings.Contains(page.body, "File attached") || strings.Count(page.body, base+"/attachments/") != 6 {
		t.Fatalf("the case page lists %d attachments", strings.Count(page.body, base+"/attachments/"))
	}
	for key, f := range testfiles.Accepted() {
		i := strings.Index(page.body, ">"+f.Name+"<")
		if i < 0 {
			t.Fatalf("the page does not list %s", f.Name)
		}
		j := strings.LastIndex(page.body[:i], `href="`)
		href := page.body[j+6 : j+6+strings.Index(page.body[j+6:], `"`)]
		res := c.get(t, "bm", href)
		if res.StatusCode != 200 || res.body != string(f.Data) || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment;") ||
			res.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s download: %d, %d bytes, %q", key, res.StatusCode, len(res.body), res.Header.Get("Content-Disposition"))
		}
		for _, k := range escalate.AttachmentKinds {
			if k.Key == key && res.Header.Get("Content-Type") != k.ContentType {
				t.Errorf("%s served as %q", key, res.Header.Get("Content-Type"))
			}
		}
		if res := c.get(t, "stranger", href); res.StatusCode != http.StatusNotFound {
			t.Errorf("a stranger downloading %s: %d", key, res.StatusCode)
		}
	}

	// The child's file.
	res := c.get(t, "jo", base+"/file.pdf")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(res.body, "%PDF-") {
		t.Fatalf("file.pdf: %d %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	text := pdfToText(t, []byte(res.body))
	flat := strings.Join(strings.Fields(text), " ")
	for _, want := range []string{"Escalation " + e.Ref, "OFFICIAL-SENSITIVE", "Summary", "The disagreement", e.ChildRef,
		"Chronology", "Disagreement raised", "Letters, emails and documents attached", "Outcome letter.pdf",
		"Re outcome.msg", "Downloaded from Escalate by Jo Bloggs", e.Issue} {
		if !strings.Contains(flat, want) {
			t.Errorf("the child's-file PDF lacks %q", want)
		}
	}
	if res := c.get(t, "stranger", base+"/file.pdf"); res.StatusCode != http.StatusNotFound {
		t.Errorf("a stranger's child's file: %d", res.StatusCode)
	}
}

// pdfToText extracts a PDF's text with poppler's pdftotext, in reading
// order (-raw), so a cell wrapped over lines reads as one phrase.
func pdfToText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		testenv.Missing(t, "pdftotext is not installed")
	}
	cmd := exec.Command(bin, "-raw", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}
