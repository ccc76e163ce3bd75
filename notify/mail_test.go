package notify_test

import (
	"context"
	"errors"
	"net/mail"
	"slices"
	"testing"

	"github.com/escalate-project/escalate/notify"
)

func newMailer(t testing.TB, s *smtpServer) *notify.SMTPMailer {
	t.Helper()
	m, err := notify.NewSMTPMailer(notify.MailConfig{Host: "127.0.0.1", Port: s.port(), TLS: notify.TLSNone,
		From: "Escalate <escalate@example.org>"})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestSMTPMailerSend(t *testing.T) {
	s := startSMTP(t)
	m := newMailer(t, s)
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		e := &notify.Email{MessageID: "escalate-outbox-7@example.org", Subject: "Escalation RB-2026-0001 — ‘raised’",
			To:   []*mail.Address{{Name: "Ann Ó Briain", Address: "ann@example.org"}, {Address: "bob@example.org"}},
			Body: "Escalation reference: RB-2026-0001\n"}
		if err := m.Send(ctx, e); err != nil {
			t.Fatal(err)
		}
		got := s.messages()
		if len(got) != 1 {
			t.Fatalf("server got %d messages, want 1", len(got))
		}
		g := got[0]
		if !slices.Equal(g.Rcpt, []string{"ann@example.org", "bob@example.org"}) || g.From != "escalate@example.org" {
			t.Errorf("envelope from %q to %v", g.From, g.Rcpt)
		}
		if g.Subject != e.Subject || g.MessageID != e.MessageID {
			t.Errorf("subject %q Message-ID %q, want %q and %q", g.Subject, g.MessageID, e.Subject, e.MessageID)
		}
		to, err := g.Header.AddressList("To")
		if err != nil || len(to) != 2 || to[0].Name != "Ann Ó Briain" {
			t.Errorf("To header = %v, %v: the name must survive encoding", to, err)
		}
	})

	// Header injection: a CR or LF anywhere in a header value is refused
	// before any connection is made.
	for _, c := range []struct {
		name string
		e    notify.Email
	}{
		{"ErrSubjectCRLF", notify.Email{Subject: "Hi\r\nBcc: evil@example.net"}},
		{"ErrSubjectLF", notify.Email{Subject: "Hi\nBcc: evil@example.net"}},
		{"ErrNameCR", notify.Email{To: []*mail.Address{{Name: "Ann\rBcc: evil@example.net", Address: "ann@example.org"}}}},
		{"ErrAddressLF", notify.Email{To: []*mail.Address{{Address: "ann@example.org\nBcc: evil@example.net"}}}},
		{"ErrMessageIDLF", notify.Email{MessageID: "x@example.org\nBcc: evil@example.net"}},
		{"ErrNoRecipient", notify.Email{To: []*mail.Address{}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := len(s.messages())
			e := c.e
			if e.MessageID == "" {
				e.MessageID = "escalate-outbox-8@example.org"
			}
			if e.Subject == "" {
				e.Subject = "Subject"
			}
			if e.To == nil {
				e.To = []*mail.Address{{Address: "ann@example.org"}}
			}
			err := m.Send(ctx, &e)
			if !errors.Is(err, notify.ErrRefused) {
				t.Fatalf("Send = %v, want ErrRefused", err)
			}
			if n := len(s.messages()); n != before {
				t.Fatalf("server got %d messages after a refused send, had %d", n, before)
			}
		})
	}
}

func TestNewSMTPMailer(t *testing.T) {
	for _, c := range []struct {
		name string
		cfg  notify.MailConfig
	}{
		{"ErrNoHost", notify.MailConfig{Port: 25, TLS: notify.TLSNone, From: "a@example.org"}},
		{"ErrPort", notify.MailConfig{Host: "localhost", Port: 70000, TLS: notify.TLSNone, From: "a@example.org"}},
		{"ErrTLS", notify.MailConfig{Host: "localhost", Port: 25, TLS: "maybe", From: "a@example.org"}},
		{"ErrFrom", notify.MailConfig{Host: "localhost", Port: 25, TLS: notify.TLSNone, From: "not an address"}},
		{"ErrFromCRLF", notify.MailConfig{Host: "localhost", Port: 25, TLS: notify.TLSNone, From: "a@example.org\r\nBcc: b@example.org"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := notify.NewSMTPMailer(c.cfg); err == nil {
				t.Fatalf("NewSMTPMailer(%+v) accepted a bad configuration", c.cfg)
			}
		})
	}
	m, err := notify.NewSMTPMailer(notify.MailConfig{Host: "localhost", Port: 587, TLS: notify.TLSStartTLS,
		From: "Escalate <noreply@escalate.example.org>"})
	if err != nil {
		t.Fatal(err)
	}
	if m.Domain() != "escalate.example.org" {
		t.Fatalf("Domain() = %q", m.Domain())
	}
}
