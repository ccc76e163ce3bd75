package web

import (
	"context"
	"net/http"
	"time"

	"github.com/escalate-project/escalate"
)

// AccountStore is what the account pages need beyond Auth: the role-change
// history, invitations and resets. *sqlstore.DB implements it.
type AccountStore interface {
	// RoleChanges lists the partnership's role changes, newest first.
	RoleChanges(ctx context.Context, partnershipID int64, limit int) ([]escalate.RoleChange, error)
	// Invite emails the user a single-use link to set their password,
	// replacing any earlier one, and says when it expires.
	Invite(ctx context.Context, userID int64) (time.Time, error)
	// RequestReset emails a reset link to the account with the email, if
	// there is one, and says nothing either way.
	RequestReset(ctx context.Context, email, ip string) error
	// CheckLink returns whose live link of purpose ("invite" or "reset")
	// the secret is; ENOTFOUND when it is unknown, used or expired.
	CheckLink(ctx context.Context, purpose, secret string) (*escalate.User, *escalate.Partnership, error)
	// UseLink sets the password and uses the link up.
	UseLink(ctx context.Context, purpose, secret, password string) (*escalate.User, error)
	// ResetSecondFactors removes a person's second factors, for someone
	// who lost theirs; audited and emailed to them.
	ResetSecondFactors(ctx context.Context, userID int64) error
}

// accountRoutes adds the pages about accounts and sign-in: second factors
// always, the rest when there is an AccountStore and a PartnershipStore.
func (s *Server) accountRoutes(mux *http.ServeMux) {
	// Second factors need only Auth: a sign-in waiting for one, and
	// setting one up (at sign-in or from "Your account").
	waiting, setUp := []string{escalate.StageSecondFactor}, []string{escalate.StageEnrol, escalate.StageFull}
	mux.Handle("GET /sign-in/second-factor", s.handle(s.stageOnly(s.factorForm, waiting...)))
	mux.Handle("POST /sign-in/second-factor", s.handle(s.stageOnly(s.factorVerify, waiting...)))
	mux.Handle("GET /sign-in/set-up", s.handle(s.stageOnly(s.setUpForm, setUp...)))
	mux.Handle("POST /sign-in/set-up", s.handle(s.stageOnly(s.setUpConfirm, setUp...)))
	mux.Handle("POST /sign-in/set-up/app", s.handle(s.stageOnly(s.setUpApp, setUp...)))
	mux.Handle("GET /sign-in/set-up/qr.png", s.handle(s.stageOnly(s.setUpQR, setUp...)))
	if s.passkeys != nil {
		mux.Handle("POST /sign-in/passkey/register/options", s.handle(s.stageOnly(s.passkeyRegisterOptions, setUp...)))
		mux.Handle("POST /sign-in/passkey/register", s.handle(s.stageOnly(s.passkeyRegister, setUp...)))
		mux.Handle("POST /sign-in/passkey/options", s.handle(s.stageOnly(s.passkeyLoginOptions, waiting...)))
		mux.Handle("POST /sign-in/passkey", s.handle(s.stageOnly(s.passkeyLogin, waiting...)))
		mux.Handle("POST /sign-in/set-up/codes", s.handle(s.stageOnly(s.setUpCodes, escalate.StageFull)))
	}
	if s.acct == nil || s.org == nil {
		return
	}
	page := func(pattern string, h handlerFunc) { mux.Handle(pattern, s.handle(s.signedIn(h))) }
	page("GET /admin/role-changes", s.roleChangesPage)
	page("POST /admin/people/{id}/invite", s.personInvite)
	page("GET /account", s.accountPage)
	page("GET /account/password", s.passwordForm)
	page("POST /account/password", s.passwordChange)
	page("POST /account/recovery-codes", s.recoveryCodesNew)
	page("POST /admin/people/{id}/second-factors/reset", s.personFactorsReset)
	if s.providers != nil {
		page("GET /admin/sign-in", s.providersPage)
		page("POST /admin/sign-in", s.providerAdd)
		page("POST /admin/sign-in/{id}/remove", s.providerRemove)
	}
	// Public: the person is not signed in.
	mux.Handle("GET /sign-in/forgotten", s.handle(s.forgottenForm))
	mux.Handle("POST /sign-in/forgotten", s.handle(s.forgottenSend))
	mux.Handle("GET /account/reset", s.handle(s.linkForm(linkReset)))
	mux.Handle("POST /account/reset", s.handle(s.linkUse(linkReset)))
	mux.Handle("GET /account/invitation", s.handle(s.linkForm(linkInvite)))
	mux.Handle("POST /account/invitation", s.handle(s.linkUse(linkInvite)))
}
