package web

import (
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/escalate-project/escalate"
)

// ParseTrustedProxies reads a comma-separated list of CIDRs (or single
// addresses) of the reverse proxies in front of the service, for
// Config.Proxies.
func ParseTrustedProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			a, aerr := netip.ParseAddr(f)
			if aerr != nil {
				return nil, escalate.FieldErrorf("trusted_proxies", "%q is not an address or CIDR such as 10.0.0.0/8", f)
			}
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// clientIP is the address of whoever sent the request. The connection's
// peer is the client unless it is one of the trusted proxies; then
// X-Forwarded-For is read from the right, skipping trusted proxies, and the
// first address that is not one is the client. An address further left
// could have been written by anyone, so it is never used. Without trusted
// proxies the header is ignored.
func (s *Server) clientIP(r *http.Request) string {
	peer := remoteAddr(r)
	if len(s.trusted) == 0 || !s.isTrusted(peer) {
		return peer.String()
	}
	hops := r.Header.Values("X-Forwarded-For")
	var addrs []string
	for _, h := range hops {
		for _, a := range strings.Split(h, ",") {
			addrs = append(addrs, strings.TrimSpace(a))
		}
	}
	client := peer
	for i := len(addrs) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(addrs[i])
		if err != nil {
			// A malformed hop: stop at the last address we could trust.
			break
		}
		client = a.Unmap()
		if !s.isTrusted(client) {
			break
		}
	}
	return client.String()
}

func (s *Server) isTrusted(a netip.Addr) bool {
	for _, p := range s.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// remoteAddr is the connection's peer address.
func remoteAddr(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.IPv4Unspecified()
	}
	return a.Unmap()
}
