-- Personal API tokens. postgres/00006_api_tokens.sql says the same for
-- PostgreSQL.

-- +goose Up
-- The token is never stored, only its SHA-256, so a reader of the database
-- (or a backup) cannot call the API as its owner. hint is the prefix and
-- the last 4 of 43 random characters: enough to tell tokens apart, far too
-- little to guess one.
CREATE TABLE api_tokens (
	id        INTEGER PRIMARY KEY,
	user_id   INTEGER NOT NULL REFERENCES users (id),
	name      TEXT NOT NULL,
	hash      BLOB NOT NULL UNIQUE,
	hint      TEXT NOT NULL,
	created   TEXT NOT NULL,
	last_used TEXT,
	revoked   TEXT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- +goose Down
DROP TABLE api_tokens;
