package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/internal/testfiles"
	"github.com/escalate-project/escalate/sqlstore"
	"github.com/escalate-project/escalate/web"
)

// newPrivacyCases is newCases on Wirral with the data protection pages
// served, and a data protection officer.
func newPrivacyCases(t *testing.T) *cases {
	t.Helper()
	c := newCases(t, "wirral")
	ctx := context.Background()
	dpo := &escalate.User{PartnershipID: c.users["bm"].PartnershipID, AgencyID: c.agencies["police"].ID,
		Name: "Dee Protector", Email: "dpo@wirral.example", Roles: []escalate.Role{escalate.RoleDataProtectionOfficer}}
	if err := c.db.CreateUser(ctx, dpo); err != nil {
		t.Fatal(err)
	}
	if _, err := c.db.SetPassword(ctx, "wirral", dpo.Email, testPassword); err != nil {
		t.Fatal(err)
	}
	c.users["dpo"] = dpo
	var err error
	c.srv, err = web.New(web.Config{
		Auth:        &sqlstore.Sessions{DB: c.db, Idle: 30 * time.Minute, Lifetime: 12 * time.Hour},
		Logger:      slog.New(slog.NewJSONHandler(c.logs, nil)),
		Escalations: c.svc, Partnership: c.db, Privacy: c.db,
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

// TestPrivacyWhoHasSeen: the Business Manager and the data protection
// officer find who opened a case and what one person did; everyone else is
// told there is no such page; a bad form says what is wrong and reads
// nothing.
func TestPrivacyWhoHasSeen(t *testing.T) {
	c := newPrivacyCases(t)
	e := c.raise(t)
	if res := c.get(t, "sam", "/escalations/"+e.Ref); res.StatusCode != http.StatusOK {
		t.Fatalf("sam opens the case: %d", res.StatusCode)
	}
	for _, who := range []string{"bm", "dpo"} {
		res := c.get(t, who, "/contacts")
		if !strings.Contains(res.body, `href="/privacy"`) {
			t.Errorf("%s: the partnership pages do not link to data protection", who)
		}
		res = c.get(t, who, "/privacy/case?ref="+strings.ToLower(e.Ref))
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/privacy/cases/"+e.Ref+"#answer" {
			t.Fatalf("%s: case search: %d %s", who, res.StatusCode, res.Header.Get("Location"))
		}
		res = c.get(t, who, "/privacy/cases/"+e.Ref)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: case page: %d\n%s\n%s", who, res.StatusCode, res.body, c.logs)
		}
		for _, want := range []string{"Who has seen and changed escalation " + e.Ref, "Sam Carter (sam@wirral.example)",
			"Opened the escalation", "Viewed", "Jo Bloggs", "Changed"} {
			if !strings.Contains(res.body, want) {
				t.Errorf("%s: the case page lacks %q", who, want)
			}
		}
		res = c.post(t, who, "/privacy/person", url.Values{"email": {"sam@wirral.example"}})
		if res.StatusCode != http.StatusOK || !strings.Contains(res.body, "What Sam Carter (sam@wirral.example) did at any time") ||
			!strings.Contains(res.body, "Opened the escalation") {
			t.Errorf("%s: person: %d\n%s", who, res.StatusCode, res.body)
		}
		// The object in words, as the subject access PDF names it.
		if !strings.Contains(res.body, ">escalation "+e.Ref+"<") || strings.Contains(res.body, "escalation:"+e.Ref) {
			t.Errorf("%s: person: the case is not named as %q", who, "escalation "+e.Ref)
		}
	}
	// The BM's and the DPO's readings are in the case's log.
	res := c.get(t, "dpo", "/privacy/cases/"+e.Ref)
	if n := strings.Count(res.body, "Read who has seen what"); n != 2 {
		t.Errorf("%d readings of the log shown, want 2 (the Business Manager's and the officer's first)", n)
	}

	t.Run("ErrNotAllowed", func(t *testing.T) {
		for _, who := range []string{"jo", "sam", "stranger"} {
			for _, path := range []string{"/privacy", "/privacy/cases/" + e.Ref} {
				if res := c.get(t, who, path); res.StatusCode != http.StatusNotFound {
					t.Errorf("%s GET %s: %d", who, path, res.StatusCode)
				}
			}
			if res := c.post(t, who, "/privacy/person", url.Values{"email": {"sam@wirral.example"}}); res.StatusCode != http.StatusNotFound {
				t.Errorf("%s POST /privacy/person: %d", who, res.StatusCode)
			}
		}
		if res := c.get(t, "bm", "/privacy/cases/NOWHERE-2026-0001"); res.StatusCode != http.StatusNotFound {
			t.Errorf("an unknown case: %d", res.StatusCode)
		}
	})
	t.Run("ErrForm", func(t *testing.T) {
		changes, views := c.auditCounts(t)
		res := c.get(t, "bm", "/privacy/case?ref=")
		wantErrors(t, res, "ref")
		if !strings.Contains(res.body, "Enter the case&#39;s reference") {
			t.Error("no message for the missing reference")
		}
		res = c.post(t, "bm", "/privacy/person", url.Values{"email": {""}, "from-day": {"31"}, "from-month": {"2"}, "from-year": {"2026"}})
		wantErrors(t, res, "email", "from-day")
		res = c.post(t, "bm", "/privacy/person", url.Values{"email": {"nobody@wirral.example"}})
		wantErrors(t, res, "email")
		if !strings.Contains(res.body, "There is no one with that email address") {
			t.Error("no message for an unknown person")
		}
		if ch, vs := c.auditCounts(t); ch != changes || vs != views {
			t.Errorf("a refused form wrote audit events: %d→%d changes, %d→%d views", changes, ch, views, vs)
		}
	})
}

// TestPrivacyRetentionPages: the data protection officer sets the periods,
// places and lifts a legal hold and sees the dry run and the report; a bad
// form says what is wrong and changes nothing; nobody else finds the pages.
func TestPrivacyRetentionPages(t *testing.T) {
	c := newPrivacyCases(t)
	e := c.raise(t)
	res := c.get(t, "dpo", "/privacy")
	if !strings.Contains(res.body, `href="/privacy/retention"`) || !strings.Contains(res.body, "Subject access") {
		t.Fatalf("the DPO's page lacks their sections:\n%s", res.body)
	}
	if res := c.get(t, "bm", "/privacy"); strings.Contains(res.body, `href="/privacy/retention"`) {
		t.Error("the Business Manager is offered retention")
	}
	res = c.get(t, "dpo", "/privacy/retention")
	if res.StatusCode != http.StatusOK || !strings.Contains(res.body, `name="days-closed-escalations" `) && !strings.Contains(res.body, `value="2190"`) {
		t.Fatalf("retention page: %d\n%s", res.StatusCode, res.body)
	}
	form := url.Values{}
	for _, cl := range escalate.RetentionClasses {
		form.Set("days-"+string(cl), strconv.Itoa(escalate.DefaultRetentionDays[cl]))
	}
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("days-notifications", "0")
	bad.Set("days-proformas", "ever")
	wantErrors(t, c.post(t, "dpo", "/privacy/retention", bad), "days-proformas", "days-notifications")
	form.Set("days-notifications", "30")
	if res := c.post(t, "dpo", "/privacy/retention", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save periods: %d\n%s", res.StatusCode, res.body)
	}
	if days, own, err := c.db.RetentionPeriods(c.as("dpo"), 0); err != nil || days[escalate.RetainNotifications] != 30 ||
		own[escalate.RetainProformas] {
		t.Errorf("periods after saving: %v %v %v", days, own, err)
	}
	wantErrors(t, c.post(t, "dpo", "/privacy/holds", url.Values{"ref": {e.Ref}, "reason": {" "}}), "reason")
	wantErrors(t, c.post(t, "dpo", "/privacy/holds", url.Values{"ref": {"NOPE-2026-0001"}, "reason": {"Inquiry."}}), "ref")
	if res := c.post(t, "dpo", "/privacy/holds", url.Values{"ref": {strings.ToLower(e.Ref)}, "reason": {"Inquiry order of 1 December 2026."}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("place a hold: %d\n%s", res.StatusCode, res.body)
	}
	res = c.get(t, "dpo", "/privacy/retention?dry-run=1")
	if !strings.Contains(res.body, "Escalation "+e.Ref) || !strings.Contains(res.body, "Inquiry order of 1 December 2026.") ||
		!strings.Contains(res.body, "Nothing is due today.") {
		t.Errorf("the page after placing a hold:\n%s", res.body)
	}
	holds, _ := c.db.LegalHolds(c.as("dpo"), 0)
	lift := "/privacy/holds/" + strconv.FormatInt(holds[0].ID, 10) + "/lift"
	wantErrors(t, c.post(t, "dpo", lift, url.Values{"lift_reason": {""}}), "lift_reason-"+strconv.FormatInt(holds[0].ID, 10))
	if res := c.post(t, "dpo", lift, url.Values{"lift_reason": {"The inquiry closed."}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("lift: %d", res.StatusCode)
	}
	for _, who := range []string{"bm", "jo", "sam"} {
		if res := c.get(t, who, "/privacy/retention"); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s GET /privacy/retention: %d", who, res.StatusCode)
		}
		if res := c.post(t, who, "/privacy/holds", url.Values{"reason": {"x"}}); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s places a hold: %d", who, res.StatusCode)
		}
	}
}

// TestPrivacySubjectAccessPage: the data protection officer downloads a
// child's export as JSON and as a PDF, and a member of staff's; a bad form
// re-shows with its error; nobody else may.
func TestPrivacySubjectAccessPage(t *testing.T) {
	c := newPrivacyCases(t)
	e := c.raise(t)
	letter := testfiles.PDF()
	if _, err := c.svc.AddAttachment(c.as("jo"), e.Ref, escalate.AttachmentInput{Name: "letter.pdf", Data: letter}); err != nil {
		t.Fatal(err)
	}
	res := c.post(t, "dpo", "/privacy/subject-access", url.Values{"kind": {"child"}, "child_ref": {"SCH-0042"}, "format": {"json"}})
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/json" ||
		!strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment;") {
		t.Fatalf("JSON export: %d %v\n%s", res.StatusCode, res.Header, res.body)
	}
	var x escalate.SubjectAccessExport
	if err := json.Unmarshal([]byte(res.body), &x); err != nil || len(x.Cases) != 1 || x.Cases[0].Ref != e.Ref {
		t.Errorf("the export: %v %s", err, res.body)
	}
	if len(x.Cases) == 1 && (len(x.Cases[0].Attachments) != 1 || !bytes.Equal(x.Cases[0].Attachments[0].Content, letter)) {
		t.Errorf("the child's export does not hold the case's letter: %+v", x.Cases[0].Attachments)
	}
	res = c.post(t, "dpo", "/privacy/subject-access", url.Values{"kind": {"staff"}, "email": {c.users["jo"].Email}, "format": {"pdf"}})
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(res.body, "%PDF-") {
		t.Fatalf("PDF export: %d %v", res.StatusCode, res.Header)
	}
	changes, views := c.auditCounts(t)
	res = c.post(t, "dpo", "/privacy/subject-access", url.Values{"kind": {"child"}, "child_ref": {""}, "format": {"pdf"}})
	wantErrors(t, res, "child_ref")
	res = c.post(t, "dpo", "/privacy/subject-access", url.Values{"kind": {"staff"}, "email": {"nobody@wirral.example"}, "format": {"pdf"}})
	wantErrors(t, res, "sar-email")
	res = c.post(t, "dpo", "/privacy/subject-access", url.Values{"format": {"pdf"}})
	wantErrors(t, res, "kind-child")
	if ch, vs := c.auditCounts(t); ch != changes || vs != views {
		t.Errorf("refused exports wrote audit events")
	}
	for _, who := range []string{"bm", "jo"} {
		if res := c.post(t, who, "/privacy/subject-access", url.Values{"kind": {"child"}, "child_ref": {"SCH-0042"}, "format": {"json"}}); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s exports: %d", who, res.StatusCode)
		}
	}
}
