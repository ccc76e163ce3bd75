-- A partnership's OpenID Connect providers, each for one or more email
-- domains (doc/web.md, "Single sign-on"). postgres/00024_oidc_providers.sql says
-- the same for PostgreSQL.

-- +goose Up
-- secret_ref says where the client secret is, never the secret itself:
-- env:NAME (an environment variable of escalate serve) or file:/path, or
-- "" for a public client. domains are lower-case and comma-separated.
CREATE TABLE oidc_providers (
	id             INTEGER PRIMARY KEY,
	partnership_id INTEGER NOT NULL REFERENCES partnerships (id),
	name           TEXT NOT NULL,
	issuer         TEXT NOT NULL,
	client_id      TEXT NOT NULL,
	secret_ref     TEXT NOT NULL,
	domains        TEXT NOT NULL,
	link_by_email  BOOLEAN NOT NULL,
	created        TEXT NOT NULL,
	UNIQUE (partnership_id, name),
	UNIQUE (partnership_id, issuer, client_id)
);

-- One row per provider and domain, so an email's domain finds its
-- providers by index, and a partnership cannot route one domain twice.
CREATE TABLE oidc_provider_domains (
	provider_id    INTEGER NOT NULL REFERENCES oidc_providers (id) ON DELETE CASCADE,
	partnership_id INTEGER NOT NULL,
	domain         TEXT NOT NULL,
	PRIMARY KEY (provider_id, domain),
	UNIQUE (partnership_id, domain)
);
CREATE INDEX oidc_provider_domains_domain ON oidc_provider_domains (domain);

-- +goose Down
DROP TABLE oidc_provider_domains;
DROP TABLE oidc_providers;
