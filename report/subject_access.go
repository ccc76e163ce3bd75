package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
	"github.com/go-pdf/fpdf"
)

// WriteSubjectAccessPDF writes a subject access export as an A4 PDF: who
// it is about, the third parties to redact before release, then everything
// held, in Helvetica with no embedded fonts. The JSON file holds the same.
func WriteSubjectAccessPDF(w io.Writer, x *escalate.SubjectAccessExport) error {
	pdf := fpdf.New("P", "mm", "A4", "")
	title := "Subject access: " + x.Subject
	pdf.SetTitle(title, true)
	pdf.SetCreator("Escalate", true)
	pdf.SetCreationDate(x.Made)
	pdf.SetModificationDate(x.Made)
	pdf.SetMargins(15, 15, 15)
	pdf.SetAutoPageBreak(true, 15)
	pdf.AliasNbPages("")
	pdf.SetFooterFunc(func() {
		pdf.SetY(-12)
		pdf.SetFont("Helvetica", "", 9)
		pdf.CellFormat(0, 5, fmt.Sprintf("Official-Sensitive: subject access export. Page %d of {nb}", pdf.PageNo()), "", 0, "C", false, 0, "")
	})
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	pdf.AddPage()
	heading := func(size float64, s string) {
		pdf.SetFont("Helvetica", "B", size)
		pdf.MultiCell(0, size/2+1, tr(s), "", "L", false)
		pdf.SetFont("Helvetica", "", 10)
	}
	line := func(label, value string) {
		if strings.TrimSpace(value) == "" {
			return
		}
		pdf.SetFont("Helvetica", "B", 10)
		pdf.MultiCell(0, 5, tr(label), "", "L", false)
		pdf.SetFont("Helvetica", "", 10)
		pdf.MultiCell(0, 5, tr(value), "", "L", false)
		pdf.Ln(1)
	}
	// Events read in plain words (the JSON file keeps the codes too); what
	// a member of staff acted on is named, a case's history is its own.
	at := func(x escalate.SubjectAction, object bool) string {
		s := x.At.In(calendar.London).Format("2 Jan 2006 15:04") + "  " + escalate.EventTitle(x.Action)
		if object {
			s += "  (" + strings.Replace(x.Object, ":", " ", 1) + ")"
		}
		return s
	}
	heading(16, title)
	line("Partnership", x.Partnership)
	line("Made", x.Made.In(calendar.London).Format("2 January 2006 15:04"))

	heading(13, "Third parties to consider for redaction")
	if len(x.ThirdParties) == 0 {
		pdf.MultiCell(0, 5, "None.", "", "L", false)
	}
	for _, tp := range x.ThirdParties {
		pdf.MultiCell(0, 5, tr(fmt.Sprintf("%s: %s (in %s)", tp.Kind, tp.Name, tp.Where)), "", "L", false)
	}
	pdf.Ln(3)

	if a := x.Account; a != nil {
		heading(13, "Account")
		roles := make([]string, len(a.Roles))
		for i, r := range a.Roles {
			roles[i] = escalate.BuiltinRoleName(r)
		}
		line("Name", a.Name)
		line("Email", a.Email)
		line("Agency", a.Agency)
		line("Roles", strings.Join(roles, ", "))
		line("Line manager", a.Manager)
		line("Created", a.Created.In(calendar.London).Format("2 January 2006"))
		line("Disabled", yesNo(a.Disabled))
		line("Single sign-on", strings.Join(a.SignIns, ", "))
		line("API tokens", strings.Join(a.APITokens, ", "))
		line("Daily digest", yesNo(a.Subscribed))
		line("Escalation contact for", strings.Join(a.ContactFor, ", "))
		line("Named to deal with, or chaired the meeting of", strings.Join(a.NamedTo, "\n"))
	}
	if len(x.Actions) > 0 {
		heading(13, fmt.Sprintf("What they did (%d events)", len(x.Actions)))
		for _, a := range x.Actions {
			pdf.MultiCell(0, 5, tr(at(a, true)), "", "L", false)
		}
		pdf.Ln(3)
	}
	records := func(rs []escalate.SubjectRecord) {
		for _, r := range rs {
			body := "Who took part: " + strings.Join(r.Participants, ", ") + "\nDiscussed: " + r.Discussion + "\nOutcome: " + r.Outcome
			if r.Result != "" {
				body += "\nCame to: " + r.Result
			}
			line(fmt.Sprintf("Record %d of %s, %s, %s, by %s", r.ID, r.Case, escalate.FormWords(r.Form),
				r.At.In(calendar.London).Format("2 Jan 2006 15:04"), r.By), body)
		}
	}
	// Files are listed where they belong; a child's are embedded in the PDF
	// as its attachments, named REF-ID-NAME.
	var embedded []fpdf.Attachment
	files := func(title string, as []escalate.SubjectAttachment) {
		for _, a := range as {
			body := fmt.Sprintf("%s, %s, uploaded %s by %s\nSHA-256: %s", a.Name, escalate.SizeWords(a.Size),
				a.Uploaded.In(calendar.London).Format("2 Jan 2006 15:04"), a.UploadedBy, a.SHA256)
			if a.Description != "" {
				body += "\nDescription: " + a.Description
			}
			if a.Content != nil {
				name := SubjectFileName(a)
				body += "\nEmbedded in this PDF as " + name
				embedded = append(embedded, fpdf.Attachment{Content: a.Content, Filename: name, Description: a.Description})
			}
			line(fmt.Sprintf("%s %d of %s", title, a.ID, a.Case), body)
		}
	}
	if len(x.Authored) > 0 {
		heading(13, "Records they wrote")
		records(x.Authored)
	}
	if len(x.Uploaded) > 0 {
		heading(13, "Files they attached (listed; the content is the case's)")
		files("Attachment", x.Uploaded)
	}
	for _, c := range x.Cases {
		heading(13, "Escalation "+c.Ref)
		line("Status", c.Status.Words())
		line("Raised", c.Raised.In(calendar.London).Format("2 January 2006 15:04")+" by "+c.RaisedBy)
		line("Agencies", c.RaisingAgency+" disagreed with "+c.ReceivingAgency)
		line("Contact at the receiving agency", c.ReceivingContact)
		line("Child", c.ChildRef+" ("+c.ChildInitials+")")
		line("Decision disagreed with", c.Decision+" ("+calendar.LongDate(c.DecisionDate)+")")
		line("Issue", c.Issue)
		line("Risk to the child", c.Risk)
		line("Disagreement", c.Disagreement)
		line("Outcome sought", c.OutcomeSought)
		line("Risk level", c.RiskLevel.Words())
		line("Immediate action", c.Immediate)
		line("Outcome", c.Outcome)
		line("The meeting's report", c.Report)
		line("Named to deal with it, or chaired its meeting", strings.Join(c.Named, "\n"))
		records(c.Records)
		files("Attachment", c.Attachments)
		if len(c.Events) > 0 {
			pdf.SetFont("Helvetica", "B", 10)
			pdf.MultiCell(0, 5, "History", "", "L", false)
			pdf.SetFont("Helvetica", "", 10)
			for _, a := range c.Events {
				pdf.MultiCell(0, 5, tr(at(a, false)), "", "L", false)
			}
		}
		pdf.Ln(3)
	}
	pdf.SetAttachments(embedded)
	return pdf.Output(w)
}

// yesNo says a yes-or-no field in words.
func yesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}

// SubjectFileName is the name an attachment's content has in a subject
// access PDF: the case, the attachment's number and its name, unique in
// the export.
func SubjectFileName(a escalate.SubjectAttachment) string {
	return fmt.Sprintf("%s-%d-%s", a.Case, a.ID, a.Name)
}
