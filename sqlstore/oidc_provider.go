package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/escalate-project/escalate"
)

// A partnership's OpenID Connect providers, each for one or more email
// domains (doc/web.md, "Single sign-on"). The sign-in page routes an
// email to the providers of its domain; the callback signs the person in
// to the provider's partnership by ProviderIdentities.

const providerColumns = `id, partnership_id, name, issuer, client_id, secret_ref, domains, link_by_email, created`

func scanProvider(row interface{ Scan(...any) error }) (*escalate.OIDCProvider, error) {
	var p escalate.OIDCProvider
	var domains string
	if err := row.Scan(&p.ID, &p.PartnershipID, &p.Name, &p.Issuer, &p.ClientID, &p.SecretRef, &domains,
		&p.LinkByEmail, scanTime(&p.Created)); err != nil {
		return nil, err
	}
	p.Domains = strings.Split(domains, ",")
	return &p, nil
}

// AddProvider adds a provider to its partnership. Its fields are checked
// (every problem, the first returned); a domain another provider of the
// partnership routes already is ECONFLICT on field domains. Audited with
// the issuer and domains, never a secret.
func (db *DB) AddProvider(ctx context.Context, p *escalate.OIDCProvider) error {
	if probs := p.Problems(); len(probs) > 0 {
		return probs[0]
	}
	return WrapError(db.WithTx(ctx, func(tx *Tx) error {
		if _, err := findPartnership(ctx, tx, "id", p.PartnershipID); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `
			INSERT INTO oidc_providers (partnership_id, name, issuer, client_id, secret_ref, domains, link_by_email, created)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			p.PartnershipID, p.Name, p.Issuer, p.ClientID, p.SecretRef, strings.Join(p.Domains, ","), p.LinkByEmail,
			timeArg(tx.now)).Scan(&p.ID); err != nil {
			return conflictMessage(err, "The partnership has a provider with that name, or that issuer and client ID, already.")
		}
		for _, d := range p.Domains {
			if _, err := tx.ExecContext(ctx, `INSERT INTO oidc_provider_domains (provider_id, partnership_id, domain) VALUES ($1, $2, $3)`,
				p.ID, p.PartnershipID, d); err != nil {
				if e := conflictMessage(err, "Another provider of the partnership signs in %s already.", d); escalate.ErrorCode(e) == escalate.ECONFLICT {
					return &escalate.Error{Code: escalate.ECONFLICT, Field: "domains", Message: escalate.ErrorMessage(e)}
				}
				return err
			}
		}
		p.Created = tx.now
		return tx.AuditIn(p.PartnershipID, Actor(ctx), "sso.provider.add", fmt.Sprintf("oidc-provider:%d", p.ID), map[string]any{
			"partnership_id": p.PartnershipID, "name": p.Name, "issuer": p.Issuer, "domains": strings.Join(p.Domains, ","),
			"link_by_email": p.LinkByEmail})
	}))
}

// HasProviders reports whether any partnership has a provider.
func (db *DB) HasProviders(ctx context.Context) (bool, error) {
	var n int
	err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM oidc_providers LIMIT 1) p`).Scan(&n)
	return n > 0, WrapError(err)
}

// Providers lists the partnership's providers by name.
func (db *DB) Providers(ctx context.Context, partnershipID int64) ([]*escalate.OIDCProvider, error) {
	return db.queryProviders(ctx, `SELECT `+providerColumns+` FROM oidc_providers WHERE partnership_id = $1 ORDER BY name, id`, partnershipID)
}

// ProvidersForDomain lists the providers, of any partnership, that sign in
// the people of an email domain.
func (db *DB) ProvidersForDomain(ctx context.Context, domain string) ([]*escalate.OIDCProvider, error) {
	return db.queryProviders(ctx, `SELECT `+providerColumns+` FROM oidc_providers WHERE id IN
		(SELECT provider_id FROM oidc_provider_domains WHERE domain = $1) ORDER BY name, id`, strings.ToLower(domain))
}

// AllProviders lists every partnership's providers, for escalate sso list.
func (db *DB) AllProviders(ctx context.Context) ([]*escalate.OIDCProvider, error) {
	return db.queryProviders(ctx, `SELECT `+providerColumns+` FROM oidc_providers ORDER BY partnership_id, name, id`)
}

func (db *DB) queryProviders(ctx context.Context, q string, args ...any) ([]*escalate.OIDCProvider, error) {
	rows, err := db.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, WrapError(err)
	}
	defer rows.Close()
	var out []*escalate.OIDCProvider
	for rows.Next() {
		p, err := scanProvider(rows)
		if err != nil {
			return nil, WrapError(err)
		}
		out = append(out, p)
	}
	return out, WrapError(rows.Err())
}

// FindProvider returns the provider with the given ID.
func (db *DB) FindProvider(ctx context.Context, id int64) (*escalate.OIDCProvider, error) {
	p, err := scanProvider(db.db.QueryRowContext(ctx, `SELECT `+providerColumns+` FROM oidc_providers WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, escalate.Errorf(escalate.ENOTFOUND, "There is no such sign-in provider.")
	}
	return p, WrapError(err)
}

// RemoveProvider removes one of the partnership's providers. Identities
// linked through its issuer stay, so adding it back links them again.
func (db *DB) RemoveProvider(ctx context.Context, partnershipID, id int64) error {
	return WrapError(db.WithTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM oidc_provider_domains WHERE provider_id = $1 AND partnership_id = $2`,
			id, partnershipID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM oidc_providers WHERE id = $1 AND partnership_id = $2`, id, partnershipID)
		if err := oneRow(res, err, id); err != nil {
			return escalate.Errorf(escalate.ENOTFOUND, "There is no such sign-in provider.")
		}
		return tx.AuditIn(partnershipID, Actor(ctx), "sso.provider.remove", fmt.Sprintf("oidc-provider:%d", id),
			map[string]any{"partnership_id": partnershipID})
	}))
}
