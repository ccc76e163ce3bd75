package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestTimedOutFormKept: a record sent after the session timed out is not
// recorded but kept for its writer; signing in again goes back to the
// form, which shows what was typed and says so; sending it records it and
// deletes the draft.
func TestTimedOutFormKept(t *testing.T) {
	c := newCases(t, "wirral")
	e := c.raise(t)
	path := "/escalations/" + e.Ref + "/record"
	form := url.Values{"version": {"1"}, "at-day": {"24"}, "at-month": {"12"}, "at-year": {"2026"}, "at-time": {"10.15am"},
		"form": {"meeting"}, "participants": {"Jo Bloggs"}, "discussion": {"A long account of the discussion."}, "outcome": {"A meeting."}, "result": {"ongoing"}}
	c.clock.add(31 * time.Minute)
	res := c.post(t, "jo", path, form)
	want := "/sign-in?next=" + url.QueryEscape(path) + "&timed-out=1"
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != want {
		t.Fatalf("a record sent after the timeout: %d to %q, want %q", res.StatusCode, res.Header.Get("Location"), want)
	}
	if n := len(c.state(t, e.Ref).Records); n != 0 {
		t.Fatalf("%d records stored without a session", n)
	}
	page := c.do(t, "GET", res.Header.Get("Location"), "", nil)
	for _, w := range []string{"You were signed out because you had not used Escalate for 30 minutes", `name="next" value="` + path + `"`} {
		if !strings.Contains(page.body, w) {
			t.Errorf("the sign-in page lacks %q", w)
		}
	}
	// Someone else signing in on that browser does not see it.
	res = c.do(t, "POST", "/sign-in", "", url.Values{"email": {c.users["bm"].Email}, "password": {testPassword}, "next": {path}})
	other := c.sessionCookie(res).Value
	if page := c.do(t, "GET", path, other, nil); strings.Contains(page.body, "A long account of the discussion.") {
		t.Error("another user's form shows what jo typed")
	}
	res = c.do(t, "POST", "/sign-in", "", url.Values{"email": {c.users["jo"].Email}, "password": {testPassword}, "next": {path}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != path {
		t.Fatalf("signing in again went to %q, want back to %s", res.Header.Get("Location"), path)
	}
	c.tokens["jo"] = c.sessionCookie(res).Value
	page = c.get(t, "jo", path)
	for _, w := range []string{"We kept what you typed", "A long account of the discussion.", `value="10.15am"`, `value="meeting" checked`} {
		if !strings.Contains(page.body, w) {
			t.Errorf("the form after signing in again lacks %q", w)
		}
	}
	if res := c.post(t, "jo", path, form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sending the kept form: %d\n%s", res.StatusCode, res.body)
	}
	if n := len(c.state(t, e.Ref).Records); n != 1 {
		t.Errorf("%d records, want the one sent", n)
	}
	if b, _, _ := c.db.Draft(context.Background(), c.users["jo"].ID, path); b != nil {
		t.Errorf("the draft outlived the form being sent: %s", b)
	}
	if page := c.get(t, "jo", path); strings.Contains(page.body, "We kept what you typed") {
		t.Error("the form still says it kept something")
	}
}

// TestDraftSave: app.js's saving of a form as it is typed: kept per
// person, shown when the form opens again, refused for a form that keeps
// none, and for someone signed out.
func TestDraftSave(t *testing.T) {
	c := newCases(t, "wirral")
	e := c.raise(t)
	path := "/escalations/" + e.Ref + "/withdraw"
	if res := c.post(t, "jo", "/drafts", url.Values{"draft-form": {path}, "version": {"1"}, "reason": {"Sorted between us."}}); res.StatusCode != http.StatusNoContent {
		t.Fatalf("saving a draft: %d %s", res.StatusCode, res.body)
	}
	page := c.get(t, "jo", path)
	if !strings.Contains(page.body, "Sorted between us.") || !strings.Contains(page.body, "We kept what you typed") ||
		!strings.Contains(page.body, `data-draft="`+path+`"`) {
		t.Errorf("the withdraw form does not show the draft")
	}
	for _, bad := range []string{"/account/tokens", "/escalations/" + e.Ref, "/escalations/" + e.Ref + "/nope", "https://evil.example/raise"} {
		if res := c.post(t, "jo", "/drafts", url.Values{"draft-form": {bad}, "x": {"y"}}); res.StatusCode != http.StatusBadRequest {
			t.Errorf("a draft of %q: %d, want 400", bad, res.StatusCode)
		}
	}
	if res := c.do(t, "POST", "/drafts", "", url.Values{"draft-form": {path}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("saving a draft signed out: %d", res.StatusCode)
	}
	if res := c.get(t, "jo", "/session/keepalive"); res.StatusCode != http.StatusNoContent {
		t.Errorf("keep-alive: %d", res.StatusCode)
	}
}

// TestSignInNext: only a path on this site is gone back to after signing
// in.
func TestSignInNext(t *testing.T) {
	c := newCases(t, "wirral")
	for next, want := range map[string]string{
		"/raise/details": "/raise/details", "//evil.example/x": "/", "https://evil.example": "/",
		"/sign-out": "/", "/raise?x=1": "/", `/\evil.example`: "/", "": "/",
	} {
		res := c.do(t, "POST", "/sign-in", "", url.Values{"email": {c.users["jo"].Email}, "password": {testPassword}, "next": {next}})
		if res.Header.Get("Location") != want {
			t.Errorf("next %q went to %q, want %q", next, res.Header.Get("Location"), want)
		}
	}
}
