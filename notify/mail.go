// Package notify delivers the outbox: a Worker claims pending notifications
// from the store, writes each as an email that holds no child data, and sends
// it through an SMTP Mailer. doc/notifications.md describes the protocol.
package notify

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// TLSMode is how the connection to the SMTP server is protected.
type TLSMode string

// The TLS modes: none only for a server on loopback (tests, a local relay).
const (
	TLSNone     TLSMode = "none"
	TLSStartTLS TLSMode = "starttls" // plain connect, then STARTTLS, required
	TLSImplicit TLSMode = "tls"      // TLS from the first byte (port 465)
)

// ParseTLSMode reads a --smtp-tls value.
func ParseTLSMode(s string) (TLSMode, error) {
	switch m := TLSMode(s); m {
	case TLSNone, TLSStartTLS, TLSImplicit:
		return m, nil
	}
	return "", fmt.Errorf("TLS mode %q: want none, starttls or tls", s)
}

// MailConfig is how to reach the SMTP server and who mail is from.
type MailConfig struct {
	Host     string
	Port     int
	TLS      TLSMode
	Username string // empty: no authentication
	Password string
	From     string        // an address, optionally with a name: "Escalate <escalate@example.org>"
	Timeout  time.Duration // per SMTP exchange; 0: 30s
}

// Email is one message ready to send.
type Email struct {
	MessageID string // without angle brackets: id@domain
	To        []*mail.Address
	Subject   string
	Body      string // plain text
}

// ErrRefused marks an email that must never be sent as it stands (a CR or
// LF in a header value, a bad address): retrying cannot help.
var ErrRefused = errors.New("refused")

// check refuses an email whose header values could inject headers. go-mail
// encodes names and subjects too; this is the belt to its braces, and keeps
// the error ours.
func (e *Email) check() error {
	bad := func(what, v string) error {
		if strings.ContainsAny(v, "\r\n") {
			return fmt.Errorf("%w: %s contains a line break", ErrRefused, what)
		}
		return nil
	}
	if len(e.To) == 0 {
		return fmt.Errorf("%w: no recipient", ErrRefused)
	}
	if err := bad("subject", e.Subject); err != nil {
		return err
	}
	if err := bad("Message-ID", e.MessageID); err != nil {
		return err
	}
	if e.MessageID == "" || strings.ContainsAny(e.MessageID, "<> ") || !strings.Contains(e.MessageID, "@") {
		return fmt.Errorf("%w: Message-ID %q is not of the form id@domain", ErrRefused, e.MessageID)
	}
	for _, a := range e.To {
		if err := bad("a recipient's name", a.Name); err != nil {
			return err
		}
		if err := bad("a recipient's address", a.Address); err != nil {
			return err
		}
		if _, err := mail.ParseAddress(a.Address); err != nil || strings.ContainsAny(a.Address, "<>\" ") {
			return fmt.Errorf("%w: a recipient's address is not a plain address", ErrRefused)
		}
	}
	return nil
}

// Mailer sends one email.
type Mailer interface {
	Send(ctx context.Context, e *Email) error
}

// SMTPMailer sends through an SMTP server with go-mail, one connection per
// message: simple, and a failure touches one message only.
type SMTPMailer struct {
	cfg  MailConfig
	from *mail.Address
}

// NewSMTPMailer checks cfg and returns a Mailer for it.
func NewSMTPMailer(cfg MailConfig) (*SMTPMailer, error) {
	if cfg.Host == "" || strings.ContainsAny(cfg.Host, "\r\n /") {
		return nil, fmt.Errorf("SMTP host %q: want a host name or address", cfg.Host)
	}
	if cfg.Port <= 0 || cfg.Port > 65535 {
		return nil, fmt.Errorf("SMTP port %d: want 1 to 65535", cfg.Port)
	}
	if _, err := ParseTLSMode(string(cfg.TLS)); err != nil {
		return nil, err
	}
	if strings.ContainsAny(cfg.From, "\r\n") {
		return nil, fmt.Errorf("from address contains a line break")
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("from address %q: %v", cfg.From, err)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	return &SMTPMailer{cfg: cfg, from: from}, nil
}

// Domain returns the domain of the From address, which Message-IDs use.
func (m *SMTPMailer) Domain() string {
	_, d, _ := strings.Cut(m.from.Address, "@")
	return d
}

func (m *SMTPMailer) client() (*gomail.Client, error) {
	opts := []gomail.Option{gomail.WithPort(m.cfg.Port), gomail.WithTimeout(m.cfg.Timeout)}
	switch m.cfg.TLS {
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	case TLSStartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	}
	if m.cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(m.cfg.Username), gomail.WithPassword(m.cfg.Password))
	}
	return gomail.NewClient(m.cfg.Host, opts...)
}

// Send sends e, or returns why not; an ErrRefused error means never retry.
func (m *SMTPMailer) Send(ctx context.Context, e *Email) error {
	if err := e.check(); err != nil {
		return err
	}
	msg := gomail.NewMsg()
	msg.FromMailAddress(m.from)
	msg.ToMailAddress(e.To...)
	msg.Subject(e.Subject)
	msg.SetMessageIDWithValue(e.MessageID)
	msg.SetDate()
	msg.SetBulk() // no out-of-office replies to a notification
	msg.SetBodyString(gomail.TypeTextPlain, e.Body)
	c, err := m.client()
	if err != nil {
		return fmt.Errorf("smtp: %w", err)
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("smtp %s:%d: %w", m.cfg.Host, m.cfg.Port, err)
	}
	return nil
}
