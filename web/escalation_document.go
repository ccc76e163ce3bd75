package web

import (
	"strconv"
	"strings"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/policy"
	"github.com/escalate-project/escalate/report"
)

// caseMarking heads every page of the child's-file PDF: it holds personal
// data about a child.
const caseMarking = "OFFICIAL-SENSITIVE: about a child. Keep it on the child's record."

// caseDocument is the escalation as a document for the child's file: the
// summary, the disagreement, every record, the outcome with its written
// confirmation, the chronology in plain words, and the attachments listed
// (their content stays in Escalate). by is who downloads it.
func (v *caseView) caseDocument(attachments []escalate.Attachment, by string) report.Document {
	e, p := v.E, v.Policy
	d := report.Document{
		Title:    "Escalation " + e.Ref,
		Subtitle: "A disagreement between agencies about a child, under " + p.Name + ". Downloaded from Escalate by " + by + " on " + londonTime(v.Now) + ".",
		Marking:  caseMarking,
		Created:  v.Now,
	}
	rows := func(rs []summaryRow) [][2]string {
		out := make([][2]string, 0, len(rs))
		for _, r := range rs {
			val := r.Value
			if r.Lines != nil {
				val = strings.Join(r.Lines, "\n")
			}
			out = append(out, [2]string{r.Key, val})
		}
		return out
	}
	summary := []summaryRow{
		{Key: "Child", Value: childWords(e)},
		{Key: "Raised by", Value: v.People[e.RaisedBy] + ", " + v.Agencies[e.RaisingAgencyID] + " (" + policy.RoleName(p, e.RaisedRole) + ")"},
		{Key: "Disagreement with", Value: v.Agencies[e.ReceivingAgencyID] + contactSuffix(e.ReceivingContact)},
		{Key: "Raised on", Value: londonTime(e.Created)},
		{Key: "Stage", Value: stageTitle(p, e.Stage)},
		{Key: "Status", Value: e.Status.Words()},
		{Key: "Risk level", Value: e.RiskLevel.Words()},
		{Key: "Categories", Value: strings.Join(categoryNames(p, e.Categories), ", ")},
	}
	if im := e.Immediate; im != nil {
		summary = append(summary, summaryRow{Key: "Immediate-risk action", Value: im.Action + " (recorded " + londonTime(im.At) + " by " + v.People[im.By] + ")"})
	}
	d.Sections = append(d.Sections, report.Section{Heading: "Summary", Rows: rows(summary)})
	if o := e.Outcome; o != nil {
		d.Sections = append(d.Sections, report.Section{Heading: "Outcome and written confirmation", Rows: rows(v.outcomeRows(o))})
	}
	d.Sections = append(d.Sections, report.Section{Heading: "The disagreement", Rows: rows([]summaryRow{
		{Key: "Decision disagreed with", Value: e.Decision},
		{Key: "Date of the decision", Value: dateWords(e.DecisionDate)},
		{Key: "The issue", Value: e.Issue},
		{Key: "The risk to the child", Value: e.Risk},
		{Key: "The nature of the disagreement", Value: e.Disagreement},
		{Key: "The outcome sought", Value: e.OutcomeSought},
	})})
	if len(e.Records) == 0 {
		d.Sections = append(d.Sections, report.Section{Heading: "Records", Paras: []string{"No discussions or actions were recorded."}})
	}
	for _, rec := range e.Records {
		rv := v.recordView(rec)
		d.Sections = append(d.Sections, report.Section{Heading: "Record " + strconv.Itoa(rec.ID), Rows: rows(rv.Rows)})
	}
	chron := &report.Table{Header: []string{"When", "Who", "What happened"}, Widths: []float64{0.22, 0.22, 0.56}}
	for _, it := range v.timeline() {
		what := it.Title
		if it.Detail != "" {
			what += ": " + it.Detail
		}
		chron.Rows = append(chron.Rows, []string{it.When, it.Who, what})
	}
	d.Sections = append(d.Sections, report.Section{Heading: "Chronology", Table: chron})
	att := report.Section{Heading: "Letters, emails and documents attached"}
	if len(attachments) == 0 {
		att.Paras = []string{"None."}
	} else {
		att.Paras = []string{"Kept in Escalate with the case; each can be downloaded from the escalation's page."}
		att.Table = &report.Table{Header: []string{"File", "Kind and size", "Added"}, Widths: []float64{0.44, 0.22, 0.34}}
		for _, a := range attachments {
			name := a.Name
			if a.Description != "" {
				name += " (" + a.Description + ")"
			}
			att.Table.Rows = append(att.Table.Rows, []string{name, kindWords(a.Kind) + ", " + escalate.SizeWords(a.Size),
				v.People[a.UploadedBy] + ", " + londonTime(a.Uploaded)})
		}
	}
	d.Sections = append(d.Sections, att)
	return d
}
