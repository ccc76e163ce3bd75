package report_test

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/internal/testenv"
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
			Records: []escalate.SubjectRecord{{Case: "WIRRAL-2026-0001", ID: 1, At: at, Form: "phone",
				Participants: []string{"Duty social worker"}, Discussion: "Talked it through.", By: "Sam Carter (sam@example.org)"}},
			Events: []escalate.SubjectAction{{At: at, Action: "escalation.raise", Object: "escalation:WIRRAL-2026-0001"}}}},
		ThirdParties: []escalate.ThirdParty{{Kind: "staff", Name: "Sam Carter (sam@example.org)", Where: "record 1 of WIRRAL-2026-0001"}},
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
		"closed – without", "Talked it through.", "escalation.raise"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF lacks %q:\n%s", want, text)
		}
	}
	if strings.Index(text, "Third parties") > strings.Index(text, "Escalation WIRRAL") {
		t.Error("the third parties do not come first")
	}
}
