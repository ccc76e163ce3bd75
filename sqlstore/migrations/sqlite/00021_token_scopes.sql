-- API tokens that expire and carry a scope, re-authentication before one is
-- made, and the history of role changes (doc/web.md, "API tokens" and
-- "Administrators"). postgres/00021_token_scopes.sql says the same for
-- PostgreSQL.

-- +goose Up
-- expires: NULL for a token made before tokens expired; it then lasts the
-- default lifetime from its creation. scope: read, or read-write (every
-- older token could write).
ALTER TABLE api_tokens ADD COLUMN expires TEXT;
ALTER TABLE api_tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'read-write';

-- When the session's person last proved again who they are (a password or
-- second factor typed again), for actions such as making an API token.
ALTER TABLE sessions ADD COLUMN reauth_at TEXT;

-- Every change of a person's roles, for the role-change history page. The
-- audit trail has them too; this table is what the page reads.
CREATE TABLE role_changes (
	id             INTEGER PRIMARY KEY,
	partnership_id INTEGER NOT NULL REFERENCES partnerships (id),
	user_id        INTEGER NOT NULL REFERENCES users (id),
	actor          TEXT NOT NULL, -- user:ID, or cli:… for the command line
	at             TEXT NOT NULL,
	added          TEXT NOT NULL, -- comma-separated roles
	removed        TEXT NOT NULL,
	oversight      BOOLEAN NOT NULL  -- an oversight role was added
);
CREATE INDEX role_changes_partnership ON role_changes (partnership_id, at);

-- +goose Down
DROP TABLE role_changes;
ALTER TABLE sessions DROP COLUMN reauth_at;
ALTER TABLE api_tokens DROP COLUMN scope;
ALTER TABLE api_tokens DROP COLUMN expires;
