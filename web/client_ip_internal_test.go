package web

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
)

func TestClientIP(t *testing.T) {
	trusted, err := ParseTrustedProxies("10.0.0.0/8, 192.0.2.7, fd00::/8")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, peer, xff string
		trusted         bool
		want            string
	}{
		{"NoProxiesIgnoresHeader", "198.51.100.1:5000", "203.0.113.5", false, "198.51.100.1"},
		{"UntrustedPeerIgnoresHeader", "198.51.100.1:5000", "203.0.113.5", true, "198.51.100.1"},
		{"TrustedPeer", "10.1.2.3:5000", "203.0.113.5", true, "203.0.113.5"},
		{"SpoofedLeftIgnored", "10.1.2.3:5000", "1.1.1.1, 203.0.113.5", true, "203.0.113.5"},
		{"ChainOfProxies", "10.1.2.3:5000", "203.0.113.5, 192.0.2.7, 10.9.9.9", true, "203.0.113.5"},
		{"SingleAddress", "192.0.2.7:443", "203.0.113.6", true, "203.0.113.6"},
		{"IPv6Proxy", "[fd00::1]:443", "2001:db8::5", true, "2001:db8::5"},
		{"MalformedHop", "10.1.2.3:5000", "203.0.113.5, nonsense", true, "10.1.2.3"},
		{"NoHeader", "10.1.2.3:5000", "", true, "10.1.2.3"},
		{"AllTrusted", "10.1.2.3:5000", "10.4.4.4", true, "10.4.4.4"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := &Server{}
			if c.trusted {
				s.trusted = trusted
			}
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = c.peer
			if c.xff != "" {
				r.Header.Set("X-Forwarded-For", c.xff)
			}
			if got := s.clientIP(r); got != c.want {
				t.Errorf("clientIP = %s, want %s", got, c.want)
			}
		})
	}
	t.Run("ErrBadCIDR", func(t *testing.T) {
		if _, err := ParseTrustedProxies("10.0.0.0/8,not-an-address"); escalate.ErrorCode(err) != escalate.EINVALID ||
			!strings.Contains(escalate.ErrorMessage(err), "not-an-address") {
			t.Errorf("ParseTrustedProxies(bad) = %v, want EINVALID naming it", err)
		}
	})
}

// busyAuth answers every sign-in as the store does when every hashing slot
// is taken; a unit test's stand-in for the store.
type busyAuth struct{ Auth }

func (busyAuth) SignIn(ctx context.Context, email, password, ip, oldToken string) (string, *escalate.User, error) {
	return "", nil, escalate.RetryErrorf(escalate.EUNAVAILABLE, 2*time.Second, "The service is very busy just now.")
}

func TestSignInBusyIs503(t *testing.T) {
	s, err := New(Config{Auth: busyAuth{}})
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("POST", "/sign-in", strings.NewReader("email=a%40b.example&password=x"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	if w.Code != 503 || w.Header().Get("Retry-After") != "2" || !strings.Contains(w.Body.String(), "very busy") {
		t.Errorf("busy sign-in: %d, Retry-After %q; want 503, 2 and the message", w.Code, w.Header().Get("Retry-After"))
	}
}
