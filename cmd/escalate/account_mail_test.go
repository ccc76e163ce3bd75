package main

import (
	"bytes"
	"io"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/mail"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/escalate-project/escalate/sqlstore"
)

// mailbox is a real SMTP server on loopback (go-smtp) that keeps every
// message it is sent, decoded.
type mailbox struct {
	port string
	mu   sync.Mutex
	msgs []mailMessage
}

type mailMessage struct {
	To            []string
	Subject, Body string
}

func newMailbox(t *testing.T) *mailbox {
	t.Helper()
	m := &mailbox{}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := smtp.NewServer(cliBackend(func(to []string, data string) {
		msg, err := mail.ReadMessage(strings.NewReader(data))
		if err != nil {
			return
		}
		var body io.Reader = msg.Body
		if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
			body = quotedprintable.NewReader(body)
		}
		b, _ := io.ReadAll(body)
		m.mu.Lock()
		defer m.mu.Unlock()
		m.msgs = append(m.msgs, mailMessage{To: to, Subject: msg.Header.Get("Subject"), Body: string(b)})
	}))
	srv.Domain = "localhost"
	go srv.Serve(l)
	t.Cleanup(func() { l.Close(); srv.Close() })
	m.port = strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	return m
}

// deliver runs escalate worker --once against the mailbox and returns the
// messages it received.
func (m *mailbox) deliver(t *testing.T, db string) []mailMessage {
	t.Helper()
	m.mu.Lock()
	before := len(m.msgs)
	m.mu.Unlock()
	mustRun(t, db, "worker", "--once", "--smtp-host", "127.0.0.1", "--smtp-port", m.port, "--smtp-tls", "none",
		"--from", "Escalate <escalate@example.org>", "--base-url", "https://escalate.example.org")
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]mailMessage(nil), m.msgs[before:]...)
}

var mailLink = regexp.MustCompile(`https://escalate\.example\.org(/account/[a-z]+\?token=[A-Za-z0-9_-]+)`)

// onlyLink returns the path and query of the one link in the one message,
// to user.
func onlyLink(t *testing.T, msgs []mailMessage, to, subject string) string {
	t.Helper()
	if len(msgs) != 1 || len(msgs[0].To) != 1 || msgs[0].To[0] != to || !strings.Contains(msgs[0].Subject, subject) {
		t.Fatalf("mail %+v, want one %q to %s", msgs, subject, to)
	}
	m := mailLink.FindStringSubmatch(msgs[0].Body)
	if m == nil {
		t.Fatalf("no link in:\n%s", msgs[0].Body)
	}
	return m[1]
}

// TestInvitationAndResetByMail walks an invitation and a forgotten
// password through escalate serve and a real SMTP server on loopback: each
// link works once, and every message is what the person needs and no more.
func TestInvitationAndResetByMail(t *testing.T) {
	db := newMigratedDB(t)
	mb := newMailbox(t)
	mustRun(t, db, "partnership", "add", "--policy", "surrey")
	mustRun(t, db, "agency", "add", "--partnership", "surrey", "--name", "Hillside Academy", "--kind", "school")
	mustRun(t, db, "user", "add", "--partnership", "surrey", "--agency", "Hillside Academy", "--name", "Sam Carter",
		"--email", "sam@hillside.example", "--role", "practitioner")
	base, logs, _ := startServe(t, map[string]string{"ESCALATE_DB": db, "ESCALATE_SECURE_COOKIES": "0"}, "--addr", "127.0.0.1:0")
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(method, path string, form url.Values) (int, string, string) {
		t.Helper()
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req, _ := http.NewRequest(method, base+path, body)
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, res.Header.Get("Location"), string(b)
	}
	// signIn signs in with the password and returns where it leads.
	signIn := func(pw string) (int, string) {
		code, loc, _ := do("POST", "/sign-in", url.Values{"email": {"sam@hillside.example"}, "password": {pw}})
		return code, loc
	}
	var totpSecret string
	// secondFactor gives the authenticator app's code for the next step
	// and checks the sign-in is complete.
	secondFactor := func() {
		t.Helper()
		code, err := sqlstore.TOTPCode(totpSecret, time.Now().Add(sqlstore.TOTPPeriod))
		if err != nil {
			t.Fatal(err)
		}
		if status, loc, _ := do("POST", "/sign-in/second-factor", url.Values{"code": {code}}); status != 303 || loc != "/" {
			t.Fatalf("the second factor: %d %q", status, loc)
		}
		if status, _, body := do("GET", "/", nil); status != 200 || !strings.Contains(body, "My work") {
			t.Fatalf("home after the second factor: %d", status)
		}
	}
	token := func(link string) string { u, _ := url.Parse(link); return u.Query().Get("token") }

	// The administrator invites; the person sets their password.
	mustRun(t, db, "user", "invite", "--partnership", "surrey", "--email", "sam@hillside.example")
	invite := onlyLink(t, mb.deliver(t, db), "sam@hillside.example", "You have been invited to Escalate")
	if code, _, body := do("GET", invite, nil); code != 200 || !strings.Contains(body, "Welcome, Sam Carter") {
		t.Fatalf("the invitation link: %d", code)
	}
	if code, _, body := do("POST", "/account/invitation", url.Values{"token": {token(invite)}, "password": {"short"}}); code != 400 ||
		!strings.Contains(body, `href="#password"`) {
		t.Errorf("a short password: %d, want 400 and the error summary", code)
	}
	const first = "a kettle of green fish"
	if code, loc, _ := do("POST", "/account/invitation", url.Values{"token": {token(invite)}, "password": {first}}); code != 303 || loc != "/sign-in?done=invited" {
		t.Fatalf("setting the password: %d %q", code, loc)
	}
	if code, _, body := do("POST", "/account/invitation", url.Values{"token": {token(invite)}, "password": {"another kettle of fish"}}); code != 410 ||
		!strings.Contains(body, "already been used") {
		t.Errorf("the invitation a second time: %d, want 410 Gone saying it was used", code)
	}
	// The partnership keeps the default: the first sign-in sets up a
	// second factor before any page opens.
	if code, loc := signIn(first); code != 303 || loc != "/sign-in/set-up" {
		t.Fatalf("sign in with the invitation's password: %d %q, want the set-up page", code, loc)
	}
	if code, loc, _ := do("GET", "/", nil); code != 303 || loc != "/sign-in/set-up" {
		t.Fatalf("home before setting up a second factor: %d %q, want back to setting it up", code, loc)
	}
	_, _, setUp := do("POST", "/sign-in/set-up/app", nil)
	m := regexp.MustCompile(`<code class="app-totp-key">([A-Z2-7 ]+)</code>`).FindStringSubmatch(setUp)
	if m == nil {
		t.Fatalf("the set-up page shows no key:\n%s", setUp)
	}
	totpSecret = strings.ReplaceAll(m[1], " ", "")
	now, _ := sqlstore.TOTPCode(totpSecret, time.Now())
	if code, _, body := do("POST", "/sign-in/set-up", url.Values{"code": {now}}); code != 200 || !strings.Contains(body, "Save your recovery codes") {
		t.Fatalf("confirming the app: %d", code)
	}
	if code, _, _ := do("GET", "/", nil); code != 200 {
		t.Fatalf("home after setting up: %d", code)
	}
	if msgs := mb.deliver(t, db); len(msgs) != 0 {
		t.Errorf("accepting an invitation sent %+v", msgs)
	}

	// Forgotten password: the same answer for an unknown address, and no mail.
	_, _, unknown := do("POST", "/sign-in/forgotten", url.Values{"email": {"nobody@hillside.example"}})
	_, _, known := do("POST", "/sign-in/forgotten", url.Values{"email": {"Sam@Hillside.example"}})
	if unknown != known || !strings.Contains(known, "Check your email") {
		t.Error("the forgotten-password answer tells an unknown address from a known one")
	}
	reset := onlyLink(t, mb.deliver(t, db), "sam@hillside.example", "Reset your Escalate password")
	const second = "purple otters at noon"
	if code, loc, _ := do("POST", "/account/reset", url.Values{"token": {token(reset)}, "password": {second}}); code != 303 || loc != "/sign-in?done=reset" {
		t.Fatalf("resetting: %d %q", code, loc)
	}
	if code, _, _ := do("GET", reset, nil); code != 410 {
		t.Errorf("the reset link a second time: %d, want 410 Gone", code)
	}
	changed := mb.deliver(t, db)
	if len(changed) != 1 || !strings.Contains(changed[0].Subject, "password was changed") || mailLink.MatchString(changed[0].Body) {
		t.Errorf("after the reset: %+v, want one 'password was changed' mail without a link", changed)
	}
	if code, _ := signIn(first); code != 401 {
		t.Errorf("the old password after the reset: %d, want 401", code)
	}
	if code, loc := signIn(second); code != 303 || loc != "/sign-in/second-factor" {
		t.Fatalf("the new password: %d %q, want the second-factor page", code, loc)
	}
	secondFactor()
	for _, m := range append(changed, mailMessage{}) {
		if strings.Contains(m.Body, "Sam Carter") {
			t.Errorf("a mail body names the person:\n%s", m.Body)
		}
	}
	if strings.Contains(logs.String(), "token=") || bytes.Contains([]byte(logs.String()), []byte(token(reset))) {
		t.Error("the log holds a link's secret")
	}
}
