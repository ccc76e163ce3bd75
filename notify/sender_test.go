package notify_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/notify"
)

func TestPlainDeadline(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"2026-12-31T17:00:00.000000Z", "5:00pm on Thursday 31 December 2026 (UK time)"},
		{"2026-05-19T15:30:00.000000Z", "4:30pm on Tuesday 19 May 2026 (UK time)"}, // BST
		{"2026-03-29T00:30:00.000000Z", "12:30am on Sunday 29 March 2026 (UK time)"},
	} {
		tm, err := time.Parse(time.RFC3339Nano, c.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := notify.PlainDeadline(tm); got != c.want {
			t.Errorf("PlainDeadline(%s) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestCompose(t *testing.T) {
	c := notify.Composer{BaseURL: "https://escalate.example.org/", Domain: "example.org"}
	row := func(key string, payload map[string]any) escalate.OutboxDelivery {
		d := escalate.OutboxDelivery{To: []escalate.Addressee{{Name: "Ann", Email: "ann@example.org"}}}
		d.ID, d.SubjectKey, d.Payload = 42, key, payload
		return d
	}
	// Every subject key the store writes has a message.
	for _, key := range []string{"escalation-raised", "record-added", "outcome-agreed", "outcome-confirmed",
		"escalated", "determined", "redirected", "withdrawn", "immediate-risk", "clock-reminder", "clock-overdue"} {
		t.Run(key, func(t *testing.T) {
			e, err := c.Compose(row(key, map[string]any{"ref": "RB-2026-0003", "action": "escalation.raise",
				"stage": "stage-2", "next_due": "2026-12-31T17:00:00.000000Z"}))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(e.Subject, "RB-2026-0003") || e.MessageID != "escalate-outbox-42@example.org" ||
				len(e.To) != 1 || e.To[0].Address != "ann@example.org" {
				t.Errorf("email %+v", e)
			}
			for _, want := range []string{"Escalation reference: RB-2026-0003", "Current stage: stage-2",
				"5:00pm on Thursday 31 December 2026", "https://escalate.example.org/escalations/RB-2026-0003\n"} {
				if !strings.Contains(e.Body, want) {
					t.Errorf("body lacks %q:\n%s", want, e.Body)
				}
			}
		})
	}
	// Conference dissents: their own reference and page, no case words.
	for _, key := range []string{"dissent-referred", "dissent-scheduled", "dissent-decided", "dissent-report-reviewed",
		"dissent-closed", "dissent-clock-reminder", "dissent-clock-overdue"} {
		t.Run(key, func(t *testing.T) {
			e, err := c.Compose(row(key, map[string]any{"ref": "SURREY-CPD-2026-0001", "object": "dissent",
				"action": "dissent.refer", "step": "awaiting-review", "next_due": "2027-01-26T17:00:00.000000Z"}))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(e.Subject, "SURREY-CPD-2026-0001") {
				t.Errorf("subject %q", e.Subject)
			}
			for _, want := range []string{"Dissent reference: SURREY-CPD-2026-0001", "on Tuesday 26 January 2027",
				"https://escalate.example.org/dissents/SURREY-CPD-2026-0001\n"} {
				if !strings.Contains(e.Body, want) {
					t.Errorf("body lacks %q:\n%s", want, e.Body)
				}
			}
			if strings.Contains(e.Body, "/escalations/") || strings.Contains(e.Body, "Escalation reference") {
				t.Errorf("a dissent's email points at an escalation:\n%s", e.Body)
			}
		})
	}
	// A policy's review date: no escalation, a sign-in link.
	for key, subject := range map[string]string{
		"policy-review-soon": "The partnership's policy is due for review in a month",
		"policy-review-due":  "The partnership's policy is due for review today",
	} {
		t.Run(key, func(t *testing.T) {
			e, err := c.Compose(row(key, map[string]any{"object": "policy", "policy": "redbridge", "version": "4th edition",
				"review_date": "2027-04-01", "link": "/policy/change"}))
			if err != nil {
				t.Fatal(err)
			}
			if e.Subject != subject || !strings.Contains(e.Body, "Sign in: https://escalate.example.org/\n") ||
				strings.Contains(e.Body, "Escalation reference") {
				t.Errorf("email %q:\n%s", e.Subject, e.Body)
			}
		})
	}
	t.Run("OKOverdue", func(t *testing.T) {
		e, err := c.Compose(row("clock-overdue", map[string]any{"ref": "RB-1", "action": "Respond in writing",
			"due": "2026-05-19T15:30:00.000000Z", "link": "/escalations/RB-1/escalate"}))
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"What the policy asks: Respond in writing", "4:30pm on Tuesday 19 May 2026",
			"Escalate it: https://escalate.example.org/escalations/RB-1/escalate"} {
			if !strings.Contains(e.Body, want) {
				t.Errorf("body lacks %q:\n%s", want, e.Body)
			}
		}
	})
	t.Run("OKBeforeRaise", func(t *testing.T) {
		e, err := c.Compose(row("immediate-risk", map[string]any{"action": "risk.immediate", "user": 3}))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(e.Body, "/escalations/") || !strings.Contains(e.Body, "https://escalate.example.org/") {
			t.Errorf("an immediate action before a raise links to sign-in only:\n%s", e.Body)
		}
	})
	t.Run("ErrUnknownKey", func(t *testing.T) {
		if _, err := c.Compose(row("no-such-template", map[string]any{"ref": "X"})); !errors.Is(err, notify.ErrRefused) {
			t.Fatalf("Compose = %v, want ErrRefused", err)
		}
	})
}
