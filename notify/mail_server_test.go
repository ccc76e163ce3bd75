package notify_test

import (
	"bytes"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// received is one message as the test SMTP server got it.
type received struct {
	From      string
	Rcpt      []string
	MessageID string
	Subject   string // decoded
	Header    mail.Header
	Body      string
	Raw       []byte
	At        time.Time // when the server accepted it, before it answers 250
}

// smtpServer is a real SMTP server on loopback (go-smtp) that keeps what it
// receives. It can be stopped and started again on the same address, to
// play a mail relay that is down for a while.
type smtpServer struct {
	t    testing.TB
	addr string

	mu   sync.Mutex
	msgs []received
	// refuse, when set, answers RCPT TO for an address with an error
	// (an *smtp.SMTPError with the reply code and words), or nil to accept.
	refuse func(to string) error
	srv    *smtp.Server
	l      net.Listener
}

// startSMTP starts a server on a free loopback port; stopped when t ends.
func startSMTP(t testing.TB) *smtpServer {
	t.Helper()
	s := &smtpServer{t: t, addr: "127.0.0.1:0"}
	s.start()
	t.Cleanup(s.stop)
	return s
}

func (s *smtpServer) start() {
	s.t.Helper()
	l, err := net.Listen("tcp", s.addr)
	if err != nil {
		s.t.Fatalf("smtp listen: %v", err)
	}
	s.mu.Lock()
	s.addr = l.Addr().String()
	srv := smtp.NewServer(backend{s})
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	s.srv, s.l = srv, l
	s.mu.Unlock()
	go srv.Serve(l)
}

func (s *smtpServer) stop() {
	s.mu.Lock()
	srv, l := s.srv, s.l
	s.srv, s.l = nil, nil
	s.mu.Unlock()
	if srv != nil {
		// Close the listener ourselves: Serve may not have registered it yet.
		l.Close()
		srv.Close()
	}
}

func (s *smtpServer) port() int {
	_, p, _ := net.SplitHostPort(s.addr)
	n := 0
	for _, c := range p {
		n = n*10 + int(c-'0')
	}
	return n
}

func (s *smtpServer) messages() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.msgs...)
}

type backend struct{ s *smtpServer }

func (b backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{s: b.s}, nil }

type session struct {
	s    *smtpServer
	from string
	rcpt []string
}

func (x *session) Reset()        { x.from, x.rcpt = "", nil }
func (x *session) Logout() error { return nil }
func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	x.from = from
	return nil
}
func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.s.mu.Lock()
	refuse := x.s.refuse
	x.s.mu.Unlock()
	if refuse != nil {
		if err := refuse(to); err != nil {
			return err
		}
	}
	x.rcpt = append(x.rcpt, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	var br io.Reader = m.Body
	if strings.EqualFold(m.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		br = quotedprintable.NewReader(br)
	}
	body, err := io.ReadAll(br)
	if err != nil {
		return err
	}
	subj, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		return err
	}
	got := received{From: x.from, Rcpt: x.rcpt, MessageID: strings.Trim(m.Header.Get("Message-Id"), "<>"),
		Subject: subj, Header: m.Header, Body: string(body), Raw: raw, At: time.Now()}
	x.s.mu.Lock()
	x.s.msgs = append(x.s.msgs, got)
	x.s.mu.Unlock()
	return nil
}
