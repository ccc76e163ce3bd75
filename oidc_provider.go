package escalate

import (
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// OIDCProvider is one of a partnership's OpenID Connect providers (a
// council's or NHSmail's Entra ID tenant, a schools' Google Workspace): the
// people whose email is in one of Domains sign in with it. The client
// secret is never stored: SecretRef says where escalate serve reads it,
// env:NAME (an environment variable) or file:/path, or "" for a public
// client.
type OIDCProvider struct {
	ID            int64
	PartnershipID int64
	Name          string // what the sign-in page calls it, e.g. "Wirral Council"
	Issuer        string
	ClientID      string
	SecretRef     string
	Domains       []string // lower case
	LinkByEmail   bool
	Created       time.Time
}

var (
	secretEnvRE = regexp.MustCompile(`^env:[A-Z_][A-Z0-9_]{0,100}$`)
	domainRE    = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
)

// Problems returns every reason p may not be stored, each naming its field
// (name, issuer, client_id, secret_ref, domains), after normalising the
// domains to lower case without repeats.
func (p *OIDCProvider) Problems() []*Error {
	var out []*Error
	add := func(field, format string, args ...any) { out = append(out, FieldErrorf(field, format, args...)) }
	p.Name, p.Issuer, p.ClientID, p.SecretRef = strings.TrimSpace(p.Name), strings.TrimSpace(p.Issuer),
		strings.TrimSpace(p.ClientID), strings.TrimSpace(p.SecretRef)
	switch n := utf8.RuneCountInString(p.Name); {
	case n == 0:
		add("name", "Enter a name for the provider, such as the organisation whose accounts sign in with it")
	case n > 100:
		add("name", "The name must be 100 characters or fewer")
	}
	if err := CheckIssuerURL(p.Issuer); err != nil {
		add("issuer", "%s", err.Message)
	}
	switch {
	case p.ClientID == "":
		add("client_id", "Enter the application (client) ID the provider gave")
	case len(p.ClientID) > 200 || strings.ContainsAny(p.ClientID, " \t\r\n"):
		add("client_id", "The client ID must be one word of at most 200 characters")
	}
	switch r := p.SecretRef; {
	case r == "", secretEnvRE.MatchString(r):
	case strings.HasPrefix(r, "file:/") && !strings.ContainsAny(r, "\r\n") && len(r) < 500:
	default:
		add("secret_ref", "Say where the client secret is: env:NAME for an environment variable of the service, or file:/path for a file. Never type the secret itself here")
	}
	var ds []string
	for _, d := range strings.FieldsFunc(strings.ToLower(strings.Join(p.Domains, ",")), func(r rune) bool {
		return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t'
	}) {
		d = strings.TrimPrefix(d, "@")
		if !domainRE.MatchString(d) {
			if !slices.ContainsFunc(out, func(e *Error) bool { return e.Field == "domains" }) {
				add("domains", "%q is not an email domain like council.gov.uk: separate domains with commas", d)
			}
			continue
		}
		if !slices.Contains(ds, d) {
			ds = append(ds, d)
		}
	}
	if len(ds) == 0 && !slices.ContainsFunc(out, func(e *Error) bool { return e.Field == "domains" }) {
		add("domains", "Enter the email domains whose people sign in with this provider, such as wirral.gov.uk")
	}
	p.Domains = ds
	return out
}

// CheckIssuerURL insists on https, except on loopback where a developer or
// a test runs a provider.
func CheckIssuerURL(s string) *Error {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return FieldErrorf("issuer", "The issuer %q is not like https://login.microsoftonline.com/TENANT-ID/v2.0", s)
	}
	if u.Scheme == "http" {
		ip := net.ParseIP(u.Hostname())
		if u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return FieldErrorf("issuer", "The issuer %q must use https", s)
		}
	}
	return nil
}

// EmailDomain is the lower-case domain of an email address, or "".
func EmailDomain(email string) string {
	_, d, ok := strings.Cut(strings.TrimSpace(email), "@")
	if !ok || strings.Contains(d, "@") {
		return ""
	}
	return strings.ToLower(d)
}
