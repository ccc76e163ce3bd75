package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/web"
)

// TestAuthzMatrix sends every route of the server (read from the code by
// web.RegisteredPatterns) as every role and signed out, on a target of
// each relation (authz_policy_test.go), and checks the answer against the
// policy: an unexpected allow is a security bug, an unexpected deny a
// broken feature; both fail. Every denied request must have written
// nothing, every GET nothing but view events, and every GET of an
// escalation that is allowed exactly one view event.
func TestAuthzMatrix(t *testing.T) {
	w := newAuthzWorld(t)
	specs := authzSpecs()
	shared := w.open(t, "shared")
	defer shared.close()

	patterns, err := web.RegisteredPatterns(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range patterns {
		if _, ok := specs[p]; !ok {
			t.Errorf("route %q is registered but not in the authorisation matrix: add it to authzSpecs", p)
		}
	}
	for p := range specs {
		if !slices.Contains(patterns, p) {
			t.Errorf("route %q is in the matrix but no longer registered", p)
			continue
		}
		method, path, _ := w.request(p, "", relOwn)
		req, _ := http.NewRequest(method, path, nil)
		got := web.MatchedPattern(shared.srv, req)
		if why, ok := authzNeedsConfig[p]; ok && got != p {
			t.Logf("%s is not served without %s: left out of the checks", p, why)
			continue
		}
		if got != p {
			t.Errorf("%s %s is served by %q, not %q", method, path, got, p)
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	roles := append([]escalate.Role{""}, authzRoles...)
	var writer *authzInstance
	routes, copies, checks, allows, deniedViews := 0, 0, 0, 0, 0
	refused := map[string]int{} // allowed, then refused by a stage rule
	for _, p := range patterns {
		sp := specs[p]
		if _, ok := authzNeedsConfig[p]; ok {
			req, _ := http.NewRequest("GET", p[len("GET "):], nil)
			if web.MatchedPattern(shared.srv, req) != p {
				continue
			}
		}
		routes++
		for _, rel := range authzRels {
			for _, role := range roles {
				method, path, body := w.request(p, role, rel)
				in := shared
				if method != "GET" {
					if writer == nil {
						copies++
						writer = w.open(t, "copy"+strconv.Itoa(copies))
					}
					in = writer
				}
				before := in.state(t)
				res := w.send(t, in, sp, role, rel, method, path, body)
				after := in.state(t)
				checks++
				allowed := authzAllowedRes(res)
				want := authzExpect(role, rel, sp, authzTargeted(p))
				who := string(role)
				if who == "" {
					who = "signed out"
				}
				at := fmt.Sprintf("%s %s as %s (%s)", method, path, who, rel)
				switch {
				case allowed && !want:
					t.Errorf("UNEXPECTED ALLOW: %s: %d %s", at, res.StatusCode, res.Header.Get("Location"))
				case !allowed && want:
					t.Errorf("unexpected deny: %s: %d %s", at, res.StatusCode, res.Header.Get("Location"))
				}
				if allowed {
					allows++
				}
				if res.StatusCode >= 500 {
					t.Errorf("%s: %d: a server error is neither an allow nor a deny", at, res.StatusCode)
				}
				changed := after.digest != before.digest || after.changes != before.changes
				if (!allowed || method == "GET") && changed {
					t.Errorf("%s: wrote to the database (allowed %v)", at, allowed)
				}
				if sp.kind == kindCase && method == "GET" {
					views := after.views - before.views
					if allowed && views != 1 {
						t.Errorf("%s: allowed, wrote %d view events, want 1", at, views)
					}
					if !allowed && !authzMaySee(role, rel) && views != 0 {
						t.Errorf("%s: denied to someone who may not see it, wrote %d view events", at, views)
					}
					if !allowed && views != 0 {
						deniedViews++ // a form not offered to someone who may see the case
					}
				}
				if sp.kind == kindCase && method == "POST" && allowed {
					if res.StatusCode < 400 && !changed {
						t.Errorf("%s: allowed with %d but changed nothing", at, res.StatusCode)
					}
					if res.StatusCode >= 400 {
						refused[fmt.Sprintf("%s %d", p, res.StatusCode)]++
					}
				}
				if sp.kind == kindList || sp.kind == kindOverview {
					w.checkList(t, at, res, role, rel, allowed, sp.api || sp.kind == kindOverview)
				}
				if method != "GET" && (allowed || changed) {
					writer.close()
					writer = nil
				}
			}
		}
	}
	if writer != nil {
		writer.close()
	}
	t.Logf("matrix: %d routes × %d actors (%d roles and signed out) × %d relations = %d checks; %d allowed; %d database copies",
		routes, len(roles), len(roles)-1, len(authzRels), checks, allows, copies)
	t.Logf("%d refused action forms recorded a view (the user may see the case; the form is not offered to them)", deniedViews)
	for k, n := range refused {
		t.Logf("authorised but refused by a stage rule: %s (%d times)", k, n)
	}
}

// authzAllowedRes reads a response as allowed or denied: 401, 403, 404
// and the redirect to sign in first are denials (signing out, which also
// ends at the sign-in page, says so with ?signed-out=1); anything else (a page, a redirect
// after success, a form shown again with errors, a conflict with the
// stage) means the request got past access control.
func authzAllowedRes(res *response) bool {
	switch res.StatusCode {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound:
		return false
	}
	loc := res.Header.Get("Location")
	return !(res.StatusCode/100 == 3 && (loc == "/sign-in" || strings.HasPrefix(loc, "/sign-in?next=") || strings.HasPrefix(loc, "/sign-in?timed-out=")))
}

// checkList fails when a list shows an escalation role may not see, and,
// for the API's list of every escalation one may see, when it leaves out
// one they may (My work lists only what waits for them, and the overview
// is for roles that see everything anyway).
func (w *authzWorld) checkList(t *testing.T, at string, res *response, role escalate.Role, rel authzRel, allowed, complete bool) {
	t.Helper()
	if !allowed {
		return
	}
	if strings.Contains(res.body, w.escB.Ref) {
		t.Errorf("UNEXPECTED ALLOW: %s lists %s, of the other partnership", at, w.escB.Ref)
	}
	if rel == relOtherPartnership {
		rel = relOwn // the actor is X's; escalation A is theirs
	}
	shows := strings.Contains(res.body, w.escA.Ref)
	switch may := authzMaySee(role, rel); {
	case shows && !may:
		t.Errorf("UNEXPECTED ALLOW: %s lists %s", at, w.escA.Ref)
	case !shows && may && complete:
		t.Errorf("%s: does not list %s, which they may see", at, w.escA.Ref)
	}
}

// actor returns the user key acting as role for relation rel.
func authzActor(role escalate.Role, rel authzRel) string {
	switch rel {
	case relReceiving:
		return authzKey(role, "Y")
	case relOtherAgency:
		return authzKey(role, "Z")
	}
	return authzKey(role, "X")
}

// send sends the request as the actor: by session cookie for pages, by API
// token for the API.
func (w *authzWorld) send(t *testing.T, in *authzInstance, sp authzSpec, role escalate.Role, rel authzRel, method, path string, body any) *response {
	t.Helper()
	var cookie, bearer, ctype, text string
	if role != "" {
		k := authzActor(role, rel)
		cookie, bearer = w.cookies[k], w.secrets[k]
	}
	if !sp.api || sp.kind == kindPublic || sp.kind == kindNowhere {
		bearer = ""
	} else {
		cookie = ""
	}
	switch b := body.(type) {
	case url.Values:
		ctype, text = "application/x-www-form-urlencoded", b.Encode()
	case authzFile:
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		part, err := mw.CreateFormFile("file", b.Name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = part.Write(b.Data)
		_ = mw.Close()
		ctype, text = mw.FormDataContentType(), buf.String()
	case map[string]any:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		ctype, text = "application/json", string(j)
	}
	return authzSend(t, in.ts.URL, method, path, cookie, bearer, ctype, text)
}
