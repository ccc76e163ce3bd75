package notify

import (
	"fmt"
	"net/mail"
	"net/url"
	"strings"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
)

// message is what each subject key says: the subject (with the reference)
// and the action needed of the reader.
var messages = map[string]struct{ subject, action string }{
	"escalation-raised": {"Escalation %s has been raised",
		"Please read the escalation and respond within the policy's timescale."},
	"record-added": {"Escalation %s: a record was added",
		"Please read the new record and take any action it asks of you."},
	"outcome-agreed": {"Escalation %s: an outcome was agreed",
		"Please read the agreed outcome and confirm it in writing."},
	"outcome-confirmed": {"Escalation %s: the outcome was confirmed",
		"No action is needed unless you disagree with the outcome."},
	"escalated": {"Escalation %s has moved to the next stage",
		"Please read the escalation and act on it at this stage."},
	"determined": {"Escalation %s: a determination was made",
		"Please read the determination and act on any recommendations."},
	"redirected": {"Escalation %s was redirected",
		"The matter has left the escalation process; read where it went."},
	"party-added": {"You have been named on escalation %s",
		"You have been named as dealing with this escalation. Please read it and act on it at this stage."},
	"party-named": {"Escalation %s: someone was named to deal with it",
		"Someone has been named as dealing with this escalation. Please check who deals with it now."},
	"party-removed": {"Escalation %s: someone is no longer named on it",
		"Someone named as dealing with this escalation has been removed. Please check who deals with it now."},
	"meeting-chair": {"Escalation %s: a chair was appointed for the meeting",
		"Someone from an agency not involved in the disagreement has been appointed to chair the meeting. If it is you, please convene it, then record the meeting and its outcome."},
	"withdrawn": {"Escalation %s was withdrawn",
		"No action is needed."},
	"clock-reminder": {"Reminder: escalation %s has a deadline coming",
		"A timescale of the policy falls due soon. Please act before it does."},
	"clock-overdue": {"Overdue: escalation %s has missed a deadline",
		"A timescale of the policy has passed. Please act now, or escalate to the next stage."},
	// The daily digest names no escalation: %.0s drops the reference.
	"daily-digest": {"Your daily digest: escalations that need you%.0s",
		"Escalations are waiting on you today. The soonest deadline is below; sign in to see them all on My work."},
	"proforma-new": {"Escalation %s: a proforma is ready for review",
		"The escalation was resolved at a stage whose policy asks for a proforma. Sign in and open Proformas to review it."},
	"learning-asked": {"Escalation %s has closed: what did we learn?",
		"Please record any general learning, policy or procedure gap or training need, and whether you have debriefed."},
	"learning-item": {"Escalation %s: new learning for the learning log",
		"A party recorded learning from this escalation. Sign in and open the Learning log to assign it."},
	"pattern-flagged": {"A pattern of escalations was flagged (latest %s)",
		"The same two agencies have had escalations in the same category this quarter at least as often as your threshold. Sign in and open the Learning log."},
	// Child Protection Conference dissents (doc/dissents.md): the payload's
	// ref is the dissent's own reference, never the conference's.
	"dissent-referred": {"Conference dissent %s was referred to the Dissents Group",
		"Please schedule the dissent for a meeting of the Dissents Group."},
	"dissent-scheduled": {"Conference dissent %s was scheduled for a Dissents Group meeting",
		"No action is needed: the group will review the dissent at its meeting."},
	"dissent-decided": {"Conference dissent %s: the Dissents Group made its decision",
		"Please read the group's decision, feedback and recommendations, and act on them."},
	"dissent-report-reviewed": {"Conference dissent %s: the investigation's report was reviewed",
		"Please read the Head of Safeguarding's review; a strategy meeting action follows."},
	"dissent-closed": {"Conference dissent %s was closed",
		"Please read the strategy meeting action recorded on the dissent."},
	"dissent-clock-reminder": {"Reminder: conference dissent %s has a deadline coming",
		"A timescale of the dissent workflow falls due soon. Please act before it does."},
	"dissent-clock-overdue": {"Overdue: conference dissent %s has missed a deadline",
		"A timescale of the dissent workflow has passed. Please act now."},
	// A policy's review date (doc/notifications.md): no escalation, so
	// %.0s drops the reference.
	"policy-review-soon": {"The partnership's policy is due for review in a month%.0s",
		"The policy in force is due for review in a month. Sign in, open Partnership, then Policy, to change it or publish its next version."},
	"policy-review-due": {"The partnership's policy is due for review today%.0s",
		"The policy in force has reached its review date. Sign in, open Partnership, then Policy, to change it or publish its next version."},
	// Good practice (doc/learning.md): no escalation; the email says only
	// that there is a recognition to read.
	"good-practice": {"Another agency recognised your agency's good practice%.0s",
		"A professional in another agency recorded good practice by your agency. Sign in and open Partnership, then Policy, then Good practice, to read it."},
	"immediate-risk": {"Immediate risk recorded: %s",
		"An immediate-risk action was recorded. Make sure the child is protected now; the disagreement can wait."},
}

// Composer turns outbox rows into emails.
type Composer struct {
	BaseURL string // e.g. https://escalate.example.org; links are BaseURL/escalations/{ref}
	Domain  string // the right-hand side of every Message-ID
}

// MessageID returns the Message-ID of outbox row id: the same for every
// attempt, so a message re-sent after an unknown outcome can be recognised
// as the same message by the receiving servers.
func (c Composer) MessageID(id int64) string {
	return fmt.Sprintf("escalate-outbox-%d@%s", id, c.Domain)
}

// Compose writes the email for d. It reads only the payload's reference,
// action, stage and deadline: the payload holds no child data, and the email
// adds none.
func (c Composer) Compose(d escalate.OutboxDelivery) (*Email, error) {
	if strings.HasPrefix(d.SubjectKey, "account-") {
		return c.composeAccount(d)
	}
	tmpl, ok := messages[d.SubjectKey]
	if !ok {
		return nil, fmt.Errorf("%w: no message for subject key %q", ErrRefused, d.SubjectKey)
	}
	ref, _ := d.Payload["ref"].(string)
	subjectRef := ref
	if subjectRef == "" {
		subjectRef = "before an escalation was raised"
	}
	var b strings.Builder
	dissent := d.Payload["object"] == "dissent"
	if dissent {
		fmt.Fprintf(&b, "Dissent reference: %s\n", ref)
	} else if ref != "" {
		fmt.Fprintf(&b, "Escalation reference: %s\n", ref)
	}
	if st, _ := d.Payload["stage"].(string); st != "" {
		fmt.Fprintf(&b, "Current stage: %s\n", st)
	}
	fmt.Fprintf(&b, "\n%s\n", tmpl.action)
	// A clock notice carries the policy's words for what is due (not the
	// event's action name, which the other notices carry in "action").
	if what, _ := d.Payload["action"].(string); what != "" && strings.Contains(d.SubjectKey, "clock-") {
		fmt.Fprintf(&b, "What the policy asks: %s\n", what)
	}
	due, _ := d.Payload["next_due"].(string)
	if d2, _ := d.Payload["due"].(string); d2 != "" {
		due = d2
	}
	if due != "" {
		if t, err := time.Parse(time.RFC3339Nano, due); err == nil {
			fmt.Fprintf(&b, "\nThe deadline is %s.\n", PlainDeadline(t))
		}
	}
	if dissent && ref != "" && c.BaseURL != "" {
		fmt.Fprintf(&b, "\nOpen the dissent: %s/dissents/%s\n", strings.TrimRight(c.BaseURL, "/"), url.PathEscape(ref))
	} else if ref != "" && c.BaseURL != "" {
		fmt.Fprintf(&b, "\nOpen the escalation: %s/escalations/%s\n", strings.TrimRight(c.BaseURL, "/"), url.PathEscape(ref))
		if link, _ := d.Payload["link"].(string); strings.HasPrefix(link, "/escalations/") {
			fmt.Fprintf(&b, "Escalate it: %s%s\n", strings.TrimRight(c.BaseURL, "/"), link)
		}
	} else if c.BaseURL != "" {
		fmt.Fprintf(&b, "\nSign in: %s/\n", strings.TrimRight(c.BaseURL, "/"))
	}
	if dissent {
		b.WriteString("\nThis email holds no details of the conference, the child or the dissent: sign in to read them.\n")
	} else {
		b.WriteString("\nThis email holds no details of the child or the case: sign in to read them.\n")
	}
	e := &Email{MessageID: c.MessageID(d.ID), Subject: fmt.Sprintf(tmpl.subject, subjectRef), Body: b.String()}
	for _, a := range d.To {
		e.To = append(e.To, &mail.Address{Name: a.Name, Address: a.Email})
	}
	return e, nil
}

// PlainDeadline says t on the Europe/London wall clock in words, e.g.
// "4:30pm on Thursday 24 December 2026 (UK time)".
func PlainDeadline(t time.Time) string {
	l := t.In(calendar.London)
	return l.Format("3:04pm on Monday 2 January 2006") + " (UK time)"
}
