package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/escalate-project/escalate"
)

// newSecret finds a token on a page.
var newSecret = regexp.MustCompile(`esc_[A-Za-z0-9_-]{43}`)

func TestTokensPage(t *testing.T) {
	e := newAPIEnv(t)
	cookie := e.signIn(t, "prac")

	t.Run("List", func(t *testing.T) {
		res := e.page(t, "GET", "/account/tokens", cookie, nil)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("status %d", res.StatusCode)
		}
		for _, want := range []string{"<h1 class=\"govuk-heading-l\">API tokens</h1>", "test prac", "esc_…" + e.tok["prac"][43:],
			`action="/account/tokens"`, "Never"} {
			if !strings.Contains(res.body, want) {
				t.Errorf("the page lacks %q", want)
			}
		}
		if strings.Contains(res.body, "test mgr") || strings.Contains(res.body, e.tok["prac"][4:30]) {
			t.Error("the page shows another user's token or a secret")
		}
		if res.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("Cache-Control %q", res.Header.Get("Cache-Control"))
		}
	})
	t.Run("ErrNotSignedIn", func(t *testing.T) {
		res := e.page(t, "GET", "/account/tokens", "", nil)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/sign-in?next=%2Faccount%2Ftokens" {
			t.Errorf("status %d to %q", res.StatusCode, res.Header.Get("Location"))
		}
		// An API token does not open the pages either.
		res = e.page(t, "GET", "/account/tokens", "", nil, "Authorization", "Bearer "+e.tok["prac"])
		if res.StatusCode != http.StatusSeeOther {
			t.Errorf("a bearer token opened a page: %d", res.StatusCode)
		}
	})
	t.Run("ErrEveryField", func(t *testing.T) {
		before := e.countTokens(t, "prac")
		res := e.page(t, "POST", "/account/tokens", cookie, url.Values{"name": {"  "}, "password": {apiPassword}})
		if res.StatusCode != http.StatusBadRequest {
			t.Fatalf("status %d", res.StatusCode)
		}
		for _, want := range []string{"<title>Error: API tokens", `<a href="#name">Enter a name for the token`,
			`<a href="#scope">Choose whether the token may only read`, `<a href="#days">Choose how long the token lasts`,
			`id="name-error"`, `aria-describedby="name-hint name-error"`} {
			if !strings.Contains(res.body, want) {
				t.Errorf("the page lacks %q", want)
			}
		}
		if newSecret.MatchString(res.body) || e.countTokens(t, "prac") != before {
			t.Error("a refused form created a token")
		}
	})
	t.Run("ErrReauth", func(t *testing.T) {
		before := e.countTokens(t, "prac")
		for _, c := range []struct {
			form url.Values
			want string
		}{
			{url.Values{"name": {"no proof"}, "scope": {"read"}, "days": {"90"}}, `<a href="#password">Enter your password, or a code`},
			{url.Values{"name": {"wrong proof"}, "scope": {"read"}, "days": {"90"}, "password": {"not my password"}}, `<a href="#password">The password is not right`},
			{url.Values{"name": {"wrong days"}, "scope": {"read"}, "days": {"400"}, "password": {apiPassword}}, `<a href="#days">Choose how long`},
		} {
			res := e.page(t, "POST", "/account/tokens", cookie, c.form)
			if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.body, c.want) {
				t.Errorf("%v: status %d, want 400 and %q", c.form, res.StatusCode, c.want)
			}
			if strings.Contains(res.body, "not my password") {
				t.Error("the page shows the password typed")
			}
		}
		if e.countTokens(t, "prac") != before {
			t.Error("a refused form created a token")
		}
	})
	var secret string
	t.Run("Create", func(t *testing.T) {
		res := e.page(t, "POST", "/account/tokens", cookie, url.Values{"name": {"case sync"}, "scope": {"read"},
			"days": {"30"}, "password": {apiPassword}})
		if res.StatusCode != http.StatusOK {
			t.Fatalf("status %d", res.StatusCode)
		}
		secret = newSecret.FindString(res.body)
		if secret == "" || !strings.Contains(res.body, "You will not be able to see it again") {
			t.Fatalf("no token shown:\n%s", res.body)
		}
		e.call(t, "GET", "/api/v1/policy", "Bearer "+secret, nil).want(t, http.StatusOK)
		// A read-only token may not change anything.
		e.call(t, "POST", "/api/v1/escalations", "Bearer "+secret, map[string]any{}).want(t, http.StatusForbidden, escalate.EFORBIDDEN)
		list := e.page(t, "GET", "/account/tokens", cookie, nil)
		for _, want := range []string{`<td class="govuk-table__cell">Read only</td>`, `<td class="govuk-table__cell">Read and change</td>`} {
			if !strings.Contains(list.body, want) {
				t.Errorf("the list lacks the scope %q", want)
			}
		}
		if !strings.Contains(list.body, "case sync") || strings.Contains(list.body, secret) {
			t.Error("the list should name the new token and never show its secret")
		}
		if !strings.Contains(list.body, "15:30 Thu 24 Dec 2026") {
			t.Error("the last use is not shown on the London clock")
		}
		if strings.Contains(e.logs.String(), secret[4:]) || strings.Contains(e.logs.String(), "case sync") {
			t.Error("the log holds the token or its name")
		}
	})
	t.Run("ErrCrossSite", func(t *testing.T) {
		before := e.countTokens(t, "prac")
		res := e.page(t, "POST", "/account/tokens", cookie, url.Values{"name": {"forged"}, "scope": {"read"}, "days": {"90"},
			"password": {apiPassword}}, "Sec-Fetch-Site", "cross-site")
		if res.StatusCode != http.StatusForbidden || e.countTokens(t, "prac") != before {
			t.Errorf("a cross-site form: status %d", res.StatusCode)
		}
	})
	t.Run("Revoke", func(t *testing.T) {
		id := e.tokenID(t, "prac", "case sync")
		other := e.tokenID(t, "mgr", "test mgr")
		res := e.page(t, "POST", "/account/tokens/"+other+"/revoke", cookie, nil)
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("revoking another user's token: %d", res.StatusCode)
		}
		e.call(t, "GET", "/api/v1/policy", "mgr", nil).want(t, http.StatusOK)
		res = e.page(t, "POST", "/account/tokens/"+id+"/revoke", cookie, nil)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/account/tokens?revoked=1" {
			t.Fatalf("revoke: %d %q", res.StatusCode, res.Header.Get("Location"))
		}
		e.call(t, "GET", "/api/v1/policy", "Bearer "+secret, nil).want(t, http.StatusUnauthorized, escalate.EUNAUTHORIZED)
		e.call(t, "GET", "/api/v1/policy", "prac", nil).want(t, http.StatusOK) // the other token still works
		list := e.page(t, "GET", "/account/tokens?revoked=1", cookie, nil)
		if !strings.Contains(list.body, "The token has been revoked") || !strings.Contains(list.body, "Revoked</strong>") {
			t.Error("the list does not show the revocation")
		}
		if res := e.page(t, "GET", "/account/tokens/"+id+"/revoke", cookie, nil); res.StatusCode == http.StatusSeeOther {
			t.Error("GET changed state")
		}
	})
}

// countTokens counts user's tokens, revoked ones included.
func (e *apiEnv) countTokens(t *testing.T, user string) int {
	t.Helper()
	ts, err := e.tokens.Tokens(escalate.NewContextWithUser(t.Context(), e.users[user]))
	if err != nil {
		t.Fatal(err)
	}
	return len(ts)
}

// tokenID returns the ID, as text, of user's token called name.
func (e *apiEnv) tokenID(t *testing.T, user, name string) string {
	t.Helper()
	ts, err := e.tokens.Tokens(escalate.NewContextWithUser(t.Context(), e.users[user]))
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range ts {
		if x.Name == name {
			return strconv.FormatInt(x.ID, 10)
		}
	}
	t.Fatalf("%s has no token %q", user, name)
	return ""
}
