package web_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/policy"
	"github.com/escalate-project/escalate/sqlstore"
	"github.com/escalate-project/escalate/web"
)

// newOrg is the escalation cast (newCases) plus a chair and an
// administrator, served with the partnership pages.
func newOrg(t *testing.T) *cases {
	t.Helper()
	c := newCases(t, "wirral")
	ctx := context.Background()
	for _, p := range []struct {
		name, full string
		role       escalate.Role
	}{{"chair", "Chris Chair", escalate.RoleChair}, {"admin", "Ada Admin", escalate.RoleAdmin}} {
		u := &escalate.User{PartnershipID: c.users["bm"].PartnershipID, AgencyID: c.agencies["police"].ID,
			Name: p.full, Email: p.name + "@wirral.example", Roles: []escalate.Role{p.role}}
		if err := c.db.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		if _, err := c.db.SetPassword(ctx, "wirral", u.Email, testPassword); err != nil {
			t.Fatal(err)
		}
		c.users[p.name] = u
	}
	srv, err := web.New(web.Config{
		Auth:        &sqlstore.Sessions{DB: c.db, Idle: 30 * time.Minute, Lifetime: 12 * time.Hour},
		Logger:      slog.New(slog.NewJSONHandler(c.logs, nil)),
		Escalations: c.svc,
		Partnership: c.db,
		Accounts:    c.db,
	})
	if err != nil {
		t.Fatal(err)
	}
	c.srv = srv
	c.ts.Close()
	c.ts = httptest.NewServer(srv)
	t.Cleanup(c.ts.Close)
	c.signInAll(t)
	return c
}

// upload posts a multipart form with file as the "file" field.
func (c *cases) upload(t *testing.T, who, path, file string) *response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", "contacts.csv")
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(fw, file)
	mw.Close()
	return c.postMultipart(t, who, path, mw.FormDataContentType(), &body)
}

func (c *cases) contacts(t *testing.T) []*escalate.Contact {
	t.Helper()
	cs, err := c.db.Contacts(context.Background(), c.users["bm"].PartnershipID)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func orgContactForm(agencyID int64, role, name, phone, day, month, year string) url.Values {
	return url.Values{"agency": {orgItoa(agencyID)}, "role": {role}, "name": {name}, "job-title": {"Duty manager"},
		"phone": {phone}, "email": {""}, "last-verified-day": {day}, "last-verified-month": {month}, "last-verified-year": {year}}
}

func orgItoa(n int64) string { return strconv.FormatInt(n, 10) }

// mustPackPolicy returns a built-in pack and its file text.
func mustPackPolicy(t *testing.T, id string) (*escalate.Policy, []byte) {
	t.Helper()
	pol, err := policy.Pack(id)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := policy.PackSource(id)
	if err != nil {
		t.Fatal(err)
	}
	return pol, raw
}

func TestContactsPages(t *testing.T) {
	c := newOrg(t)
	care := c.agencies["care"].ID
	t.Run("ReadersAndEditors", func(t *testing.T) {
		for who, canEdit := range map[string]bool{"jo": false, "stranger": false, "chair": false, "bm": true, "admin": true} {
			res := c.get(t, who, "/contacts")
			if res.StatusCode != 200 {
				t.Fatalf("%s: GET /contacts = %d", who, res.StatusCode)
			}
			if got := strings.Contains(res.body, `href="/contacts/new"`); got != canEdit {
				t.Errorf("%s: add link shown %v, want %v", who, got, canEdit)
			}
			want := 200
			if !canEdit {
				want = 403
			}
			for _, path := range []string{"/contacts/new", "/contacts/import"} {
				if res := c.get(t, who, path); res.StatusCode != want {
					t.Errorf("%s: GET %s = %d, want %d", who, path, res.StatusCode, want)
				}
			}
		}
		if res := c.get(t, "", "/contacts"); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/sign-in?next=%2Fcontacts" {
			t.Errorf("signed out: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		res := c.post(t, "jo", "/contacts/new", orgContactForm(care, "lado", "Sam Patel", "0151 666 4582", "2", "11", "2026"))
		if res.StatusCode != 403 || len(c.contacts(t)) != 0 {
			t.Errorf("practitioner add: %d, %d contacts", res.StatusCode, len(c.contacts(t)))
		}
		if res := c.upload(t, "chair", "/contacts/import", "agency,role\n"); res.StatusCode != 403 {
			t.Errorf("chair import: %d", res.StatusCode)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		res := c.post(t, "bm", "/contacts/new", orgContactForm(0, "", "Sam Patel", "0151 666 4582", "31", "2", "2026"))
		if res.StatusCode != 400 || !slices.Equal(summaryLinks(res.body), []string{"agency", "role", "last-verified-day"}) {
			t.Errorf("status %d, summary %v", res.StatusCode, summaryLinks(res.body))
		}
		res = c.post(t, "bm", "/contacts/new", orgContactForm(care, "lado", "Sam Patel", "ring reception", "2", "11", "2026"))
		if res.StatusCode != 400 || !slices.Equal(summaryLinks(res.body), []string{"phone"}) || !strings.Contains(res.body, `value="Sam Patel"`) {
			t.Errorf("store error: status %d, summary %v", res.StatusCode, summaryLinks(res.body))
		}
		if !strings.Contains(res.body, "<title>Error: Add a contact") {
			t.Error("the title does not start with Error:")
		}
		if n := len(c.contacts(t)); n != 0 {
			t.Errorf("%d contacts stored from invalid forms", n)
		}
	})
	var id int64
	t.Run("AddChangeVerifyRemove", func(t *testing.T) {
		res := c.post(t, "bm", "/contacts/new", orgContactForm(care, "lado", "Sam Patel", "0151 666 4582", "5", "1", "2026"))
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/contacts?done=added" {
			t.Fatalf("add: %d %s\n%s", res.StatusCode, res.Header.Get("Location"), res.body)
		}
		cs := c.contacts(t)
		if len(cs) != 1 || cs[0].LastVerified != "2026-01-05" {
			t.Fatalf("stored %+v", cs)
		}
		id = cs[0].ID
		page := c.get(t, "jo", "/contacts")
		for _, want := range []string{"Sam Patel", "Local Authority Designated Officer (LADO)", `href="tel:01516664582"`,
			"Check: not verified since Mon 5 Jan 2026"} {
			if !strings.Contains(page.body, want) {
				t.Errorf("contacts page lacks %q", want)
			}
		}
		if res := c.get(t, "admin", "/contacts/"+orgItoa(id)+"/edit"); res.StatusCode != 200 || !strings.Contains(res.body, `value="Sam Patel"`) {
			t.Errorf("edit form: %d", res.StatusCode)
		}
		res = c.post(t, "admin", "/contacts/"+orgItoa(id)+"/edit", orgContactForm(care, "lado", "Sam Patel-Jones", "0151 666 4582", "5", "1", "2026"))
		if res.StatusCode != http.StatusSeeOther || c.contacts(t)[0].Name != "Sam Patel-Jones" {
			t.Errorf("change: %d", res.StatusCode)
		}
		if res := c.post(t, "jo", "/contacts/"+orgItoa(id)+"/verify", url.Values{}); res.StatusCode != 403 {
			t.Errorf("practitioner verify: %d", res.StatusCode)
		}
		if res := c.post(t, "bm", "/contacts/"+orgItoa(id)+"/verify", url.Values{}); res.StatusCode != http.StatusSeeOther {
			t.Errorf("verify: %d", res.StatusCode)
		}
		if got := c.contacts(t)[0].LastVerified; got != "2026-12-24" {
			t.Errorf("after verify last verified %s", got)
		}
		if strings.Contains(c.get(t, "jo", "/contacts").body, "Check: not verified") {
			t.Error("a verified contact is still flagged")
		}
		if res := c.post(t, "bm", "/contacts/"+orgItoa(id)+"/delete", url.Values{}); res.StatusCode != http.StatusSeeOther || len(c.contacts(t)) != 0 {
			t.Errorf("delete: %d, %d left", res.StatusCode, len(c.contacts(t)))
		}
	})
	t.Run("ErrOtherPartnership", func(t *testing.T) {
		ctx := sqlstore.WithActor(context.Background(), "test")
		pol, raw := mustPackPolicy(t, "redbridge")
		p := &escalate.Partnership{Key: "redbridge", Name: "Redbridge"}
		if err := c.db.CreatePartnership(ctx, p, pol, raw); err != nil {
			t.Fatal(err)
		}
		relaxSecondFactor(t, c.db, p)
		a := &escalate.Agency{PartnershipID: p.ID, Name: "Redbridge Council", Kind: "childrens-social-care"}
		if err := c.db.CreateAgency(ctx, a); err != nil {
			t.Fatal(err)
		}
		other := &escalate.Contact{PartnershipID: p.ID, AgencyID: a.ID, Role: escalate.RoleLADO, Name: "Other LADO",
			Phone: "020 8708 5350", LastVerified: "2026-12-01"}
		if err := c.db.CreateContact(ctx, other); err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{"/contacts/" + orgItoa(other.ID) + "/edit", "/contacts/x/edit"} {
			if res := c.get(t, "bm", path); res.StatusCode != 404 {
				t.Errorf("GET %s = %d, want 404", path, res.StatusCode)
			}
		}
		if res := c.post(t, "bm", "/contacts/"+orgItoa(other.ID)+"/delete", url.Values{}); res.StatusCode != 404 {
			t.Errorf("delete another partnership's contact: %d", res.StatusCode)
		}
		// Nor can a form move a contact into another partnership's agency.
		res := c.post(t, "bm", "/contacts/new", orgContactForm(a.ID, "lado", "Sneaky", "0151 666 4582", "2", "11", "2026"))
		if res.StatusCode != 400 || !slices.Equal(summaryLinks(res.body), []string{"agency"}) {
			t.Errorf("another partnership's agency: %d %v", res.StatusCode, summaryLinks(res.body))
		}
		if strings.Contains(c.get(t, "bm", "/contacts").body, "Other LADO") {
			t.Error("another partnership's contact is listed")
		}
	})
	t.Run("Import", func(t *testing.T) {
		header := "agency,role,name,job_title,phone,email,last_verified\n"
		bad := header + "Oakfield Children's Services,lado,Al Bee,LADO,0151 666 1111,,2026-10-01\n" +
			"Oakfield Children's Services,nurse,Pat Kay,Nurse,0151 666 1111,,2026-10-01\n"
		res := c.upload(t, "bm", "/contacts/import", bad)
		if res.StatusCode != 400 || !strings.Contains(res.body, "line 3: role &#34;nurse&#34; is not a known role") ||
			!slices.Equal(summaryLinks(res.body), []string{"file"}) {
			t.Errorf("bad file: %d %v\n%s", res.StatusCode, summaryLinks(res.body), res.body)
		}
		if n := len(c.contacts(t)); n != 0 {
			t.Errorf("a bad file imported %d contacts", n)
		}
		good := header + "Oakfield Children's Services,lado,Al Bee,LADO,0151 666 1111,,2026-10-01\n" +
			"Oakfield Children's Services,front-door,Front Door,,0151 606 2008,ifd@oakfield.example,2026-10-01\n"
		res = c.upload(t, "admin", "/contacts/import", good)
		if res.StatusCode != http.StatusSeeOther || len(c.contacts(t)) != 2 {
			t.Fatalf("good file: %d, %d contacts\n%s", res.StatusCode, len(c.contacts(t)), res.body)
		}
		if page := c.get(t, "admin", res.Header.Get("Location")); !strings.Contains(page.body, "2 contacts added, 0 updated") {
			t.Error("no notice after import")
		}
		var none bytes.Buffer
		mw := multipart.NewWriter(&none)
		mw.Close()
		req, _ := http.NewRequest("POST", c.ts.URL+"/contacts/import", &none)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.AddCookie(&http.Cookie{Name: c.cookieName(), Value: c.tokens["bm"]})
		r2, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		r2.Body.Close()
		if r2.StatusCode != 400 {
			t.Errorf("no file: %d", r2.StatusCode)
		}
	})
}
