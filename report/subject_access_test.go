package report_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/internal/testenv"
	"github.com/escalate-project/escalate/internal/testfiles"
	"github.com/escalate-project/escalate/report"
)

// TestSubjectAccessPDF: the PDF shows the third parties to redact first,
// then the case in full, as the JSON does.
func TestSubjectAccessPDF(t *testing.T) {
	at := time.Date(2026, 12, 24, 10, 0, 0, 0, time.UTC)
	x := &escalate.SubjectAccessExport{Kind: escalate.SubjectChild, Subject: "The child with reference SCH-0042",
		Partnership: "Wirral SCB", Made: at,
		Cases: []escalate.SubjectCase{{Ref: "WIRRAL-2026-0001", Status: escalate.StatusOpen, Raised: at, RaisedBy: "Jo Bloggs (jo@example.org)",
			RaisingAgency: "School", ReceivingAgency: "Children's Services", ChildRef: "SCH-0042", ChildInitials: "JS",
			Issue: "The referral was closed – without an assessment.", RiskLevel: escalate.RiskStandard,
			Decision: "Closed the referral", DecisionDate: "2026-11-30",
			Records: []escalate.SubjectRecord{{Case: "WIRRAL-2026-0001", ID: 1, At: at, Form: "phone",
				Participants: []string{"Duty social worker"}, Discussion: "Talked it through.", By: "Sam Carter (sam@example.org)"}},
			Events: []escalate.SubjectAction{{At: at, Action: escalate.ActionRaise, Object: "escalation:WIRRAL-2026-0001"},
				{At: at, Action: escalate.ActionClockStart, Object: "escalation:WIRRAL-2026-0001"}}}},
		ThirdParties: []escalate.ThirdParty{{Kind: "staff", Name: "Sam Carter (sam@example.org)", Where: "record 1 of WIRRAL-2026-0001"}},
		Account: &escalate.SubjectAccount{Name: "Sam Carter", Email: "sam@example.org", Created: at,
			Roles: []escalate.Role{escalate.RoleBusinessManager, escalate.RoleDataProtectionOfficer}, Subscribed: true},
	}
	var buf bytes.Buffer
	if err := report.WriteSubjectAccessPDF(&buf, x); err != nil {
		t.Fatal(err)
	}
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		testenv.Missing(t, "pdftotext is not installed")
	}
	cmd := exec.Command(bin, "-layout", "-", "-")
	cmd.Stdin = &buf
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := string(out)
	for _, want := range []string{"Subject access: The child with reference SCH-0042", "Third parties to consider for redaction",
		"staff: Sam Carter (sam@example.org) (in record 1 of WIRRAL-2026-0001)", "Escalation WIRRAL-2026-0001",
		"closed – without", "Talked it through.", "Disagreement raised", "Deadline started"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF lacks %q:\n%s", want, text)
		}
	}
	// The history is in words a family can read, not the log's codes.
	for _, not := range []string{escalate.ActionRaise, escalate.ActionClockStart} {
		if strings.Contains(text, not) {
			t.Errorf("the PDF shows the code %q:\n%s", not, text)
		}
	}
	// So are the case's status, risk level and record forms, the staff
	// member's roles and the yes-or-no fields.
	for _, want := range []string{`Status\s+Open`, `Risk level\s+Standard`, `Record 1 of WIRRAL-2026-0001, Phone call,`,
		`Roles\s+Partnership Business Manager, data protection officer`, `Disabled\s+No`, `Daily digest\s+Yes`, `Closed the referral \(30 November 2026\)`} {
		if !regexp.MustCompile(want).MatchString(text) {
			t.Errorf("the PDF lacks %s:\n%s", want, text)
		}
	}
	for _, not := range []string{"business-manager", "data-protection-officer", "false", "true", "standard", ", phone,", "2026-11-30"} {
		if strings.Contains(text, not) {
			t.Errorf("the PDF shows the code %q:\n%s", not, text)
		}
	}
	if strings.Index(text, "Third parties") > strings.Index(text, "Escalation WIRRAL") {
		t.Error("the third parties do not come first")
	}
}

// TestSubjectAccessPDFAttachments: a child's files are listed with the
// case and embedded in the PDF byte for byte; a member of staff's uploads
// are listed without content, so nothing is embedded.
func TestSubjectAccessPDFAttachments(t *testing.T) {
	at := time.Date(2026, 12, 24, 10, 0, 0, 0, time.UTC)
	letter := testfiles.PDF()
	file := escalate.SubjectAttachment{Case: "WIRRAL-2026-0001", ID: 7, Name: "outcome letter.pdf", Kind: "pdf",
		ContentType: "application/pdf", Size: int64(len(letter)), SHA256: "abc123", Description: "The agreed outcome, in writing.",
		UploadedBy: "Jo Bloggs (jo@example.org)", Uploaded: at, Content: letter}
	x := &escalate.SubjectAccessExport{Kind: escalate.SubjectChild, Subject: "The child with reference SCH-0042",
		Partnership: "Wirral SCB", Made: at,
		Cases: []escalate.SubjectCase{{Ref: "WIRRAL-2026-0001", Status: escalate.StatusOpen, Raised: at, ChildRef: "SCH-0042",
			Attachments: []escalate.SubjectAttachment{file}}}}
	pdfdetach, err := exec.LookPath("pdfdetach")
	if err != nil {
		testenv.Missing(t, "pdfdetach is not installed")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "export.pdf")
	write := func(x *escalate.SubjectAccessExport) string {
		var buf bytes.Buffer
		if err := report.WriteSubjectAccessPDF(&buf, x); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(pdfdetach, "-list", path).CombinedOutput()
		if err != nil {
			t.Fatalf("pdfdetach -list: %v %s", err, out)
		}
		return string(out)
	}
	list := write(x)
	name := report.SubjectFileName(file)
	if name != "WIRRAL-2026-0001-7-outcome letter.pdf" || !strings.Contains(list, "1 embedded files") || !strings.Contains(list, name) {
		t.Fatalf("embedded files: %q, want %q", list, name)
	}
	got := filepath.Join(dir, "got")
	if out, err := exec.Command(pdfdetach, "-save", "1", "-o", got, path).CombinedOutput(); err != nil {
		t.Fatalf("pdfdetach -save: %v %s", err, out)
	}
	if b, err := os.ReadFile(got); err != nil || !bytes.Equal(b, letter) {
		t.Errorf("the embedded file differs from the attachment (%v)", err)
	}
	if text := pdfText(t, readFile(t, path)); !strings.Contains(text, "Attachment 7 of WIRRAL-2026-0001") ||
		!strings.Contains(text, "The agreed outcome, in writing.") || !strings.Contains(text, "Embedded in this PDF as "+name) {
		t.Errorf("the PDF does not list the attachment:\n%s", text)
	}
	// A member of staff's uploads: listed, nothing embedded.
	file.Content = nil
	staff := &escalate.SubjectAccessExport{Kind: escalate.SubjectStaff, Subject: "Jo Bloggs (jo@example.org)", Partnership: "Wirral SCB",
		Made: at, Uploaded: []escalate.SubjectAttachment{file}}
	if list := write(staff); !strings.Contains(list, "0 embedded files") {
		t.Errorf("a member of staff's export embeds files: %q", list)
	}
	if text := pdfText(t, readFile(t, path)); !strings.Contains(text, "Files they attached") || !strings.Contains(text, "outcome letter.pdf") ||
		strings.Contains(text, "Embedded in this PDF") {
		t.Errorf("the staff PDF's uploads:\n%s", text)
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
