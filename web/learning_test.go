package web_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/sqlstore"
	"github.com/escalate-project/escalate/web"
)

// newLearningCases is newCases on Wirral with the learning pages served,
// and a chair.
func newLearningCases(t *testing.T) *cases {
	t.Helper()
	c := newCases(t, "wirral")
	ctx := context.Background()
	chair := &escalate.User{PartnershipID: c.users["bm"].PartnershipID, AgencyID: c.agencies["police"].ID,
		Name: "Chris Chair", Email: "chair@wirral.example", Roles: []escalate.Role{escalate.RoleChair}}
	if err := c.db.CreateUser(ctx, chair); err != nil {
		t.Fatal(err)
	}
	if _, err := c.db.SetPassword(ctx, "wirral", chair.Email, testPassword); err != nil {
		t.Fatal(err)
	}
	c.users["chair"] = chair
	var err error
	c.srv, err = web.New(web.Config{
		Auth:        &sqlstore.Sessions{DB: c.db, Idle: 30 * time.Minute, Lifetime: 12 * time.Hour},
		Logger:      slog.New(slog.NewJSONHandler(c.logs, nil)),
		Escalations: c.svc, Partnership: c.db, Learning: c.db,
	})
	if err != nil {
		t.Fatal(err)
	}
	c.ts.Close()
	c.ts = httptest.NewServer(c.srv)
	t.Cleanup(c.ts.Close)
	c.signInAll(t)
	return c
}

// closeCase raises a case and withdraws it as jo.
func (c *cases) closeCase(t *testing.T) *escalate.Escalation {
	t.Helper()
	e := c.raise(t)
	e, err := c.svc.Withdraw(c.as("jo"), e.Ref, escalate.WithdrawInput{Version: e.Version, Reason: "Sorted informally."})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// learningState is what a refused change must leave alone.
func (c *cases) learningState(t *testing.T) string {
	t.Helper()
	items, err := c.db.LearningItems(c.as("bm"), escalate.LearningFilter{})
	if err != nil {
		t.Fatal(err)
	}
	changes, _ := c.auditCounts(t)
	var b strings.Builder
	fmt.Fprintf(&b, "changes=%d", changes)
	for _, it := range items {
		fmt.Fprintf(&b, " %d:v%d:%s:%s:%v", it.ID, it.Version, it.Status, it.Theme, it.Refs)
	}
	n, _, _ := c.db.PatternThreshold(c.as("bm"))
	fmt.Fprintf(&b, " threshold=%d", n)
	return b.String()
}

func wantErrors(t *testing.T, res *response, want ...string) {
	t.Helper()
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("status %d, want 400", res.StatusCode)
	}
	if got := summaryLinks(res.body); !slices.Equal(got, want) {
		t.Fatalf("error summary links %v, want %v", got, want)
	}
}

func TestLearningStepPage(t *testing.T) {
	c := newLearningCases(t)
	open := c.raise(t)
	if res := c.get(t, "jo", "/escalations/"+open.Ref+"/learning"); res.StatusCode != http.StatusConflict {
		t.Fatalf("learning on an open case: %d", res.StatusCode)
	}
	e := c.closeCase(t)
	page := c.get(t, "jo", "/escalations/"+e.Ref)
	if !strings.Contains(page.body, `href="/escalations/`+e.Ref+`/learning"`) {
		t.Fatalf("the closed case does not offer the learning step:\n%s", page.body)
	}
	if res := c.get(t, "stranger", "/escalations/"+e.Ref+"/learning"); res.StatusCode != http.StatusNotFound {
		t.Fatalf("a stranger: %d", res.StatusCode)
	}
	form := c.get(t, "jo", "/escalations/"+e.Ref+"/learning")
	if form.StatusCode != http.StatusOK || !strings.Contains(form.body, "No names or details of the child") {
		t.Fatalf("form: %d", form.StatusCode)
	}
	before := c.learningState(t)
	for _, bad := range []struct {
		form url.Values
		want []string
	}{
		{url.Values{"general": {"yes"}, "policy_gap": {"no"}, "training": {"no"}}, []string{"general_text", "debriefed"}},
		{url.Values{"general": {"maybe"}, "training": {"yes"}, "training_text": {strings.Repeat("x", 1001)}, "debriefed": {"no"}},
			[]string{"general", "policy_gap", "training_text"}},
	} {
		wantErrors(t, c.post(t, "jo", "/escalations/"+e.Ref+"/learning", bad.form), bad.want...)
	}
	if after := c.learningState(t); after != before {
		t.Fatalf("bad input changed the store: %s → %s", before, after)
	}
	res := c.post(t, "jo", "/escalations/"+e.Ref+"/learning", url.Values{"general": {"yes"},
		"general_text": {"Share the threshold guidance with schools."}, "policy_gap": {"yes"},
		"policy_gap_text": {"No procedure for out-of-hours closures."}, "training": {"no"}, "debriefed": {"yes"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/escalations/"+e.Ref+"?done=learning" {
		t.Fatalf("record: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	page = c.get(t, "sam", "/escalations/"+e.Ref)
	for _, want := range []string{"Share the threshold guidance with schools.", "1 party has answered the learning step; 1 debriefed"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the case page lacks %q", want)
		}
	}
	if res := c.post(t, "jo", "/escalations/"+e.Ref+"/learning", url.Values{"general": {"no"}, "policy_gap": {"no"},
		"training": {"no"}, "debriefed": {"no"}}); res.StatusCode != http.StatusConflict {
		t.Fatalf("a second answer: %d", res.StatusCode)
	}

	// The log: the Business Manager and chair see it, others do not.
	for who, want := range map[string]int{"bm": 200, "chair": 200, "jo": 404, "stranger": 404} {
		if res := c.get(t, who, "/learning"); res.StatusCode != want {
			t.Errorf("%s GET /learning: %d, want %d", who, res.StatusCode, want)
		}
	}
	log := c.get(t, "bm", "/learning?kind=policy-gap")
	if !strings.Contains(log.body, "No procedure for out-of-hours closures.") || strings.Contains(log.body, "Share the threshold") {
		t.Fatalf("the filtered log:\n%s", log.body)
	}
}

func TestLearningItemPage(t *testing.T) {
	c := newLearningCases(t)
	e := c.closeCase(t)
	items, err := c.db.RecordLearning(c.as("jo"), e.Ref, escalate.LearningInput{General: "yes", GeneralText: "Thresholds.",
		PolicyGap: "no", Training: "no", Debriefed: "no"})
	if err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/learning/items/%d", items[0].ID)
	page := c.get(t, "bm", path)
	if page.StatusCode != 200 || formVersion(t, page) != "1" {
		t.Fatalf("item page: %d", page.StatusCode)
	}
	if res := c.get(t, "chair", path); res.StatusCode != 200 || strings.Contains(res.body, `action="`+path+`"`) {
		t.Fatalf("the chair's view: %d (a form to change it shown: %v)", res.StatusCode, strings.Contains(res.body, `action="`+path+`"`))
	}
	// The theme is chosen from the Business Manager's list.
	if !strings.Contains(page.body, `<select class="govuk-select" id="theme" name="theme"`) {
		t.Errorf("the item page has no list of themes to choose from")
	}
	if _, err := c.db.AddLearningTheme(c.as("bm"), "Thresholds"); err != nil {
		t.Fatal(err)
	}
	other := c.raise(t)
	good := url.Values{"version": {"1"}, "assignee": {"subgroup"}, "subgroup": {"Quality assurance subgroup"},
		"status": {"in-progress"}, "action_taken": {"Raised at the QA subgroup."}, "theme": {"Thresholds"}, "link": {other.Ref}}
	with := func(k, v string) url.Values {
		f := url.Values{}
		for kk, vv := range good {
			f[kk] = vv
		}
		f.Set(k, v)
		return f
	}
	before := c.learningState(t)
	wantErrors(t, c.post(t, "bm", path, with("subgroup", " ")), "subgroup")
	wantErrors(t, c.post(t, "bm", path, with("status", "finished")), "status")
	wantErrors(t, c.post(t, "bm", path, with("theme", strings.Repeat("t", 61))), "theme")
	wantErrors(t, c.post(t, "bm", path, with("theme", "Not on the list")), "theme")
	wantErrors(t, c.post(t, "bm", path, with("link", "WIRRAL-2099-0001")), "link")
	wantErrors(t, c.post(t, "bm", path, with("assignee", "practitioner")), "assignee")
	if res := c.post(t, "chair", path, good); res.StatusCode != http.StatusForbidden {
		t.Fatalf("the chair changing an item: %d", res.StatusCode)
	}
	if after := c.learningState(t); after != before {
		t.Fatalf("refused changes changed the store: %s → %s", before, after)
	}
	res := c.post(t, "bm", path, good)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", res.StatusCode, res.body)
	}
	page = c.get(t, "bm", res.Header.Get("Location"))
	for _, want := range []string{"Quality assurance subgroup", "Raised at the QA subgroup.", other.Ref, e.Ref, "Learning item saved"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the saved item lacks %q", want)
		}
	}
	// A stale version is refused with a message, and changes nothing.
	before = c.learningState(t)
	wantErrors(t, c.post(t, "bm", path, good), "status")
	if after := c.learningState(t); after != before {
		t.Fatalf("a stale save changed the store")
	}
}

func TestLearningThreshold(t *testing.T) {
	c := newLearningCases(t)
	before := c.learningState(t)
	for _, bad := range []string{"", "three", "-1", "101", "2.5"} {
		wantErrors(t, c.post(t, "bm", "/learning/threshold", url.Values{"threshold": {bad}}), "threshold")
	}
	if res := c.post(t, "chair", "/learning/threshold", url.Values{"threshold": {"3"}}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("chair: %d", res.StatusCode)
	}
	if after := c.learningState(t); after != before {
		t.Fatalf("refused thresholds changed the store")
	}
	if res := c.post(t, "bm", "/learning/threshold", url.Values{"threshold": {"4"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", res.StatusCode)
	}
	if n, def, _ := c.db.PatternThreshold(c.as("bm")); n != 4 || def {
		t.Fatalf("threshold %d (default %v), want 4", n, def)
	}
}

func TestProformaPages(t *testing.T) {
	c := newLearningCases(t)
	e := c.raise(t)
	e, err := c.svc.Escalate(c.as("jo"), e.Ref, escalate.EscalateInput{Version: e.Version, Reason: "No agreement."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.svc.AgreeOutcome(c.as("sam"), e.Ref, escalate.AgreeInput{Version: e.Version,
		Outcome: "JS's assessment reopens.", OutstandingIssues: "None."}); err != nil {
		t.Fatal(err)
	}
	list := c.get(t, "bm", "/proformas")
	if list.StatusCode != 200 || !strings.Contains(list.body, "Stage 2: Team managers and safeguarding leads") {
		t.Fatalf("queue: %d\n%s", list.StatusCode, list.body)
	}
	ps, _ := c.db.Proformas(c.as("bm"), "")
	if len(ps) != 1 {
		t.Fatalf("%d proformas", len(ps))
	}
	path := fmt.Sprintf("/proformas/%d", ps[0].ID)
	for who, want := range map[string]int{"bm": 200, "chair": 200, "jo": 404, "sam": 404, "stranger": 404} {
		if res := c.get(t, who, path); res.StatusCode != want {
			t.Errorf("%s GET %s: %d, want %d", who, path, res.StatusCode, want)
		}
	}
	page := c.get(t, "bm", path)
	for _, bad := range []string{"SCH-0042", ">JS<", "Jo Bloggs", "Sam Carter", "assessment reopens"} {
		if strings.Contains(page.body, bad) {
			t.Errorf("the proforma page shows %q", bad)
		}
	}
	pdf := c.get(t, "bm", path+"/pdf")
	if pdf.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf.body, "%PDF-") {
		t.Fatalf("pdf: %s %q", pdf.Header.Get("Content-Type"), pdf.body[:min(10, len(pdf.body))])
	}
	csv := c.get(t, "bm", path+"/csv")
	if !strings.HasPrefix(csv.Header.Get("Content-Type"), "text/csv") || !strings.Contains(csv.body, "Oakfield Children's Services") ||
		strings.Contains(csv.body, "SCH-0042") || strings.Contains(csv.body, e.Ref) {
		t.Fatalf("csv: %s\n%s", csv.Header.Get("Content-Type"), csv.body)
	}
	_, views := c.auditCounts(t)
	changes, _ := c.auditCounts(t)
	wantErrors(t, c.post(t, "bm", path+"/status", url.Values{"version": {"1"}, "status": {"lost"}}), "status")
	if res := c.post(t, "chair", path+"/status", url.Values{"version": {"1"}, "status": {"reviewed"}}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("chair reviewing: %d", res.StatusCode)
	}
	if ch, v := c.auditCounts(t); ch != changes || v != views {
		t.Fatalf("refused reviews wrote audit events: %d→%d, %d→%d", changes, ch, views, v)
	}
	res := c.post(t, "bm", path+"/status", url.Values{"version": {"1"}, "status": {"reviewed"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("review: %d", res.StatusCode)
	}
	if p, _ := c.db.Proformas(c.as("bm"), escalate.ProformaReviewed); len(p) != 1 {
		t.Fatalf("not reviewed")
	}
}

// TestLearningThemes: the Business Manager adds and removes themes on the
// learning log; bad names re-show the page with the error summary and
// change nothing; the chair may read the list but not change it; anyone
// else finds no such page.
func TestLearningThemes(t *testing.T) {
	c := newLearningCases(t)
	before := c.learningState(t)
	wantErrors(t, c.post(t, "bm", "/learning/themes", url.Values{"theme": {"  "}}), "new-theme")
	wantErrors(t, c.post(t, "bm", "/learning/themes", url.Values{"theme": {strings.Repeat("x", 61)}}), "new-theme")
	for who, want := range map[string]int{"chair": http.StatusForbidden, "jo": http.StatusNotFound, "stranger": http.StatusNotFound} {
		if res := c.post(t, who, "/learning/themes", url.Values{"theme": {"Thresholds"}}); res.StatusCode != want {
			t.Errorf("%s adding a theme: %d, want %d", who, res.StatusCode, want)
		}
	}
	if after := c.learningState(t); after != before {
		t.Fatalf("refused changes changed the store: %s → %s", before, after)
	}
	res := c.post(t, "bm", "/learning/themes", url.Values{"theme": {" Information sharing "}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/learning?done=theme-added#themes" {
		t.Fatalf("adding a theme: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	res = c.post(t, "bm", "/learning/themes", url.Values{"theme": {"information SHARING"}})
	wantErrors(t, res, "new-theme")
	if !strings.Contains(res.body, "is already on the list") || !strings.Contains(res.body, `value="information SHARING"`) {
		t.Errorf("a theme already listed, in other capitals: the page does not say so or lost what was typed")
	}
	list, err := c.db.LearningThemeList(context.Background(), c.users["bm"].PartnershipID)
	if err != nil || len(list) != 1 || list[0].Name != "Information sharing" {
		t.Fatalf("the list: %+v, %v", list, err)
	}
	page := c.get(t, "chair", "/learning")
	if !strings.Contains(page.body, "Information sharing") || strings.Contains(page.body, `action="/learning/themes`) {
		t.Errorf("the chair's learning log: the theme shown %v, a form to change the list shown %v",
			strings.Contains(page.body, "Information sharing"), strings.Contains(page.body, `action="/learning/themes`))
	}
	remove := fmt.Sprintf("/learning/themes/%d/remove", list[0].ID)
	if res := c.post(t, "chair", remove, nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("the chair removing a theme: %d", res.StatusCode)
	}
	if res := c.post(t, "bm", "/learning/themes/99999/remove", nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("removing an unknown theme: %d", res.StatusCode)
	}
	if res := c.post(t, "bm", remove, nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("removing a theme: %d", res.StatusCode)
	}
	if list, _ := c.db.LearningThemeList(context.Background(), c.users["bm"].PartnershipID); len(list) != 0 {
		t.Errorf("after removing: %+v", list)
	}
}
