package escalate

import (
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/escalate-project/escalate/calendar"
)

// Limits on free text, so a form cannot smuggle in a case file.
const (
	MaxChildRef      = 40
	MaxChildInitials = 4
	MaxShortText     = 200   // decision summaries, contacts, reasons' first line
	MaxText          = 10000 // issue, risk, discussion and the like
	MaxParticipants  = 30
)

// RaiseInput is what a practitioner gives to raise an escalation. The raiser,
// their agency and partnership come from the acting user.
type RaiseInput struct {
	RaisedRole        Role
	ReceivingAgencyID int64
	ReceivingContact  string
	Decision          string
	DecisionDate      string // YYYY-MM-DD
	ChildRef          string
	ChildInitials     string // as typed: "JS", "J.S.", "j s"; Validate makes it "JS"
	// ChildExpected is the month an unborn baby is due, YYYY-MM, with no
	// initials; "" for a child already born.
	ChildExpected string
	Categories    []string
	Issue         string
	Risk          string
	Disagreement  string
	OutcomeSought string
	RiskLevel     RiskLevel
	// ImmediateAction is what the raiser did because the child is at
	// immediate risk; required when RiskLevel is immediate. Record it with
	// RecordImmediateAction first if the rest of the form is not ready.
	ImmediateAction string
	// DealtWith is the person at the receiving agency the raiser dealt
	// with, chosen from its people (MayBeNamed), or 0 to leave it to the
	// agency's escalation contacts. ReceivingContact stays as context.
	DealtWith int64
	// ProtectBy is a deadline that protects the child ("or a timescale that
	// protects the child, whichever is shorter"): every clock the raise
	// starts that would be due later is brought forward to it. Zero: none.
	ProtectBy time.Time
	// Referred are the keys of the policy's redirects that are referred
	// alongside the disagreement (Redirect.Alongside: H&F's strategic or
	// policy issue goes to the Business Manager while the child's case
	// carries on).
	Referred []string
}

// ImmediateInput records an immediate-risk action on its own, never held up by
// anything else on the form.
type ImmediateInput struct {
	Action string
}

// RecordInput is a record of a discussion or action.
type RecordInput struct {
	Version      int
	At           time.Time
	Form         string
	Participants []string
	Discussion   string
	Outcome      string
	Corrects     int
	// Result is what the discussion came to: ResultAgreed, ResultNotAgreed
	// or "" (not settled yet).
	Result string
	// Facilitator names the independent facilitator, at a stage that is a
	// facilitated conversation.
	Facilitator string
}

// ApproveInput approves a record (Redbridge 4.3).
type ApproveInput struct {
	Version int
	Record  int
}

// AgreeInput is the receiving side's written confirmation of an agreed
// outcome and of how outstanding issues will be pursued.
type AgreeInput struct {
	Version           int
	Outcome           string
	OutstandingIssues string
	// Decision is DecisionChanged, DecisionUpheld or empty (not recorded).
	Decision string
	// Report is what the meeting's chair reported to the body the stage's
	// meeting reports to; required where the meeting has reports_to.
	Report string
}

// ConfirmInput confirms in writing an outcome agreed at a stage whose policy
// gives a confirmation clock (Redbridge: within 2 working days).
type ConfirmInput struct {
	Version int
	Text    string // the written confirmation, or where it is filed
}

// EscalateInput moves an escalation up the ladder.
type EscalateInput struct {
	Version int
	To      string // the stage key; "" means the next stage
	Reason  string
}

// RedirectInput takes a matter out of this process.
type RedirectInput struct {
	Version int
	To      string // a key of Policy.Redirects
	Reason  string // where it went and why, e.g. "referred to the LADO on 3 May"
}

// WithdrawInput withdraws an escalation.
type WithdrawInput struct {
	Version int
	Reason  string
}

// DetermineInput is the final stage's determination or recommendations.
type DetermineInput struct {
	Version           int
	Kind              string // OutcomeDetermination or OutcomeRecommendations
	Text              string
	OutstandingIssues string
	// Decision is DecisionChanged, DecisionUpheld or empty (not recorded).
	Decision string
	// ChairAgencyID is the agency of whoever chaired the final meeting,
	// required where the policy wants a chair from an uninvolved agency.
	ChairAgencyID int64
}

// ShortenInput brings a running clock's due instant forward.
type ShortenInput struct {
	Version int
	Clock   int // the clock's ID
	Due     time.Time
	Reason  string
}

// RiskInput changes an escalation's risk level.
type RiskInput struct {
	Version int
	Level   RiskLevel
	Reason  string
	// ImmediateAction is required when Level is immediate.
	ImmediateAction string
}

// Validate checks the form without reference to a clock; Raise also checks
// the decision date against now.
func (in *RaiseInput) Validate(p *Policy) error {
	if !in.RiskLevel.Valid() {
		return FieldErrorf("risk_level", "Choose the risk to the child: standard, increased or immediate.")
	}
	if in.RiskLevel == RiskImmediate {
		if err := checkImmediate(in.ImmediateAction); err != nil {
			return err
		}
	}
	if in.RaisedRole == "" {
		return FieldErrorf("raised_role", "Say in what role you are raising this.")
	} else if !HoldableRole(p, in.RaisedRole) {
		return FieldErrorf("raised_role", "%q is not a role Escalate knows.", in.RaisedRole)
	}
	if in.ReceivingAgencyID <= 0 {
		return FieldErrorf("receiving_agency", "Choose the agency you disagree with.")
	}
	if err := checkText("receiving_contact", "The contact", in.ReceivingContact, false, MaxShortText); err != nil {
		return err
	}
	if err := checkText("decision", "The decision, action or inaction", in.Decision, true, MaxText); err != nil {
		return err
	}
	if in.DecisionDate == "" {
		return FieldErrorf("decision_date", "Enter the date of the decision.")
	} else if _, err := time.Parse(time.DateOnly, in.DecisionDate); err != nil || len(in.DecisionDate) != len(time.DateOnly) {
		return FieldErrorf("decision_date", "Enter the date of the decision as YYYY-MM-DD.")
	}
	in.ChildRef, in.ChildInitials = NormaliseChildRef(in.ChildRef), NormaliseInitials(in.ChildInitials)
	in.ChildExpected = strings.TrimSpace(in.ChildExpected)
	if err := checkChild(in.ChildRef, in.ChildInitials, in.ChildExpected); err != nil {
		return err
	}
	if err := checkCategories(p, in.Categories); err != nil {
		return err
	}
	for _, f := range []struct{ field, name, value string }{
		{"issue", "The issue", in.Issue},
		{"risk", "The risk to the child", in.Risk},
		{"disagreement", "The nature of the disagreement", in.Disagreement},
		{"outcome_sought", "The outcome sought", in.OutcomeSought},
	} {
		if err := checkText(f.field, f.name, f.value, true, MaxText); err != nil {
			return err
		}
	}
	return nil
}

// Validate checks the immediate action is stated.
func (in *ImmediateInput) Validate(p *Policy) error { return checkImmediate(in.Action) }

// Validate checks the record's content; AddRecord also checks it against now
// and the stage's record list.
func (in *RecordInput) Validate(p *Policy) error {
	if in.At.IsZero() {
		return FieldErrorf("at", "Enter when the discussion or action happened.")
	}
	if !slices.Contains(RecordForms, in.Form) {
		return FieldErrorf("form", "Choose the form of communication: phone, meeting, email, letter or video.")
	}
	if len(in.Participants) == 0 {
		return FieldErrorf("participants", "Say who took part.")
	} else if len(in.Participants) > MaxParticipants {
		return FieldErrorf("participants", "List at most %d participants.", MaxParticipants)
	}
	for _, s := range in.Participants {
		if strings.TrimSpace(s) == "" {
			return FieldErrorf("participants", "A participant is blank.")
		} else if err := checkText("participants", "A participant", s, true, MaxShortText); err != nil {
			return err
		}
	}
	if err := checkText("discussion", "What was discussed", in.Discussion, false, MaxText); err != nil {
		return err
	}
	if err := checkText("outcome", "The outcome", in.Outcome, false, MaxText); err != nil {
		return err
	}
	if err := checkText("facilitator", "The facilitator", in.Facilitator, false, MaxShortText); err != nil {
		return err
	}
	if in.Corrects < 0 {
		return FieldErrorf("corrects", "Choose the record this corrects.")
	}
	switch in.Result {
	case "", ResultAgreed, ResultNotAgreed:
	default:
		return FieldErrorf("result", "Say whether you agreed, could not agree, or are still discussing it.")
	}
	return nil
}

// Validate checks a record is named.
func (in *ApproveInput) Validate(p *Policy) error {
	if in.Record <= 0 {
		return FieldErrorf("record", "Choose the record to approve.")
	}
	return nil
}

// Validate checks the agreed outcome and the plan for outstanding issues.
func (in *AgreeInput) Validate(p *Policy) error {
	if err := checkDecision(in.Decision); err != nil {
		return err
	}
	if err := checkText("outcome", "The agreed outcome", in.Outcome, true, MaxText); err != nil {
		return err
	}
	if err := checkText("report", "The report", in.Report, false, MaxText); err != nil {
		return err
	}
	return checkText("outstanding_issues", "How outstanding issues will be pursued", in.OutstandingIssues, true, MaxText)
}

// Validate checks the written confirmation is given.
func (in *ConfirmInput) Validate(p *Policy) error {
	return checkText("text", "The written confirmation", in.Text, true, MaxText)
}

// Validate checks the target stage exists and a reason is given.
func (in *EscalateInput) Validate(p *Policy) error {
	if in.To != "" {
		if s, _ := p.Stage(in.To); s == nil {
			return FieldErrorf("to", "%q is not a stage of this policy.", in.To)
		}
	}
	return checkText("reason", "The reason for escalating", in.Reason, true, MaxText)
}

// Validate checks the redirect is one the policy knows.
func (in *RedirectInput) Validate(p *Policy) error {
	if in.To == "" {
		return FieldErrorf("to", "Choose where this matter goes instead.")
	} else if findRedirect(p, in.To) == nil {
		return FieldErrorf("to", "%q is not a redirect of this policy.", in.To)
	}
	return checkText("reason", "Where the matter went and why", in.Reason, true, MaxText)
}

// Validate checks a reason is given.
func (in *WithdrawInput) Validate(p *Policy) error {
	return checkText("reason", "The reason for withdrawing", in.Reason, true, MaxText)
}

// Validate checks the kind and text; Determine checks them against the stage.
func (in *DetermineInput) Validate(p *Policy) error {
	if in.Kind != OutcomeDetermination && in.Kind != OutcomeRecommendations {
		return FieldErrorf("kind", "Choose determination or recommendations.")
	}
	if err := checkDecision(in.Decision); err != nil {
		return err
	}
	if err := checkText("text", "The "+in.Kind, in.Text, true, MaxText); err != nil {
		return err
	}
	return checkText("outstanding_issues", "How outstanding issues will be pursued", in.OutstandingIssues, false, MaxText)
}

// Validate checks the clock, the new due instant and the reason are given.
func (in *ShortenInput) Validate(p *Policy) error {
	if in.Clock <= 0 {
		return FieldErrorf("clock", "Choose the clock to shorten.")
	}
	if in.Due.IsZero() {
		return FieldErrorf("due", "Enter the new, earlier deadline.")
	}
	return checkText("reason", "The reason for shortening", in.Reason, true, MaxText)
}

// Validate checks the level and, for immediate risk, the action taken.
func (in *RiskInput) Validate(p *Policy) error {
	if !in.Level.Valid() {
		return FieldErrorf("level", "Choose the risk to the child: standard, increased or immediate.")
	}
	if in.Level == RiskImmediate {
		if err := checkImmediate(in.ImmediateAction); err != nil {
			return err
		}
	}
	return checkText("reason", "The reason for the change", in.Reason, true, MaxText)
}

// checkImmediate checks only that the immediate action is stated: nothing else
// may hold it up.
func checkImmediate(action string) error {
	return checkText("immediate_action", "What you did to protect the child (for example \"called 999\")", action, true, MaxText)
}

// checkText checks a free-text field is present when required, not too long
// and free of control characters other than line breaks and tabs.
func checkText(field, name, s string, required bool, max int) error {
	if strings.TrimSpace(s) == "" {
		if required {
			return FieldErrorf(field, "%s is required.", name)
		}
		return nil
	}
	if !utf8.ValidString(s) {
		return FieldErrorf(field, "%s contains characters that are not text.", name)
	}
	if n := utf8.RuneCountInString(s); n > max {
		return FieldErrorf(field, "%s must be at most %d characters (it is %d).", name, max, n)
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
			return FieldErrorf(field, "%s contains a control character.", name)
		}
	}
	return nil
}

// checkChild enforces the minimal reference: an agency case reference and
// initials (or, for an unborn baby, the month it is due), and nothing that
// looks like a name, address or date of birth. ref and initials are
// already normalised (NormaliseChildRef, NormaliseInitials).
func checkChild(ref, initials, expected string) error {
	switch {
	case ref == "":
		return FieldErrorf("child_ref", "Enter your agency's case reference for the child, for example SC-12345 or CPOMS 4471.")
	case utf8.RuneCountInString(ref) > MaxChildRef:
		return FieldErrorf("child_ref", "The case reference must be at most %d characters: enter only your agency's reference, not a name or address.", MaxChildRef)
	}
	for _, r := range ref {
		if !(r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune(childRefMarks, r))) {
			return FieldErrorf("child_ref", "The case reference may hold letters, numbers, spaces and - / _ . # only, for example SC-12345 or CPOMS 4471: enter only your agency's reference, not a name or address.")
		}
	}
	// Spaces are allowed ("CPOMS 4471"), so that a name or address is not
	// typed as a reference: a reference has a number, and at most one of
	// its words is letters only.
	words, hasDigit := 0, strings.ContainsAny(ref, "0123456789")
	for _, w := range strings.Fields(ref) {
		if strings.IndexFunc(w, func(r rune) bool { return !unicode.IsLetter(r) }) < 0 {
			words++
		}
	}
	if !hasDigit || words > 1 {
		return FieldErrorf("child_ref", "Enter only your agency's case reference, for example SC-12345 or CPOMS 4471: it has a number, and holds no name or address.")
	}
	if expected != "" {
		if initials != "" {
			return FieldErrorf("child_expected", "An unborn baby has no initials: leave the month the baby is due blank for a child already born, or the initials blank for an unborn baby.")
		}
		if _, err := time.Parse("2006-01", expected); err != nil || len(expected) != len("2006-01") {
			return FieldErrorf("child_expected", "Enter the month the baby is due as a month and year, for example 3 2027.")
		}
		return nil
	}
	if initials == "" {
		return FieldErrorf("child_initials", "Enter the child's initials, for example JS or J.S., or for an unborn baby the month the baby is due.")
	}
	n := 0
	for _, r := range initials {
		if !unicode.IsLetter(r) {
			return FieldErrorf("child_initials", "Enter only the child's initials as letters, for example JS, J.S. or J S.")
		}
		n++
	}
	if n > MaxChildInitials {
		return FieldErrorf("child_initials", "Enter only the child's initials: at most %d letters, for example JS or J.S.", MaxChildInitials)
	}
	return nil
}

// childRefMarks are the characters a case reference may hold besides
// letters and digits.
const childRefMarks = "-/_.# "

// NormaliseChildRef trims a case reference and turns each run of spaces
// into one, so "CPOMS  4471 " is "CPOMS 4471".
func NormaliseChildRef(ref string) string { return strings.Join(strings.Fields(ref), " ") }

// NormaliseInitials turns initials as people type them ("j.s.", "J S",
// "J-S") into capital letters ("JS"): dots, spaces, hyphens and
// apostrophes between them are dropped. Anything else is left for
// checkChild to refuse.
func NormaliseInitials(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(". -'’", r) || unicode.IsSpace(r) {
			continue
		}
		b.WriteString(strings.ToUpper(string(r)))
	}
	return b.String()
}

// CheckExpectedAt checks an unborn baby's due month against now: from last
// month (a baby a little late) to ten months ahead.
func CheckExpectedAt(now time.Time, expected string) error {
	if expected == "" {
		return nil
	}
	t, err := time.Parse("2006-01", expected)
	if err != nil {
		return FieldErrorf("child_expected", "Enter the month the baby is due as a month and year, for example 3 2027.")
	}
	y, m, _ := now.In(calendar.London).Date()
	months := (t.Year()-y)*12 + int(t.Month()) - int(m)
	if months < -1 || months > 10 {
		return FieldErrorf("child_expected", "The month the baby is due must be within the next 10 months.")
	}
	return nil
}

// checkCategories checks at least one category is chosen, each is one of the
// policy's, and none is repeated.
func checkCategories(p *Policy, cats []string) error {
	if len(cats) == 0 {
		return FieldErrorf("categories", "Choose at least one category.")
	}
	for i, c := range cats {
		if !slices.ContainsFunc(p.Categories, func(k Category) bool { return k.Key == c }) {
			return FieldErrorf("categories", "%q is not a category of this policy.", c)
		}
		if slices.Contains(cats[:i], c) {
			return FieldErrorf("categories", "Category %q is chosen twice.", c)
		}
	}
	return nil
}

// findRedirect returns the policy's redirect with the given key, or nil.
func findRedirect(p *Policy, key string) *Redirect {
	for i := range p.Redirects {
		if p.Redirects[i].Key == key {
			return &p.Redirects[i]
		}
	}
	return nil
}

// checkDecision checks an outcome's decision is one the report knows. Empty
// is allowed: the domain and the API keep the question optional so outcomes
// recorded without it stay valid; the web forms require it.
func checkDecision(d string) error {
	switch d {
	case "", DecisionChanged, DecisionUpheld:
		return nil
	}
	return FieldErrorf("decision", "Say whether the decision changes (%q) or stands (%q).", DecisionChanged, DecisionUpheld)
}
