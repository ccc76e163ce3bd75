package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/escalate-project/escalate"
)

// Identities signs in people whom an OpenID Connect provider has
// authenticated. They are matched to users by the provider's issuer and
// their subject (sub) in user_identities, never by email alone: an email can
// change hands, a subject does not.
type Identities struct {
	Sessions *Sessions
	// Partnership is the key of the partnership whose users sign in with
	// this provider; a user of another partnership is refused.
	Partnership string
	// LinkByEmail lets a first sign-in link the identity to the
	// partnership's user with the same email, when the provider says it
	// has verified that email. Off, an administrator links identities with
	// LinkIdentity.
	LinkByEmail bool
	// PartnershipID, when not 0, names the partnership instead of its key.
	PartnershipID int64
	// Domains, when set, are the only email domains a first sign-in may be
	// linked by: a provider speaks for its own organisation's addresses.
	Domains []string
}

// Refusals of single sign-on. Unlike a wrong password, the provider has
// already said who the person is, so the message can say what is wrong.
var (
	errNotLinked = escalate.Errorf(escalate.EFORBIDDEN,
		"Your organisation's account is not linked to an Escalate account. Ask your partnership's administrator to link it, then try again.")
	errEmailUnverified = escalate.Errorf(escalate.EFORBIDDEN,
		"Your organisation's sign-in service has not confirmed your email address, so it cannot be matched to an Escalate account. Ask your partnership's administrator to link your account.")
	errNoUserForEmail = escalate.Errorf(escalate.EFORBIDDEN,
		"There is no Escalate account with the email address your organisation gave. Ask your partnership's administrator to add you, then try again.")
	errOtherIdentity = escalate.Errorf(escalate.EFORBIDDEN,
		"Your Escalate account is already linked to a different account at your organisation. Sign in with that account, or ask your partnership's administrator for help.")
	errOtherPartnership = escalate.Errorf(escalate.EFORBIDDEN,
		"Your organisation's account is linked to an Escalate account in another partnership, which cannot sign in here.")
	errOtherDomain = escalate.Errorf(escalate.EFORBIDDEN,
		"Your organisation's sign-in service gave an email address of another organisation, so it cannot be matched to an Escalate account. Ask your partnership's administrator to link your account.")
	errDisabled = escalate.Errorf(escalate.EFORBIDDEN,
		"Your Escalate account has been disabled. Ask your partnership's administrator if you need it again.")
)

// SignInIdentity starts a session for the user linked to issuer and subject,
// exactly as a password sign-in does: oldToken's session ends and a new
// token is returned. On a first sign-in it links the identity by email as
// LinkByEmail allows. A refusal is EFORBIDDEN with a message for the person
// and is audited with the reason; the email is never recorded.
func (ids *Identities) SignInIdentity(ctx context.Context, issuer, subject, email string, emailVerified bool, ip, oldToken string) (string, *escalate.User, error) {
	if issuer == "" || subject == "" {
		return "", nil, escalate.Errorf(escalate.EINVALID, "The sign-in service did not say who you are.")
	}
	var token string
	var u *escalate.User
	var refused error
	err := ids.Sessions.DB.WithTx(ctx, func(tx *Tx) error {
		by, key := "key", any(ids.Partnership)
		if ids.PartnershipID != 0 {
			by, key = "id", ids.PartnershipID
		}
		p, err := findPartnership(ctx, tx, by, key)
		if err != nil {
			return fmt.Errorf("single sign-on partnership %v: %w", key, err)
		}
		object := "unknown"
		refuse := func(e error, reason string) error {
			refused = e
			return tx.AuditIn(p.ID, "anonymous", "sign-in.refused", object,
				map[string]any{"ip": ip, "issuer": issuer, "reason": reason})
		}
		var userID int64
		err = tx.QueryRowContext(ctx, `SELECT user_id FROM user_identities WHERE issuer = $1 AND subject = $2`,
			issuer, subject).Scan(&userID)
		linked := err == nil
		switch {
		case linked:
			if u, err = findUser(ctx, tx, `id = $1`, userID); err != nil {
				return err
			}
			object = fmt.Sprintf("user:%d", u.ID)
			if u.PartnershipID != p.ID {
				return refuse(errOtherPartnership, "other-partnership")
			}
		case !errors.Is(err, sql.ErrNoRows):
			return err
		case !ids.LinkByEmail:
			return refuse(errNotLinked, "not-linked")
		case !emailVerified || strings.TrimSpace(email) == "":
			return refuse(errEmailUnverified, "email-unverified")
		case len(ids.Domains) > 0 && !slices.Contains(ids.Domains, escalate.EmailDomain(email)):
			return refuse(errOtherDomain, "other-domain")
		default:
			u, err = findUser(ctx, tx, `partnership_id = $1 AND email = $2`, p.ID, strings.ToLower(strings.TrimSpace(email)))
			if notFound(err) {
				return refuse(errNoUserForEmail, "no-user")
			} else if err != nil {
				return err
			}
			object = fmt.Sprintf("user:%d", u.ID)
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM user_identities WHERE user_id = $1 AND issuer = $2`,
				u.ID, issuer).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return refuse(errOtherIdentity, "other-identity")
			}
		}
		// Checked before linking, so a disabled account gains no identity.
		if u.Disabled {
			return refuse(errDisabled, "disabled")
		}
		if !linked {
			if err := tx.linkIdentity(u.ID, issuer, subject, "anonymous", "by-email"); err != nil {
				return err
			}
		}
		if token, err = ids.Sessions.startSession(tx, u.ID, oldToken); err != nil {
			return err
		}
		return tx.AuditIn(u.PartnershipID, object, "sign-in", object, map[string]any{"ip": ip, "issuer": issuer})
	})
	if err != nil {
		return "", nil, WrapError(err)
	}
	if refused != nil {
		return "", nil, refused
	}
	return token, u, nil
}

// LinkIdentity links the user to their subject at issuer, so that they can
// sign in with that provider without email linking. It is ECONFLICT when the
// identity is linked already or the user has another at that issuer.
func (db *DB) LinkIdentity(ctx context.Context, userID int64, issuer, subject string) error {
	if issuer == "" || subject == "" {
		return escalate.Errorf(escalate.EINVALID, "Enter the issuer and the subject.")
	}
	return WrapError(db.WithTx(ctx, func(tx *Tx) error {
		if _, err := findUser(ctx, tx, `id = $1`, userID); err != nil {
			return err
		}
		return tx.linkIdentity(userID, issuer, subject, Actor(ctx), "by-admin")
	}))
}

// IdentityUser returns the ID of the user linked to subject at issuer, or
// ENOTFOUND.
func (db *DB) IdentityUser(ctx context.Context, issuer, subject string) (int64, error) {
	var id int64
	err := db.db.QueryRowContext(ctx, `SELECT user_id FROM user_identities WHERE issuer = $1 AND subject = $2`,
		issuer, subject).Scan(&id)
	return id, WrapError(err)
}

// linkIdentity stores the link and audits it with the issuer only: the
// subject is an identifier of the person at another organisation.
func (tx *Tx) linkIdentity(userID int64, issuer, subject, actor, how string) error {
	if _, err := tx.ExecContext(tx.ctx, `INSERT INTO user_identities (issuer, subject, user_id, created) VALUES ($1, $2, $3, $4)`,
		issuer, subject, userID, timeArg(tx.now)); err != nil {
		return conflictMessage(err, "That account at the sign-in service is linked already, or the user has another there.")
	}
	return tx.auditUser(userID, actor, "identity.link", fmt.Sprintf("user:%d", userID), map[string]any{"issuer": issuer, "how": how})
}

// startSession ends oldToken's session, if any, and starts a full one for
// the user, as SignIn does, so that the session ID always changes at
// sign-in.
func (s *Sessions) startSession(tx *Tx, userID int64, oldToken string) (string, error) {
	return s.startStagedSession(tx, userID, oldToken, escalate.StageFull)
}

// PendingLifetime bounds a session waiting for a second factor.
const PendingLifetime = 10 * time.Minute

// startStagedSession ends oldToken's session, if any, and starts one at
// stage; a session still waiting for a second factor lasts PendingLifetime.
func (s *Sessions) startStagedSession(tx *Tx, userID int64, oldToken, stage string) (string, error) {
	if oldToken != "" {
		if _, err := tx.ExecContext(tx.ctx, `DELETE FROM sessions WHERE id_hash = $1`, tokenHash(oldToken)); err != nil {
			return "", err
		}
	}
	lifetime := s.lifetime()
	if stage != escalate.StageFull {
		lifetime = PendingLifetime
	}
	token := newToken()
	if _, err := tx.ExecContext(tx.ctx, `
		INSERT INTO sessions (id_hash, user_id, created, last_seen, expires, stage) VALUES ($1, $2, $3, $3, $4, $5)`,
		tokenHash(token), userID, timeArg(tx.now), timeArg(tx.now.Add(lifetime)), stage); err != nil {
		return "", err
	}
	return token, nil
}

// ProviderSignIn signs in a person whom the partnership provider
// providerID has authenticated, as SignInIdentity does for that provider's
// partnership, linking a first sign-in by email (if the provider allows it)
// only for an address of the provider's domains. The token's issuer must
// be the provider's.
func (s *Sessions) ProviderSignIn(ctx context.Context, providerID int64, issuer, subject, email string, emailVerified bool, ip, oldToken string) (string, *escalate.User, error) {
	p, err := s.DB.FindProvider(ctx, providerID)
	if err != nil {
		return "", nil, err
	}
	if p.Issuer != issuer {
		return "", nil, escalate.Errorf(escalate.EFORBIDDEN, "The sign-in came from another provider than the one it was sent to.")
	}
	ids := &Identities{Sessions: s, PartnershipID: p.PartnershipID, LinkByEmail: p.LinkByEmail, Domains: p.Domains}
	return ids.SignInIdentity(ctx, issuer, subject, email, emailVerified, ip, oldToken)
}
