package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
)

func TestEscalationRaise(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db, "redbridge")
		t.Run("OK", func(t *testing.T) {
			e := w.mustRaise(t, escalate.RiskStandard)
			if e.ID == 0 || e.Ref != "REDBRIDGE-2026-0001" || e.Version != 1 || e.Status != escalate.StatusOpen {
				t.Fatalf("raised %+v", e)
			}
			if e.PolicyID != "redbridge" || e.PolicyVersion != w.pol.Version {
				t.Errorf("pinned %s %s", e.PolicyID, e.PolicyVersion)
			}
			if len(e.Clocks) == 0 {
				t.Fatal("no clocks started")
			}
			got := mustGet(t, w, "prac", e)
			if got.ChildRef != "SCH-0042" || got.DecisionDate != "2026-12-22" || len(got.Categories) != 1 {
				t.Errorf("stored %+v", got)
			}
			if e2 := w.mustRaise(t, escalate.RiskStandard); e2.Ref != "REDBRIDGE-2026-0002" {
				t.Errorf("second ref %s", e2.Ref)
			}
			// The raise and its clocks are in the audit trail; the
			// outbox tells the other side without child data.
			if a := escActions(t, db, e.Ref); countOf(a, escalate.ActionRaise) != 1 || countOf(a, escalate.ActionClockStart) == 0 {
				t.Errorf("audit trail %v", a)
			}
			msgs, err := db.Outbox(context.Background(), e.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(msgs) == 0 {
				t.Fatal("raise wrote no outbox row")
			}
			for _, m := range msgs {
				b, _ := json.Marshal(m.Payload)
				if strings.Contains(string(b), "SCH-0042") || strings.Contains(string(b), "JS") || m.Payload["ref"] != e.Ref {
					t.Errorf("payload %s", b)
				}
				if m.Status != "pending" || m.Recipient.User == w.users["prac"].ID {
					t.Errorf("outbox row %+v", m)
				}
			}
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			for _, tc := range []struct {
				field string
				edit  func(in *escalate.RaiseInput)
			}{
				{"child_ref", func(in *escalate.RaiseInput) { in.ChildRef = "Jane Smith, 3 High St" }},
				{"categories", func(in *escalate.RaiseInput) { in.Categories = []string{"no-such"} }},
				{"decision_date", func(in *escalate.RaiseInput) { in.DecisionDate = "2027-01-30" }},
				{"receiving_agency", func(in *escalate.RaiseInput) { in.ReceivingAgencyID = w.agencies["school"].ID }},
				{"receiving_agency", func(in *escalate.RaiseInput) { in.ReceivingAgencyID = 999999 }},
				{"receiving_agency", func(in *escalate.RaiseInput) { in.ReceivingAgencyID = w.users["outsider"].AgencyID }},
				{"immediate_action", func(in *escalate.RaiseInput) { in.RiskLevel = escalate.RiskImmediate }},
			} {
				before := rowCounts(t, db)
				in := w.raiseInput(escalate.RiskStandard)
				tc.edit(&in)
				_, err := w.svc.Raise(w.as("prac"), in)
				wantEscErr(t, err, escalate.EINVALID, tc.field)
				wantUnchanged(t, db, before)
			}
		})
		t.Run("ErrUnauthorized", func(t *testing.T) {
			before := rowCounts(t, db)
			_, err := w.svc.Raise(context.Background(), w.raiseInput(escalate.RiskStandard))
			wantEscErr(t, err, escalate.EUNAUTHORIZED, "")
			_, err = w.svc.Get(context.Background(), "REDBRIDGE-2026-0001")
			wantEscErr(t, err, escalate.EUNAUTHORIZED, "")
			wantUnchanged(t, db, before)
		})
		mustVerifyAudit(t, db)
	})
}

// TestEscalationImmediateRisk checks nothing holds up the immediate-risk
// step: it is recorded before any escalation exists, and raising the risk
// later shortens the running clocks, never lengthens them.
func TestEscalationImmediateRisk(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db, "hammersmith-fulham")
		t.Run("BeforeRaise", func(t *testing.T) {
			im, err := w.svc.RecordImmediateAction(w.as("prac"), "", escalate.ImmediateInput{Action: "Called 999 at 10:20."})
			if err != nil {
				t.Fatalf("RecordImmediateAction: %v", err)
			}
			if im.Action != "Called 999 at 10:20." || im.By != w.users["prac"].ID {
				t.Errorf("recorded %+v", im)
			}
			var n int
			if err := db.db.QueryRow(`SELECT COUNT(*) FROM audit_events WHERE action = $1 AND object = $2`,
				escalate.ActionRiskImmediate, fmt.Sprintf("user:%d", w.users["prac"].ID)).Scan(&n); err != nil || n != 1 {
				t.Errorf("immediate action events: %d, %v", n, err)
			}
			msgs, err := db.Outbox(context.Background(), 0)
			if err != nil || len(msgs) == 0 {
				t.Errorf("no outbox row for the immediate-risk contacts: %v", err)
			}
			before := rowCounts(t, db)
			_, err = w.svc.RecordImmediateAction(w.as("prac"), "", escalate.ImmediateInput{})
			wantEscErr(t, err, escalate.EINVALID, "immediate_action")
			wantUnchanged(t, db, before)
		})
		t.Run("RaiseImmediate", func(t *testing.T) {
			e := w.mustRaise(t, escalate.RiskImmediate)
			if e.Immediate == nil || e.Immediate.Action == "" || e.RiskLevel != escalate.RiskImmediate {
				t.Fatalf("immediate action not held: %+v", e.Immediate)
			}
			a := escActions(t, db, e.Ref)
			if len(a) == 0 || a[0] != escalate.ActionRiskImmediate {
				t.Errorf("the immediate action is not the first event: %v", a)
			}
		})
		t.Run("ClosedCase", func(t *testing.T) {
			// Even a closed case takes an immediate action: the
			// process never refuses the step that protects a child.
			e := w.mustRaise(t, escalate.RiskStandard)
			e, err := w.svc.Withdraw(w.as("prac"), e.Ref, escalate.WithdrawInput{Version: e.Version, Reason: "Agreed informally."})
			if err != nil {
				t.Fatal(err)
			}
			im, err := w.svc.RecordImmediateAction(w.as("mgr"), e.Ref, escalate.ImmediateInput{Action: "Called 999."})
			if err != nil {
				t.Fatalf("RecordImmediateAction on a closed case: %v", err)
			}
			if im.Action != "Called 999." || im.By != w.users["mgr"].ID || im.At.IsZero() {
				t.Errorf("recorded %+v", im)
			}
			got := mustGet(t, w, "prac", e) // unchanged state, same version
			if a := escActions(t, db, got.Ref); a[len(a)-2] != escalate.ActionRiskImmediate {
				t.Errorf("audit trail %v", a)
			}
		})
		t.Run("RaiseRiskShortens", func(t *testing.T) {
			e := w.mustRaise(t, escalate.RiskStandard)
			before := map[int]time.Time{}
			for _, c := range e.Clocks {
				if c.Status == escalate.ClockRunning {
					before[c.ID] = c.Due
				}
			}
			e, err := w.svc.ChangeRisk(w.as("prac"), e.Ref, escalate.RiskInput{Version: e.Version,
				Level: escalate.RiskIncreased, Reason: "Father has returned home."})
			if err != nil {
				t.Fatalf("ChangeRisk: %v", err)
			}
			got := mustGet(t, w, "prac", e)
			shortened := 0
			for _, c := range got.Clocks {
				old, ok := before[c.ID]
				if !ok {
					continue
				}
				if c.Due.After(old) {
					t.Errorf("clock %d lengthened from %v to %v", c.ID, old, c.Due)
				}
				if c.Due.Before(old) {
					shortened++
				}
			}
			if shortened == 0 {
				t.Errorf("raising the risk shortened no clock: %+v", got.Clocks)
			}
			// Recording an immediate action needs no version and is not
			// refused on a stale one.
			if _, err := w.svc.RecordImmediateAction(w.as("prac"), e.Ref, escalate.ImmediateInput{Action: "Front door referral."}); err != nil {
				t.Fatalf("RecordImmediateAction on the case: %v", err)
			}
			got = mustGet(t, w, "prac", &escalate.Escalation{Ref: e.Ref, Version: e.Version + 1, Status: e.Status,
				Stage: e.Stage, Clocks: got.Clocks, Records: got.Records})
			if got.RiskLevel != escalate.RiskImmediate || got.Immediate == nil {
				t.Errorf("risk %s immediate %+v", got.RiskLevel, got.Immediate)
			}
		})
		mustVerifyAudit(t, db)
	})
}

// TestEscalationConcurrency has two people act on the same version at once:
// exactly one succeeds, the other gets ECONFLICT, and nothing is lost.
func TestEscalationConcurrency(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db, "redbridge")
		for round := 0; round < 5; round++ {
			e := w.mustRaise(t, escalate.RiskStandard)
			before := rowCounts(t, db)
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i, who := range []string{"prac", "mgr"} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, errs[i] = w.svc.AddRecord(w.as(who), e.Ref, recordIn(e.Version, escalate.FormPhone))
				}()
			}
			wg.Wait()
			ok, conflict := 0, 0
			for _, err := range errs {
				switch escalate.ErrorCode(err) {
				case "":
					ok++
				case escalate.ECONFLICT:
					conflict++
				default:
					t.Fatalf("unexpected error: %v", err)
				}
			}
			if ok != 1 || conflict != 1 {
				t.Fatalf("round %d: %d succeeded and %d conflicted, want 1 and 1 (%v)", round, ok, conflict, errs)
			}
			got, err := w.svc.Get(w.as("prac"), e.Ref)
			if err != nil {
				t.Fatal(err)
			}
			if got.Version != e.Version+1 || len(got.Records) != 1 {
				t.Fatalf("after the race: version %d with %d records, want %d with 1", got.Version, len(got.Records), e.Version+1)
			}
			after := rowCounts(t, db)
			if after["records"] != before["records"]+1 {
				t.Errorf("records %d → %d", before["records"], after["records"])
			}
		}
		mustVerifyAudit(t, db)
	})
}

// TestEscalationAccess checks need to know: strangers learn nothing and
// write nothing; a party who may see but not act is forbidden.
func TestEscalationAccess(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db, "redbridge")
		e := w.mustRaise(t, escalate.RiskStandard)
		before := rowCounts(t, db)
		for _, who := range []string{"outsider", "stranger", "rprac"} {
			t.Run("ErrNotFound/"+who, func(t *testing.T) {
				_, err := w.svc.Get(w.as(who), e.Ref)
				wantEscErr(t, err, escalate.ENOTFOUND, "")
				_, err = w.svc.AddRecord(w.as(who), e.Ref, recordIn(e.Version, escalate.FormPhone))
				wantEscErr(t, err, escalate.ENOTFOUND, "")
				_, err = w.svc.Withdraw(w.as(who), e.Ref, escalate.WithdrawInput{Version: e.Version, Reason: "x"})
				wantEscErr(t, err, escalate.ENOTFOUND, "")
				list, n, err := w.svc.List(w.as(who), escalate.EscalationFilter{})
				if err != nil || n != 0 || len(list) != 0 {
					t.Errorf("List shows %d (%v)", n, err)
				}
				wantUnchanged(t, db, before)
			})
		}
		t.Run("ErrNotFoundRef", func(t *testing.T) {
			_, err := w.svc.Get(w.as("prac"), "REDBRIDGE-2026-9999")
			wantEscErr(t, err, escalate.ENOTFOUND, "")
			wantUnchanged(t, db, before)
		})
		t.Run("ErrForbidden", func(t *testing.T) {
			// The Business Manager oversees every case but cannot
			// withdraw one: only the raiser's side may.
			_, err := w.svc.Withdraw(w.as("bm"), e.Ref, escalate.WithdrawInput{Version: e.Version, Reason: "x"})
			wantEscErr(t, err, escalate.EFORBIDDEN, "")
			wantUnchanged(t, db, before)
		})
		t.Run("List", func(t *testing.T) {
			// Social care's escalation contact (rmgr) and their line
			// (rsenior) see the new case; its other staff do not.
			for who, want := range map[string]int{"prac": 1, "mgr": 1, "senior": 1, "bm": 1, "chair": 1, "dsl": 0,
				"rmgr": 1, "rsenior": 1, "rprac": 0, "rdsl": 0} {
				list, n, err := w.svc.List(w.as(who), escalate.EscalationFilter{Status: escalate.StatusOpen})
				if err != nil {
					t.Fatal(err)
				}
				if n != want || len(list) != want {
					t.Errorf("%s sees %d (%d listed), want %d", who, n, len(list), want)
				}
				if len(list) == 1 && (list[0].Ref != e.Ref || len(list[0].Clocks) == 0) {
					t.Errorf("%s listed %+v", who, list[0])
				}
			}
		})
		t.Run("StaleSession", func(t *testing.T) {
			// The session still says "manager", but the account is
			// disabled: the store decides on what it holds.
			if err := db.DisableUser(context.Background(), w.users["senior"].ID); err != nil {
				t.Fatal(err)
			}
			before := rowCounts(t, db)
			_, err := w.svc.Get(w.as("senior"), e.Ref)
			wantEscErr(t, err, escalate.ENOTFOUND, "")
			_, err = w.svc.Raise(w.as("senior"), w.raiseInput(escalate.RiskStandard))
			wantEscErr(t, err, escalate.EFORBIDDEN, "")
			wantUnchanged(t, db, before)
		})
		t.Run("ViewsAudited", func(t *testing.T) {
			n := countOf(escActions(t, db, e.Ref), escalate.ActionView)
			for _, who := range []string{"prac", "mgr", "bm"} {
				if _, err := w.svc.Get(w.as(who), e.Ref); err != nil {
					t.Fatal(err)
				}
			}
			if got := countOf(escActions(t, db, e.Ref), escalate.ActionView); got != n+3 {
				t.Errorf("%d view events after 3 views, want %d", got, n+3)
			}
			var actor string
			if err := db.db.QueryRow(`SELECT actor FROM audit_events WHERE action = $1 ORDER BY seq DESC LIMIT 1`,
				escalate.ActionView).Scan(&actor); err != nil || actor != fmt.Sprintf("user:%d", w.users["bm"].ID) {
				t.Errorf("last view by %q (%v)", actor, err)
			}
		})
		mustVerifyAudit(t, db)
	})
}

// TestEscalationBadInput checks each change refuses bad input with the field
// named and writes nothing at all.
func TestEscalationBadInput(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db, "redbridge")
		e := w.mustRaise(t, escalate.RiskStandard)
		ctx := w.as("prac")
		v := e.Version
		for _, tc := range []struct {
			name, code, field string
			call              func() error
		}{
			{"RecordForm", escalate.EINVALID, "form", func() error {
				in := recordIn(v, "telepathy")
				_, err := w.svc.AddRecord(ctx, e.Ref, in)
				return err
			}},
			{"RecordFuture", escalate.EINVALID, "at", func() error {
				in := recordIn(v, escalate.FormPhone)
				in.At = testNow.Add(48 * time.Hour)
				_, err := w.svc.AddRecord(ctx, e.Ref, in)
				return err
			}},
			{"EscalateNoReason", escalate.EINVALID, "reason", func() error {
				_, err := w.svc.Escalate(ctx, e.Ref, escalate.EscalateInput{Version: v})
				return err
			}},
			{"EscalateSkip", escalate.EINVALID, "to", func() error {
				_, err := w.svc.Escalate(ctx, e.Ref, escalate.EscalateInput{Version: v, To: "stage-4", Reason: "x"})
				return err
			}},
			{"RedirectUnknown", escalate.EINVALID, "to", func() error {
				_, err := w.svc.Redirect(ctx, e.Ref, escalate.RedirectInput{Version: v, To: "nowhere", Reason: "x"})
				return err
			}},
			{"ShortenLonger", escalate.EINVALID, "due", func() error {
				_, err := w.svc.ShortenClock(ctx, e.Ref, escalate.ShortenInput{Version: v, Clock: runningClock(e).ID,
					Due: runningClock(e).Due.Add(time.Hour), Reason: "x"})
				return err
			}},
			{"Stale", escalate.ECONFLICT, "", func() error {
				_, err := w.svc.AddRecord(ctx, e.Ref, recordIn(v-1, escalate.FormPhone))
				return err
			}},
		} {
			t.Run("Err"+tc.name, func(t *testing.T) {
				before := rowCounts(t, db)
				wantEscErr(t, tc.call(), tc.code, tc.field)
				wantUnchanged(t, db, before)
			})
		}
		t.Run("ShortenOK", func(t *testing.T) {
			c := runningClock(e)
			due := c.Due.Add(-time.Hour)
			got, err := w.svc.ShortenClock(ctx, e.Ref, escalate.ShortenInput{Version: v, Clock: c.ID, Due: due, Reason: "Child's safety."})
			if err != nil {
				t.Fatal(err)
			}
			stored := mustGet(t, w, "prac", got)
			if sc := stored.Clock(c.ID); !sc.Due.Equal(due) || sc.ShortenedReason != "Child's safety." {
				t.Errorf("stored clock %+v", sc)
			}
		})
		mustVerifyAudit(t, db)
	})
}

// runningClock returns e's first running, timed clock.
func runningClock(e *escalate.Escalation) *escalate.ClockState {
	for i := range e.Clocks {
		if c := &e.Clocks[i]; c.Status == escalate.ClockRunning && !c.Immediate {
			return c
		}
	}
	panic("no running clock")
}

// TestEscalationList checks List's filters and paging, for an oversight role
// (paged in SQL) and a raiser (filtered by escalate.Can).
func TestEscalationList(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db, "redbridge")
		var refs []string
		for i := 0; i < 3; i++ {
			refs = append(refs, w.mustRaise(t, escalate.RiskStandard).Ref)
		}
		e, err := w.svc.Escalate(w.as("prac"), refs[2], escalate.EscalateInput{Version: 1, Reason: "No agreement."})
		if err != nil {
			t.Fatal(err)
		}
		in := w.raiseInput(escalate.RiskStandard)
		in.Categories = []string{w.pol.Categories[1].Key}
		in.RaisedRole = escalate.RoleSafeguardingLead
		if _, err := w.svc.Raise(w.as("dsl"), in); err != nil {
			t.Fatal(err)
		}
		list := func(who string, f escalate.EscalationFilter) ([]string, int) {
			t.Helper()
			es, n, err := w.svc.List(w.as(who), f)
			if err != nil {
				t.Fatalf("List(%s, %+v): %v", who, f, err)
			}
			var out []string
			for _, e := range es {
				out = append(out, e.Ref)
			}
			return out, n
		}
		for _, tc := range []struct {
			name, who string
			f         escalate.EscalationFilter
			want      int // total
			page      int
		}{
			{"OversightAll", "bm", escalate.EscalationFilter{}, 4, 4},
			{"OversightPage", "bm", escalate.EscalationFilter{Limit: 3}, 4, 3},
			{"OversightOffset", "bm", escalate.EscalationFilter{Limit: 3, Offset: 3}, 4, 1},
			{"Category", "bm", escalate.EscalationFilter{Category: w.pol.Categories[1].Key}, 1, 1},
			{"Stage", "bm", escalate.EscalationFilter{Stage: "stage-2"}, 1, 1},
			{"Overdue", "bm", escalate.EscalationFilter{OverdueAt: testNow.Add(60 * 24 * time.Hour)}, 4, 4},
			{"NotOverdue", "bm", escalate.EscalationFilter{OverdueAt: testNow.Add(-24 * time.Hour)}, 0, 0},
			{"Raiser", "prac", escalate.EscalationFilter{}, 3, 3},
			{"RaiserPage", "prac", escalate.EscalationFilter{Limit: 2, Offset: 2}, 3, 1},
			{"Mine", "bm", escalate.EscalationFilter{Mine: true}, 0, 0},
			{"LineManager", "mgr", escalate.EscalationFilter{Mine: true}, 3, 3},
			{"Withdrawn", "prac", escalate.EscalationFilter{Status: escalate.StatusWithdrawn}, 0, 0},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, n := list(tc.who, tc.f)
				if n != tc.want || len(got) != tc.page {
					t.Errorf("got %v of %d, want %d of %d", got, n, tc.page, tc.want)
				}
			})
		}
		t.Run("Order", func(t *testing.T) {
			// The escalated case's stage-2 clock runs out the same
			// working day: it comes first.
			got, _ := list("bm", escalate.EscalationFilter{})
			if got[0] != e.Ref {
				t.Errorf("order %v, want %s first", got, e.Ref)
			}
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			_, _, err := w.svc.List(w.as("bm"), escalate.EscalationFilter{Status: "lost"})
			wantEscErr(t, err, escalate.EINVALID, "status")
		})
	})
}

// TestEscalationRecordsNeverEdited checks the database itself refuses to
// rewrite a record or approve it twice, whatever the code above it does.
func TestEscalationRecordsNeverEdited(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db, "redbridge")
		e := w.mustRaise(t, escalate.RiskStandard)
		e, err := w.svc.AddRecord(w.as("prac"), e.Ref, recordIn(e.Version, escalate.FormPhone))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.db.Exec(`UPDATE records SET discussion = 'rewritten' WHERE escalation_id = $1`, e.ID); err == nil {
			t.Error("a record's discussion was rewritten")
		}
		if _, err := db.db.Exec(`UPDATE records SET approved_by = $1, approved_at = $2 WHERE escalation_id = $3`,
			w.users["mgr"].ID, timeArg(testNow), e.ID); err != nil {
			t.Fatalf("first approval refused: %v", err)
		}
		if _, err := db.db.Exec(`UPDATE records SET approved_by = $1 WHERE escalation_id = $2`, w.users["senior"].ID, e.ID); err == nil {
			t.Error("a record was approved twice")
		}
	})
}
