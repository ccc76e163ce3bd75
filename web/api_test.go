package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
)

func TestAPILifecycle(t *testing.T) {
	e := newAPIEnv(t)
	base := "/api/v1/escalations"

	res := e.call(t, "POST", base, "prac", e.raiseBody())
	res.want(t, http.StatusCreated)
	ref := res.str("ref")
	if ref == "" || res.header.Get("Location") != base+"/"+ref || res.num("version") != 1 ||
		res.str("stage") != "stage-1" || res.str("status") != "open" || res.str("child_ref") != "SCH-0042" {
		t.Fatalf("raise: Location %q, body %s", res.header.Get("Location"), res.raw)
	}
	if res.header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", res.header.Get("Cache-Control"))
	}
	clocks, _ := res.body["clocks"].([]any)
	if len(clocks) == 0 {
		t.Fatalf("no clocks: %s", res.raw)
	}
	clockID := int(clocks[0].(map[string]any)["id"].(float64))
	v := 1
	// The receiving practitioner takes part once they are involved.
	if _, err := e.esc.AddParty(escalate.NewContextWithUser(context.Background(), e.users["prac"]), ref, e.users["rprac"].ID); err != nil {
		t.Fatal(err)
	}
	v = e.version(t, ref)

	t.Run("Get", func(t *testing.T) {
		views := e.countAudit(t, escalate.ActionView)
		res := e.call(t, "GET", base+"/"+ref, "rprac", nil)
		res.want(t, http.StatusOK)
		if res.str("ref") != ref || res.str("stage_name") == "" {
			t.Errorf("GET: %s", res.raw)
		}
		if got := e.countAudit(t, escalate.ActionView); got != views+1 {
			t.Errorf("views recorded %d → %d, want one more", views, got)
		}
	})
	t.Run("List", func(t *testing.T) {
		res := e.call(t, "GET", base+"?status=open&mine=true&limit=10", "prac", nil)
		res.want(t, http.StatusOK)
		list, _ := res.body["escalations"].([]any)
		if res.num("total") != 1 || len(list) != 1 || list[0].(map[string]any)["ref"] != ref || res.num("limit") != 10 {
			t.Errorf("list: %s", res.raw)
		}
		// A list is a summary: nothing about the child or the
		// disagreement, which only the audited single-case read gives.
		got := list[0].(map[string]any)
		for _, k := range []string{"records", "child_ref", "child_initials", "issue", "risk", "disagreement",
			"outcome_sought", "decision", "receiving_contact", "outcome", "immediate_action", "clocks"} {
			if _, ok := got[k]; ok {
				t.Errorf("a list carries %q: %s", k, res.raw)
			}
		}
		for _, k := range []string{"ref", "stage", "status", "raising_agency", "receiving_agency", "next_due"} {
			if _, ok := got[k]; !ok {
				t.Errorf("a list lacks %q: %s", k, res.raw)
			}
		}
		if strings.Contains(res.raw, "SCH-0042") {
			t.Errorf("a list shows the child's reference: %s", res.raw)
		}
		res = e.call(t, "GET", base+"?status=resolved", "prac", nil)
		res.want(t, http.StatusOK)
		if res.num("total") != 0 {
			t.Errorf("status=resolved: %s", res.raw)
		}
		if res := e.call(t, "GET", base, "prac", nil); res.num("limit") != 50 || res.num("offset") != 0 {
			t.Errorf("default page: %s", res.raw)
		}
		if res := e.call(t, "GET", base, "stranger", nil); res.num("total") != 0 {
			t.Errorf("an unrelated user lists %d escalations", res.num("total"))
		}
	})
	t.Run("AddRecord", func(t *testing.T) {
		body := map[string]any{"version": v, "at": "2026-12-24T10:00:00Z", "form": "phone",
			"participants": []string{"Raiser", "Duty social worker"}, "discussion": "Talked it through.",
			"outcome": "No agreement yet."}
		res := e.call(t, "POST", base+"/"+ref+"/records", "rprac", body)
		res.want(t, http.StatusCreated)
		v = res.num("version")
		if v != 2 {
			t.Fatalf("version after a record = %d, want 2", v)
		}
		bad := map[string]any{"version": v, "at": "2026-12-24T10:00:00Z", "form": "phone", "participants": []string{}, "discussion": "x"}
		e.call(t, "POST", base+"/"+ref+"/records", "rprac", bad).want(t, http.StatusBadRequest, escalate.EINVALID, "participants")
		bad["participants"], bad["at"] = []string{"Raiser"}, "24/12/2026"
		e.call(t, "POST", base+"/"+ref+"/records", "rprac", bad).want(t, http.StatusBadRequest, escalate.EINVALID, "at")
		recs := e.call(t, "GET", base+"/"+ref+"/records", "prac", nil)
		recs.want(t, http.StatusOK)
		list, _ := recs.body["records"].([]any)
		if len(list) != 1 || list[0].(map[string]any)["form"] != "phone" || recs.num("version") != v {
			t.Errorf("records: %s", recs.raw)
		}
	})
	t.Run("Approve", func(t *testing.T) {
		res := e.call(t, "POST", base+"/"+ref+"/records/1/approve", "mgr", map[string]any{"version": v})
		res.want(t, http.StatusOK)
		v = res.num("version")
		recs, _ := res.body["records"].([]any)
		if len(recs) != 1 || recs[0].(map[string]any)["approved_by"] == nil {
			t.Errorf("not approved: %s", res.raw)
		}
		// A practitioner may not approve.
		e.call(t, "POST", base+"/"+ref+"/records/1/approve", "prac", map[string]any{"version": v}).
			want(t, http.StatusForbidden, escalate.EFORBIDDEN)
		e.call(t, "POST", base+"/"+ref+"/records/9/approve", "mgr", map[string]any{"version": v}).
			want(t, http.StatusBadRequest, escalate.EINVALID, "record")
		e.call(t, "POST", base+"/"+ref+"/records/x/approve", "mgr", map[string]any{"version": v}).
			want(t, http.StatusNotFound, escalate.ENOTFOUND)
	})
	t.Run("ErrConflict", func(t *testing.T) {
		res := e.call(t, "POST", base+"/"+ref+"/risk", "prac", map[string]any{"version": 1, "level": "increased", "reason": "stale"})
		res.want(t, http.StatusConflict, escalate.ECONFLICT)
		if got := e.version(t, ref); got != v {
			t.Errorf("a stale change moved the version to %d", got)
		}
	})
	t.Run("Risk", func(t *testing.T) {
		res := e.call(t, "POST", base+"/"+ref+"/risk", "prac", map[string]any{"version": v, "level": "increased", "reason": "New bruising seen."})
		res.want(t, http.StatusOK)
		if res.str("risk_level") != "increased" {
			t.Errorf("risk: %s", res.raw)
		}
		v = res.num("version")
		e.call(t, "POST", base+"/"+ref+"/risk", "prac", map[string]any{"version": v, "level": "extreme", "reason": "x"}).
			want(t, http.StatusBadRequest, escalate.EINVALID, "level")
	})
	t.Run("Shorten", func(t *testing.T) {
		due := e.clock.now().Add(2 * time.Hour).Format(time.RFC3339)
		res := e.call(t, "POST", fmt.Sprintf("%s/%s/clocks/%d/shorten", base, ref, clockID), "prac",
			map[string]any{"version": v, "due": due, "reason": "The child is seen tomorrow."})
		res.want(t, http.StatusOK)
		v = res.num("version")
		e.call(t, "POST", fmt.Sprintf("%s/%s/clocks/%d/shorten", base, ref, clockID), "prac",
			map[string]any{"version": v, "due": "tomorrow", "reason": "x"}).want(t, http.StatusBadRequest, escalate.EINVALID, "due")
	})
	t.Run("Immediate", func(t *testing.T) {
		res := e.call(t, "POST", base+"/"+ref+"/immediate-action", "prac", map[string]any{"action": "Called 999 at 15:00."})
		res.want(t, http.StatusCreated)
		if im, _ := res.body["immediate_action"].(map[string]any); im["action"] != "Called 999 at 15:00." {
			t.Errorf("immediate: %s", res.raw)
		}
		e.call(t, "POST", "/api/v1/immediate-actions", "stranger", map[string]any{"action": "Referred to the front door."}).
			want(t, http.StatusCreated)
		e.call(t, "POST", "/api/v1/immediate-actions", "stranger", map[string]any{"action": " "}).
			want(t, http.StatusBadRequest, escalate.EINVALID, "immediate_action")
		v = e.version(t, ref)
	})
	t.Run("Escalate", func(t *testing.T) {
		e.call(t, "POST", base+"/"+ref+"/escalate", "prac", map[string]any{"version": v, "to": "stage-9", "reason": "x"}).
			want(t, http.StatusBadRequest, escalate.EINVALID, "to")
		res := e.call(t, "POST", base+"/"+ref+"/escalate", "prac", map[string]any{"version": v, "reason": "No agreement within the week."})
		res.want(t, http.StatusOK)
		if res.str("stage") != "stage-2" {
			t.Errorf("escalate: %s", res.raw)
		}
		v = res.num("version")
	})
	t.Run("ErrDetermineTooEarly", func(t *testing.T) {
		res := e.call(t, "POST", base+"/"+ref+"/determine", "mgr", map[string]any{"version": v, "kind": "determination", "text": "Assess."})
		// Only an oversight role determines, and only at the final stage.
		res.want(t, http.StatusForbidden, escalate.EFORBIDDEN)
	})
	t.Run("Agree", func(t *testing.T) {
		e.call(t, "POST", base+"/"+ref+"/agree", "rmgr", map[string]any{"version": v, "outcome": "", "outstanding_issues": "x"}).
			want(t, http.StatusBadRequest, escalate.EINVALID, "outcome")
		e.call(t, "POST", base+"/"+ref+"/agree", "rmgr", map[string]any{"version": v, "outcome": "An assessment will start on Monday.",
			"outstanding_issues": "x", "decision": "overturned"}).
			want(t, http.StatusBadRequest, escalate.EINVALID, "decision")
		// The decision is optional in the API: a client that omits it
		// records an outcome whose decision is not recorded.
		res := e.call(t, "POST", base+"/"+ref+"/agree", "rmgr", map[string]any{"version": v,
			"outcome": "An assessment will start on Monday.", "outstanding_issues": "Reviewed at the next meeting."})
		res.want(t, http.StatusOK)
		out, _ := res.body["outcome"].(map[string]any)
		if _, ok := out["decision"]; out["kind"] != "agreed" || ok {
			t.Errorf("agree: %s", res.raw)
		}
		v = res.num("version")
	})
	t.Run("ErrConfirmClosed", func(t *testing.T) {
		// Wirral asks for no written confirmation: agreeing resolved it.
		e.call(t, "POST", base+"/"+ref+"/confirm", "rmgr", map[string]any{"version": v, "text": "Letter sent."}).
			want(t, http.StatusConflict, escalate.ECONFLICT)
	})
	t.Run("Determine", func(t *testing.T) {
		ref := e.raise(t)
		v := 1
		for _, stage := range []string{"stage-2", "stage-3", "stage-4"} {
			res := e.call(t, "POST", base+"/"+ref+"/escalate", "prac", map[string]any{"version": v, "to": stage, "reason": "Still unresolved."})
			res.want(t, http.StatusOK)
			if res.str("stage") != stage {
				t.Fatalf("escalated to %q, want %q", res.str("stage"), stage)
			}
			v = res.num("version")
		}
		e.call(t, "POST", base+"/"+ref+"/determine", "chair", map[string]any{"version": v, "kind": "verdict", "text": "x"}).
			want(t, http.StatusBadRequest, escalate.EINVALID, "kind")
		e.call(t, "POST", base+"/"+ref+"/determine", "chair", map[string]any{"version": v, "kind": "determination",
			"text": "x", "decision": "maybe"}).
			want(t, http.StatusBadRequest, escalate.EINVALID, "decision")
		res := e.call(t, "POST", base+"/"+ref+"/determine", "chair", map[string]any{"version": v, "kind": "determination",
			"text": "Children's social care will assess.", "outstanding_issues": "None.", "decision": "upheld"})
		res.want(t, http.StatusOK)
		if out, _ := res.body["outcome"].(map[string]any); out["kind"] != "determination" || out["decision"] != "upheld" ||
			res.str("status") != "resolved" {
			t.Errorf("determine: %s", res.raw)
		}
	})
	t.Run("Redirect", func(t *testing.T) {
		ref := e.raise(t)
		e.call(t, "POST", base+"/"+ref+"/redirect", "prac", map[string]any{"version": 1, "to": "lado", "reason": "x"}).
			want(t, http.StatusBadRequest, escalate.EINVALID, "to")
		res := e.call(t, "POST", base+"/"+ref+"/redirect", "prac", map[string]any{"version": 1, "to": "complaints",
			"reason": "A complaint about the service."})
		res.want(t, http.StatusOK)
		if res.str("status") != "redirected" {
			t.Errorf("redirect: %s", res.raw)
		}
	})
	t.Run("Withdraw", func(t *testing.T) {
		ref := e.raise(t)
		res := e.call(t, "POST", base+"/"+ref+"/withdraw", "prac", map[string]any{"version": 1, "reason": "Resolved informally."})
		res.want(t, http.StatusOK)
		if res.str("status") != "withdrawn" {
			t.Errorf("withdraw: %s", res.raw)
		}
		// A closed case takes no more changes.
		e.call(t, "POST", base+"/"+ref+"/withdraw", "prac", map[string]any{"version": res.num("version"), "reason": "again"}).
			want(t, http.StatusConflict, escalate.ECONFLICT)
	})
}

// TestAPIConfirm confirms an agreed outcome in writing, under Redbridge,
// whose stages give a confirmation clock.
func TestAPIConfirm(t *testing.T) {
	e := newAPIEnvPack(t, "redbridge", true)
	base := "/api/v1/escalations"
	ref := e.raise(t)
	if _, err := e.esc.AddParty(escalate.NewContextWithUser(context.Background(), e.users["prac"]), ref, e.users["rprac"].ID); err != nil {
		t.Fatal(err)
	}
	res := e.call(t, "POST", base+"/"+ref+"/agree", "rprac", map[string]any{"version": e.version(t, ref),
		"outcome": "An assessment will start.", "outstanding_issues": "None."})
	res.want(t, http.StatusOK)
	if res.str("status") != "open" {
		t.Fatalf("agreed under Redbridge: status %q, want open until confirmed", res.str("status"))
	}
	v := res.num("version")
	e.call(t, "POST", base+"/"+ref+"/confirm", "rprac", map[string]any{"version": v, "text": " "}).
		want(t, http.StatusBadRequest, escalate.EINVALID, "text")
	res = e.call(t, "POST", base+"/"+ref+"/confirm", "rprac", map[string]any{"version": v, "text": "Confirmed by email on 24 Dec."})
	res.want(t, http.StatusOK)
	if out, _ := res.body["outcome"].(map[string]any); out["confirmed_at"] == nil || res.str("status") != "resolved" {
		t.Errorf("confirm: %s", res.raw)
	}
}

func TestAPIErrors(t *testing.T) {
	e := newAPIEnv(t)
	base := "/api/v1/escalations"
	ref := e.raise(t)

	t.Run("ErrNoToken", func(t *testing.T) {
		res := e.call(t, "GET", base, "", nil)
		res.want(t, http.StatusUnauthorized, escalate.EUNAUTHORIZED)
		if !strings.HasPrefix(res.header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("WWW-Authenticate %q", res.header.Get("WWW-Authenticate"))
		}
	})
	t.Run("ErrBadScheme", func(t *testing.T) {
		e.call(t, "GET", base, "Basic "+e.tok["prac"], nil).want(t, http.StatusUnauthorized, escalate.EUNAUTHORIZED)
		e.call(t, "GET", base, "Bearer esc_notatoken", nil).want(t, http.StatusUnauthorized, escalate.EUNAUTHORIZED)
	})
	t.Run("ErrSessionCookie", func(t *testing.T) {
		// A signed-in browser's cookie does not open the API.
		cookie := e.signIn(t, "prac")
		e.call(t, "GET", base, "", nil, "Cookie", "__Host-escalate_session="+cookie).
			want(t, http.StatusUnauthorized, escalate.EUNAUTHORIZED)
		e.call(t, "POST", base, "", e.raiseBody(), "Cookie", "__Host-escalate_session="+cookie).
			want(t, http.StatusUnauthorized, escalate.EUNAUTHORIZED)
	})
	t.Run("ErrRevoked", func(t *testing.T) {
		ctx := escalate.NewContextWithUser(context.Background(), e.users["rmgr"])
		secret, tok, err := e.tokens.CreateToken(ctx, escalate.TokenRequest{Name: "short-lived", Scope: escalate.ScopeReadWrite})
		if err != nil {
			t.Fatal(err)
		}
		e.call(t, "GET", base, "Bearer "+secret, nil).want(t, http.StatusOK)
		if err := e.tokens.RevokeToken(ctx, tok.ID); err != nil {
			t.Fatal(err)
		}
		e.call(t, "GET", base, "Bearer "+secret, nil).want(t, http.StatusUnauthorized, escalate.EUNAUTHORIZED)
	})
	t.Run("ErrDisabledUser", func(t *testing.T) {
		e := newAPIEnv(t)
		e.call(t, "GET", "/api/v1/policy", "stranger", nil).want(t, http.StatusOK)
		if err := e.db.DisableUser(context.Background(), e.users["stranger"].ID); err != nil {
			t.Fatal(err)
		}
		e.call(t, "GET", "/api/v1/policy", "stranger", nil).want(t, http.StatusUnauthorized, escalate.EUNAUTHORIZED)
	})
	t.Run("ErrNeedToKnow", func(t *testing.T) {
		for _, who := range []string{"stranger", "outsider"} {
			a := e.call(t, "GET", base+"/"+ref, who, nil)
			a.want(t, http.StatusNotFound, escalate.ENOTFOUND)
			b := e.call(t, "GET", base+"/NO-SUCH-REF", who, nil)
			b.want(t, http.StatusNotFound, escalate.ENOTFOUND)
			if a.errPart("message") != b.errPart("message") {
				t.Errorf("%s can tell a hidden case (%q) from a missing one (%q)", who, a.errPart("message"), b.errPart("message"))
			}
			e.call(t, "POST", base+"/"+ref+"/withdraw", who, map[string]any{"version": 1, "reason": "x"}).
				want(t, http.StatusNotFound, escalate.ENOTFOUND)
			e.call(t, "GET", base+"/"+ref+"/records", who, nil).want(t, http.StatusNotFound, escalate.ENOTFOUND)
		}
	})
	t.Run("ErrMalformed", func(t *testing.T) {
		url := base + "/" + ref + "/withdraw"
		for _, c := range []struct {
			name, body, field, says string
		}{
			{"Syntax", `{"version": 1, "reason": }`, "", "not valid JSON"},
			{"Truncated", `{"version": 1`, "", "ends too soon"},
			{"Empty", ``, "", "empty"},
			{"NotObject", `[1, 2]`, "", "JSON object"},
			{"UnknownField", `{"version": 1, "reason": "x", "child_name": "Jo"}`, "child_name", "not a field"},
			{"WrongType", `{"version": "1", "reason": "x"}`, "version", "must be a number"},
			{"Trailing", `{"version": 1, "reason": "x"} {"version": 2}`, "", "one JSON object"},
			{"NoVersion", `{"reason": "x"}`, "version", "version"},
			{"TooBig", `{"version": 1, "reason": "` + strings.Repeat("x", 1<<20) + `"}`, "", "larger than"},
		} {
			t.Run(c.name, func(t *testing.T) {
				res := e.call(t, "POST", url, "prac", c.body)
				res.want(t, http.StatusBadRequest, escalate.EINVALID, c.field)
				if !strings.Contains(res.errPart("message"), c.says) {
					t.Errorf("message %q does not say %q", res.errPart("message"), c.says)
				}
			})
		}
		if got := e.version(t, ref); got != 1 {
			t.Errorf("a refused request changed the escalation: version %d", got)
		}
	})
	t.Run("ErrInvalidRaise", func(t *testing.T) {
		before := e.call(t, "GET", base, "prac", nil).num("total")
		body := e.raiseBody()
		body["child_ref"] = "Jo Smith, 3 High Street"
		e.call(t, "POST", base, "prac", body).want(t, http.StatusBadRequest, escalate.EINVALID, "child_ref")
		body = e.raiseBody()
		body["risk_level"] = "immediate"
		e.call(t, "POST", base, "prac", body).want(t, http.StatusBadRequest, escalate.EINVALID, "immediate_action")
		if after := e.call(t, "GET", base, "prac", nil).num("total"); after != before {
			t.Errorf("a refused raise stored something: %d → %d escalations", before, after)
		}
	})
	t.Run("ErrListFilter", func(t *testing.T) {
		e.call(t, "GET", base+"?limit=0", "prac", nil).want(t, http.StatusBadRequest, escalate.EINVALID, "limit")
		e.call(t, "GET", base+"?agency=x", "prac", nil).want(t, http.StatusBadRequest, escalate.EINVALID, "agency")
		e.call(t, "GET", base+"?mine=perhaps", "prac", nil).want(t, http.StatusBadRequest, escalate.EINVALID, "mine")
		e.call(t, "GET", base+"?status=lost", "prac", nil).want(t, http.StatusBadRequest, escalate.EINVALID, "status")
		e.call(t, "GET", base+"?child_ref=SCH-0042", "prac", nil).want(t, http.StatusBadRequest, escalate.EINVALID, "child_ref")
	})
	t.Run("ErrNoSuchEndpoint", func(t *testing.T) {
		e.call(t, "GET", "/api/v1/nothing", "prac", nil).want(t, http.StatusNotFound, escalate.ENOTFOUND)
		e.call(t, "DELETE", base+"/"+ref, "prac", nil).want(t, http.StatusNotFound, escalate.ENOTFOUND)
	})
	t.Run("ErrCrossSiteBrowser", func(t *testing.T) {
		// CrossOriginProtection still stands in front of the API: a token
		// needs no exemption, and a cross-site browser request is refused.
		res := e.call(t, "POST", base+"/"+ref+"/withdraw", "prac", map[string]any{"version": 1, "reason": "x"},
			"Sec-Fetch-Site", "cross-site")
		if res.status != http.StatusForbidden {
			t.Errorf("cross-site POST: %d", res.status)
		}
	})
	t.Run("ErrInternal", func(t *testing.T) {
		e := newAPIEnv(t)
		e.db.Close()
		res := e.call(t, "GET", "/api/v1/escalations", "prac", nil)
		res.want(t, http.StatusInternalServerError, escalate.EINTERNAL)
		if strings.Contains(res.raw, "sql") || strings.Contains(res.raw, "closed") {
			t.Errorf("the internal error's detail reached the client: %s", res.raw)
		}
		if !strings.Contains(e.logs.String(), "internal error") {
			t.Error("the internal error was not logged")
		}
	})
	t.Run("NoChildDataLogged", func(t *testing.T) {
		e.call(t, "GET", base+"/"+ref, "prac", nil)
		e.call(t, "GET", base+"?category=assessment", "prac", nil)
		logs := e.logs.String()
		for _, secret := range []string{"SCH-0042", "\"JS\"", "neglect", "referral", "Jo", "child_name", e.tok["prac"], e.tok["prac"][4:20],
			"prac@example.org", "Person prac"} {
			if strings.Contains(logs, secret) {
				t.Errorf("the log holds %q", secret)
			}
		}
		if !strings.Contains(logs, fmt.Sprintf(`"user_id":%d`, e.users["prac"].ID)) {
			t.Errorf("the log lacks the token user's ID:\n%s", logs)
		}
	})
}

func TestAPIDirectory(t *testing.T) {
	e := newAPIEnv(t)
	t.Run("Policy", func(t *testing.T) {
		res := e.call(t, "GET", "/api/v1/policy", "prac", nil)
		res.want(t, http.StatusOK)
		stages, _ := res.body["stages"].([]any)
		if res.str("id") != "wirral" || len(stages) != 4 || stages[0].(map[string]any)["key"] != "stage-1" {
			t.Errorf("policy: %.400s", res.raw)
		}
	})
	t.Run("Contacts", func(t *testing.T) {
		c := &escalate.Contact{PartnershipID: e.users["prac"].PartnershipID, AgencyID: e.ag["care"].ID,
			Role: escalate.RoleLADO, Name: "Sam Example", Phone: "0151 000 0000", LastVerified: "2026-01-02"}
		if err := e.db.CreateContact(context.Background(), c); err != nil {
			t.Fatal(err)
		}
		res := e.call(t, "GET", "/api/v1/contacts", "prac", nil)
		res.want(t, http.StatusOK)
		list, _ := res.body["contacts"].([]any)
		if len(list) != 1 {
			t.Fatalf("contacts: %s", res.raw)
		}
		got := list[0].(map[string]any)
		if got["name"] != "Sam Example" || got["role"] != "lado" || got["stale"] != true {
			t.Errorf("contact: %v (verified 2026-01-02 is over 6 months before 2026-12-24: stale)", got)
		}
		// Nothing crosses partnerships.
		res = e.call(t, "GET", "/api/v1/contacts", "outsider", nil)
		res.want(t, http.StatusOK)
		if list, _ := res.body["contacts"].([]any); len(list) != 0 {
			t.Errorf("an outsider sees %d contacts", len(list))
		}
	})
}

// countAudit counts the audit events with the given action.
func (e *apiEnv) countAudit(t *testing.T, action string) int {
	t.Helper()
	evs, err := e.db.AuditEvents(context.Background(), 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ev := range evs {
		if ev.Action == action {
			n++
		}
	}
	return n
}
