package escalate_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
	"github.com/escalate-project/escalate/policy"
)

func TestLearningInputProblems(t *testing.T) {
	ok := escalate.LearningInput{General: "yes", GeneralText: " Share the guidance. ", PolicyGap: "no", Training: "no", Debriefed: "no"}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid input: %v", err)
	}
	kinds, texts := ok.Items()
	if !slices.Equal(kinds, []string{escalate.LearningGeneral}) || texts[0] != "Share the guidance." {
		t.Fatalf("Items = %v %q", kinds, texts)
	}
	for _, tt := range []struct {
		name   string
		in     escalate.LearningInput
		fields []string
	}{
		{"Empty", escalate.LearningInput{}, []string{"general", "policy_gap", "training", "debriefed"}},
		{"YesWithoutWords", escalate.LearningInput{General: "no", PolicyGap: "yes", PolicyGapText: "  ", Training: "no", Debriefed: "yes"},
			[]string{"policy_gap_text"}},
		{"TooLong", escalate.LearningInput{General: "no", PolicyGap: "no", Training: "yes", TrainingText: strings.Repeat("é", 1001), Debriefed: "yes"},
			[]string{"training_text"}},
		{"NotYesOrNo", escalate.LearningInput{General: "Yes", PolicyGap: "no", Training: "no", Debriefed: "maybe"},
			[]string{"general", "debriefed"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, p := range tt.in.Problems() {
				if p.Code != escalate.EINVALID {
					t.Errorf("code %s", p.Code)
				}
				got = append(got, p.Field)
			}
			if !slices.Equal(got, tt.fields) {
				t.Fatalf("fields %v, want %v", got, tt.fields)
			}
		})
	}
	// A description given with "no" is ignored, not stored.
	no := escalate.LearningInput{General: "no", GeneralText: "stray", PolicyGap: "no", Training: "no", Debriefed: "no"}
	if kinds, _ := no.Items(); len(kinds) != 0 {
		t.Fatalf("Items of all no: %v", kinds)
	}
}

func TestLearningUpdateProblems(t *testing.T) {
	base := escalate.LearningUpdate{Version: 1, Assignee: escalate.Assignee{Role: escalate.RoleChair}, Status: escalate.LearningDone}
	for _, tt := range []struct {
		name  string
		mod   func(*escalate.LearningUpdate)
		field string
	}{
		{"OK", func(*escalate.LearningUpdate) {}, ""},
		{"Subgroup", func(u *escalate.LearningUpdate) { u.Assignee = escalate.Assignee{Subgroup: " QA subgroup "} }, ""},
		{"NoOne", func(u *escalate.LearningUpdate) { u.Assignee = escalate.Assignee{} }, "assignee"},
		{"Both", func(u *escalate.LearningUpdate) { u.Assignee.Subgroup = "QA" }, "assignee"},
		{"NotAPost", func(u *escalate.LearningUpdate) { u.Assignee.Role = escalate.RolePractitioner }, "assignee"},
		{"LongSubgroup", func(u *escalate.LearningUpdate) { u.Assignee = escalate.Assignee{Subgroup: strings.Repeat("s", 121)} }, "subgroup"},
		{"Status", func(u *escalate.LearningUpdate) { u.Status = "closed" }, "status"},
		{"Theme", func(u *escalate.LearningUpdate) { u.Theme = strings.Repeat("t", 61) }, "theme"},
		{"Action", func(u *escalate.LearningUpdate) { u.ActionTaken = strings.Repeat("a", 2001) }, "action_taken"},
		{"Link", func(u *escalate.LearningUpdate) { u.Link = "../admin" }, "link"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			u := base
			tt.mod(&u)
			err := u.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			assertCode(t, err, escalate.EINVALID, tt.field)
		})
	}
	u := base
	u.Link = " wirral-2026-0001 "
	if err := u.Validate(); err != nil || u.Link != "WIRRAL-2026-0001" {
		t.Fatalf("link %q: %v", u.Link, err)
	}
	for _, n := range []int{-1, 101} {
		assertCode(t, escalate.ValidatePatternThreshold(n), escalate.EINVALID, "threshold")
	}
	if escalate.ValidatePatternThreshold(0) != nil || escalate.ValidatePatternThreshold(100) != nil {
		t.Fatal("0 and 100 are valid thresholds")
	}
}

// TestDefaultAssignee follows each pack's learning block.
func TestDefaultAssignee(t *testing.T) {
	for _, tt := range []struct {
		pack         string
		gap, general escalate.Assignee
	}{
		{"hounslow", escalate.Assignee{Role: escalate.RoleChair}, escalate.Assignee{Role: escalate.RoleBusinessManager}},
		{"redbridge", escalate.Assignee{Role: escalate.RoleChair}, escalate.Assignee{Role: escalate.RoleBusinessManager}},
		{"wirral", escalate.Assignee{Role: escalate.RoleBusinessManager}, escalate.Assignee{Role: escalate.RoleBusinessManager}},
		{"surrey", escalate.Assignee{Role: escalate.RoleBoardMember},
			escalate.Assignee{Subgroup: "the appropriate SSCB subgroup, through the agency's representative on the SSCB"}},
		{"hammersmith-fulham", escalate.Assignee{Role: escalate.RoleBusinessManager},
			escalate.Assignee{Subgroup: "the relevant LSCP Subgroup, through the LSCP Business Manager"}},
	} {
		p, err := policy.Pack(tt.pack)
		if err != nil {
			t.Fatal(err)
		}
		if got := escalate.DefaultAssignee(p, escalate.LearningPolicyGap); got != tt.gap {
			t.Errorf("%s: policy gap to %+v, want %+v", tt.pack, got, tt.gap)
		}
		for _, k := range []string{escalate.LearningGeneral, escalate.LearningTraining} {
			if got := escalate.DefaultAssignee(p, k); got != tt.general {
				t.Errorf("%s: %s to %+v, want %+v", tt.pack, k, got, tt.general)
			}
		}
	}
}

func TestThemeLabel(t *testing.T) {
	it := &escalate.LearningItem{Kind: escalate.LearningTraining}
	if it.ThemeLabel() != "Training need" {
		t.Fatalf("no theme: %q", it.ThemeLabel())
	}
	it.Theme = " Thresholds "
	if it.ThemeLabel() != "Thresholds" {
		t.Fatalf("theme: %q", it.ThemeLabel())
	}
}

func TestCanRecordLearning(t *testing.T) {
	p := testPolicy()
	open := mustRaise(t, p, nil)
	closed := mustRaise(t, p, nil)
	if _, err := closed.Withdraw(t0, p, testCal(t), raiser, escalate.WithdrawInput{Version: 1, Reason: "r"}); err != nil {
		t.Fatal(err)
	}
	bm := &escalate.User{ID: 30, PartnershipID: 1, AgencyID: 40, Roles: []escalate.Role{escalate.RoleBusinessManager}}
	chair := &escalate.User{ID: 31, PartnershipID: 1, AgencyID: 40, Roles: []escalate.Role{escalate.RoleChair}}
	stranger := &escalate.User{ID: 32, PartnershipID: 1, AgencyID: 50, Roles: []escalate.Role{escalate.RolePractitioner}}
	ps := escalate.Route(p, closed, testDir(), escalate.Involvement{})
	for _, tt := range []struct {
		who  *escalate.User
		e    *escalate.Escalation
		want bool
	}{
		{raiser, closed, true}, {raiserMgr, closed, true}, {bm, closed, true},
		{chair, closed, false}, {stranger, closed, false},
		{raiser, open, false}, {bm, open, false},
	} {
		if got := escalate.Can(tt.who, tt.e, ps, escalate.ActionLearningRecord); got != tt.want {
			t.Errorf("user %d on %s case: %v, want %v", tt.who.ID, tt.e.Status, got, tt.want)
		}
	}
}

func TestClockResult(t *testing.T) {
	due := time.Date(2026, 11, 9, 17, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		c    escalate.ClockState
		end  time.Time
		want string
	}{
		{escalate.ClockState{Status: escalate.ClockMet, Due: due, MetAt: due}, due, escalate.ClockResultMet},
		{escalate.ClockState{Status: escalate.ClockMet, Due: due, MetAt: due.Add(time.Minute)}, due, escalate.ClockResultLate},
		{escalate.ClockState{Status: escalate.ClockStopped, Due: due}, due.Add(time.Hour), escalate.ClockResultMissed},
		{escalate.ClockState{Status: escalate.ClockStopped, Due: due}, due.Add(-time.Hour), escalate.ClockResultStopped},
		{escalate.ClockState{Status: escalate.ClockMet, Immediate: true, MetAt: due}, due, escalate.ClockResultMet},
		{escalate.ClockState{Status: escalate.ClockStopped, Immediate: true}, due, escalate.ClockResultMissed},
	} {
		if got := escalate.ClockResult(tt.c, tt.end); got != tt.want {
			t.Errorf("%+v at %v: %s, want %s", tt.c, tt.end, got, tt.want)
		}
	}
}

// TestBuildProforma: the proforma of a Wirral case resolved at stage 2 says
// what the policy asks and nothing that identifies anyone.
func TestBuildProforma(t *testing.T) {
	p, err := policy.Pack("wirral")
	if err != nil {
		t.Fatal(err)
	}
	cal, err := calendar.New(p.Calendar.Division)
	if err != nil {
		t.Fatal(err)
	}
	raised := time.Date(2026, 12, 18, 10, 0, 0, 0, time.UTC) // a Friday
	resolved := time.Date(2026, 12, 29, 12, 0, 0, 0, time.UTC)
	e := &escalate.Escalation{Ref: "WIRRAL-2026-0009", RaisingAgencyID: 1, ReceivingAgencyID: 2, Stage: 1,
		ChildRef: "SCH-0042", ChildInitials: "JS", Categories: []string{"assessment", "unknown-key"},
		Issue: "Jo Smith's referral.", RiskLevel: escalate.RiskStandard, Created: raised, Status: escalate.StatusResolved,
		Outcome: &escalate.Outcome{Kind: escalate.OutcomeAgreed, Text: "JS to be assessed.", By: 7},
		Clocks: []escalate.ClockState{
			// Stage 1's clocks stopped when stage 2 began, at raised: one
			// still in time, one already late.
			{Stage: "stage-1", Action: "Talk", Within: "1 working week", Start: raised.Add(-24 * time.Hour),
				Due: raised.Add(6 * 24 * time.Hour), Status: escalate.ClockStopped},
			{Stage: "stage-1", Action: "Call", Within: "2 hours", Start: raised.Add(-24 * time.Hour),
				Due: raised.Add(-22 * time.Hour), Status: escalate.ClockStopped},
			{Stage: "stage-2", Action: "Resolve", Within: "1 working week",
				Start: raised, Due: raised.Add(7 * 24 * time.Hour), Status: escalate.ClockMet, MetAt: resolved}}}
	before := e.Clone()
	before.Status = escalate.StatusOpen
	if !escalate.NeedsProforma(p, before, e) {
		t.Fatal("resolving at Wirral stage 2 needs a proforma")
	}
	stage1 := e.Clone()
	stage1.Stage = 0
	withdrawn := e.Clone()
	withdrawn.Status = escalate.StatusWithdrawn
	if escalate.NeedsProforma(p, before, stage1) || escalate.NeedsProforma(p, before, withdrawn) || escalate.NeedsProforma(p, e, e) {
		t.Fatal("a proforma at stage 1, on withdrawal, or for a case already closed")
	}
	b := escalate.BuildProforma(p, cal, e, resolved, "Demo partnership", map[int64]string{1: "School", 2: "Care"})
	// 21 Dec to 29 Dec: 21, 22, 23, 24, 29 (Christmas and Boxing Day, 25
	// and 28, are bank holidays in 2026).
	if b.WorkingDays != 5 || b.StageNumber != 2 || b.Outcome != escalate.OutcomeAgreed || b.Outstanding ||
		!slices.Equal(b.Categories, []string{"Assessment", "unknown-key"}) || b.Raised != "2026-12-18" || b.Resolved != "2026-12-29" {
		t.Fatalf("proforma %+v", b)
	}
	var results []string
	var days []int
	for _, c := range b.Clocks {
		results, days = append(results, c.Result), append(days, c.WorkingDays)
	}
	if !slices.Equal(results, []string{escalate.ClockResultStopped, escalate.ClockResultMissed, escalate.ClockResultLate}) ||
		!slices.Equal(days, []int{1, 1, 5}) || b.Clocks[2].Stage != "Team managers and safeguarding leads" {
		t.Fatalf("clocks %v, working days %v: %+v", results, days, b.Clocks)
	}
	raw, _ := json.Marshal(b)
	for _, s := range []string{"SCH-0042", "JS", "Jo Smith", "WIRRAL-2026-0009", "assessed"} {
		if strings.Contains(string(raw), s) {
			t.Errorf("the proforma holds %q: %s", s, raw)
		}
	}
}
