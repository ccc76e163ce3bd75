package policy_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/escalate-project/escalate/calendar"
	"github.com/escalate-project/escalate/policy"
)

// today is the fixed date the checker tests judge review dates against.
var today = calendar.NewDate(2026, 11, 23)

// check parses and checks src as file name and returns each problem's text.
func check(t *testing.T, name string, src []byte) []string {
	t.Helper()
	p, nodes, probs := policy.Parse(name, src)
	if p != nil {
		probs = append(probs, policy.Check(p, nodes, today)...)
	}
	var out []string
	for _, pr := range probs {
		out = append(out, pr.String())
	}
	slices.Sort(out)
	return out
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestBroken checks that one file with many mistakes gets every one of them
// reported, each at its exact line and column.
func TestBroken(t *testing.T) {
	got := check(t, "broken.yaml", readFile(t, "testdata/broken.yaml"))
	want := []string{
		`broken.yaml:11:14: unknown role "front-dor" in immediate_risk.contacts[0]: it is not built in and not declared under roles; did you mean "front-door"?`,
		`broken.yaml:23:17: stages[0].clocks[0].within: cannot read timescale "5 wrking days"; did you mean "5 working days"? A timescale is "N working days", "N working weeks", "same working day", "N hours" or "immediately" (see doc/deadlines.md)`,
		`broken.yaml:24:14: stages[0].clocks[1]: nothing can meet clock "reply": Escalate knows neither its key nor the first word of its action ("reply"); say what meets it with met_by, one of: agreed-outcome, written-confirmation, record, meeting, escalation, determination, raise`,
		`broken.yaml:27:43: stages[0].clocks[1].starts.stage: no stage has key "stage-9"`,
		`broken.yaml:29:25: stages[0].clocks[1].increased_risk "2 working days" can be longer than within "1 working day"; at increased risk a timescale may only be shorter`,
		`broken.yaml:2:5: id "Broken Policy" must be lower-case letters and digits joined by hyphens, e.g. "redbridge"`,
		`broken.yaml:30:19: stages[0].may_skip_to[0]: stage "stage-1" is not later than "stage-1"; a case may only skip forward`,
		`broken.yaml:31:10: duplicate stage key "stage-1"`,
		`broken.yaml:33:12: stages[1].scope: unknown value "across"; use one of: within-agency, between-agencies`,
		`broken.yaml:37:7: stages[1].meeting has no chair: name the role that chairs it`,
		`broken.yaml:38:15: stages[1].produces: unknown value "verdict"; use one of: resolution, determination, recommendations`,
		`broken.yaml:39:20: stages[1].record[1]: unknown record field "mood"; use any of: date, form, participants, discussion, outcome, next-steps, approval, agreed-outcome, outstanding-issues, reason, determination, recommendations`,
		`broken.yaml:40:1: unknown key "colour" in the policy; known keys: id, name, version, source, approved, review_date, calendar, roles, categories, immediate_risk, stages, redirects, routing, learning, workflows, assumptions, good_practice, template`,
		`broken.yaml:5:14: warning: this policy was due for review on 1 January 2020`,
		`broken.yaml:7:13: calendar.division: unknown division "wales"; use one of: england-and-wales, scotland, northern-ireland`,
		`broken.yaml:8:21: calendar.working_day_ends: "5pm" is not a time of day; write HH:MM, e.g. "17:00"`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestCheck changes one thing in the complete example and expects exactly
// the problems that change causes.
func TestCheck(t *testing.T) {
	example := string(readFile(t, "testdata/example.yaml"))
	tests := []struct {
		name     string
		old, new string // replace the first old with new
		want     []string
	}{
		{"OK", "", "", nil},
		{"ErrNoID", "id: northshire\n", "", []string{"3:1: id is missing"}},
		{"ErrNoName", "name: Northshire Safeguarding Children Partnership\n", "", []string{"3:1: name is missing"}},
		{"ErrNoVersion", "version: \"2.1\"\n", "", []string{"3:1: version is missing"}},
		{"ErrBadDate", `approved: "2026-04-01"`, `approved: "2026-13-01"`,
			[]string{`10:11: approved: "2026-13-01" is not a date; write YYYY-MM-DD`}},
		{"ErrReviewBeforeApprovalDates", `approved: "2026-04-01"`, `approved: "2029-04-01"`,
			[]string{`11:14: review_date 2028-04-01 is before the approval date 2029-04-01`}},
		{"WarnReviewPast", `review_date: "2028-04-01"`, `review_date: "2026-11-22"`,
			[]string{`11:14: warning: this policy was due for review on 22 November 2026`}},
		{"OKReviewToday", `review_date: "2028-04-01"`, `review_date: "2026-11-23"`, nil},
		{"WarnNoReviewDate", "review_date: \"2028-04-01\"\n", "",
			[]string{`3:1: warning: review_date is missing: a business manager cannot tell when this policy needs review`}},
		{"ErrWorkingDayEnds", `"17:30"`, `"25:00"`,
			[]string{`14:21: calendar.working_day_ends: "25:00" is not a time of day; write HH:MM, e.g. "17:00"`}},
		{"OKScotland", "england-and-wales", "scotland", nil},
		{"ErrUndeclaredRole", "  - key: mash-manager\n", "  - key: mash-boss\n", []string{
			`39:23: unknown role "mash-manager" in immediate_risk.contacts[1]: it is not built in and not declared under roles`}},
		{"ErrDeclaredBuiltin", "  - key: independent-reviewing-officer\n", "  - key: lado\n", []string{
			`20:10: role "lado" is built in; do not declare it`,
			`147:52: unknown role "independent-reviewing-officer" in stages[3].meeting.attendees[2]: it is not built in and not declared under roles`}},
		{"ErrUnknownRole", "raising: [safeguarding-lead]", "raising: [safeguarding-leed]", []string{
			`102:15: unknown role "safeguarding-leed" in stages[2].raising[0]: it is not built in and not declared under roles; did you mean "safeguarding-lead"?`}},
		{"ErrAdminRaises", "raising: [safeguarding-lead]", "raising: [admin]", []string{
			`102:15: role "admin" in stages[2].raising[0] never deals with cases: an administrator or data protection officer may not act on, be told of or open a case; name a role that does`}},
		{"ErrDPOChairs", "      chair: board-member\n", "      chair: data-protection-officer\n", []string{
			`145:14: role "data-protection-officer" in stages[3].meeting.chair never deals with cases: an administrator or data protection officer may not act on, be told of or open a case; name a role that does`}},
		{"ErrDPOAlerted", "alert: [designated-nurse]\n", "alert: [designated-nurse, data-protection-officer]\n", []string{
			`169:31: role "data-protection-officer" in routing[0].alert[1] never deals with cases: an administrator or data protection officer may not act on, be told of or open a case; name a role that does`}},
		{"ErrNoReceiving", "    receiving: [manager]\n", "", []string{`45:5: stages[0].receiving is missing: name at least one role`}},
		{"ErrDuplicateCategory", "- key: plans", "- key: thresholds", []string{`29:10: duplicate category key "thresholds"`}},
		{"ErrDuplicateRoleDef", "- key: independent-reviewing-officer", "- key: mash-manager", []string{
			`147:52: unknown role "independent-reviewing-officer" in stages[3].meeting.attendees[2]: it is not built in and not declared under roles`,
			`20:10: duplicate role key "mash-manager"`}},
		{"ErrDuplicateClock", "- key: reply", "- key: discuss", []string{
			`80:14: duplicate clock key "discuss"`,
			`83:43: stages[1].clocks[1].starts.clock: clock "discuss" cannot start itself`}},
		{"ErrDuplicateRedirect", "- key: strategic", "- key: conduct", []string{`160:10: duplicate redirect key "conduct"`}},
		{"ErrBadKey", "- key: plans", "- key: Plans", []string{
			`29:10: category key "Plans" must be lower-case letters and digits joined by hyphens, e.g. "stage-1"`}},
		{"ErrUnknownStartClock", "clock: discuss}", "clock: talk}", []string{
			`83:43: stages[1].clocks[1].starts.clock: stage "stage-2" has no clock "talk"`}},
		{"ErrClockMetNoClock", "{event: clock-met, clock: discuss}", "{event: clock-met}", []string{
			`83:17: stages[1].clocks[1].starts.clock is missing: event clock-met needs the clock whose deadline was met`}},
		{"ErrClockWithoutClockMet", "{event: outcome-agreed}", "{event: outcome-agreed, clock: discuss}", []string{
			`90:48: stages[1].clocks[2].starts.clock is only used with events clock-met and clock-lapsed`}},
		{"ErrUnknownEvent", "{event: decision}", "{event: referral}", []string{
			`54:25: stages[0].clocks[0].starts.event: unknown value "referral"; use one of: decision, stage-entry, outcome-agreed, clock-met, clock-lapsed, not-agreed`}},
		{"ErrStartStage", "stage: stage-3, clock: resolve", "stage: stage-5, clock: resolve", []string{
			`115:43: stages[2].clocks[1].starts.stage: no stage has key "stage-5"`}},
		{"ErrStartOtherStageClock", "stage: stage-3, clock: resolve", "stage: stage-2, clock: resolve", []string{
			`115:59: stages[2].clocks[1].starts.clock: stage "stage-2" has no clock "resolve"`}},
		{"ErrTimescale", "within: 3 working days", "within: three workdays", []string{
			`84:17: stages[1].clocks[1].within: cannot read timescale "three workdays"; did you mean "3 working days"? A timescale is "N working days", "N working weeks", "same working day", "N hours" or "immediately" (see doc/deadlines.md)`}},
		{"ErrTimescaleHrs", "increased_risk: 24 hours", "increased_risk: 48 hrs", []string{
			`78:25: stages[1].clocks[0].increased_risk: cannot read timescale "48 hrs"; did you mean "48 hours"? A timescale is "N working days", "N working weeks", "same working day", "N hours" or "immediately" (see doc/deadlines.md)`}},
		{"ErrTimescaleBusinessDays", "within: 5 working days", "within: 5 business days", []string{
			`109:17: stages[2].clocks[0].within: cannot read timescale "5 business days"; did you mean "5 working days"? A timescale is "N working days", "N working weeks", "same working day", "N hours" or "immediately" (see doc/deadlines.md)`}},
		{"ErrMetByUnknown", "met_by: record", "met_by: phone-call", []string{
			`85:17: stages[1].clocks[1].met_by: unknown value "phone-call"; use one of: agreed-outcome, written-confirmation, record, meeting, escalation, determination, raise`}},
		{"ErrNothingMeets", "        met_by: record\n", "", []string{
			`80:14: stages[1].clocks[1]: nothing can meet clock "reply": Escalate knows neither its key nor the first word of its action ("reply"); say what meets it with met_by, one of: agreed-outcome, written-confirmation, record, meeting, escalation, determination, raise`}},
		{"OKLetterMetByConfirmation", "- key: confirm\n        action: Confirm the agreed outcome in writing to the worker who raised the concern.",
			"- key: letter\n        action: Send a letter confirming the agreed outcome.\n        met_by: written-confirmation", nil},
		{"OKClockLapsed", "{event: clock-met, clock: discuss}", "{event: clock-lapsed, clock: discuss}", nil},
		{"ErrClockLapsedNoClock", "{event: clock-met, clock: discuss}", "{event: clock-lapsed}", []string{
			`83:17: stages[1].clocks[1].starts.clock is missing: event clock-lapsed needs the clock whose lapse starts this one`}},
		{"ErrClockLapsedItself", "{event: clock-met, clock: discuss}", "{event: clock-lapsed, clock: reply}", []string{
			`83:46: stages[1].clocks[1].starts.clock: clock "reply" cannot start itself`}},
		{"ErrNotAgreedFinal", "{event: clock-met, clock: convene}", "{event: not-agreed}", []string{
			`136:14: stages[3].clocks[1]: nothing can meet clock "determine": a clock a not-agreed record starts is met by escalating, unless its met_by says otherwise, and "stage-4" is the final stage`,
			`136:14: warning: stages[3].clocks[1]: clock "determine" starts when the parties could not agree, so escalating meets it, not what its key says; if something else does (a meeting?), say so with met_by`}},
		{"ErrEscalationFinal", "{event: clock-met, clock: convene}", "{event: clock-met, clock: convene}\n        met_by: escalation", []string{
			`140:17: stages[3].clocks[1]: nothing can meet clock "determine": it is met by escalating, and "stage-4" is the final stage`}},
		{"ErrRaiseLater", "agree a way forward.", "agree a way forward.\n        met_by: raise", []string{
			`107:17: stages[2].clocks[0]: nothing can meet clock "resolve": it is met by raising the escalation, which happens at the first stage, not at "stage-3"`}},
		{"ErrDeterminationNotMade", "agree a way forward.", "agree a way forward.\n        met_by: determination", []string{
			`107:17: stages[2].clocks[0]: nothing can meet clock "resolve": it is met by a determination or recommendations, which stage "stage-3" does not make (say produces: determination or recommendations, or use another met_by)`}},
		{"WarnNotAgreedKey", "{event: outcome-agreed}", "{event: not-agreed}", []string{
			`87:14: warning: stages[1].clocks[2]: clock "confirm" starts when the parties could not agree, so escalating meets it, not what its key says; if something else does (a meeting?), say so with met_by`}},
		{"OKNotAgreedMetByMeeting", "{event: outcome-agreed}", "{event: not-agreed}\n        met_by: meeting", nil},
		{"OKRoutes", "        met_by: record\n", "        met_by: record\n        route: talk\n", nil},
		{"ErrRouteKey", "        met_by: record\n", "        met_by: record\n        route: Talk It Through\n", []string{
			`86:16: stages[1].clocks[1].route "Talk It Through" must be lower-case letters and digits joined by hyphens, e.g. "meet"`}},
		{"ErrGoodPracticeRole", "workflows:\n", "good_practice:\n  tell: [manger]\nworkflows:\n", []string{
			`187:10: unknown role "manger" in good_practice.tell[0]: it is not built in and not declared under roles; did you mean "manager"?`}},
		{"OKGoodPractice", "workflows:\n", "good_practice:\n  tell: [manager, safeguarding-lead]\n  help: Say what they did.\n  cite: Herts 1\nworkflows:\n", nil},
		{"OKFacilitated", "    proforma: false\n", "    proforma: false\n    facilitated: true\n", nil},
		{"ErrFacilitatedNotBool", "    proforma: false\n", "    proforma: false\n    facilitated: sometimes\n", []string{
			`95:18: stages[1].facilitated must be true or false`}},
		{"ErrNoWithin", "        within: 3 working days\n", "", []string{
			`80:9: stages[1].clocks[1].within is missing: say how long, e.g. "5 working days"`}},
		{"ErrIncreasedLonger", "increased_risk: same working day", "increased_risk: 3 working days", []string{
			`56:25: stages[0].clocks[0].increased_risk "3 working days" can be longer than within "2 working days"; at increased risk a timescale may only be shorter`}},
		{"ErrIncreasedHoursLonger", "increased_risk: 24 hours", "increased_risk: 200 hours", []string{
			`78:25: stages[1].clocks[0].increased_risk "200 hours" can be longer than within "1 working week"; at increased risk a timescale may only be shorter`}},
		{"ErrBy", "by: raising", "by: both", []string{
			`53:13: stages[0].clocks[0].by: unknown value "both"; use one of: raising, receiving`}},
		{"ErrScopeMissing", "    scope: within-agency\n", "", []string{
			`45:5: stages[0].scope is missing; use one of: within-agency, between-agencies`}},
		{"ErrOnLapse", "on_lapse: escalate", "on_lapse: wait", []string{
			`95:15: stages[1].on_lapse: unknown value "wait"; use one of: prompt, escalate`}},
		{"ErrSkipUnknown", "may_skip_to: [stage-3]", "may_skip_to: [stage-9]", []string{
			`60:19: stages[0].may_skip_to[0]: no stage has key "stage-9"`}},
		{"ErrRecordField", "record: [date, participants, discussion, outcome]", "record: [date, participants, discussion, outcome, date]", []string{
			`58:55: stages[0].record[4]: record field "date" is listed twice`}},
		{"ErrNoChair", "      chair: board-member\n", "", []string{`145:7: stages[3].meeting has no chair: name the role that chairs it`}},
		{"ErrProformaTo", "  proforma_to: business-manager\n", "", []string{
			`121:15: stages[2] sends a proforma but learning.proforma_to does not say to whom`}},
		{"ErrImmediateWithin", "  within: immediately\n", "  within: 2 working days\n", []string{
			`40:11: immediate_risk.within must be "immediately" or "same working day", not "2 working days"`}},
		{"ErrImmediateNoContacts", "  contacts: [manager, mash-manager, police-emergency]\n", "", []string{
			`35:3: immediate_risk.contacts is missing: name who to contact when a child is at immediate risk`}},
		{"ErrRoutingAlert", "alert: [designated-nurse]\n", "alert: []\n", []string{
			`169:12: routing[0].alert is missing: name at least one role`}},
		{"ErrKeyTypo", "      attendees:", "      attendee:", []string{
			`147:7: unknown key "attendee" in stages[3].meeting; did you mean "attendees"?`}},
		{"ErrNotBool", "debrief: true", "debrief: often", []string{`176:12: learning.debrief must be true or false`}},
		{"ErrNotInt", "pattern_threshold: 3", "pattern_threshold: many", []string{`181:22: learning.pattern_threshold must be a whole number`}},
		{"ErrNegativeInt", "pattern_threshold: 3", "pattern_threshold: -1", []string{
			`181:22: learning.pattern_threshold must be 0 (off) or more, not -1`}},
		{"ErrNotList", "raising: [practitioner]", "raising: practitioner", []string{
			`48:14: stages[0].raising must be a list (lines starting with "- ")`}},
		{"ErrNotMapping", "calendar:\n  division: england-and-wales\n  working_day_ends: \"17:30\"\n", "calendar: england-and-wales\n", []string{
			`12:11: calendar must be a mapping of keys (division, working_day_ends), not a single value`}},
		{"ErrRepeatedKey", "    name: Talk to your own manager\n", "    name: Talk to your own manager\n    name: Again\n", []string{
			`47:5: stages[0]: key "name" appears twice (first on line 46)`}},
		{"ErrDissentsTimescale", "review_within: 20 working days", "review_within: a month", []string{
			`190:20: workflows.cp_conference_dissents.review_within: cannot read timescale "a month"; a timescale is "N working days", "N working weeks", "same working day", "N hours" or "immediately" (see doc/deadlines.md)`}},
		{"ErrInvestigateTimescale", "investigate_within: 20 working days", "investigate_within: soon", []string{
			`191:25: workflows.cp_conference_dissents.investigate_within: cannot read timescale "soon"; a timescale is "N working days", "N working weeks", "same working day", "N hours" or "immediately" (see doc/deadlines.md)`}},
		{"ErrAssumptionText", "  - text: Northshire is fictional; this file shows every field of the format.\n", "  - text: \"\"\n", []string{
			`196:11: assumptions[0].text is missing`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := example
			if tt.old != "" {
				if !strings.Contains(src, tt.old) {
					t.Fatalf("example.yaml has no %q", tt.old)
				}
				src = strings.Replace(src, tt.old, tt.new, 1)
			}
			got := check(t, "x.yaml", []byte(src))
			var want []string
			for _, w := range tt.want {
				want = append(want, "x.yaml:"+w)
			}
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}
