package web_test

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/sqlstore"
)

// The conference dissent pages' access, where the policy switches them on.
// The matrix (authz_matrix_test.go) finds them not found for everyone in
// its Wirral partnership; TestDissentAccess sends every dissent route as
// every role and signed out, in a world on Surrey's policy, and checks the
// answers against authzDissentExpect, written from doc/dissents.md's "Who
// may do what" rather than from the code.

// authzDissentActions are the dissent routes and what each does:
// "list", a dissent action, or the view of one.
var authzDissentActions = map[string]string{
	"GET /dissents":       "list",
	"GET /dissents/new":   escalate.DissentActionRecord,
	"POST /dissents/new":  escalate.DissentActionRecord,
	"GET /dissents/{ref}": escalate.DissentActionView,
}

// authzDissentSteps are the step forms' paths and actions.
var authzDissentSteps = map[string]string{
	"schedule": escalate.DissentActionSchedule, "evaluate": escalate.DissentActionEvaluate,
	"decide": escalate.DissentActionDecide, "report": escalate.DissentActionReport,
	"strategy": escalate.DissentActionStrategy,
}

// authzDissentRoutes lists every dissent route.
var authzDissentRoutes = func() []string {
	for path, action := range authzDissentSteps {
		authzDissentActions["GET /dissents/{ref}/"+path] = action
		authzDissentActions["POST /dissents/{ref}/"+path] = action
	}
	var out []string
	for p := range authzDissentActions {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}()

// authzDissentExpect is who may do what on dissent A, recorded by Y's
// conference chair (Y is children's social care) about a dissent of X's
// professional: the dissenting agency is X. Dissent B is partnership B's.
func authzDissentExpect(role escalate.Role, rel authzRel, action string) bool {
	if role == "" {
		return false
	}
	switch action {
	case "list":
		return slices.Contains([]escalate.Role{escalate.RoleConferenceChair, escalate.RoleBusinessManager,
			escalate.RoleChair, escalate.RoleViceChair, escalate.RoleSeniorManager, escalate.RoleManager,
			escalate.RoleSafeguardingLead}, role)
	case escalate.DissentActionRecord:
		return role == escalate.RoleConferenceChair
	}
	if rel == relOtherPartnership {
		return false
	}
	bm := role == escalate.RoleBusinessManager
	cscSenior := role == escalate.RoleSeniorManager && rel == relReceiving
	view := bm || role == escalate.RoleChair || role == escalate.RoleViceChair || cscSenior ||
		role == escalate.RoleConferenceChair && rel == relReceiving ||
		rel == relOwn && slices.Contains([]escalate.Role{escalate.RoleManager, escalate.RoleSafeguardingLead, escalate.RoleSeniorManager}, role)
	switch action {
	case escalate.DissentActionView:
		return view
	case escalate.DissentActionSchedule, escalate.DissentActionEvaluate, escalate.DissentActionDecide:
		return bm
	case escalate.DissentActionReport, escalate.DissentActionStrategy:
		return bm || cscSenior
	}
	return false
}

func TestDissentAccess(t *testing.T) {
	w := newAuthzWorldPack(t, "surrey", func(w *authzWorld, db *sqlstore.DB) {
		for _, d := range []struct {
			ref            *string
			chair, dissent string
		}{{&w.disA, "Y", "X"}, {&w.disB, "W", "W"}} {
			got, err := db.RecordDissent(escalate.NewContextWithUser(t.Context(), w.users[authzKey(escalate.RoleConferenceChair, d.chair)]),
				escalate.DissentInput{ConferenceDate: "2026-11-30", ConferenceKind: escalate.ConferenceInitial,
					ConferenceRef: "ICPC-" + d.chair, AgencyID: w.ag[d.dissent].ID, Professional: "Health visitor",
					Nature: "Dissented from no plan.", Grounds: "Neglect.", ChairDecision: "No plan."})
			if err != nil {
				t.Fatal(err)
			}
			*d.ref = got.Ref
		}
	})
	shared := w.open(t, "shared")
	defer shared.close()
	roles := append([]escalate.Role{""}, authzRoles...)
	checks, allows := 0, 0
	for _, p := range authzDissentRoutes {
		action := authzDissentActions[p]
		for _, rel := range authzRels {
			for _, role := range roles {
				method, path, _ := strings.Cut(p, " ")
				ref := w.disA
				if rel == relOtherPartnership {
					ref = w.disB
				}
				path = strings.ReplaceAll(path, "{ref}", ref)
				in := shared
				if method == "POST" {
					in = w.open(t, "dissent-copy")
				}
				var cookie string
				if role != "" {
					cookie = w.cookies[authzActor(role, rel)]
				}
				before := in.state(t)
				var body string
				if method == "POST" {
					body = authzDissentForm(w, p).Encode()
				}
				res := authzSend(t, in.ts.URL, method, path, cookie, "", "application/x-www-form-urlencoded", body)
				after := in.state(t)
				checks++
				allowed := authzAllowedRes(res)
				want := authzDissentExpect(role, rel, action)
				at := fmt.Sprintf("%s %s as %q (%s)", method, path, role, rel)
				switch {
				case allowed && !want:
					t.Errorf("UNEXPECTED ALLOW: %s: %d", at, res.StatusCode)
				case !allowed && want:
					t.Errorf("unexpected deny: %s: %d %s", at, res.StatusCode, res.Header.Get("Location"))
				}
				if allowed {
					allows++
				}
				changed := after.digest != before.digest || after.changes != before.changes
				if (!allowed || method == "GET") && changed {
					t.Errorf("%s: wrote to the database (allowed %v)", at, allowed)
				}
				if method == "GET" && strings.Contains(p, "{ref}") {
					views := after.views - before.views
					if allowed && views != 1 || !authzDissentExpect(role, rel, escalate.DissentActionView) && views != 0 {
						t.Errorf("%s: wrote %d view events (allowed %v)", at, views, allowed)
					}
				}
				if p == "GET /dissents" && allowed {
					if strings.Contains(res.body, w.disB) {
						t.Errorf("UNEXPECTED ALLOW: %s lists %s, of the other partnership", at, w.disB)
					}
					seeRel := rel
					if rel == relOtherPartnership {
						seeRel = relOwn
					}
					if shows, may := strings.Contains(res.body, w.disA), authzDissentExpect(role, seeRel, escalate.DissentActionView); shows != may {
						t.Errorf("%s: lists %s: %v, may see it: %v", at, w.disA, shows, may)
					}
				}
				if (strings.Contains(res.body, "ICPC-Y") || strings.Contains(res.body, "ICPC-W")) && !strings.Contains(p, "{ref}") {
					t.Errorf("%s: shows a conference reference outside the dissent's own page", at)
				}
				if method == "POST" {
					in.close()
				}
			}
		}
	}
	t.Logf("dissent access: %d routes, %d checks, %d allowed", len(authzDissentRoutes), checks, allows)
}

// authzDissentForm is a valid form for a dissent POST route.
func authzDissentForm(w *authzWorld, pattern string) url.Values {
	switch pattern {
	case "POST /dissents/new":
		return url.Values{"conference_date-day": {"30"}, "conference_date-month": {"11"}, "conference_date-year": {"2026"},
			"conference_kind": {"review"}, "conference_ref": {"RCPC-9"}, "agency": {strconv.FormatInt(w.ag["Z"].ID, 10)},
			"professional": {"Police officer"}, "nature": {"Dissent."}, "grounds": {"Grounds."}, "chair_decision": {"Decision."}}
	}
	// Dissent A awaits review: scheduling acts; the later steps are
	// refused by the workflow (409) once access is granted.
	return url.Values{"version": {"1"}, "date-day": {"2"}, "date-month": {"12"}, "date-year": {"2026"},
		"people": {"Business Manager"}, "outcome": {"upheld"}, "text": {"Text."}, "feedback": {"Feedback."}}
}
