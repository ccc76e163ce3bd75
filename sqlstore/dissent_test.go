package sqlstore

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/policy"
)

// dissentWorld is newWorld on the Surrey pack, with a conference chair at
// children's social care and a second one who did not record the dissent.
func dissentWorld(t *testing.T, db *DB) *world {
	t.Helper()
	w := newWorld(t, db, "surrey")
	for _, k := range []string{"cpchair", "cpchair2"} {
		u := &escalate.User{PartnershipID: w.p.ID, AgencyID: w.agencies["care"].ID, Name: "User " + k,
			Email: k + "@example.org", Roles: []escalate.Role{escalate.RoleConferenceChair}}
		if err := db.CreateUser(context.Background(), u); err != nil {
			t.Fatal(err)
		}
		w.users[k] = u
	}
	return w
}

// dissentIn is a valid dissent by the school's health visitor... the
// school's designated teacher, dissenting at an initial conference.
func (w *world) dissentIn() escalate.DissentInput {
	return escalate.DissentInput{
		ConferenceDate: "2026-12-21", ConferenceKind: escalate.ConferenceInitial, ConferenceRef: "ICPC-2026-777",
		AgencyID: w.agencies["school"].ID, Professional: "Designated teacher",
		Nature:        "Dissented from the decision not to make a child protection plan.",
		Grounds:       "Attendance and presentation point to neglect.",
		ChairDecision: "No plan; a child in need plan instead.",
	}
}

// rowCountsDissent is rowCounts with the dissent tables.
func rowCountsDissent(t *testing.T, db *DB) map[string]int {
	t.Helper()
	out := rowCounts(t, db)
	for _, table := range []string{"dissents", "dissent_clocks", "dissent_entries", "dissent_refs"} {
		var n int
		if err := db.db.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[table] = n
	}
	return out
}

func TestDissentWorkflow(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		w := dissentWorld(t, db)
		ctx := context.Background()

		// Only a conference chair records.
		before := rowCountsDissent(t, db)
		_, err := db.RecordDissent(w.as("bm"), w.dissentIn())
		wantEscErr(t, err, escalate.EFORBIDDEN, "")
		bad := w.dissentIn()
		bad.ConferenceRef = "Jane Smith"
		_, err = db.RecordDissent(w.as("cpchair"), bad)
		wantEscErr(t, err, escalate.EINVALID, "conference_ref")
		other := w.dissentIn()
		other.AgencyID = 999999
		_, err = db.RecordDissent(w.as("cpchair"), other)
		wantEscErr(t, err, escalate.EINVALID, "agency")
		wantDissentUnchanged(t, db, before)

		d, err := db.RecordDissent(w.as("cpchair"), w.dissentIn())
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(d.Ref, "SURREY-CPD-2026-") || d.Step != escalate.DissentAwaitingReview {
			t.Fatalf("recorded %s at %s", d.Ref, d.Step)
		}
		if len(d.Clocks) != 1 || d.Clocks[0].Key != escalate.DissentClockReview || d.Clocks[0].Explanation == "" {
			t.Fatalf("clocks %+v, want the review clock with its explanation", d.Clocks)
		}
		// 20 working days from Thursday 24 December 2026 at 15:30 on
		// England's calendar (Christmas, Boxing Day's substitute and New
		// Year's Day skipped): the end of Tuesday 26 January 2027.
		if got := d.Clocks[0].Due.In(time.UTC).Format(time.DateOnly); got != "2027-01-26" {
			t.Errorf("review due %s, want 2027-01-26 (%s)", got, d.Clocks[0].Explanation)
		}

		// The Business Manager was told, with no conference reference.
		msgs := dissentOutbox(t, db)
		if len(msgs) != 1 || msgs[0].Recipient.User != w.users["bm"].ID || msgs[0].SubjectKey != "dissent-referred" {
			t.Fatalf("outbox after recording: %+v", msgs)
		}

		// Viewing: who may, who may not (not found), and a view event each.
		for name, may := range map[string]bool{"cpchair": true, "bm": true, "chair": true, "vice": true,
			"rsenior": true, "mgr": true, "dsl": true, "senior": true, "prac": false, "rmgr": false,
			"cpchair2": false, "stranger": false, "outsider": false} {
			_, _, err := db.Dissent(w.as(name), d.Ref)
			if may && err != nil {
				t.Errorf("%s may view: %v", name, err)
			} else if !may {
				wantEscErr(t, err, escalate.ENOTFOUND, "")
			}
		}

		v := d.Version
		step := func(who, action string, in escalate.DissentStepInput) (*escalate.Dissent, error) {
			in.Version = v
			got, err := db.DissentStep(w.as(who), d.Ref, action, in)
			if err == nil {
				v = got.Version
			}
			return got, err
		}
		refused := func(who, action string, in escalate.DissentStepInput, code, field string) {
			t.Helper()
			before := rowCountsDissent(t, db)
			_, err := step(who, action, in)
			wantEscErr(t, err, code, field)
			wantDissentUnchanged(t, db, before)
		}
		meeting := escalate.DissentStepInput{Date: "2026-12-24", Text: "December meeting."}
		eval := escalate.DissentStepInput{People: []string{"Business Manager", "Designated Nurse"}, Text: "The chair weighed the evidence thinly."}

		// Out of order, wrong actor, bad input: refused, nothing written.
		refused("bm", escalate.DissentActionEvaluate, eval, escalate.ECONFLICT, "")
		refused("rsenior", escalate.DissentActionSchedule, meeting, escalate.EFORBIDDEN, "")
		refused("prac", escalate.DissentActionSchedule, meeting, escalate.ENOTFOUND, "")
		refused("outsider", escalate.DissentActionSchedule, meeting, escalate.ENOTFOUND, "")
		refused("bm", escalate.DissentActionSchedule, escalate.DissentStepInput{Date: "2026-12-28"}, escalate.EINVALID, "date")
		stale := meeting
		stale.Version = v - 1
		before = rowCountsDissent(t, db)
		_, err = db.DissentStep(w.as("bm"), d.Ref, escalate.DissentActionSchedule, stale)
		wantEscErr(t, err, escalate.ECONFLICT, "")
		wantDissentUnchanged(t, db, before)

		if got, err := step("bm", escalate.DissentActionSchedule, meeting); err != nil || got.Step != escalate.DissentScheduled {
			t.Fatalf("schedule: %v", err)
		}
		refused("bm", escalate.DissentActionEvaluate, escalate.DissentStepInput{Text: "x"}, escalate.EINVALID, "people")
		if _, err := step("bm", escalate.DissentActionEvaluate, eval); err != nil {
			t.Fatalf("evaluate: %v", err)
		}
		decide := escalate.DissentStepInput{Outcome: escalate.DissentUpheld, People: eval.People,
			Text: "Record the evidence weighed.", Feedback: "Your dissent is upheld; children's services will investigate."}
		refused("bm", escalate.DissentActionDecide, escalate.DissentStepInput{People: eval.People, Text: "x", Feedback: "y"}, escalate.EINVALID, "outcome")
		got, err := step("bm", escalate.DissentActionDecide, decide)
		if err != nil || got.Step != escalate.DissentInvestigating {
			t.Fatalf("decide: %v", err)
		}
		if len(got.Clocks) != 2 || got.Clocks[0].Status != escalate.ClockMet || got.Clocks[1].Key != escalate.DissentClockInvestigate {
			t.Fatalf("clocks after upheld: %+v", got.Clocks)
		}
		refused("mgr", escalate.DissentActionReport, escalate.DissentStepInput{}, escalate.EFORBIDDEN, "")
		if _, err := step("rsenior", escalate.DissentActionReport, escalate.DissentStepInput{Date: "2026-12-24",
			People: []string{"Head of Safeguarding"}, Text: "The report recommends a further strategy meeting."}); err != nil {
			t.Fatalf("report: %v", err)
		}
		got, err = step("rsenior", escalate.DissentActionStrategy, escalate.DissentStepInput{Date: "2027-01-05",
			Text: "Strategy meeting to be held on 5 January."})
		if err != nil || got.Step != escalate.DissentClosed || got.Standing() != escalate.StandingClosedUpheld {
			t.Fatalf("strategy: %v (%+v)", err, got)
		}
		refused("bm", escalate.DissentActionSchedule, meeting, escalate.ECONFLICT, "")

		// The record is whole after a reload: six entries, clocks met.
		back, may, err := db.Dissent(w.as("bm"), d.Ref)
		if err != nil {
			t.Fatal(err)
		}
		if len(may) != len(escalate.DissentStepActions) {
			t.Errorf("the Business Manager may take %v, want every step", may)
		}
		for _, a := range may {
			if back.Allows(a) {
				t.Errorf("a closed dissent allows %s", a)
			}
		}
		if len(back.Entries) != 6 || back.Clocks[1].Status != escalate.ClockMet || back.ConferenceRef != "ICPC-2026-777" {
			t.Fatalf("reloaded: %d entries, clocks %+v", len(back.Entries), back.Clocks)
		}
		// Entries are never edited.
		if _, err := db.db.ExecContext(ctx, `UPDATE dissent_entries SET text = 'changed' WHERE dissent_id = $1`, d.ID); err == nil {
			t.Error("an entry could be edited")
		}
		if _, err := db.db.ExecContext(ctx, `DELETE FROM dissent_entries WHERE dissent_id = $1`, d.ID); err == nil {
			t.Error("an entry could be deleted")
		}

		// No outbox row holds the conference's reference or anything minuted.
		msgs = dissentOutbox(t, db)
		if len(msgs) < 5 {
			t.Fatalf("%d outbox rows, want at least one per notifiable step", len(msgs))
		}
		var raw string
		rows, err := db.db.QueryContext(ctx, `SELECT payload FROM outbox WHERE escalation_id IS NULL`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			rows.Scan(&raw)
			for _, secret := range []string{"ICPC-2026-777", "neglect", "Designated teacher"} {
				if strings.Contains(raw, secret) {
					t.Errorf("outbox payload %s holds %q", raw, secret)
				}
			}
		}
		rows.Close()
		acts := dissentActions(t, db, d.Ref)
		for _, a := range []string{escalate.DissentActionRecord, escalate.DissentActionRefer, escalate.ActionClockStart,
			escalate.DissentActionSchedule, escalate.DissentActionEvaluate, escalate.DissentActionDecide, escalate.ActionClockMet,
			escalate.DissentActionReport, escalate.DissentActionStrategy, escalate.DissentActionClose, escalate.DissentActionView} {
			if countOf(acts, a) == 0 {
				t.Errorf("no %s audit event on dissent:%s (%v)", a, d.Ref, acts)
			}
		}
		mustVerifyAudit(t, db)
	})
}

func TestDissentNotUpheldAndOutcomes(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		w := dissentWorld(t, db)
		ctx := context.Background()
		mk := func() *escalate.Dissent {
			d, err := db.RecordDissent(w.as("cpchair"), w.dissentIn())
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
		a, b := mk(), mk()
		_ = mk()
		ins := []struct {
			action string
			in     escalate.DissentStepInput
		}{
			{escalate.DissentActionSchedule, escalate.DissentStepInput{Date: "2026-12-24"}},
			{escalate.DissentActionEvaluate, escalate.DissentStepInput{People: []string{"BM"}, Text: "Sound decision."}},
			{escalate.DissentActionDecide, escalate.DissentStepInput{Outcome: escalate.DissentNotUpheld, People: []string{"BM"},
				Text: "The decision stands.", Feedback: "Not upheld: the threshold was applied correctly."}},
		}
		v := a.Version
		for _, s := range ins {
			s.in.Version = v
			got, err := db.DissentStep(w.as("bm"), a.Ref, s.action, s.in)
			if err != nil {
				t.Fatalf("%s: %v", s.action, err)
			}
			v = got.Version
		}
		in := ins[0].in
		in.Version = b.Version
		if _, err := db.DissentStep(w.as("bm"), b.Ref, escalate.DissentActionSchedule, in); err != nil {
			t.Fatal(err)
		}
		got, err := db.DissentOutcomes(ctx, w.p.ID, testNow.Add(-time.Hour), testNow.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if got[escalate.StandingNotUpheld] != 1 || got[escalate.StandingScheduled] != 1 || got[escalate.StandingAwaitingReview] != 1 {
			t.Errorf("outcomes %v", got)
		}
		if len(got) != len(escalate.DissentStandings) {
			t.Errorf("outcomes has %d keys, want every standing", len(got))
		}
		// Outside the period: none.
		got, err = db.DissentOutcomes(ctx, w.p.ID, testNow.Add(time.Hour), testNow.Add(2*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		for k, n := range got {
			if n != 0 {
				t.Errorf("%s: %d outside the period", k, n)
			}
		}
		// The list: the dissenting school's manager sees all three (they
		// are all the school's); the police stranger may not list at all.
		list, err := db.Dissents(w.as("mgr"))
		if err != nil || len(list) != 3 {
			t.Fatalf("mgr lists %d, %v", len(list), err)
		}
		if list, err := db.Dissents(w.as("rmgr")); err != nil || len(list) != 0 {
			t.Errorf("care's manager lists %d, %v; want none", len(list), err)
		}
		_, err = db.Dissents(w.as("stranger"))
		wantEscErr(t, err, escalate.ENOTFOUND, "")
		mustVerifyAudit(t, db)
	})
}

func TestDissentsOffElsewhere(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db, "wirral")
		chair := &escalate.User{PartnershipID: w.p.ID, AgencyID: w.agencies["care"].ID, Name: "Chair",
			Email: "cp@example.org", Roles: []escalate.Role{escalate.RoleConferenceChair}}
		if err := db.CreateUser(context.Background(), chair); err != nil {
			t.Fatal(err)
		}
		before := rowCountsDissent(t, db)
		_, err := db.RecordDissent(escalate.NewContextWithUser(context.Background(), chair), w.dissentIn())
		wantEscErr(t, err, escalate.ENOTFOUND, "")
		_, err = db.Dissents(w.as("bm"))
		wantEscErr(t, err, escalate.ENOTFOUND, "")
		wantDissentUnchanged(t, db, before)
		if on, err := db.DissentsEnabled(context.Background(), w.p.ID); err != nil || on {
			t.Errorf("DissentsEnabled(wirral) = %v, %v", on, err)
		}
	})
}

// wantDissentUnchanged fails t unless every table a dissent change may
// write holds the rows it did before.
func wantDissentUnchanged(t *testing.T, db *DB, before map[string]int) {
	t.Helper()
	after := rowCountsDissent(t, db)
	for k, v := range before {
		if after[k] != v {
			t.Errorf("%s: %d rows before, %d after: a refused change wrote something", k, v, after[k])
		}
	}
}

// dissentOutbox is every outbox row with no escalation: the dissents'.
func dissentOutbox(t *testing.T, db *DB) []escalate.OutboxMessage {
	t.Helper()
	msgs, err := db.Outbox(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

func dissentActions(t *testing.T, db *DB, ref string) []string {
	t.Helper()
	rows, err := db.db.Query(`SELECT action FROM audit_events WHERE object = $1 ORDER BY seq`, "dissent:"+ref)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

func TestDissentNotices(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		w := dissentWorld(t, db)
		ctx := context.Background()
		d, err := db.RecordDissent(w.as("cpchair"), w.dissentIn())
		if err != nil {
			t.Fatal(err)
		}
		due := d.Clocks[0].Due // the end of Tuesday 26 January 2027
		count := func(subject string) int {
			n := 0
			for _, m := range dissentOutbox(t, db) {
				if m.SubjectKey == subject {
					n++
					if m.Payload["ref"] != d.Ref || m.Recipient.User != w.users["bm"].ID {
						t.Errorf("notice %+v", m)
					}
				}
			}
			return n
		}
		// Two working days before: nothing yet.
		if n, err := db.EnqueueDissentNotices(ctx, due.Add(-48*time.Hour), 10); err != nil || n != 0 {
			t.Fatalf("two days before: %d notices, %v", n, err)
		}
		// 09:00 London on the working day before the due day: the reminder, once.
		at := time.Date(2027, 1, 25, 9, 30, 0, 0, time.UTC)
		for range 2 {
			if _, err := db.EnqueueDissentNotices(ctx, at, 10); err != nil {
				t.Fatal(err)
			}
		}
		if got := count("dissent-clock-reminder"); got != 1 {
			t.Errorf("%d reminders, want 1", got)
		}
		// After the due instant: the overdue prompt, once.
		for range 2 {
			if _, err := db.EnqueueDissentNotices(ctx, due.Add(time.Hour), 10); err != nil {
				t.Fatal(err)
			}
		}
		if got := count("dissent-clock-overdue"); got != 1 {
			t.Errorf("%d overdue prompts, want 1", got)
		}
		// A met clock prompts no more: the next dissent is decided in time.
		d2, err := db.RecordDissent(w.as("cpchair"), w.dissentIn())
		if err != nil {
			t.Fatal(err)
		}
		v := d2.Version
		for _, s := range []struct {
			action string
			in     escalate.DissentStepInput
		}{
			{escalate.DissentActionSchedule, escalate.DissentStepInput{Date: "2026-12-24"}},
			{escalate.DissentActionEvaluate, escalate.DissentStepInput{People: []string{"BM"}, Text: "Sound."}},
			{escalate.DissentActionDecide, escalate.DissentStepInput{Outcome: escalate.DissentNotUpheld, People: []string{"BM"}, Text: "Stands.", Feedback: "Not upheld."}},
		} {
			s.in.Version = v
			got, err := db.DissentStep(w.as("bm"), d2.Ref, s.action, s.in)
			if err != nil {
				t.Fatal(err)
			}
			v = got.Version
		}
		if n, err := db.EnqueueDissentNotices(ctx, due.Add(48*time.Hour), 10); err != nil || n != 0 {
			t.Errorf("after the second dissent was decided: %d notices, %v", n, err)
		}
	})
}

// BenchmarkDissentsEnabled is the cost every page's header pays for a
// person who may list dissents: one indexed read and a cached policy.
func BenchmarkDissentsEnabled(b *testing.B) {
	db := MustOpenDB(b, SQLite)
	p, _ := mustPackPartnershipTB(b, db, "surrey")
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		if on, err := db.DissentsEnabled(ctx, p.ID); err != nil || !on {
			b.Fatal(on, err)
		}
	}
}

// BenchmarkDissentOutcomes counts a quarter of 1,000 dissents.
func BenchmarkDissentOutcomes(b *testing.B) {
	db := MustOpenDB(b, SQLite)
	p, _ := mustPackPartnershipTB(b, db, "surrey")
	ctx := context.Background()
	a := mustAgency(b, db, p.ID, "School", "school")
	u := mustUser(b, db, a, "cp@example.org", 0, escalate.RoleConferenceChair)
	v, err := db.CurrentPolicyVersion(ctx, p.ID)
	if err != nil {
		b.Fatal(err)
	}
	for i := range 1000 {
		mustExec(b, db, `INSERT INTO dissents (ref, partnership_id, policy_version_id, recorded_by, conference_date,
			conference_kind, conference_ref, agency_id, professional, nature, grounds, chair_decision, step, outcome,
			version, created, updated) VALUES ($1, $2, $3, $4, '2026-10-01', 'initial', 'C-1', $5, 'GP', 'n', 'g', 'c', $6, '', 1, $7, $7)`,
			"B-"+strconv.Itoa(i), p.ID, v.ID, u.ID, a.ID, []string{"awaiting-review", "scheduled", "closed"}[i%3],
			timeArg(testNow.Add(-time.Duration(i)*time.Hour)))
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := db.DissentOutcomes(ctx, p.ID, testNow.Add(-90*24*time.Hour), testNow); err != nil {
			b.Fatal(err)
		}
	}
}

// mustPackPartnershipTB is mustPackPartnership for benchmarks.
func mustPackPartnershipTB(tb testing.TB, db *DB, pack string) (*escalate.Partnership, *escalate.Policy) {
	tb.Helper()
	raw, err := policy.PackSource(pack)
	if err != nil {
		tb.Fatal(err)
	}
	pol, err := policy.Pack(pack)
	if err != nil {
		tb.Fatal(err)
	}
	p := &escalate.Partnership{Key: pack, Name: "Partnership " + pack}
	if err := db.CreatePartnership(context.Background(), p, pol, raw); err != nil {
		tb.Fatal(err)
	}
	return p, pol
}
