package escalate

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Learning: what the partnership learns from closed escalations (see
// doc/learning.md). The parties answer a short learning step when a case
// closes; each "yes" becomes an item of the partnership's learning log,
// which the Business Manager assigns and follows up.

// Learning item kinds.
const (
	LearningGeneral   = "general"
	LearningPolicyGap = "policy-gap"
	LearningTraining  = "training"
)

// LearningKinds lists the kinds in the order the learning step asks them.
var LearningKinds = []string{LearningGeneral, LearningPolicyGap, LearningTraining}

// LearningKindNames are the kinds as people read them; a learning theme
// falls back to its item's kind name.
var LearningKindNames = map[string]string{
	LearningGeneral:   "General learning",
	LearningPolicyGap: "Policy or procedure gap",
	LearningTraining:  "Training need",
}

// Learning item statuses.
const (
	LearningOpen       = "open"
	LearningInProgress = "in-progress"
	LearningDone       = "done"
)

// LearningStatuses lists the statuses in their usual order.
var LearningStatuses = []string{LearningOpen, LearningInProgress, LearningDone}

// Learning audit actions.
const (
	ActionLearningRecord = "learning.record"      // a party answered the learning step
	ActionLearningCreate = "learning.item.create" // an item entered the log
	ActionLearningUpdate = "learning.item.update" // the Business Manager changed an item
	ActionLearningView   = "learning.item.view"
	ActionLearningLink   = "learning.item.link"
	ActionPatternFlag    = "pattern.flag"
	ActionPatternSetting = "pattern.threshold"
	ActionProformaCreate = "proforma.create"
	ActionProformaView   = "proforma.view"
	ActionProformaReview = "proforma.review"
)

// Limits on the learning texts: short, so they stay summaries.
const (
	maxLearningText  = 1000
	maxLearningTheme = 60
	maxActionTaken   = 2000
	maxSubgroupName  = 120
	// MaxPatternThreshold bounds the Business Manager's pattern threshold.
	MaxPatternThreshold = 100
)

// Assignee is who owns a learning item: a post of the partnership (the
// chair, the Business Manager) or one of the board's subgroups by name.
// Exactly one is set.
type Assignee struct {
	Role     Role
	Subgroup string
}

// DefaultAssignee is whom the policy sends an item of kind to: policy gaps
// to Learning.PolicyGapsTo, general learning and training needs to the
// Learning.Subgroup; the Business Manager when the policy names no one.
func DefaultAssignee(p *Policy, kind string) Assignee {
	if kind == LearningPolicyGap && p.Learning.PolicyGapsTo != "" {
		return Assignee{Role: p.Learning.PolicyGapsTo}
	}
	if kind != LearningPolicyGap && p.Learning.Subgroup != "" {
		return Assignee{Subgroup: p.Learning.Subgroup}
	}
	return Assignee{Role: RoleBusinessManager}
}

// LearningItem is one entry of the partnership's learning log.
type LearningItem struct {
	ID            int64
	PartnershipID int64
	Kind          string // one of LearningKinds
	Description   string
	Assignee      Assignee
	Status        string // one of LearningStatuses
	ActionTaken   string
	Theme         string   // a short label for the board report's themes
	Refs          []string // the escalations it came from, by reference
	CreatedBy     int64
	Created       time.Time
	Updated       time.Time
	Version       int
}

// ThemeLabel is the label the board report counts the item under: its
// theme, or its kind's name when it has none yet.
func (it *LearningItem) ThemeLabel() string {
	if t := strings.TrimSpace(it.Theme); t != "" {
		return t
	}
	return LearningKindNames[it.Kind]
}

// LearningInput is one party's answer to the learning step at closure:
// "yes" or "no" for each kind, a short description for each yes, and
// whether they have debriefed.
type LearningInput struct {
	General, PolicyGap, Training             string // "yes" or "no"
	GeneralText, PolicyGapText, TrainingText string
	Debriefed                                string // "yes" or "no"
}

// Items returns the kinds answered yes with their descriptions, in the
// order of LearningKinds.
func (in *LearningInput) Items() (kinds, texts []string) {
	for _, q := range in.questions() {
		if *q.answer == "yes" {
			kinds = append(kinds, q.kind)
			texts = append(texts, strings.TrimSpace(*q.text))
		}
	}
	return kinds, texts
}

type learningQuestion struct {
	kind, field  string
	answer, text *string
}

func (in *LearningInput) questions() []learningQuestion {
	return []learningQuestion{
		{LearningGeneral, "general", &in.General, &in.GeneralText},
		{LearningPolicyGap, "policy_gap", &in.PolicyGap, &in.PolicyGapText},
		{LearningTraining, "training", &in.Training, &in.TrainingText},
	}
}

// Problems returns every problem with the answer, in the order of the
// form's fields, so a page can list them all at once.
func (in *LearningInput) Problems() []*Error {
	var out []*Error
	words := map[string]string{
		LearningGeneral:   "general learning",
		LearningPolicyGap: "a policy or procedure gap",
		LearningTraining:  "a training need",
	}
	describe := map[string]string{
		LearningGeneral:   "Describe the learning in a few words.",
		LearningPolicyGap: "Describe the policy or procedure gap in a few words.",
		LearningTraining:  "Describe the training need in a few words.",
	}
	for _, q := range in.questions() {
		switch *q.answer {
		case "yes":
			t := strings.TrimSpace(*q.text)
			switch {
			case t == "":
				out = append(out, FieldErrorf(q.field+"_text", "%s", describe[q.kind]))
			case utf8.RuneCountInString(t) > maxLearningText:
				out = append(out, FieldErrorf(q.field+"_text", "Keep the description to %d characters or fewer.", maxLearningText))
			}
		case "no":
		default:
			out = append(out, FieldErrorf(q.field, "Say whether there is %s.", words[q.kind]))
		}
	}
	if in.Debriefed != "yes" && in.Debriefed != "no" {
		out = append(out, FieldErrorf("debriefed", "Say whether you have debriefed."))
	}
	return out
}

// Validate returns the first of Problems, or nil.
func (in *LearningInput) Validate() error {
	if ps := in.Problems(); len(ps) > 0 {
		return ps[0]
	}
	return nil
}

// LearningUpdate is the Business Manager's change to a learning item.
type LearningUpdate struct {
	Version     int
	Assignee    Assignee
	Status      string
	ActionTaken string
	Theme       string
	// Link is an escalation reference to link as a further source; "" for
	// none.
	Link string
}

// AssignableRoles are the posts an item may be assigned to besides a
// subgroup.
var AssignableRoles = []Role{RoleChair, RoleViceChair, RoleBusinessManager, RoleBoardMember}

// Problems returns every problem with the update, in the order of the
// item page's fields.
func (in *LearningUpdate) Problems() []*Error {
	var out []*Error
	in.Assignee.Subgroup = strings.TrimSpace(in.Assignee.Subgroup)
	switch {
	case in.Assignee.Role == "" && in.Assignee.Subgroup == "":
		out = append(out, FieldErrorf("assignee", "Choose who the item is assigned to, or name the subgroup."))
	case in.Assignee.Role != "" && in.Assignee.Subgroup != "":
		out = append(out, FieldErrorf("assignee", "Assign the item to a subgroup or to a post, not both."))
	case in.Assignee.Role != "" && !containsRole(AssignableRoles, in.Assignee.Role):
		out = append(out, FieldErrorf("assignee", "Choose who the item is assigned to."))
	case utf8.RuneCountInString(in.Assignee.Subgroup) > maxSubgroupName:
		out = append(out, FieldErrorf("subgroup", "Keep the subgroup's name to %d characters or fewer.", maxSubgroupName))
	}
	switch in.Status {
	case LearningOpen, LearningInProgress, LearningDone:
	default:
		out = append(out, FieldErrorf("status", "Choose the status: open, in progress or done."))
	}
	if utf8.RuneCountInString(in.ActionTaken) > maxActionTaken {
		out = append(out, FieldErrorf("action_taken", "Keep the action taken to %d characters or fewer.", maxActionTaken))
	}
	in.Theme = strings.TrimSpace(in.Theme)
	if utf8.RuneCountInString(in.Theme) > maxLearningTheme {
		out = append(out, FieldErrorf("theme", "Keep the theme to %d characters or fewer: it is a short label.", maxLearningTheme))
	}
	in.Link = strings.ToUpper(strings.TrimSpace(in.Link))
	if len(in.Link) > 64 || strings.ContainsAny(in.Link, " /?#") {
		out = append(out, FieldErrorf("link", "Enter an escalation reference, like WIRRAL-2026-0042."))
	}
	return out
}

// Validate returns the first of Problems, or nil.
func (in *LearningUpdate) Validate() error {
	if ps := in.Problems(); len(ps) > 0 {
		return ps[0]
	}
	return nil
}

func containsRole(rs []Role, r Role) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

// ValidatePatternThreshold checks a pattern threshold: a whole number from
// 0 (off) to MaxPatternThreshold.
func ValidatePatternThreshold(n int) error {
	if n < 0 || n > MaxPatternThreshold {
		return FieldErrorf("threshold", "Enter a whole number from 0 (off) to %d.", MaxPatternThreshold)
	}
	return nil
}

// LearningResponse is one party's answer to the learning step, as stored.
type LearningResponse struct {
	UserID    int64
	Debriefed bool
	Items     int
	Created   time.Time
}

// PatternFlag is a pattern the store flagged: the same agency pair and
// category at least Threshold times in one London quarter.
type PatternFlag struct {
	ID                                     int64
	AgencyA                                int64 // the lower agency ID of the pair
	AgencyB                                int64
	Category                               string
	Quarter                                string // e.g. "2026-Q4"
	Count                                  int    // escalations counted when it was flagged
	Threshold                              int
	Ref                                    string // the escalation that reached the threshold
	Created                                time.Time
	AgencyAName, AgencyBName, CategoryName string
}

// LearningFilter narrows the learning log.
type LearningFilter struct {
	Status   string // "" for all
	Kind     string // "" for all
	Assigned string // "" for all; a role, or "subgroup"
}
