// Package notify delivers the outbox: a Worker claims pending notifications
// from the store, writes each as an email that holds no child data, and sends
// it through an SMTP Mailer. doc/notifications.md describes the protocol.
package notify

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"net/textproto"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"
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
	// No NOOP after connecting: the exchange that follows tests the
	// connection anyway, and every round trip lengthens a send.
	opts := []gomail.Option{gomail.WithPort(m.cfg.Port), gomail.WithTimeout(m.cfg.Timeout), gomail.WithoutNoop()}
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

// Send sends e and returns as soon as the server has accepted it (its reply
// to the end of DATA), so the caller can mark it sent at once; the
// connection is closed (QUIT) after Send returns. An ErrRefused error means
// never retry: the message is wrong as it stands, or the server refused it
// permanently (a 5xx reply, whose words the error carries). Any other error
// (a 4xx reply, a connection that failed) may pass: try again later.
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
	sc, err := c.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return m.failed("connect", err)
	}
	if err := m.transact(sc, msg, e); err != nil {
		go c.CloseWithSMTPClient(sc)
		return err
	}
	// Accepted: the message is the server's now. Saying goodbye is no part
	// of it, and must not delay the caller's mark, nor fail the send.
	go c.CloseWithSMTPClient(sc)
	return nil
}

// transact runs one mail transaction on sc: MAIL, RCPT for each addressee,
// DATA and the message. It returns nil once the server accepts the data.
func (m *SMTPMailer) transact(sc *smtp.Client, msg *gomail.Msg, e *Email) error {
	if err := sc.Mail(m.from.Address); err != nil {
		return m.failed("MAIL FROM", err)
	}
	for _, a := range e.To {
		// One permanent refusal fails the whole message: it goes to the
		// undelivered list with the server's words, rather than reaching
		// some of its readers and never the others.
		if err := sc.Rcpt(a.Address); err != nil {
			sc.Reset()
			return m.failed("RCPT TO", err)
		}
	}
	w, err := sc.Data()
	if err != nil {
		return m.failed("DATA", err)
	}
	if _, err := msg.WriteTo(w); err != nil {
		w.Close()
		return m.failed("sending the message", err)
	}
	if err := w.Close(); err != nil {
		return m.failed("end of DATA", err)
	}
	return nil
}

// failed describes err at step of the exchange. A permanent (5xx) reply is
// ErrRefused, with the server's code and words.
func (m *SMTPMailer) failed(step string, err error) error {
	var te *textproto.Error
	if errors.As(err, &te) && te.Code >= 500 && te.Code < 600 {
		return fmt.Errorf("%w by the mail server %s:%d at %s: %d %s", ErrRefused, m.cfg.Host, m.cfg.Port, step, te.Code, te.Msg)
	}
	if errors.As(err, &te) {
		return fmt.Errorf("smtp %s:%d: %s: %d %s (temporary: will retry)", m.cfg.Host, m.cfg.Port, step, te.Code, te.Msg)
	}
	return fmt.Errorf("smtp %s:%d: %s: %w", m.cfg.Host, m.cfg.Port, step, err)
}
