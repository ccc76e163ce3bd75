package sqlstore

import (
	"context"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
)

// TestReportCases raises cases through the service, then sets their
// outcomes and clocks row by row to each state ReportCases must tell
// apart, and checks the de-identified facts it reads back.
// childKeyForm is a report child key: HMAC-SHA256 in hex.
var childKeyForm = regexp.MustCompile(`^[0-9a-f]{64}$`)

func TestReportCases(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := newWorld(t, db, "wirral")
		raise := func(ref string, risk escalate.RiskLevel) *escalate.Escalation {
			t.Helper()
			in := w.raiseInput(risk)
			in.ChildRef = ref
			e, err := w.svc.Raise(w.as("prac"), in)
			if err != nil {
				t.Fatalf("Raise: %v", err)
			}
			return e
		}
		a := raise("SCH-0042", escalate.RiskStandard)
		b := raise(" sch-0042", escalate.RiskStandard) // the same child, typed differently
		c := raise("OTHER-1", escalate.RiskImmediate)
		d := raise("SCH-0042", escalate.RiskStandard) // raised before the period
		e := raise("E-1", escalate.RiskStandard)
		f := raise("F-1", escalate.RiskStandard)
		g := raise("G-1", escalate.RiskStandard)

		at := func(d time.Duration) string { return timeArg(testNow.Add(d)) }
		clock := func(id int64, status, due, metAt string) {
			t.Helper()
			var met any
			if metAt != "" {
				met = metAt
			}
			mustExec(t, db, `UPDATE clocks SET status = $1, due_at = $2, met_at = $3, immediate = $4 WHERE escalation_id = $5 AND id = 1`,
				status, due, met, false, id)
		}
		// a: resolved at stage 2 with an agreed outcome a week later, on
		// Thursday 31 December; its clock met on time.
		mustExec(t, db, `UPDATE escalations SET status = 'resolved', stage = 1, outcome_kind = 'agreed', outcome_at = $1 WHERE id = $2`,
			at(7*24*time.Hour), a.ID)
		clock(a.ID, escalate.ClockMet, at(48*time.Hour), at(24*time.Hour))
		// b: still running past due (db.Now is testNow, near the raise).
		clock(b.ID, escalate.ClockRunning, at(-time.Hour), "")
		// c: met late.
		clock(c.ID, escalate.ClockMet, at(time.Hour), at(2*time.Hour))
		mustExec(t, db, `UPDATE escalations SET created = $1 WHERE id = $2`, at(-30*24*time.Hour), d.ID)
		// e: running, not yet due: left out.
		clock(e.ID, escalate.ClockRunning, at(240*time.Hour), "")
		// f: stopped when stage 2's clock started after its due: missed.
		// g: stopped before its due: left out.
		for _, x := range []struct {
			id         int64
			due, start string
		}{{f.ID, at(time.Hour), at(5 * time.Hour)}, {g.ID, at(10 * time.Hour), at(5 * time.Hour)}} {
			clock(x.id, escalate.ClockStopped, x.due, "")
			mustExec(t, db, `INSERT INTO clocks (escalation_id, id, stage, key, action, by_side, within, start_at, due_at,
				immediate, explanation, status) VALUES ($1, 99, 'stage-2', 'contact-manager', 'contact', 'raising', '1 working day',
				$2, $3, $4, '', 'running')`, x.id, x.start, at(1000*time.Hour), false)
			mustExec(t, db, `UPDATE escalations SET stage = 1 WHERE id = $1`, x.id)
		}

		got, err := db.ReportCases(ctx, w.p.ID, testNow.Add(-24*time.Hour), testNow.Add(24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 6 {
			t.Fatalf("ReportCases returned %d cases, want 6 (d was raised before the period): %+v", len(got), got)
		}
		by := map[string]escalate.CaseFacts{}
		for i, x := range []*escalate.Escalation{a, b, c, e, f, g} {
			by[x.Ref] = got[i] // ordered by raise time
		}
		cat := w.pol.Categories[0].Name
		ga := by[a.Ref]
		if ga.RaisingAgency != "Northside School" || ga.ReceivingAgency != "Children's Social Care" ||
			len(ga.Categories) != 1 || ga.Categories[0] != cat {
			t.Errorf("a = %+v, want school to care about %q", ga, cat)
		}
		if ga.StageReached != 2 || ga.StageResolved != 2 || ga.Outcome != escalate.OutcomeAgreed ||
			!ga.ResolvedAt.Equal(testNow.Add(7*24*time.Hour)) || ga.Immediate {
			t.Errorf("a = %+v, want reached and resolved at stage 2, agreed, resolved a week after testNow", ga)
		}
		// From Thursday 24 to Thursday 31 December 2026: Christmas Day, the
		// weekend and Monday 28th (Boxing Day's substitute) are not working
		// days, so it took 3 (29th, 30th, 31st).
		if ga.WorkingDays != 3 {
			t.Errorf("a took %d working days, want 3", ga.WorkingDays)
		}
		if gb := by[b.Ref]; gb.Outcome != "open" || gb.StageResolved != 0 || gb.StageReached != 1 || !gb.ResolvedAt.IsZero() {
			t.Errorf("b = %+v, want open at stage 1", gb)
		}
		if !by[c.Ref].Immediate {
			t.Errorf("c was raised at immediate risk but Immediate is false")
		}
		wantClocks := map[string][]escalate.ClockFact{
			a.Ref: {{Stage: 1, Agency: "Children's Social Care", Met: true}},
			b.Ref: {{Stage: 1, Agency: "Children's Social Care", Met: false}},
			c.Ref: {{Stage: 1, Agency: "Children's Social Care", Met: false}},
			e.Ref: nil,
			f.Ref: {{Stage: 1, Agency: "Children's Social Care", Met: false}},
			g.Ref: nil,
		}
		for ref, want := range wantClocks {
			if g := by[ref].Clocks; len(g) != len(want) || (len(g) == 1 && g[0] != want[0]) {
				t.Errorf("%s clocks = %+v, want %+v", ref, g, want)
			}
		}

		// Repeats: a and b are the same child; nobody else shares a key.
		if ga.ChildKey == "" || ga.ChildKey != by[b.Ref].ChildKey {
			t.Errorf("a and b keys %q, %q: want equal and set", ga.ChildKey, by[b.Ref].ChildKey)
		}
		keys := map[string]bool{}
		for _, x := range got {
			keys[x.ChildKey] = true
			// A keyed hash: 64 hex digits, which cannot spell the reference
			// or hold it hex-encoded. (Its digits may contain "0042" by
			// chance, about once in 200 runs, so that is no test.)
			if !childKeyForm.MatchString(x.ChildKey) || strings.Contains(x.ChildKey, hex.EncodeToString([]byte("SCH-0042"))) ||
				strings.Contains(x.ChildKey, hex.EncodeToString([]byte("sch0042"))) {
				t.Errorf("child key %q shows the reference", x.ChildKey)
			}
		}
		if len(keys) != 5 {
			t.Errorf("%d distinct child keys, want 5", len(keys))
		}
		// A new report has a new secret: keys cannot be matched across reports.
		again, err := db.ReportCases(ctx, w.p.ID, testNow.Add(-24*time.Hour), testNow.Add(24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if again[0].ChildKey == ga.ChildKey {
			t.Errorf("two reports gave the same child key %q", ga.ChildKey)
		}

		// Another partnership's report holds none of these.
		other, err := db.FindPartnership(ctx, "other-wirral")
		if err != nil {
			t.Fatal(err)
		}
		if o, err := db.ReportCases(ctx, other.ID, testNow.Add(-24*time.Hour), testNow.Add(24*time.Hour)); err != nil || len(o) != 0 {
			t.Errorf("other partnership: %d cases, %v; want none", len(o), err)
		}
	})
}

func TestAuditReport(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db, "wirral")
		ctx := w.as("bm")
		before := countRows(t, db, "audit_events")
		if err := db.AuditReport(ctx, w.p.ID, ActionReportDownload, map[string]any{"format": "pdf"}); err != nil {
			t.Fatal(err)
		}
		var actor, action, object string
		if err := db.db.QueryRowContext(ctx, `SELECT actor, action, object FROM audit_events ORDER BY seq DESC LIMIT 1`).
			Scan(&actor, &action, &object); err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("user:%d", w.users["bm"].ID); actor != want || action != ActionReportDownload ||
			object != fmt.Sprintf("partnership:%d", w.p.ID) {
			t.Errorf("event = %s %s %s, want %s %s partnership:%d", actor, action, object, want, ActionReportDownload, w.p.ID)
		}
		wantCode(t, db.AuditReport(ctx, w.p.ID, "report.delete", nil), escalate.EINVALID)
		if n := countRows(t, db, "audit_events"); n != before+1 {
			t.Errorf("%d audit events written, want 1", n-before)
		}
		mustVerifyAudit(t, db)
	})
}
