-- Invitations and password resets: single-use links that expire (doc/web.md,
-- "Invitations and resets"). postgres/00022_account_links.sql says the same for
-- PostgreSQL.

-- +goose Up
-- The link's secret is never stored here, only its SHA-256, like a
-- session's. The outbox row that emails it holds the secret until it is
-- sent (or dead), then the secret is erased from it.
CREATE TABLE account_links (
	id         INTEGER PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users (id),
	purpose    TEXT NOT NULL, -- invite or reset
	hash       BLOB NOT NULL UNIQUE,
	created    TEXT NOT NULL,
	expires    TEXT NOT NULL,
	used       TEXT,          -- when it was used, or it was replaced by a newer link
	created_by TEXT NOT NULL  -- user:ID, cli:NAME, or anonymous for "forgotten password"
);
CREATE INDEX account_links_user ON account_links (user_id, purpose, created);

-- +goose Down
DROP TABLE account_links;
