package web_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/sqlstore"
	"github.com/escalate-project/escalate/web"
)

// newPartyCases is newCases on the Wirral pack, whose stage 1 brings in
// practitioners only, with the PartnershipStore the party page needs and
// pat, a practitioner at the children's services, not yet on any case.
func newPartyCases(t *testing.T) *cases {
	t.Helper()
	c := newCases(t, "wirral")
	ctx := context.Background()
	pat := &escalate.User{PartnershipID: c.users["jo"].PartnershipID, AgencyID: c.agencies["care"].ID,
		Name: "Pat Rivers", Email: "pat@wirral.example", Roles: []escalate.Role{escalate.RolePractitioner}}
	if err := c.db.CreateUser(ctx, pat); err != nil {
		t.Fatal(err)
	}
	if _, err := c.db.SetPassword(ctx, "wirral", pat.Email, testPassword); err != nil {
		t.Fatal(err)
	}
	c.users["pat"] = pat
	srv, err := web.New(web.Config{
		Auth:        &sqlstore.Sessions{DB: c.db, Idle: 30 * time.Minute, Lifetime: 12 * time.Hour},
		Logger:      slog.New(slog.NewJSONHandler(c.logs, nil)),
		Escalations: c.svc,
		Partnership: c.db,
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

// raiseAlone raises as jo against the children's services and names no
// one there.
func (c *cases) raiseAlone(t *testing.T) *escalate.Escalation {
	t.Helper()
	e, err := c.svc.Raise(c.as("jo"), escalate.RaiseInput{
		RaisedRole: escalate.RolePractitioner, ReceivingAgencyID: c.agencies["care"].ID,
		Decision: "No further action.", DecisionDate: "2026-12-22", ChildRef: "SCH-0042", ChildInitials: "JS",
		Categories: []string{c.pol.Categories[0].Key}, Issue: "Closed without an assessment.",
		Risk: "Neglect.", Disagreement: "Threshold.", OutcomeSought: "An assessment.", RiskLevel: escalate.RiskStandard,
	})
	if err != nil {
		t.Fatalf("raise: %v", err)
	}
	return e
}

func TestPartyPage(t *testing.T) {
	c := newPartyCases(t)
	e := c.raiseAlone(t)
	page, form := "/escalations/"+e.Ref, "/escalations/"+e.Ref+"/party"
	id := func(who string) string { return strconv.FormatInt(c.users[who].ID, 10) }

	t.Run("Offered", func(t *testing.T) {
		for who, want := range map[string]int{"jo": http.StatusOK, "bm": http.StatusOK, "stranger": http.StatusNotFound, "pat": http.StatusNotFound} {
			res := c.get(t, who, page)
			offered := strings.Contains(res.body, `href="`+form+`"`)
			if res.StatusCode != want || offered != (want == http.StatusOK) {
				t.Errorf("%s: escalation page %d, offered %v", who, res.StatusCode, offered)
			}
			if res := c.get(t, who, form); res.StatusCode != want {
				t.Errorf("%s: form %d, want %d", who, res.StatusCode, want)
			}
		}
	})
	t.Run("Choices", func(t *testing.T) {
		res := c.get(t, "jo", form)
		for _, want := range []string{`value="` + id("pat") + `"`, "Pat Rivers (Oakfield Children&#39;s Services)", `value="` + id("sam") + `"`, "Sam Carter (", "Who is dealing with it?"} {
			if !strings.Contains(res.body, want) {
				t.Errorf("the form lacks %q", want)
			}
		}
		for _, not := range []string{"@", `value="` + id("stranger") + `"`, `value="` + id("jo") + `"`, `value="` + id("bm") + `"`} {
			if strings.Contains(res.body[strings.Index(res.body, "<main"):], not) {
				t.Errorf("the form's main shows %q", not)
			}
		}
	})
	for _, tc := range []struct {
		name, who, user, msg string
		status               int
	}{
		{"ErrNoChoice", "jo", "", "Choose who is dealing with this escalation.", http.StatusBadRequest},
		{"ErrNotOffered", "jo", id("stranger"), "Choose someone from the list.", http.StatusBadRequest},
		{"ErrNotANumber", "jo", "pat", "Choose someone from the list.", http.StatusBadRequest},
		{"ErrStranger", "stranger", id("pat"), "", http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			changes, _ := c.auditCounts(t)
			res := c.post(t, tc.who, form, url.Values{"user": {tc.user}})
			if res.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", res.StatusCode, tc.status)
			}
			if tc.msg != "" && (!strings.Contains(res.body, tc.msg) || strings.Join(summaryLinks(res.body), ",") != "user") {
				t.Errorf("no %q linked to #user: links %v", tc.msg, summaryLinks(res.body))
			}
			if after, _ := c.auditCounts(t); after != changes {
				t.Errorf("stored %d changes on bad input", after-changes)
			}
		})
	}
	t.Run("OK", func(t *testing.T) {
		res := c.post(t, "jo", form, url.Values{"user": {id("pat")}})
		if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != page+"?done=party&party="+id("pat") {
			t.Fatalf("status %d, Location %q", res.StatusCode, loc)
		}
		res = c.get(t, "jo", res.Header.Get("Location"))
		for _, want := range []string{"Pat Rivers is now dealing with this escalation</p>", "Person named to deal with it", "Pat Rivers is now dealing with this escalation."} {
			if !strings.Contains(res.body, want) {
				t.Errorf("the page lacks %q", want)
			}
		}
		if res := c.get(t, "jo", form); strings.Contains(res.body, `<option value="`+id("pat")+`"`) {
			t.Error("pat is offered again once named")
		}
	})
	t.Run("NamedCanSeeAndRecord", func(t *testing.T) {
		res := c.get(t, "pat", page)
		if res.StatusCode != http.StatusOK || !strings.Contains(res.body, `href="`+page+`/record"`) {
			t.Fatalf("pat: page %d, record offered %v", res.StatusCode, strings.Contains(res.body, page+"/record"))
		}
		res = c.post(t, "pat", page+"/record", url.Values{"version": {formVersion(t, c.get(t, "pat", page+"/record"))},
			"at-day": {"24"}, "at-month": {"12"}, "at-year": {"2026"}, "at-time": {"09:30"}, "form": {"phone"},
			"participants": {"Pat Rivers, social worker"}, "discussion": {"The threshold."}, "outcome": {"A meeting."}, "result": {"ongoing"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("pat records: %d\n%s", res.StatusCode, res.body)
		}
		if got := c.state(t, e.Ref); len(got.Records) != 1 || got.Records[0].By != c.users["pat"].ID {
			t.Errorf("records %+v", got.Records)
		}
	})
	t.Run("ErrClosed", func(t *testing.T) {
		if _, err := c.svc.Withdraw(c.as("jo"), e.Ref, escalate.WithdrawInput{Version: c.state(t, e.Ref).Version, Reason: "Resolved."}); err != nil {
			t.Fatal(err)
		}
		if res := c.get(t, "jo", form); res.StatusCode != http.StatusConflict {
			t.Errorf("form on a closed case: %d", res.StatusCode)
		}
		if res := c.get(t, "jo", page); strings.Contains(res.body, `href="`+form+`"`) {
			t.Error("a closed case offers the action")
		}
	})
}

func TestAPIParty(t *testing.T) {
	e := newAPIEnv(t)
	ref := e.raise(t)
	path := "/api/v1/escalations/" + ref + "/parties"
	e.call(t, "GET", "/api/v1/escalations/"+ref, "rprac", nil).want(t, http.StatusNotFound)
	for _, tc := range []struct {
		name, who string
		body      any
		status    int
		code, fld string
	}{
		{"ErrNoUser", "prac", map[string]any{}, http.StatusBadRequest, escalate.EINVALID, "user_id"},
		{"ErrOtherPartnership", "prac", map[string]any{"user_id": e.users["outsider"].ID}, http.StatusBadRequest, escalate.EINVALID, "user_id"},
		{"ErrUnknownField", "prac", map[string]any{"user_id": e.users["rprac"].ID, "version": 1}, http.StatusBadRequest, escalate.EINVALID, "version"},
		{"ErrStranger", "stranger", map[string]any{"user_id": e.users["rprac"].ID}, http.StatusNotFound, escalate.ENOTFOUND, ""},
		// The naming rule: nobody at an uninvolved agency, and no
		// partnership role the stage does not name (the Chair at stage 1).
		{"ErrUninvolvedAgency", "prac", map[string]any{"user_id": e.users["stranger"].ID}, http.StatusBadRequest, escalate.EINVALID, "user_id"},
		{"ErrChairNotNamedHere", "prac", map[string]any{"user_id": e.users["chair"].ID}, http.StatusBadRequest, escalate.EINVALID, "user_id"},
		{"ErrRaiser", "prac", map[string]any{"user_id": e.users["prac"].ID}, http.StatusBadRequest, escalate.EINVALID, "user_id"},
		// The view-only Chair may not name anyone.
		{"ErrChairMayNotName", "chair", map[string]any{"user_id": e.users["rprac"].ID}, http.StatusForbidden, escalate.EFORBIDDEN, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.call(t, "POST", path, tc.who, tc.body).want(t, tc.status, tc.code, tc.fld)
			if n := e.countAudit(t, "escalation.party"); n != 0 {
				t.Errorf("%d parties named on bad input", n)
			}
		})
	}
	t.Run("OK", func(t *testing.T) {
		res := e.call(t, "POST", path, "prac", map[string]any{"user_id": e.users["rprac"].ID})
		res.want(t, http.StatusOK)
		if res.str("ref") != ref || e.countAudit(t, "escalation.party") != 1 {
			t.Errorf("reply %s", res.raw)
		}
		e.call(t, "GET", "/api/v1/escalations/"+ref, "rprac", nil).want(t, http.StatusOK)
	})
	t.Run("Remove", func(t *testing.T) {
		e.call(t, "POST", path+"/remove", "prac", map[string]any{"user_id": e.users["mgr"].ID}).want(t, http.StatusBadRequest, escalate.EINVALID, "user_id")
		e.call(t, "POST", path+"/remove", "prac", map[string]any{"user_id": e.users["rprac"].ID}).want(t, http.StatusOK)
		if n := e.countAudit(t, escalate.ActionPartyRemove); n != 1 {
			t.Errorf("%d removals audited", n)
		}
		e.call(t, "GET", "/api/v1/escalations/"+ref, "rprac", nil).want(t, http.StatusNotFound)
	})
}

// TestAPIImmediateGrantsNothing: the Chair, who may read every case, may
// record an immediate action on it, and that makes them no party: they
// still cannot lower the risk, escalate or name anyone.
func TestAPIImmediateGrantsNothing(t *testing.T) {
	e := newAPIEnv(t)
	ref := e.raise(t)
	base := "/api/v1/escalations/" + ref
	e.call(t, "POST", base+"/immediate-action", "chair", map[string]any{"action": "Called 999 at 10:05"}).want(t, http.StatusCreated)
	v := e.call(t, "GET", base, "chair", nil)
	v.want(t, http.StatusOK)
	version := v.num("version")
	e.call(t, "POST", base+"/risk", "chair", map[string]any{"version": version, "level": "standard", "reason": "Calmer now."}).
		want(t, http.StatusForbidden, escalate.EFORBIDDEN, "")
	e.call(t, "POST", base+"/escalate", "chair", map[string]any{"version": version, "reason": "No."}).
		want(t, http.StatusForbidden, escalate.EFORBIDDEN, "")
	e.call(t, "POST", base+"/parties", "chair", map[string]any{"user_id": e.users["rprac"].ID}).
		want(t, http.StatusForbidden, escalate.EFORBIDDEN, "")
}
