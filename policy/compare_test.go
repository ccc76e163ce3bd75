package policy_test

import (
	"strings"
	"testing"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/policy"
)

// TestCompare checks the comparison's wording: each edit of the Northshire
// example reads as the sentence a Business Manager is shown.
func TestCompare(t *testing.T) {
	example := string(readFile(t, "testdata/example.yaml"))
	old := mustLoad(t, example)
	tests := []struct {
		name     string
		old, new string
		want     []string // "Section: text"
	}{
		{"OKSame", "", "", nil},
		{"OKVersionAndReview", `version: "2.1"` + "\n" + `source:`, `version: "2.2"` + "\n" + `source:`, []string{
			"The policy: Version 2.2 replaces version 2.1."}},
		{"OKReviewDate", `review_date: "2028-04-01"`, `review_date: "2029-04-01"`, []string{
			"The policy: Due for review: 1 April 2029 (was 1 April 2028)."}},
		{"OKClockWithin", "within: 3 working days", "within: 4 working days", []string{
			`Stages: Stage 2 (Practitioners talk to each other): "Reply to the worker who raised the concern" is now within 4 working days (was within 3 working days).`}},
		{"OKIncreasedRisk", "        increased_risk: 1 working day\n", "", []string{
			`Stages: Stage 3 (Safeguarding leads): "The safeguarding leads agree a way forward" at increased risk: none (was within 1 working day).`}},
		{"OKCopy", "copy: [business-manager]\n", "copy: [business-manager, chair]\n", []string{
			"Stages: Stage 3 (Safeguarding leads): copied in: Partnership Business Manager and Partnership Chair (was Partnership Business Manager)."}},
		{"OKCopyNobody", "    copy: [business-manager]\n", "", []string{
			"Stages: Stage 3 (Safeguarding leads): copied in: nobody (was Partnership Business Manager)."}},
		{"OKRaising", "    raising: [safeguarding-lead]\n", "    raising: [safeguarding-lead, senior-manager]\n", []string{
			"Stages: Stage 3 (Safeguarding leads): raised by named or designated safeguarding lead or senior manager (was named or designated safeguarding lead)."}},
		{"OKNewClock", "    record: [date, participants, discussion, outcome]\n", "      - key: escalate\n        action: Escalate to the safeguarding lead.\n        by: raising\n        starts: {event: stage-entry}\n        within: same working day\n    record: [date, participants, discussion, outcome]\n", []string{
			`Stages: Stage 1 (Talk to your own manager): new timescale "Escalate to the safeguarding lead" (raising side): on the same working day as the disagreement reaching this stage.`}},
		{"OKStageRenamed", "name: Safeguarding leads", "name: Designated safeguarding leads", []string{
			`Stages: Stage 3 (Designated safeguarding leads): now called "Designated safeguarding leads" (was "Safeguarding leads").`}},
		{"OKRole", "  - key: independent-reviewing-officer\n    name: Independent Reviewing Officer\n", "  - key: independent-reviewing-officer\n    name: Independent Reviewing Officer (IRO)\n", []string{
			`Roles: The role independent-reviewing-officer is now called "Independent Reviewing Officer (IRO)" (was "Independent Reviewing Officer").`,
			`Stages: Stage 4 (Partnership resolution meeting): a meeting chaired by the board member from an agency not involved, attended by the senior manager, Head of Service and Independent Reviewing Officer (IRO), reporting to the Partnership's Case Review Group (was a meeting chaired by the board member from an agency not involved, attended by the senior manager, Head of Service and Independent Reviewing Officer, reporting to the Partnership's Case Review Group).`}},
		{"OKCategory", "    name: Progressing the child's plan\n", "    name: The child's plan\n", []string{
			`Categories: The category "Progressing the child's plan" is now called "The child's plan".`}},
		{"OKRedirect", "    to: Local Authority Designated Officer (LADO)\n", "    to: The LADO service\n", []string{
			"Redirects: The conduct of a professional towards a child now goes to the LADO service (was Local Authority Designated Officer (LADO))."}},
		{"OKRedirectRemoved", "  - key: strategic\n    matter: A strategic or policy issue\n    question: Is this about a policy or procedure rather than one child?\n    to: The Partnership Business Manager, for the Policy Subgroup\n    contact: business-manager\n    cite: Northshire 5.2\n", "", []string{
			"Redirects: Removed: A strategic or policy issue no longer goes to the Partnership Business Manager, for the Policy Subgroup."}},
		{"OKOnLapse", "    on_lapse: escalate\n", "", []string{
			"Stages: Stage 2 (Practitioners talk to each other): when a timescale lapses, the people involved are prompted to escalate (was the case moves to the next stage automatically)."}},
		{"OKFacilitated", "    proforma: false\n", "    proforma: false\n    facilitated: true\n", []string{
			"Stages: Stage 2 (Practitioners talk to each other): a facilitated conversation, with an independent facilitator: yes (was no)."}},
		{"OKGoodPractice", "workflows:\n", "good_practice:\n  tell: [manager, safeguarding-lead]\nworkflows:\n", []string{
			"Recognising good practice: New: professionals can record another agency's good practice, and that agency's line manager and named or designated safeguarding lead are told."}},
		{"OKDayEnds", `working_day_ends: "17:30"`, `working_day_ends: "17:00"`, []string{
			"The policy: A working day now ends at 17:00 (was 17:30)."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := example
			if tt.old != "" || tt.new != "" {
				if !strings.Contains(src, tt.old) {
					t.Fatalf("example.yaml has no %q", tt.old)
				}
				src = strings.Replace(src, tt.old, tt.new, 1)
			}
			var got []string
			for _, c := range policy.Compare(old, mustLoad(t, src)) {
				got = append(got, c.Section+": "+c.Text)
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("Compare:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func mustLoad(t *testing.T, src string) *escalate.Policy {
	t.Helper()
	p, _, err := policy.Load("x.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return p
}
