package web_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/policy"
	"github.com/escalate-project/escalate/sqlstore"
	"github.com/escalate-project/escalate/web"
)

// cases is a real server with the escalation service over a real SQLite
// file, and a cast of fictional people: jo raises (a practitioner and
// safeguarding lead at a school), sam works at the children's services the
// disagreement is with, bm is the Business Manager, and stranger is a
// police officer with nothing to do with any case.
type cases struct {
	*env
	svc      *sqlstore.EscalationService
	pol      *escalate.Policy
	users    map[string]*escalate.User
	tokens   map[string]string
	agencies map[string]*escalate.Agency
}

// newCases builds the cast under the built-in policy pack.
func newCases(t *testing.T, pack string) *cases {
	t.Helper()
	ctx := context.Background()
	e := newEnv(t, false)
	c := &cases{env: e, svc: sqlstore.NewEscalationService(e.db), users: map[string]*escalate.User{},
		tokens: map[string]string{}, agencies: map[string]*escalate.Agency{}}
	var err error
	if c.pol, err = policy.Pack(pack); err != nil {
		t.Fatal(err)
	}
	pid, school := e.user.PartnershipID, e.user.AgencyID
	key := "wirral"
	if pack != "wirral" {
		key = pack
		raw, _ := policy.PackSource(pack)
		p := &escalate.Partnership{Key: pack, Name: "Fictional " + pack + " partnership"}
		if err := e.db.CreatePartnership(ctx, p, c.pol, raw); err != nil {
			t.Fatal(err)
		}
		relaxSecondFactor(t, e.db, p)
		pid = p.ID
		a := &escalate.Agency{PartnershipID: pid, Name: "Seaview Primary School", Kind: "school"}
		if err := e.db.CreateAgency(ctx, a); err != nil {
			t.Fatal(err)
		}
		school = a.ID
	}
	c.agencies["school"] = &escalate.Agency{ID: school, Name: "Seaview Primary School"}
	for k, a := range map[string]*escalate.Agency{
		"care":   {PartnershipID: pid, Name: "Oakfield Children's Services", Kind: "childrens-social-care"},
		"police": {PartnershipID: pid, Name: "Northshire Police", Kind: "police"},
	} {
		if err := e.db.CreateAgency(ctx, a); err != nil {
			t.Fatal(err)
		}
		c.agencies[k] = a
	}
	people := []struct {
		name, full, agency string
		roles              []escalate.Role
	}{
		{"jo", "Jo Bloggs", "school", []escalate.Role{escalate.RolePractitioner, escalate.RoleSafeguardingLead}},
		{"sam", "Sam Carter", "care", []escalate.Role{escalate.RolePractitioner, escalate.RoleManager}},
		{"bm", "Alex Moss", "police", []escalate.Role{escalate.RoleBusinessManager}},
		{"stranger", "Robin Hale", "police", []escalate.Role{escalate.RolePractitioner}},
	}
	for _, p := range people {
		u := &escalate.User{PartnershipID: pid, AgencyID: c.agencies[p.agency].ID, Name: p.full,
			Email: p.name + "@" + key + ".example", Roles: p.roles}
		if p.name == "jo" && pack == "wirral" {
			u = e.user
		} else if err := e.db.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.SetPassword(ctx, key, u.Email, testPassword); err != nil {
			t.Fatal(err)
		}
		c.users[p.name] = u
	}
	// The env's server has no escalation service: serve one that has.
	e.srv, err = web.New(web.Config{
		Auth:        &sqlstore.Sessions{DB: e.db, Idle: 30 * time.Minute, Lifetime: 12 * time.Hour},
		Logger:      slog.New(slog.NewJSONHandler(e.logs, nil)),
		Escalations: c.svc,
		Raise:       e.db, // for the drafts of forms (drafts.go)
	})
	if err != nil {
		t.Fatal(err)
	}
	e.ts.Close()
	e.ts = httptest.NewServer(e.srv)
	t.Cleanup(e.ts.Close)
	c.signInAll(t)
	return c
}

// signInAll signs everyone in afresh, e.g. after the clock moved past the
// sessions' idle timeout.
func (c *cases) signInAll(t *testing.T) {
	t.Helper()
	for name, u := range c.users {
		res := c.do(t, "POST", "/sign-in", "", url.Values{"email": {u.Email}, "password": {testPassword}})
		ck := c.sessionCookie(res)
		if res.StatusCode != http.StatusSeeOther || ck == nil {
			t.Fatalf("sign in as %s: %d", name, res.StatusCode)
		}
		c.tokens[name] = ck.Value
	}
}

// as is a context acting as the named person, for setting up through the
// service itself.
func (c *cases) as(name string) context.Context {
	return escalate.NewContextWithUser(context.Background(), c.users[name])
}

// raise raises a disagreement as jo with the children's services, saying
// jo dealt with sam there, as the raise form asks.
func (c *cases) raise(t *testing.T) *escalate.Escalation {
	t.Helper()
	e, err := c.svc.Raise(c.as("jo"), escalate.RaiseInput{
		RaisedRole: escalate.RolePractitioner, ReceivingAgencyID: c.agencies["care"].ID,
		ReceivingContact: "duty social worker", Decision: "No further action after the referral of 20 December.",
		DecisionDate: "2026-12-22", ChildRef: "SCH-0042", ChildInitials: "JS",
		Categories: []string{c.pol.Categories[0].Key}, Issue: "The referral was closed without an assessment.",
		Risk: "Continued neglect at home.", Disagreement: "The threshold was applied wrongly.",
		OutcomeSought: "A child and family assessment.", RiskLevel: escalate.RiskStandard,
		DealtWith: c.users["sam"].ID,
	})
	if err != nil {
		t.Fatalf("raise: %v", err)
	}
	return e
}

// state reads an escalation as the Business Manager sees it now.
func (c *cases) state(t *testing.T, ref string) *escalate.Escalation {
	t.Helper()
	e, err := c.svc.Get(c.as("bm"), ref)
	if err != nil {
		t.Fatalf("get %s: %v", ref, err)
	}
	return e
}

func (c *cases) get(t *testing.T, who, path string) *response {
	t.Helper()
	return c.do(t, "GET", path, c.tokens[who], nil)
}

func (c *cases) post(t *testing.T, who, path string, form url.Values) *response {
	t.Helper()
	return c.do(t, "POST", path, c.tokens[who], form)
}

var versionRE = regexp.MustCompile(`name="version" value="(\d+)"`)

// formVersion is the version hidden in a form page.
func formVersion(t *testing.T, res *response) string {
	t.Helper()
	m := versionRE.FindStringSubmatch(res.body)
	if m == nil {
		t.Fatalf("no version field in the form (status %d)", res.StatusCode)
	}
	return m[1]
}

// summaryLinks are the fields the error summary links to, in order.
func summaryLinks(body string) []string {
	i := strings.Index(body, "govuk-error-summary__list")
	if i < 0 {
		return nil
	}
	j := strings.Index(body[i:], "</ul>")
	var out []string
	for _, m := range regexp.MustCompile(`href="#([^"]+)"`).FindAllStringSubmatch(body[i:i+j], -1) {
		out = append(out, m[1])
	}
	return out
}

// auditCounts counts the audit events that are not views, and the views.
func (c *cases) auditCounts(t *testing.T) (changes, views int) {
	t.Helper()
	evs, err := c.db.AuditEvents(context.Background(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		if ev.Action == escalate.ActionView {
			views++
		} else {
			changes++
		}
	}
	return changes, views
}
