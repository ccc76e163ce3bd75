package escalate

import "time"

// Subject access (UK GDPR Article 15; doc/privacy.md): everything Escalate
// holds about one person, exported for the data protection officer, with
// the third parties it names listed so they can be redacted before the
// export is released.

// Subject access kinds.
const (
	SubjectStaff = "staff" // a member of staff: their account and what they did
	SubjectChild = "child" // a child, by the raising agency's reference: the cases about them
)

// SubjectQuery names the person: a member of staff by email, or a child by
// their reference on cases.
type SubjectQuery struct {
	Kind     string // SubjectStaff or SubjectChild
	Email    string // for SubjectStaff
	ChildRef string // for SubjectChild
	// PartnershipID names the partnership at the console; a signed-in data
	// protection officer is held to their own.
	PartnershipID int64
}

// SubjectAccessExport is what is held about the person.
type SubjectAccessExport struct {
	Kind        string    `json:"kind"`
	Subject     string    `json:"subject"`
	Partnership string    `json:"partnership"`
	Made        time.Time `json:"made"`
	// Account, Actions and Authored are a member of staff's.
	Account  *SubjectAccount `json:"account,omitempty"`
	Actions  []SubjectAction `json:"actions,omitempty"`
	Authored []SubjectRecord `json:"records_written,omitempty"`
	// Uploaded are the files a member of staff attached to cases: what,
	// where and when, without the content (the case's, not theirs).
	Uploaded []SubjectAttachment `json:"attachments_uploaded,omitempty"`
	// Cases are a child's.
	Cases []SubjectCase `json:"cases,omitempty"`
	// ThirdParties are the other people the export names, to be redacted
	// before it is released unless they consent or it is reasonable
	// (DPA 2018 Schedule 2 paragraph 16).
	ThirdParties []ThirdParty `json:"third_parties"`
}

// SubjectAccount is a member of staff's account.
type SubjectAccount struct {
	Name       string    `json:"name"`
	Email      string    `json:"email"`
	Agency     string    `json:"agency"`
	Roles      []Role    `json:"roles"`
	Manager    string    `json:"line_manager,omitempty"`
	Disabled   bool      `json:"disabled"`
	Created    time.Time `json:"created"`
	SignIns    []string  `json:"single_sign_on,omitempty"` // the identity providers linked
	APITokens  []string  `json:"api_tokens,omitempty"`     // their names
	Subscribed bool      `json:"daily_digest"`
	// ContactFor are the agencies whose escalation contact they are.
	ContactFor []string `json:"escalation_contact_for,omitempty"`
	// NamedTo are the cases they were named to deal with, or appointed
	// to chair a meeting of, with by whom and when.
	NamedTo []string `json:"named_to,omitempty"`
}

// SubjectAction is one event from the audit log: a thing a member of
// staff did, or a step in a case's history. Action is the machine-readable
// kind ("escalation.raise"); Title says it in plain words ("Disagreement
// raised", EventTitle) for the officer and the person reading the export.
type SubjectAction struct {
	At     time.Time `json:"at"`
	Action string    `json:"action"`
	Title  string    `json:"title"`
	Object string    `json:"object"`
}

// SubjectRecord is a record of a discussion, in full.
type SubjectRecord struct {
	Case         string    `json:"case"`
	ID           int       `json:"id"`
	At           time.Time `json:"at"`
	Form         string    `json:"form"`
	Participants []string  `json:"participants"`
	Discussion   string    `json:"discussion"`
	Outcome      string    `json:"outcome"`
	Result       string    `json:"result,omitempty"` // what the discussion came to: agreed, not-agreed
	By           string    `json:"by"`
}

// SubjectCase is one case about a child, in full.
type SubjectCase struct {
	Ref              string    `json:"ref"`
	Status           Status    `json:"status"`
	Raised           time.Time `json:"raised"`
	RaisedBy         string    `json:"raised_by"`
	RaisingAgency    string    `json:"raising_agency"`
	ReceivingAgency  string    `json:"receiving_agency"`
	ReceivingContact string    `json:"receiving_contact,omitempty"`
	ChildRef         string    `json:"child_ref"`
	ChildInitials    string    `json:"child_initials"`
	Decision         string    `json:"decision"`
	DecisionDate     string    `json:"decision_date"`
	Issue            string    `json:"issue"`
	Risk             string    `json:"risk"`
	Disagreement     string    `json:"disagreement"`
	OutcomeSought    string    `json:"outcome_sought"`
	RiskLevel        RiskLevel `json:"risk_level"`
	Immediate        string    `json:"immediate_action,omitempty"`
	Outcome          string    `json:"outcome,omitempty"`
	Report           string    `json:"meeting_report,omitempty"` // the meeting's chair's report
	// Named are who was named to deal with the case, and who chaired its
	// meetings, with when: staff, listed as third parties.
	Named   []string        `json:"named,omitempty"`
	Records []SubjectRecord `json:"records"`
	// Attachments are the letters, emails and documents kept on the case,
	// each with its content.
	Attachments []SubjectAttachment `json:"attachments"`
	Events      []SubjectAction     `json:"history"`
}

// SubjectAttachment is a file kept on a case. A child's export holds its
// content (base64 in the JSON file; embedded in the PDF, named
// REF-ID-NAME): a letter about the child is data about them, and the
// officer must read it for third parties before release. A member of
// staff's export lists what they uploaded without the content.
type SubjectAttachment struct {
	Case        string    `json:"case"`
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	Kind        string    `json:"kind"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	Description string    `json:"description,omitempty"`
	UploadedBy  string    `json:"uploaded_by"`
	Uploaded    time.Time `json:"uploaded"`
	Content     []byte    `json:"content,omitempty"`
}

// ThirdParty is someone other than the subject named in the export.
type ThirdParty struct {
	Kind  string `json:"kind"`  // "staff", "participant", "child" or "attachment" (a file to read for others it names)
	Name  string `json:"name"`  // as the export shows it
	Where string `json:"where"` // where in the export
}
