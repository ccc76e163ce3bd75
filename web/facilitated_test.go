package web_test

import (
	"html"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// TestFacilitatedRecordForm: at a stage that is a facilitated conversation
// the record form asks who facilitated it, refuses a record without them,
// and the case page shows them.
func TestFacilitatedRecordForm(t *testing.T) {
	c := newOrg(t)
	_, raw := mustPackPolicy(t, "wirral")
	text := strings.Replace(string(raw), "version: chapter 7.2 (September 2015)", "version: chapter 7.2 facilitated", 1)
	text = strings.Replace(text, "  - key: stage-1\n", "  - key: stage-1\n    facilitated: true\n", 1)
	if text == string(raw) {
		t.Fatal("the Wirral pack changed")
	}
	if _, err := c.db.PublishPolicy(c.as("bm"), c.users["bm"].PartnershipID, []byte(text), 0); err != nil {
		t.Fatal(err)
	}
	e := c.raise(t)
	path := "/escalations/" + e.Ref + "/record"
	if res := c.get(t, "jo", path); !strings.Contains(res.body, "Who facilitated the conversation") {
		t.Fatalf("the form does not ask for the facilitator (status %d)", res.StatusCode)
	}
	form := url.Values{"version": {strconv.Itoa(c.state(t, e.Ref).Version)}, "at-day": {"24"}, "at-month": {"12"}, "at-year": {"2026"}, "at-time": {"10:15"},
		"form": {"meeting"}, "participants": {"Jo Bloggs\nSam Carter"}, "discussion": {"Talked it through."}, "outcome": {"An assessment."},
		"result": {"ongoing"}}
	res := c.post(t, "jo", path, form)
	if res.StatusCode != 400 || strings.Join(summaryLinks(res.body), " ") != "facilitator" {
		t.Fatalf("without a facilitator: status %d, summary %v", res.StatusCode, summaryLinks(res.body))
	}
	form.Set("facilitator", "Alex Doe, partnership facilitator")
	if res := c.post(t, "jo", path, form); res.StatusCode != 303 {
		t.Fatalf("with a facilitator: status %d", res.StatusCode)
	}
	page := html.UnescapeString(c.get(t, "jo", "/escalations/"+e.Ref).body)
	if !strings.Contains(page, "Facilitated by") || !strings.Contains(page, "Alex Doe, partnership facilitator") {
		t.Error("the case page does not show who facilitated the conversation")
	}
}
