package escalate

// How a case's status, risk level and a record's form read to a person:
// the case page, its printable document, notifications and the subject
// access export all say them the same way.

var (
	statusWords = map[Status]string{
		StatusOpen: "Open", StatusResolved: "Resolved",
		StatusRedirected: "Redirected", StatusWithdrawn: "Withdrawn",
	}
	riskWords = map[RiskLevel]string{
		RiskStandard:  "Standard",
		RiskIncreased: "Increased: the child is at increased risk",
		RiskImmediate: "Immediate: the child is at immediate risk of significant harm",
	}
	formWords = map[string]string{
		FormPhone: "Phone call", FormMeeting: "Meeting", FormEmail: "Email",
		FormLetter: "Letter", FormVideo: "Video call",
	}
)

// Words returns how status s reads ("Open", "Resolved"), or s itself if it
// is not one of the statuses.
func (s Status) Words() string { return wordsOr(statusWords, s, string(s)) }

// Words returns how risk level r reads, with what it means ("Increased: the
// child is at increased risk"), or r itself if it is not one of RiskLevels.
func (r RiskLevel) Words() string { return wordsOr(riskWords, r, string(r)) }

// FormWords returns how a record's form of communication reads ("Phone
// call"), or form itself if it is not one of RecordForms.
func FormWords(form string) string { return wordsOr(formWords, form, form) }

// BuiltinRoleName returns how a person reads role r where no policy is at
// hand: its built-in name ("Partnership Business Manager"), or the key
// itself. Under a policy, (*Policy).RoleName also gives the policy's own
// names.
func BuiltinRoleName(r Role) string { return wordsOr(builtinRoleNames, r, string(r)) }

func wordsOr[K comparable](m map[K]string, k K, or string) string {
	if w, ok := m[k]; ok {
		return w
	}
	return or
}
