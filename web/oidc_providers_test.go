package web_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/sqlstore"
	"github.com/escalate-project/escalate/web"
)

// providersEnv is env's partnership with two of its own OpenID Connect
// providers on loopback at once: a council's for council.example and a
// school trust's for school.example (Jo Bloggs's domain).
type providersEnv struct {
	*env
	council, school *testProvider
	ids             map[string]int64 // provider IDs by name
	sam             *escalate.User
}

func newProvidersEnv(t *testing.T) *providersEnv {
	t.Helper()
	e := newEnv(t, true)
	ctx := context.Background()
	pe := &providersEnv{env: e, ids: map[string]int64{},
		council: newTestProvider(t, "escalate-council", "council secret"),
		school:  newTestProvider(t, "escalate-school", "school secret")}
	pe.sam = &escalate.User{PartnershipID: e.user.PartnershipID, AgencyID: e.user.AgencyID, Name: "Sam Council",
		Email: "sam@council.example", Roles: []escalate.Role{escalate.RoleManager}}
	if err := e.db.CreateUser(ctx, pe.sam); err != nil {
		t.Fatal(err)
	}
	secrets := map[string]string{"env:COUNCIL_SECRET": "council secret", "env:SCHOOL_SECRET": "school secret"}
	for _, p := range []*escalate.OIDCProvider{
		{Name: "Council", Issuer: pe.council.ts.URL, ClientID: "escalate-council", SecretRef: "env:COUNCIL_SECRET",
			Domains: []string{"council.example"}, LinkByEmail: true},
		{Name: "School trust", Issuer: pe.school.ts.URL, ClientID: "escalate-school", SecretRef: "env:SCHOOL_SECRET",
			Domains: []string{"school.example"}, LinkByEmail: true},
	} {
		p.PartnershipID = e.user.PartnershipID
		if err := e.db.AddProvider(ctx, p); err != nil {
			t.Fatal(err)
		}
		pe.ids[p.Name] = p.ID
	}
	sessions := &sqlstore.Sessions{DB: e.db, Idle: 30 * time.Minute, Lifetime: 12 * time.Hour}
	// The redirect URL names the server, so its address comes first.
	var h http.Handler
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(ts.Close)
	srv, err := web.New(web.Config{
		Auth: sessions, Logger: slog.New(slog.NewJSONHandler(e.logs, nil)), SecureCookies: true, BaseURL: ts.URL,
		Partnership: e.db, Accounts: e.db,
		Providers: &web.ProviderConfig{Store: e.db, Secret: func(ref string) (string, error) {
			if s, ok := secrets[ref]; ok {
				return s, nil
			}
			return "", fmt.Errorf("no secret %s", ref)
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	h = srv
	e.ts.Close()
	e.srv, e.ts = srv, ts
	return pe
}

// signInVia types email on the email-first page and follows where it
// leads through provider idp and back; it returns the callback's answer.
func (pe *providersEnv) signInVia(t *testing.T, email string, idp *testProvider) *response {
	t.Helper()
	res := pe.do(t, "POST", "/sign-in", "", url.Values{"email": {email}})
	id := pe.ids["Council"]
	if idp == pe.school {
		id = pe.ids["School trust"]
	}
	// A link to follow, not a redirect: form-action 'self' would stop a
	// form's answer redirecting to the provider.
	link := "/sign-in/oidc/" + strconv.FormatInt(id, 10)
	if res.StatusCode != http.StatusOK || !strings.Contains(res.body, `href="`+link+`"`) || strings.Count(res.body, `href="/sign-in/oidc/`) != 1 {
		t.Fatalf("email %s: %d, want the one link %s", email, res.StatusCode, link)
	}
	start := get(t, pe.ts.URL+link)
	pre := cookieNamed(start, preAuthCookie)
	if start.StatusCode != http.StatusSeeOther || pre == nil || !strings.HasPrefix(start.Header.Get("Location"), idp.ts.URL+"/authorize?") {
		t.Fatalf("start: %d %q", start.StatusCode, start.Header.Get("Location"))
	}
	back := get(t, start.Header.Get("Location"))
	if back.StatusCode != http.StatusFound || !strings.HasPrefix(back.Header.Get("Location"), pe.ts.URL+web.OIDCCallbackPath+"?") {
		t.Fatalf("authorize: %d %q", back.StatusCode, back.Header.Get("Location"))
	}
	return get(t, back.Header.Get("Location"), pre)
}

func TestOIDCProvidersByDomain(t *testing.T) {
	pe := newProvidersEnv(t)
	pe.council.set("council-sub-1", "sam@council.example", true, nil)
	pe.school.set("school-sub-1", testEmail, true, nil)

	t.Run("EmailFirst", func(t *testing.T) {
		res := pe.do(t, "GET", "/sign-in", "", nil)
		if res.StatusCode != 200 || strings.Contains(res.body, `id="password"`) || !strings.Contains(res.body, "Continue") {
			t.Errorf("the sign-in page should ask for the email alone first: %d", res.StatusCode)
		}
		res = pe.do(t, "POST", "/sign-in", "", url.Values{"email": {""}})
		if res.StatusCode != 400 || !slices.Equal(summaryLinks(res.body), []string{"email"}) {
			t.Errorf("no email: %d %v", res.StatusCode, summaryLinks(res.body))
		}
		// A domain without a provider gets the password form, whether or
		// not the address has an account.
		for _, email := range []string{"nobody@elsewhere.example", "someone@elsewhere.example"} {
			res := pe.do(t, "POST", "/sign-in", "", url.Values{"email": {email}})
			if res.StatusCode != 200 || !strings.Contains(res.body, `id="password"`) || !strings.Contains(res.body, `value="`+email+`"`) {
				t.Errorf("%s: %d, want the password form with the email", email, res.StatusCode)
			}
		}
	})
	t.Run("TwoProvidersAtOnce", func(t *testing.T) {
		res := pe.signInVia(t, "Jo.Bloggs@School.example", pe.school)
		c := pe.sessionCookie(res)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" || c == nil {
			t.Fatalf("school sign-in: %d %q\n%s", res.StatusCode, res.Header.Get("Location"), res.body)
		}
		if !pe.signedIn(t, c.Value) {
			t.Error("Jo is not signed in")
		}
		res = pe.signInVia(t, "sam@council.example", pe.council)
		c = pe.sessionCookie(res)
		if res.StatusCode != http.StatusSeeOther || c == nil {
			t.Fatalf("council sign-in: %d", res.StatusCode)
		}
		home := pe.do(t, "GET", "/", c.Value, nil)
		if !strings.Contains(home.body, "Sam Council") {
			t.Error("Sam is not signed in through the council's provider")
		}
		if pe.council.lastAuthorize().Get("client_id") != "escalate-council" || pe.school.lastAuthorize().Get("client_id") != "escalate-school" {
			t.Error("a provider was sent another provider's client ID")
		}
		for _, who := range []int64{pe.user.ID, pe.sam.ID} {
			got, err := pe.db.IdentityUser(context.Background(), map[int64]string{pe.user.ID: pe.school.ts.URL, pe.sam.ID: pe.council.ts.URL}[who],
				map[int64]string{pe.user.ID: "school-sub-1", pe.sam.ID: "council-sub-1"}[who])
			if err != nil || got != who {
				t.Errorf("identity of user %d: %d, %v", who, got, err)
			}
		}
	})
	t.Run("ErrOtherDomainNotLinked", func(t *testing.T) {
		// The council's provider vouches for a school address: not linked.
		pe.council.set("council-sub-2", testEmail, true, nil)
		res := pe.signInVia(t, "anyone@council.example", pe.council)
		if res.StatusCode != http.StatusForbidden || !strings.Contains(res.body, "another organisation") || pe.sessionCookie(res) != nil && pe.sessionCookie(res).Value != "" {
			t.Errorf("another domain's email: %d", res.StatusCode)
		}
	})
	t.Run("ErrAZP", func(t *testing.T) {
		for name, c := range map[string]struct {
			edit func(map[string]any)
			ok   bool
		}{
			"SeveralAudiencesNoAZP": {func(m map[string]any) { m["aud"] = []string{"escalate-school", "other-app"} }, false},
			"AZPOfAnotherClient":    {func(m map[string]any) { m["azp"] = "other-app" }, false},
			"SeveralAudiencesAZPOurs": {func(m map[string]any) {
				m["aud"] = []string{"escalate-school", "other-app"}
				m["azp"] = "escalate-school"
			}, true},
		} {
			t.Run(name, func(t *testing.T) {
				pe.school.set("school-sub-1", testEmail, true, c.edit)
				res := pe.signInVia(t, testEmail, pe.school)
				if got := res.StatusCode == http.StatusSeeOther; got != c.ok {
					t.Errorf("status %d, want accepted=%v\n%s", res.StatusCode, c.ok, res.body)
				}
				if !c.ok && !strings.Contains(res.body, "meant for another service") {
					t.Error("the refusal does not say why")
				}
			})
		}
		pe.school.set("school-sub-1", testEmail, true, nil)
	})
	t.Run("SeveralProvidersOneDomain", func(t *testing.T) {
		// Another partnership uses the school trust's tenant too: the
		// person chooses.
		pol, raw := mustPackPolicy(t, "surrey")
		other := &escalate.Partnership{Key: "surrey", Name: "Surrey SCP"}
		if err := pe.db.CreatePartnership(context.Background(), other, pol, raw); err != nil {
			t.Fatal(err)
		}
		p := &escalate.OIDCProvider{PartnershipID: other.ID, Name: "Surrey schools", Issuer: pe.school.ts.URL,
			ClientID: "surrey-schools", Domains: []string{"school.example"}}
		if err := pe.db.AddProvider(context.Background(), p); err != nil {
			t.Fatal(err)
		}
		res := pe.do(t, "POST", "/sign-in", "", url.Values{"email": {testEmail}})
		for _, want := range []string{`href="/sign-in/oidc/` + strconv.FormatInt(p.ID, 10) + `"`, "School trust", "Surrey schools"} {
			if res.StatusCode != 200 || !strings.Contains(res.body, want) {
				t.Errorf("the choice lacks %q (%d)", want, res.StatusCode)
			}
		}
	})
}

func TestProvidersAdminPage(t *testing.T) {
	pe := newProvidersEnv(t)
	ctx := context.Background()
	admin := &escalate.User{PartnershipID: pe.user.PartnershipID, AgencyID: pe.user.AgencyID, Name: "Ada Admin",
		Email: "ada@school.example", Roles: []escalate.Role{escalate.RoleAdmin}}
	if err := pe.db.CreateUser(ctx, admin); err != nil {
		t.Fatal(err)
	}
	if _, err := pe.db.SetPassword(ctx, "wirral", admin.Email, testPassword); err != nil {
		t.Fatal(err)
	}
	res := pe.do(t, "POST", "/sign-in", "", url.Values{"email": {admin.Email}, "password": {testPassword}})
	token := pe.sessionCookie(res).Value
	page := pe.do(t, "GET", "/admin/sign-in", token, nil)
	if page.StatusCode != 200 || !strings.Contains(page.body, "env:COUNCIL_SECRET") || strings.Contains(page.body, "council secret") {
		t.Errorf("providers page: %d; want the secret's reference and never the secret", page.StatusCode)
	}
	if res := pe.do(t, "GET", "/admin/sign-in", pe.signIn(t, ""), nil); res.StatusCode != 403 {
		t.Errorf("a practitioner: %d", res.StatusCode)
	}
	before, _ := pe.db.Providers(ctx, pe.user.PartnershipID)
	bad := pe.do(t, "POST", "/admin/sign-in", token, url.Values{"name": {""}, "issuer": {"http://idp.example"}, "client_id": {""},
		"secret_ref": {"hunter2"}, "domains": {"not a domain"}})
	if bad.StatusCode != 400 || !slices.Equal(summaryLinks(bad.body), []string{"name", "issuer", "client_id", "secret_ref", "domains"}) {
		t.Errorf("bad form: %d %v", bad.StatusCode, summaryLinks(bad.body))
	}
	dup := pe.do(t, "POST", "/admin/sign-in", token, url.Values{"name": {"Academy"}, "issuer": {"https://accounts.google.com"},
		"client_id": {"x"}, "domains": {"school.example"}})
	if dup.StatusCode != 400 || !slices.Equal(summaryLinks(dup.body), []string{"domains"}) {
		t.Errorf("a domain routed twice: %d %v", dup.StatusCode, summaryLinks(dup.body))
	}
	if after, _ := pe.db.Providers(ctx, pe.user.PartnershipID); len(after) != len(before) {
		t.Error("a refused form added a provider")
	}
	ok := pe.do(t, "POST", "/admin/sign-in", token, url.Values{"name": {"Schools (Google)"}, "issuer": {"https://accounts.google.com"},
		"client_id": {"123.apps.googleusercontent.com"}, "secret_ref": {"file:/run/secrets/google"}, "domains": {"Academy.example, @primary.example"}})
	if ok.StatusCode != 303 || ok.Header.Get("Location") != "/admin/sign-in?done=added" {
		t.Fatalf("add: %d %q", ok.StatusCode, ok.Header.Get("Location"))
	}
	ps, _ := pe.db.ProvidersForDomain(ctx, "primary.example")
	if len(ps) != 1 || !slices.Equal(ps[0].Domains, []string{"academy.example", "primary.example"}) {
		t.Fatalf("added provider %+v", ps)
	}
	rm := pe.do(t, "POST", "/admin/sign-in/"+strconv.FormatInt(ps[0].ID, 10)+"/remove", token, nil)
	if rm.StatusCode != 303 {
		t.Errorf("remove: %d", rm.StatusCode)
	}
	if ps, _ := pe.db.ProvidersForDomain(ctx, "primary.example"); len(ps) != 0 {
		t.Error("the removed provider still routes its domain")
	}
}
