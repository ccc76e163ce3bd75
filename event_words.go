package escalate

// The plain words for each kind of event the audit log holds, for the case
// page's timeline, the data protection officer's audit log and the subject
// access export: a family or an officer reading them should not need to
// know that "clock.start" means a deadline began. Every kind the code
// writes has words here (event_words_test.go walks the source to check).

// EventTitle is what an event of kind action was, in plain words: "Deadline
// started" for "clock.start". An unknown kind (only from a newer version's
// log) is given as its code.
func EventTitle(action string) string { return wordsOr(eventTitles, action, action) }

// Title is what ev was, in plain words, using its content where that
// says more: a deadline met after it was due reads "Deadline met late".
func (ev Event) Title() string {
	if late, _ := ev.Data["late"].(bool); late && ev.Action == ActionClockMet {
		return "Deadline met late"
	}
	return EventTitle(ev.Action)
}

// eventTitles say what each kind of event was.
var eventTitles = map[string]string{
	// A case: raised, moved on, ended.
	ActionRaise:     "Disagreement raised",
	ActionList:      "Seen in a list of escalations",
	ActionView:      "Opened the escalation",
	ActionEscalate:  "Escalated",
	ActionRedirect:  "Redirected out of this process",
	ActionWithdraw:  "Withdrawn",
	ActionDetermine: "Determination or recommendations made",
	ActionResolve:   "Resolved",
	// What was discussed and agreed.
	ActionRecordAdd:      "Discussion or action recorded",
	ActionRecordApprove:  "Record approved",
	ActionOutcomeAgree:   "Outcome agreed",
	ActionOutcomeConfirm: "Outcome confirmed in writing",
	// Risk to the child.
	ActionRiskRaise:     "Risk level raised",
	ActionRiskLower:     "Risk level lowered",
	ActionRiskImmediate: "Immediate-risk action recorded",
	// Deadlines.
	ActionClockStart:     "Deadline started",
	ActionClockMet:       "Deadline met",
	ActionClockStop:      "Deadline no longer needed",
	ActionClockShorten:   "Deadline brought forward",
	ActionClockRecompute: "Deadline recomputed after a calendar change",
	ActionClockLapse:     "Deadline passed",
	// Who deals with it.
	ActionPartyName:    "Person named to deal with it",
	ActionPartyRemove:  "Person no longer named",
	ActionMeetingChair: "Meeting's chair appointed",
	// Files.
	ActionAttachmentAdd:      "Letter, email or document attached",
	ActionAttachmentDownload: "Attached file downloaded",
	ActionCaseFileDownload:   "Whole case file downloaded",
	// Learning.
	ActionLearningRecord:      "Learning recorded",
	ActionLearningCreate:      "Learning item added to the log",
	ActionLearningUpdate:      "Learning item updated",
	ActionLearningView:        "Learning item opened",
	ActionLearningLink:        "Learning item linked to an escalation",
	ActionLearningThemeAdd:    "Learning theme added",
	ActionLearningThemeRemove: "Learning theme removed",
	ActionPatternFlag:         "Pattern of escalations flagged",
	ActionPatternSetting:      "Pattern threshold changed",
	ActionProformaCreate:      "Learning proforma started",
	ActionProformaView:        "Learning proforma opened",
	ActionProformaReview:      "Learning proforma reviewed",
	ActionGoodPractice:        "Good practice recorded",
	"good-practice.view":      "Good practice opened",
	// Child protection conference dissents.
	DissentActionRecord:   "Conference dissent recorded",
	DissentActionRefer:    "Dissent referred to the Dissents Group",
	DissentActionView:     "Opened the dissent",
	DissentActionSchedule: "Dissent scheduled for a Dissents Group meeting",
	DissentActionEvaluate: "Dissents Group's evaluation recorded",
	DissentActionDecide:   "Dissents Group's decision recorded",
	DissentActionReport:   "Review of the investigation's report recorded",
	DissentActionStrategy: "Strategy meeting action recorded",
	DissentActionClose:    "Dissent closed",
	// Data protection.
	ActionAuditRead:      "Read who has seen what",
	ActionSubjectAccess:  "Included in a subject access export",
	ActionRetentionErase: "Erased under the retention schedule",
	"retention.period":   "Retention period changed",
	"legal-hold.place":   "Legal hold placed (nothing is erased while it stands)",
	"legal-hold.lift":    "Legal hold lifted",
	"audit.erase":        "Audit log content erased",
	"report.view":        "Board report viewed",
	"report.download":    "Board report downloaded",
	// Accounts and signing in.
	"account.invite":               "Invited to an account",
	"account.invite-accepted":      "Invitation accepted",
	"user.add":                     "Account created",
	"user.disable":                 "Account disabled",
	"user.enable":                  "Account enabled again",
	"user.manager":                 "Line manager changed",
	"user.roles":                   "Roles changed",
	"identity.link":                "Single sign-on linked to the account",
	"sign-in":                      "Signed in",
	"sign-in.first-factor":         "Password accepted; second factor asked for",
	"sign-in.failed":               "Sign-in failed",
	"sign-in.refused":              "Single sign-on refused",
	"sign-in.throttled":            "Sign-in attempts paused after too many failures",
	"sign-out":                     "Signed out",
	"reauth":                       "Confirmed who they are again",
	"reauth.failed":                "Failed to confirm who they are",
	"password.set":                 "Password set",
	"password.change":              "Password changed",
	"password.change.failed":       "Password change refused: wrong current password",
	"password.rehash":              "Password's stored form upgraded",
	"password.reset":               "Password reset",
	"password.reset-request":       "Password reset asked for",
	"second-factor.add":            "Second factor added",
	"second-factor.failed":         "Second factor code wrong",
	"second-factor.enrol.failed":   "Second factor set-up code wrong",
	"second-factor.recovery-codes": "New recovery codes made",
	"second-factor.reset":          "Second factors reset",
	"api-token.create":             "API token made",
	"api-token.revoke":             "API token revoked",
	"calendar-feed.create":         "Calendar feed made",
	"calendar-feed.revoke":         "Calendar feed revoked",
	// Running the partnership.
	"partnership.add":           "Partnership added",
	"partnership.policy":        "Partnership's policy changed",
	"partnership.second-factor": "Second factor requirement changed",
	"partnership.api_roles":     "Roles allowed to use the API changed",
	"agency.add":                "Agency added",
	"agency.contact.add":        "Agency's escalation contact added",
	"agency.contact.remove":     "Agency's escalation contact removed",
	"contact.add":               "Contact added to the directory",
	"contact.update":            "Directory contact updated",
	"contact.verify":            "Directory contact checked",
	"contact.delete":            "Directory contact removed",
	"contact.import":            "Directory imported",
	"calendar.import":           "Bank holidays imported",
	"sso.provider.add":          "Single sign-on provider added",
	"sso.provider.remove":       "Single sign-on provider removed",
	"outbox.retry":              "Failed email sent again",
}
