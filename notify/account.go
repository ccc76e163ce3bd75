package notify

import (
	"fmt"
	"net/mail"
	"net/url"
	"strings"
	"time"

	"github.com/escalate-project/escalate"
)

// Account messages: about a person's own sign-in (an invitation, a password
// reset link, a changed password, second factors reset) or the partnership's
// oversight roles. They name no one and hold no case data. The links carry a
// single-use secret in the query string, which the request log leaves out.
var accountMessages = map[string]struct{ subject, body string }{
	"account-invite": {"You have been invited to Escalate",
		"An administrator of your safeguarding partnership has made you an account on Escalate, the service for " +
			"resolving professional differences about children's safety.\n\n" +
			"Set your password and second factor here: %s\n\n" +
			"The link works once, until %s. If it has expired, ask your partnership's administrator to invite you again."},
	"account-reset": {"Reset your Escalate password",
		"Someone, probably you, asked to reset your Escalate password.\n\n" +
			"Choose a new password here: %s\n\n" +
			"The link works once, until %s. If you did not ask, you can ignore this email: your password has not changed."},
	"account-password-changed": {"Your Escalate password was changed",
		"Your Escalate password was changed at %s.%.0s\n\n" +
			"Every session you had has ended, and your API tokens and calendar feed link have stopped working.\n\n" +
			"If you did not change it, tell your partnership's administrator at once."},
	"account-factors-reset": {"Your Escalate second factors were reset",
		"An administrator reset your second factors (authenticator app, recovery codes and passkeys) at %s.%.0s\n\n" +
			"Next time you sign in with your password you will be asked to set up a second factor again.\n\n" +
			"If you did not ask for this, tell your partnership's administrator at once."},
	"account-oversight-granted": {"An oversight role was given in your partnership",
		"The %s role was given to a person in your partnership at %s. An oversight role reads every escalation " +
			"of the partnership.\n\n" +
			"Sign in and open Role changes to see who was given it and by whom: %s\n\n" +
			"If you did not expect this, ask the partnership's administrators to check."},
}

// composeAccount writes an account message. A link's secret comes from the
// payload; once the row is sent it is erased from the outbox (ScrubOutbox).
func (c Composer) composeAccount(d escalate.OutboxDelivery) (*Email, error) {
	m, ok := accountMessages[d.SubjectKey]
	if !ok {
		return nil, fmt.Errorf("%w: no message for subject key %q", ErrRefused, d.SubjectKey)
	}
	base := strings.TrimRight(c.BaseURL, "/")
	when := func(key string) string {
		s, _ := d.Payload[key].(string)
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return "the time it was sent"
		}
		return PlainDeadline(t)
	}
	var body string
	switch d.SubjectKey {
	case "account-invite", "account-reset":
		secret, _ := d.Payload["secret"].(string)
		path, _ := d.Payload["path"].(string)
		if secret == "" || path == "" || base == "" {
			return nil, fmt.Errorf("%w: the link's secret is gone, or there is no base URL", ErrRefused)
		}
		body = fmt.Sprintf(m.body, base+path+"?token="+url.QueryEscape(secret), when("expires"))
	case "account-oversight-granted":
		roles, _ := d.Payload["roles"].(string)
		body = fmt.Sprintf(m.body, roles, when("at"), base+"/admin/role-changes")
	default:
		body = fmt.Sprintf(m.body, when("at"), "")
	}
	e := &Email{MessageID: c.MessageID(d.ID), Subject: m.subject, Body: body + "\n"}
	for _, a := range d.To {
		e.To = append(e.To, &mail.Address{Name: a.Name, Address: a.Email})
	}
	return e, nil
}
