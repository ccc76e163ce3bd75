package sqlstore

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
	"github.com/escalate-project/escalate/policy"
)

func TestReviewKind(t *testing.T) {
	tests := []struct{ review, today, want string }{
		{"2028-04-01", "2028-02-29", ""},
		{"2028-04-01", "2028-03-01", ReviewMonthBefore},
		{"2028-04-01", "2028-03-31", ReviewMonthBefore},
		{"2028-04-01", "2028-04-01", ReviewDue},
		{"2028-04-01", "2028-04-30", ReviewDue},
		{"2028-04-01", "2028-05-01", ""}, // long past: the policy page warns instead
		{"2027-03-31", "2027-02-27", ""},
		{"2027-03-31", "2027-02-28", ReviewMonthBefore}, // the month before has no 31st
		{"2027-12-15", "2028-01-14", ReviewDue},
		{"2027-12-15", "2028-01-15", ""},
		{"", "2028-01-15", ""},
		{"2027-02-30", "2027-02-01", ""},
	}
	for _, tt := range tests {
		today, _ := calendar.ParseDate(tt.today)
		if got, _ := reviewKind(tt.review, today); got != tt.want {
			t.Errorf("review %s, today %s: %q, want %q", tt.review, tt.today, got, tt.want)
		}
	}
}

// TestEnqueuePolicyReviews reminds the Business Manager a month before the
// policy's review date and on it, once each, and again for a new version's
// new review date.
func TestEnqueuePolicyReviews(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db, "redbridge")
		ctx := context.Background()
		raw, err := policy.PackSource("redbridge")
		if err != nil {
			t.Fatal(err)
		}
		withReview := func(version, date string) []byte {
			text := strings.Replace(string(raw), "\nversion: 3rd edition\n", "\nversion: "+version+"\n", 1)
			return []byte(strings.Replace(text, `review_date: "2019-05-01"`, `review_date: "`+date+`"`, 1))
		}
		if _, err := db.PublishPolicy(w.as("bm"), w.p.ID, withReview("4th edition", "2027-04-01"), 0); err != nil {
			t.Fatal(err)
		}
		at := func(s string) time.Time {
			d, _ := calendar.ParseDate(s)
			return d.At(9, 0)
		}
		reminders := func() []escalate.OutboxMessage {
			t.Helper()
			all, err := db.Outbox(ctx, 0)
			if err != nil {
				t.Fatal(err)
			}
			var out []escalate.OutboxMessage
			for _, m := range all {
				if m.Kind == "policy.review" {
					out = append(out, m)
				}
			}
			return out
		}
		for _, step := range []struct {
			day      string
			wantKind string // "" for no notice
		}{
			{"2027-02-28", ""},
			{"2027-03-01", ReviewMonthBefore},
			{"2027-03-02", ""}, // once
			{"2027-04-01", ReviewDue},
			{"2027-04-02", ""},
		} {
			ns, err := db.EnqueuePolicyReviews(ctx, at(step.day))
			if err != nil {
				t.Fatal(err)
			}
			var kinds []string
			for _, n := range ns {
				if n.PartnershipID == w.p.ID {
					kinds = append(kinds, n.Kind)
				}
			}
			if want := []string{step.wantKind}; step.wantKind == "" && len(kinds) != 0 || step.wantKind != "" && (len(kinds) != 1 || kinds[0] != want[0]) {
				t.Errorf("%s: notices %v, want %q", step.day, kinds, step.wantKind)
			}
		}
		ms := reminders()
		if len(ms) != 2 || ms[0].SubjectKey != "policy-review-soon" || ms[1].SubjectKey != "policy-review-due" {
			t.Fatalf("outbox %+v", ms)
		}
		for _, m := range ms {
			if m.Recipient.User != w.users["bm"].ID || m.Payload["review_date"] != "2027-04-01" || m.Payload["link"] != "/policy/change" {
				t.Errorf("reminder %+v, want the Business Manager, the date and the link", m)
			}
		}
		// The same review date in a new version reminds no one again; a
		// new date does.
		if _, err := db.PublishPolicy(w.as("bm"), w.p.ID, withReview("4th edition, corrected", "2027-04-01"), 0); err != nil {
			t.Fatal(err)
		}
		if ns, _ := db.EnqueuePolicyReviews(ctx, at("2027-04-03")); len(ns) != 0 {
			t.Errorf("the same review date again: %+v", ns)
		}
		if _, err := db.PublishPolicy(w.as("bm"), w.p.ID, withReview("5th edition", "2027-04-20"), 0); err != nil {
			t.Fatal(err)
		}
		if ns, _ := db.EnqueuePolicyReviews(ctx, at("2027-04-03")); len(ns) != 1 || ns[0].Kind != ReviewMonthBefore || ns[0].Recipients != 1 {
			t.Errorf("a new review date: %+v", ns)
		}
		// The other partnership's pack is long past review: no reminder.
		for _, m := range reminders() {
			if m.Recipient.User == w.users["outsider"].ID {
				t.Errorf("the other partnership, long past review, was reminded: %+v", m)
			}
		}
	})
}
