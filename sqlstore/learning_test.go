package sqlstore

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
)

// escalateTo moves e up to stage index stage as prac.
func escalateTo(t *testing.T, w *world, e *escalate.Escalation, stage int) *escalate.Escalation {
	t.Helper()
	for e.Stage < stage {
		next, err := w.svc.Escalate(w.as("prac"), e.Ref, escalate.EscalateInput{Version: e.Version, Reason: "No agreement."})
		if err != nil {
			t.Fatalf("Escalate: %v", err)
		}
		e = next
	}
	return e
}

// agree agrees the outcome as the receiving side's name.
func agree(t *testing.T, w *world, e *escalate.Escalation, name string) *escalate.Escalation {
	t.Helper()
	e, err := w.svc.AddParty(w.as("prac"), e.Ref, w.users[name].ID)
	if err != nil {
		t.Fatalf("AddParty: %v", err)
	}
	e, err = w.svc.AgreeOutcome(w.as(name), e.Ref, escalate.AgreeInput{Version: e.Version,
		Outcome: "An assessment will start; JS's case SCH-0042 reopened.", OutstandingIssues: "None."})
	if err != nil {
		t.Fatalf("AgreeOutcome: %v", err)
	}
	return e
}

func proformaCount(t *testing.T, db *DB, escalationID int64) int {
	t.Helper()
	var n int
	if err := db.db.QueryRow(`SELECT COUNT(*) FROM proformas WHERE escalation_id = $1`, escalationID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestProformaOnResolve: a proforma exactly when a case resolves at a
// proforma stage (Wirral 2 and 3), none at stage 1 or on withdrawal, and
// neither it nor its notification holds the child's reference or
// initials, or the outcome's free text.
func TestProformaOnResolve(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db, "wirral")
		ctx := context.Background()

		t.Run("Stage1", func(t *testing.T) {
			e := agree(t, w, w.mustRaise(t, escalate.RiskStandard), "rprac")
			if e.Status != escalate.StatusResolved {
				t.Fatalf("status %s", e.Status)
			}
			if n := proformaCount(t, db, e.ID); n != 0 {
				t.Fatalf("%d proformas at stage 1, want 0", n)
			}
		})
		t.Run("Withdrawn", func(t *testing.T) {
			e := escalateTo(t, w, w.mustRaise(t, escalate.RiskStandard), 1)
			if _, err := w.svc.Withdraw(w.as("prac"), e.Ref, escalate.WithdrawInput{Version: e.Version, Reason: "Sorted."}); err != nil {
				t.Fatal(err)
			}
			if n := proformaCount(t, db, e.ID); n != 0 {
				t.Fatalf("%d proformas on withdrawal, want 0", n)
			}
		})
		for _, stage := range []int{1, 2} {
			e := escalateTo(t, w, w.mustRaise(t, escalate.RiskStandard), stage)
			agreer := "rmgr"
			if stage == 2 {
				// Stage 3's receiving side is the agency's senior managers
				// and board representative: social care's board member.
				bm := &escalate.User{PartnershipID: w.p.ID, AgencyID: w.agencies["care"].ID, Name: "Board member",
					Email: "careboard@example.org", Roles: []escalate.Role{escalate.RoleBoardMember}}
				if err := db.CreateUser(ctx, bm); err != nil {
					t.Fatal(err)
				}
				w.users["careboard"] = bm
				agreer = "careboard"
			}
			e = agree(t, w, e, agreer)
			if n := proformaCount(t, db, e.ID); n != 1 {
				t.Fatalf("stage %d: %d proformas, want 1", stage+1, n)
			}
			ps, err := db.Proformas(w.as("bm"), "")
			if err != nil {
				t.Fatal(err)
			}
			var p *escalate.Proforma
			for _, x := range ps {
				if x.EscalationID == e.ID {
					p = x
				}
			}
			if p == nil {
				t.Fatalf("stage %d: the proforma is not in the Business Manager's queue", stage+1)
			}
			b := p.Body
			if b.StageNumber != stage+1 || b.RaisingAgency != "Northside School" || b.ReceivingAgency != "Children's Social Care" ||
				b.Outcome != escalate.OutcomeAgreed || p.Status != escalate.ProformaNew || len(b.Clocks) == 0 || len(b.Categories) != 1 {
				t.Fatalf("stage %d: proforma %+v", stage+1, p)
			}
			raw, _ := json.Marshal(p.Body)
			for _, secret := range []string{"SCH-0042", "JS", "User ", "assessment will start"} {
				if strings.Contains(string(raw), secret) {
					t.Errorf("the proforma holds %q: %s", secret, raw)
				}
			}
			out, err := db.Outbox(ctx, e.ID)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, m := range out {
				body, _ := json.Marshal(m.Payload)
				if strings.Contains(string(body), "SCH-0042") || strings.Contains(string(body), `"JS"`) {
					t.Errorf("outbox payload holds child data: %s", body)
				}
				if m.SubjectKey == "proforma-new" {
					found = true
					if m.Recipient.Role != escalate.RoleBusinessManager || m.Recipient.AgencyID != 0 {
						t.Errorf("proforma notice to %+v", m.Recipient)
					}
				}
			}
			if !found {
				t.Errorf("stage %d: no proforma notification", stage+1)
			}
		}
		// The queue is for oversight only; the review is the Business Manager's.
		if _, err := db.Proformas(w.as("prac"), ""); escalate.ErrorCode(err) != escalate.ENOTFOUND {
			t.Fatalf("a practitioner listing proformas: %v", err)
		}
		ps, _ := db.Proformas(w.as("chair"), escalate.ProformaNew)
		if len(ps) != 2 {
			t.Fatalf("chair sees %d new proformas, want 2", len(ps))
		}
		if _, err := db.Proforma(w.as("outsider"), ps[0].ID, "page"); escalate.ErrorCode(err) != escalate.ENOTFOUND {
			t.Fatalf("another partnership's Business Manager: %v", err)
		}
		before := countRows(t, db, "audit_events")
		if _, err := db.ReviewProforma(w.as("chair"), ps[0].ID, ps[0].Version, escalate.ProformaReviewed); escalate.ErrorCode(err) != escalate.EFORBIDDEN {
			t.Fatalf("chair reviewing: %v", err)
		}
		if _, err := db.ReviewProforma(w.as("bm"), ps[0].ID, ps[0].Version, "lost"); escalate.ErrorCode(err) != escalate.EINVALID {
			t.Fatalf("bad status: %v", err)
		}
		if n := countRows(t, db, "audit_events"); n != before {
			t.Fatalf("refused reviews wrote %d audit events", n-before)
		}
		got, err := db.ReviewProforma(w.as("bm"), ps[0].ID, ps[0].Version, escalate.ProformaReviewed)
		if err != nil || got.Status != escalate.ProformaReviewed {
			t.Fatalf("review: %v %+v", err, got)
		}
		if _, err := db.Proforma(w.as("bm"), ps[0].ID, "pdf"); err != nil {
			t.Fatal(err)
		}
		var views int
		db.db.QueryRow(`SELECT COUNT(*) FROM audit_events WHERE action = $1`, escalate.ActionProformaView).Scan(&views)
		if views != 1 {
			t.Fatalf("%d proforma view events, want 1", views)
		}
		mustVerifyAudit(t, db)
	})
}

// TestLearningStep: the parties of a closed case answer the learning step;
// each yes is an item assigned by the policy and linked to the case.
func TestLearningStep(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db, "hounslow")
		open := w.mustRaise(t, escalate.RiskStandard)
		in := escalate.LearningInput{General: "yes", GeneralText: "Share threshold guidance with schools.",
			PolicyGap: "yes", PolicyGapText: "The procedure says nothing about out-of-hours referrals.",
			Training: "no", Debriefed: "yes"}
		if _, err := db.RecordLearning(w.as("prac"), open.Ref, in); escalate.ErrorCode(err) != escalate.ECONFLICT {
			t.Fatalf("learning on an open case: %v", err)
		}
		e, err := w.svc.Withdraw(w.as("prac"), open.Ref, escalate.WithdrawInput{Version: open.Version, Reason: "Sorted."})
		if err != nil {
			t.Fatal(err)
		}
		before := rowCounts(t, db)
		for _, c := range []struct {
			who  string
			in   escalate.LearningInput
			code string
		}{
			{"stranger", in, escalate.ENOTFOUND},
			{"outsider", in, escalate.ENOTFOUND},
			{"chair", in, escalate.EFORBIDDEN},
			{"prac", escalate.LearningInput{General: "yes", Training: "no", PolicyGap: "no", Debriefed: "no"}, escalate.EINVALID},
			{"prac", escalate.LearningInput{General: "no", Training: "no", PolicyGap: "no"}, escalate.EINVALID},
		} {
			if _, err := db.RecordLearning(w.as(c.who), e.Ref, c.in); escalate.ErrorCode(err) != c.code {
				t.Errorf("%s: %v, want %s", c.who, err, c.code)
			}
		}
		wantUnchanged(t, db, before)
		if n := countRows(t, db, "learning_items"); n != 0 {
			t.Fatalf("refused answers wrote %d items", n)
		}
		items, err := db.RecordLearning(w.as("prac"), e.Ref, in)
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != 2 || items[0].Kind != escalate.LearningGeneral || items[1].Kind != escalate.LearningPolicyGap {
			t.Fatalf("items %+v", items)
		}
		// Hounslow sends policy gaps to the chair; it names no subgroup, so
		// general learning goes to the Business Manager.
		if items[1].Assignee.Role != escalate.RoleChair || items[0].Assignee.Role != escalate.RoleBusinessManager {
			t.Fatalf("assignees %+v, %+v", items[0].Assignee, items[1].Assignee)
		}
		if _, err := db.RecordLearning(w.as("prac"), e.Ref, in); escalate.ErrorCode(err) != escalate.ECONFLICT {
			t.Fatalf("a second answer: %v", err)
		}
		got, resp, err := db.EscalationLearning(w.as("mgr"), e.Ref)
		if err != nil || len(got) != 2 || len(resp) != 1 || !resp[0].Debriefed || got[0].Refs[0] != e.Ref {
			t.Fatalf("EscalationLearning: %v %+v %+v", err, got, resp)
		}
		out, _ := db.Outbox(context.Background(), e.ID)
		var toBM, toChair int
		for _, m := range out {
			if m.SubjectKey == "learning-item" {
				switch m.Recipient.Role {
				case escalate.RoleBusinessManager:
					toBM++
				case escalate.RoleChair:
					toChair++
				}
			}
		}
		// The chair oversees every case: told of the policy gap by name.
		for _, m := range out {
			if m.SubjectKey == "learning-item" && m.Recipient.User != 0 && w.users["chair"].ID == m.Recipient.User {
				toChair++
			}
		}
		if toBM != 2 || toChair != 1 {
			t.Fatalf("learning notices: %d to the Business Manager, %d to the chair; want 2 and 1", toBM, toChair)
		}

		// The log: filters, the Business Manager's update, links.
		log, err := db.LearningItems(w.as("vice"), escalate.LearningFilter{Kind: escalate.LearningPolicyGap})
		if err != nil || len(log) != 1 {
			t.Fatalf("filtered log: %v %d", err, len(log))
		}
		if _, err := db.LearningItems(w.as("prac"), escalate.LearningFilter{}); escalate.ErrorCode(err) != escalate.ENOTFOUND {
			t.Fatalf("practitioner reading the log: %v", err)
		}
		other := w.mustRaise(t, escalate.RiskStandard)
		it := log[0]
		up := escalate.LearningUpdate{Version: it.Version, Assignee: escalate.Assignee{Subgroup: "Policy and procedures subgroup"},
			Status: escalate.LearningInProgress, ActionTaken: "Drafting an amendment.", Theme: "Out-of-hours", Link: other.Ref}
		bad := up
		bad.Link = "HOUNSLOW-2099-9999"
		audits := countRows(t, db, "audit_events")
		// The theme must come from the Business Manager's list.
		if _, err := db.UpdateLearningItem(w.as("bm"), it.ID, up); escalate.ErrorField(err) != "theme" {
			t.Fatalf("a theme not on the list: %v", err)
		}
		if n := countRows(t, db, "audit_events"); n != audits {
			t.Fatalf("a refused theme wrote %d audit events", n-audits)
		}
		if _, err := db.AddLearningTheme(w.as("bm"), "Out-of-hours"); err != nil {
			t.Fatal(err)
		}
		audits = countRows(t, db, "audit_events")
		up.Theme = " OUT-OF-HOURS" // matched without regard to case, stored as listed
		if _, err := db.UpdateLearningItem(w.as("bm"), it.ID, bad); escalate.ErrorField(err) != "link" {
			t.Fatalf("unknown link: %v", err)
		}
		if _, err := db.UpdateLearningItem(w.as("chair"), it.ID, up); escalate.ErrorCode(err) != escalate.EFORBIDDEN {
			t.Fatalf("chair updating: %v", err)
		}
		if n := countRows(t, db, "audit_events"); n != audits {
			t.Fatalf("refused updates wrote %d audit events", n-audits)
		}
		got2, err := db.UpdateLearningItem(w.as("bm"), it.ID, up)
		if err != nil {
			t.Fatal(err)
		}
		if got2.Status != escalate.LearningInProgress || got2.Theme != "Out-of-hours" || len(got2.Refs) != 2 || got2.Version != it.Version+1 {
			t.Fatalf("updated %+v", got2)
		}
		if _, err := db.UpdateLearningItem(w.as("bm"), it.ID, up); escalate.ErrorCode(err) != escalate.ECONFLICT {
			t.Fatalf("stale version: %v", err)
		}
		themes, err := db.LearningThemes(context.Background(), w.p.ID, testNow.Add(-time.Hour), testNow.Add(24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if themes["Out-of-hours"] != 1 || themes["General learning"] != 1 || len(themes) != 2 {
			t.Fatalf("themes %v", themes)
		}
		mustVerifyAudit(t, db)
	})
}

// TestPatternFlag: the same agency pair, either way round, and category
// flagged exactly once when the quarter's count reaches the threshold.
func TestPatternFlag(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db, "hammersmith-fulham")
		if w.pol.Learning.PatternThreshold != 3 {
			t.Fatalf("H&F threshold %d, want 3", w.pol.Learning.PatternThreshold)
		}
		flags := func() int { return countRows(t, db, "pattern_flags") }
		w.mustRaise(t, escalate.RiskStandard)
		// The other way round counts for the same pair.
		back := w.raiseInput(escalate.RiskStandard)
		back.ReceivingAgencyID = w.agencies["school"].ID
		if _, err := w.svc.Raise(w.as("rprac"), back); err != nil {
			t.Fatal(err)
		}
		// Another category does not.
		otherCat := w.raiseInput(escalate.RiskStandard)
		otherCat.Categories = []string{w.pol.Categories[1].Key}
		if _, err := w.svc.Raise(w.as("prac"), otherCat); err != nil {
			t.Fatal(err)
		}
		if n := flags(); n != 0 {
			t.Fatalf("%d flags below the threshold", n)
		}
		third := w.mustRaise(t, escalate.RiskStandard)
		if n := flags(); n != 1 {
			t.Fatalf("%d flags at the threshold, want 1", n)
		}
		w.mustRaise(t, escalate.RiskStandard)
		if n := flags(); n != 1 {
			t.Fatalf("%d flags after a fourth, want still 1", n)
		}
		fs, err := db.PatternFlags(w.as("bm"))
		if err != nil || len(fs) != 1 || fs[0].Count != 3 || fs[0].Ref != third.Ref || fs[0].Category != w.pol.Categories[0].Key {
			t.Fatalf("flags %v %+v", err, fs)
		}
		out, _ := db.Outbox(context.Background(), third.ID)
		n := 0
		for _, m := range out {
			if m.SubjectKey == "pattern-flagged" && m.Recipient.Role == escalate.RoleBusinessManager {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("%d pattern notices, want 1", n)
		}

		// The threshold: the Business Manager's, validated, audited; 0 is off.
		if err := db.SetPatternThreshold(w.as("bm"), -1); escalate.ErrorField(err) != "threshold" {
			t.Fatalf("negative threshold: %v", err)
		}
		if err := db.SetPatternThreshold(w.as("chair"), 2); escalate.ErrorCode(err) != escalate.EFORBIDDEN {
			t.Fatalf("chair setting the threshold: %v", err)
		}
		if got, def, _ := db.PatternThreshold(w.as("bm")); got != 3 || !def {
			t.Fatalf("threshold %d default %v", got, def)
		}
		if err := db.SetPatternThreshold(w.as("bm"), 0); err != nil {
			t.Fatal(err)
		}
		// A new pair, three times, with the threshold off: no flag.
		for i := 0; i < 3; i++ {
			in := w.raiseInput(escalate.RiskStandard)
			in.ReceivingAgencyID = w.agencies["police"].ID
			if _, err := w.svc.Raise(w.as("prac"), in); err != nil {
				t.Fatal(err)
			}
		}
		if n := flags(); n != 1 {
			t.Fatalf("%d flags with the threshold off, want 1", n)
		}
		if err := db.SetPatternThreshold(w.as("bm"), 2); err != nil {
			t.Fatal(err)
		}
		otherCat.ReceivingAgencyID = w.agencies["care"].ID
		if _, err := w.svc.Raise(w.as("prac"), otherCat); err != nil {
			t.Fatal(err)
		}
		if n := flags(); n != 2 {
			t.Fatalf("%d flags at a threshold of 2, want 2", n)
		}
	})
}

func TestCategoryLike(t *testing.T) {
	if got := categoryLike(`a_b%c\d`); got != `%"a\_b\%c\\d"%` {
		t.Errorf("categoryLike = %s", got)
	}
}

func TestQuarter(t *testing.T) {
	for _, c := range []struct {
		at   time.Time
		want string
	}{
		{time.Date(2026, 12, 31, 23, 59, 0, 0, time.UTC), "2026-Q4"},
		{time.Date(2026, 3, 31, 23, 30, 0, 0, time.UTC), "2026-Q2"}, // BST: 00:30 on 1 April in London
		{time.Date(2026, 6, 30, 23, 30, 0, 0, time.UTC), "2026-Q3"},
		{time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), "2026-Q1"},
	} {
		name, from, to := Quarter(c.at)
		if name != c.want || c.at.Before(from) || !c.at.Before(to) {
			t.Errorf("Quarter(%v) = %s [%v, %v), want %s", c.at, name, from, to, c.want)
		}
	}
}

// TestPatternQueryPlan: the raise path's pattern check reads only the
// agency pair's rows of the quarter, through escalations_pair_created, on
// both engines.
func TestPatternQueryPlan(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db, "hammersmith-fulham")
		for i := 0; i < 5; i++ {
			w.mustRaise(t, escalate.RiskStandard)
		}
		_, from, to := Quarter(testNow)
		plan := explain(t, db, patternQuery, w.agencies["school"].ID, w.agencies["care"].ID, timeArg(from), timeArg(to),
			categoryLike(w.pol.Categories[0].Key), 3)
		if !strings.Contains(plan, "escalations_pair_created") {
			t.Errorf("plan does not use escalations_pair_created:\n%s", plan)
		}
		if strings.Contains(plan, "SCAN escalations") || strings.Contains(plan, "Seq Scan") {
			t.Errorf("plan scans the table:\n%s", plan)
		}
		t.Logf("%s plan:\n%s", db.Dialect(), plan)
	})
}

// TestLearningThemeList: the Business Manager keeps the list; a name that
// differs only by case is one theme; items take the list's spelling; the
// report counts legacy spellings together.
func TestLearningThemeList(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db, "wirral")
		ctx := context.Background()
		before := rowCounts(t, db)
		for _, c := range []struct {
			who, name, code string
		}{
			{"prac", "Thresholds", escalate.ENOTFOUND},
			{"chair", "Thresholds", escalate.EFORBIDDEN},
			{"bm", "  ", escalate.EINVALID},
			{"bm", strings.Repeat("x", 61), escalate.EINVALID},
		} {
			if _, err := db.AddLearningTheme(w.as(c.who), c.name); escalate.ErrorCode(err) != c.code {
				t.Errorf("%s adding %q: %v, want %s", c.who, c.name, err, c.code)
			}
		}
		wantUnchanged(t, db, before)
		th, err := db.AddLearningTheme(w.as("bm"), " Thresholds ")
		if err != nil || th.Name != "Thresholds" {
			t.Fatalf("AddLearningTheme: %+v, %v", th, err)
		}
		if _, err := db.AddLearningTheme(w.as("bm"), "THRESHOLDS"); escalate.ErrorField(err) != "theme" ||
			!strings.Contains(err.Error(), `"Thresholds" is already on the list`) {
			t.Fatalf("the same theme in capitals: %v", err)
		}
		if _, err := db.AddLearningTheme(w.as("bm"), "Information sharing"); err != nil {
			t.Fatal(err)
		}
		list, err := db.LearningThemeList(ctx, w.p.ID)
		if err != nil || len(list) != 2 || list[0].Name != "Information sharing" || list[1].Name != "Thresholds" {
			t.Fatalf("list %+v, %v", list, err)
		}

		// Two legacy items typed before the list, and the report's count.
		for i, theme := range []string{"thresholds", "Thresholds", "Housing"} {
			mustExec(t, db, `INSERT INTO learning_items (partnership_id, kind, description, assigned_role, assigned_subgroup,
				status, action_taken, theme, created_by, created, updated, version)
				VALUES ($1, 'general', $2, 'business-manager', '', 'open', '', $3, $4, $5, $5, 1)`,
				w.p.ID, "Item "+string(rune('A'+i)), theme, w.users["bm"].ID, timeArg(testNow))
		}
		counts, err := db.LearningThemes(ctx, w.p.ID, testNow.Add(-time.Hour), testNow.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if counts["Thresholds"] != 2 || counts["Housing"] != 1 || len(counts) != 2 {
			t.Fatalf("report themes %v, want Thresholds 2 (two spellings) and Housing 1", counts)
		}

		// An item keeps a legacy theme, takes a listed one in the list's
		// spelling, and cannot take one that is not listed.
		var legacy int64
		if err := db.db.QueryRow(`SELECT id FROM learning_items WHERE theme = 'Housing'`).Scan(&legacy); err != nil {
			t.Fatal(err)
		}
		up := escalate.LearningUpdate{Version: 1, Assignee: escalate.Assignee{Role: escalate.RoleBusinessManager},
			Status: escalate.LearningOpen, Theme: "housing"}
		it, err := db.UpdateLearningItem(w.as("bm"), legacy, up)
		if err != nil || it.Theme != "Housing" {
			t.Fatalf("keeping a legacy theme: %+v, %v", it, err)
		}
		up.Version, up.Theme = it.Version, "information SHARING"
		if it, err = db.UpdateLearningItem(w.as("bm"), legacy, up); err != nil || it.Theme != "Information sharing" {
			t.Fatalf("a listed theme: %+v, %v", it, err)
		}
		up.Version, up.Theme = it.Version, "Housing"
		if _, err := db.UpdateLearningItem(w.as("bm"), legacy, up); escalate.ErrorField(err) != "theme" {
			t.Fatalf("a theme no longer the item's nor listed: %v", err)
		}

		// Removing: the Business Manager only, of their own partnership.
		if err := db.RemoveLearningTheme(w.as("chair"), th.ID); escalate.ErrorCode(err) != escalate.EFORBIDDEN {
			t.Fatalf("chair removing: %v", err)
		}
		if err := db.RemoveLearningTheme(w.as("bm"), th.ID+1000); escalate.ErrorCode(err) != escalate.ENOTFOUND {
			t.Fatalf("removing an unknown theme: %v", err)
		}
		if err := db.RemoveLearningTheme(w.as("bm"), th.ID); err != nil {
			t.Fatal(err)
		}
		if list, _ := db.LearningThemeList(ctx, w.p.ID); len(list) != 1 {
			t.Fatalf("after removing: %+v", list)
		}
		var adds, removes int
		if err := db.db.QueryRow(`SELECT COUNT(*) FROM audit_events WHERE action = $1`, escalate.ActionLearningThemeAdd).Scan(&adds); err != nil {
			t.Fatal(err)
		}
		if err := db.db.QueryRow(`SELECT COUNT(*) FROM audit_events WHERE action = $1`, escalate.ActionLearningThemeRemove).Scan(&removes); err != nil {
			t.Fatal(err)
		}
		if adds != 2 || removes != 1 {
			t.Fatalf("audit: %d adds, %d removes; want 2 and 1", adds, removes)
		}
		mustVerifyAudit(t, db)
	})
}
