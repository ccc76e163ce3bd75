package sqlstore

import (
	"context"
	"strings"
	"testing"

	"github.com/escalate-project/escalate"
)

// TestEscalationPacks takes a whole escalation through the store under each
// built-in pack, from raise to resolution, redirect or final determination,
// on both engines.
func TestEscalationPacks(t *testing.T) {
	flows := []struct {
		pack string
		run  func(t *testing.T, w *world)
	}{
		{"hounslow", hounslowFlow},
		{"hammersmith-fulham", hammersmithFlow},
		{"surrey", surreyFlow},
		{"redbridge", redbridgeFlow},
		{"wirral", wirralFlow},
	}
	for _, f := range flows {
		t.Run(f.pack, func(t *testing.T) {
			forEachEngine(t, func(t *testing.T, db *DB) {
				w := newWorld(t, db, f.pack)
				f.run(t, w)
				mustVerifyAudit(t, db)
			})
		})
	}
}

// climb escalates e as the raiser until it reaches the final stage.
func climb(t *testing.T, w *world, e *escalate.Escalation) *escalate.Escalation {
	t.Helper()
	for e.Stage < len(w.pol.Stages)-1 {
		next, err := w.svc.Escalate(w.as("prac"), e.Ref, escalate.EscalateInput{Version: e.Version, Reason: "No agreement within the timescale."})
		if err != nil {
			t.Fatalf("Escalate from stage %d: %v", e.Stage, err)
		}
		if next.Stage != e.Stage+1 || next.Version != e.Version+1 {
			t.Fatalf("Escalate: stage %d version %d, want %d and %d", next.Stage, next.Version, e.Stage+1, e.Version+1)
		}
		e = next
	}
	return e
}

// mustGet reads e as name and checks the stored state matches what the
// change returned.
func mustGet(t *testing.T, w *world, name string, want *escalate.Escalation) *escalate.Escalation {
	t.Helper()
	got, err := w.svc.Get(w.as(name), want.Ref)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if got.Version != want.Version || got.Status != want.Status || got.Stage != want.Stage ||
		len(got.Clocks) != len(want.Clocks) || len(got.Records) != len(want.Records) {
		t.Fatalf("stored escalation differs from the returned one:\ngot  v%d %s stage %d, %d clocks, %d records\nwant v%d %s stage %d, %d clocks, %d records",
			got.Version, got.Status, got.Stage, len(got.Clocks), len(got.Records),
			want.Version, want.Status, want.Stage, len(want.Clocks), len(want.Records))
	}
	for i := range got.Clocks {
		g, x := got.Clocks[i], want.Clocks[i]
		if g.Status != x.Status || !g.Due.Equal(x.Due) || g.Immediate != x.Immediate || g.Explanation != x.Explanation {
			t.Errorf("clock %d stored as %+v, returned as %+v", g.ID, g, x)
		}
	}
	return got
}

// wantClosed checks e closed with status and outcome kind, no clock still
// runs, and next_due is cleared.
func wantClosed(t *testing.T, w *world, e *escalate.Escalation, status escalate.Status, kind string) {
	t.Helper()
	if e.Status != status || e.Outcome == nil || e.Outcome.Kind != kind {
		t.Fatalf("status %s outcome %+v, want %s with outcome %s", e.Status, e.Outcome, status, kind)
	}
	for _, c := range e.Clocks {
		if c.Status == escalate.ClockRunning {
			t.Errorf("clock %d (%s) still running after close", c.ID, c.Key)
		}
	}
	var due any
	if err := w.db.db.QueryRow(`SELECT next_due FROM escalations WHERE id = $1`, e.ID).Scan(&due); err != nil {
		t.Fatal(err)
	}
	if due != nil {
		t.Errorf("next_due = %v after close, want NULL", due)
	}
	mustGet(t, w, "prac", e)
}

func hounslowFlow(t *testing.T, w *world) {
	e := w.mustRaise(t, escalate.RiskStandard)
	if !strings.HasPrefix(e.Ref, "HOUNSLOW-2026-") {
		t.Errorf("ref %q", e.Ref)
	}
	// Stage 1 is within the worker's own agency: their line manager acts.
	e, err := w.svc.AddRecord(w.as("mgr"), e.Ref, recordIn(e.Version, escalate.FormMeeting))
	if err != nil {
		t.Fatalf("line manager AddRecord: %v", err)
	}
	e = climb(t, w, e)
	if got := w.pol.Stages[e.Stage].Key; got != "stage-5" {
		t.Fatalf("final stage %s", got)
	}
	// The meeting has no power to determine: refused, nothing written.
	before := rowCounts(t, w.db)
	in := escalate.DetermineInput{Version: e.Version, Kind: escalate.OutcomeRecommendations,
		Text: "Both agencies to hold a joint strategy discussion.", ChairAgencyID: w.agencies["police"].ID}
	_, err = w.svc.Determine(w.as("chair"), e.Ref, in)
	wantEscErr(t, err, escalate.EINVALID, "")
	wantUnchanged(t, w.db, before)
	// The Chair appoints a board member from an agency not involved; one
	// from an involved agency is refused and changes nothing.
	_, err = w.svc.AppointMeetingChair(w.as("chair"), e.Ref, w.users["rsenior"].ID)
	wantEscErr(t, err, escalate.EINVALID, "user")
	wantUnchanged(t, w.db, before)
	if _, err := w.svc.AppointMeetingChair(w.as("chair"), e.Ref, w.users["board"].ID); err != nil {
		t.Fatalf("AppointMeetingChair: %v", err)
	}
	// The meeting's chair records the meeting and its outcome, with the
	// report to the Serious Case Review Sub Committee.
	e, err = w.svc.AddRecord(w.as("board"), e.Ref, recordIn(e.Version, escalate.FormMeeting))
	if err != nil {
		t.Fatalf("meeting chair's record: %v", err)
	}
	e, err = w.svc.AgreeOutcome(w.as("board"), e.Ref, escalate.AgreeInput{Version: e.Version,
		Outcome: "Both agencies to hold a joint strategy discussion.", OutstandingIssues: "None.",
		Report: "Issues arising reported to the SCR Sub Committee."})
	if err != nil {
		t.Fatalf("the meeting's outcome: %v", err)
	}
	wantClosed(t, w, e, escalate.StatusResolved, escalate.OutcomeAgreed)
	if e.Outcome.Report == "" {
		t.Error("the report to the Sub Committee was not kept")
	}
	if got := escActions(t, w.db, e.Ref); countOf(got, escalate.ActionEscalate) != 4 || countOf(got, escalate.ActionMeetingChair) != 1 {
		t.Errorf("audit trail %v", got)
	}
}

func hammersmithFlow(t *testing.T, w *world) {
	e := w.mustRaise(t, escalate.RiskStandard)
	e, err := w.svc.AddRecord(w.as("prac"), e.Ref, recordIn(e.Version, escalate.FormPhone))
	if err != nil {
		t.Fatalf("AddRecord: %v", err)
	}
	e, err = w.svc.Redirect(w.as("prac"), e.Ref, escalate.RedirectInput{Version: e.Version, To: "conduct",
		Reason: "About a professional's conduct: referred to the LADO on 23 December."})
	if err != nil {
		t.Fatalf("Redirect: %v", err)
	}
	wantClosed(t, w, e, escalate.StatusRedirected, escalate.OutcomeRedirected)
	if e.Outcome.RedirectTo != "conduct" {
		t.Errorf("redirected to %q", e.Outcome.RedirectTo)
	}
	// A closed case cannot change.
	_, err = w.svc.AddRecord(w.as("prac"), e.Ref, recordIn(e.Version, escalate.FormPhone))
	wantEscErr(t, err, escalate.ECONFLICT, "")
}

func surreyFlow(t *testing.T, w *world) {
	e := w.mustRaise(t, escalate.RiskStandard)
	// The receiving practitioner cannot see the case until named.
	_, err := w.svc.Get(w.as("rprac"), e.Ref)
	wantEscErr(t, err, escalate.ENOTFOUND, "")
	if _, err := w.svc.AddParty(w.as("prac"), e.Ref, w.users["rprac"].ID); err != nil {
		t.Fatalf("AddParty: %v", err)
	}
	e, err = w.svc.AddRecord(w.as("rprac"), e.Ref, recordIn(e.Version, escalate.FormMeeting))
	if err != nil {
		t.Fatalf("receiving AddRecord: %v", err)
	}
	e, err = w.svc.AgreeOutcome(w.as("rprac"), e.Ref, escalate.AgreeInput{Version: e.Version,
		Outcome: "An assessment will start this week.", OutstandingIssues: "Reviewed at the next core group."})
	if err != nil {
		t.Fatalf("AgreeOutcome: %v", err)
	}
	if e.Status == escalate.StatusOpen {
		e, err = w.svc.ConfirmOutcome(w.as("rprac"), e.Ref, escalate.ConfirmInput{Version: e.Version, Text: "Email of 24 December."})
		if err != nil {
			t.Fatalf("ConfirmOutcome: %v", err)
		}
	}
	wantClosed(t, w, e, escalate.StatusResolved, escalate.OutcomeAgreed)
	// The raiser is told of the agreed outcome.
	msgs, err := w.db.Outbox(context.Background(), e.ID)
	if err != nil {
		t.Fatal(err)
	}
	told := false
	for _, m := range msgs {
		if m.Kind == escalate.ActionOutcomeAgree && m.Recipient.User == e.RaisedBy {
			told = true
		}
	}
	if !told {
		t.Errorf("no outbox row tells the raiser of the agreed outcome: %+v", msgs)
	}
}

func redbridgeFlow(t *testing.T, w *world) {
	// A: agreed at stage 2 and confirmed in writing (Redbridge 4.4).
	a := w.mustRaise(t, escalate.RiskStandard)
	a, err := w.svc.AddRecord(w.as("prac"), a.Ref, recordIn(a.Version, escalate.FormPhone))
	if err != nil {
		t.Fatalf("AddRecord: %v", err)
	}
	a, err = w.svc.ApproveRecord(w.as("mgr"), a.Ref, escalate.ApproveInput{Version: a.Version, Record: 1})
	if err != nil {
		t.Fatalf("ApproveRecord: %v", err)
	}
	if r := a.Record(1); r == nil || r.ApprovedBy != w.users["mgr"].ID || r.ApprovedAt.IsZero() {
		t.Fatalf("record not approved: %+v", r)
	}
	_, err = w.svc.ApproveRecord(w.as("mgr"), a.Ref, escalate.ApproveInput{Version: a.Version, Record: 1})
	wantEscErr(t, err, escalate.ECONFLICT, "")
	a, err = w.svc.Escalate(w.as("prac"), a.Ref, escalate.EscalateInput{Version: a.Version, Reason: "No agreement in 3 working days."})
	if err != nil {
		t.Fatalf("Escalate: %v", err)
	}
	a, err = w.svc.AgreeOutcome(w.as("rmgr"), a.Ref, escalate.AgreeInput{Version: a.Version,
		Outcome: "Case reopened for assessment.", OutstandingIssues: "Managers to review in a month."})
	if err != nil {
		t.Fatalf("AgreeOutcome: %v", err)
	}
	if a.Status != escalate.StatusOpen {
		t.Fatalf("Redbridge outcome resolved before written confirmation: %s", a.Status)
	}
	a, err = w.svc.ConfirmOutcome(w.as("rmgr"), a.Ref, escalate.ConfirmInput{Version: a.Version, Text: "Letter of 24 December."})
	if err != nil {
		t.Fatalf("ConfirmOutcome: %v", err)
	}
	wantClosed(t, w, a, escalate.StatusResolved, escalate.OutcomeAgreed)
	stored := mustGet(t, w, "mgr", a)
	if r := stored.Record(1); r.ApprovedBy != w.users["mgr"].ID {
		t.Errorf("stored approval %+v", r)
	}

	// B: to the Chair, whose recommendations end it (Redbridge 4.8).
	b := climb(t, w, w.mustRaise(t, escalate.RiskStandard))
	if b.Ref == a.Ref {
		t.Fatalf("two escalations share ref %s", a.Ref)
	}
	_, err = w.svc.Determine(w.as("chair"), b.Ref, escalate.DetermineInput{Version: b.Version,
		Kind: escalate.OutcomeDetermination, Text: "x"})
	wantEscErr(t, err, escalate.EINVALID, "kind")
	_, err = w.svc.Determine(w.as("prac"), b.Ref, escalate.DetermineInput{Version: b.Version,
		Kind: escalate.OutcomeRecommendations, Text: "x"})
	wantEscErr(t, err, escalate.EFORBIDDEN, "")
	b, err = w.svc.Determine(w.as("chair"), b.Ref, escalate.DetermineInput{Version: b.Version,
		Kind: escalate.OutcomeRecommendations, Text: "Social care to assess; school to attend the strategy meeting."})
	if err != nil {
		t.Fatalf("Determine: %v", err)
	}
	wantClosed(t, w, b, escalate.StatusResolved, escalate.OutcomeRecommendations)
}

func wirralFlow(t *testing.T, w *world) {
	e := climb(t, w, w.mustRaise(t, escalate.RiskStandard))
	e, err := w.svc.Determine(w.as("chair"), e.Ref, escalate.DetermineInput{Version: e.Version,
		Kind: escalate.OutcomeDetermination, Text: "Social care to complete an assessment within 10 working days."})
	if err != nil {
		t.Fatalf("Determine: %v", err)
	}
	wantClosed(t, w, e, escalate.StatusResolved, escalate.OutcomeDetermination)
}
