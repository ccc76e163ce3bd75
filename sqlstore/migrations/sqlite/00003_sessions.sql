-- Local passwords, server-side sessions and the failed sign-ins that rate
-- limiting counts. postgres/00003_sessions.sql says the same for PostgreSQL.

-- +goose Up
-- A user without a row here cannot sign in with a password (e.g. SSO only).
CREATE TABLE passwords (
	user_id INTEGER PRIMARY KEY REFERENCES users (id),
	hash    TEXT NOT NULL, -- PHC string: $argon2id$v=19$m=…,t=…,p=…$salt$key
	updated TEXT NOT NULL
);

-- The cookie's token is never stored, only its SHA-256, so a reader of the
-- database (or a backup) cannot take over a session.
CREATE TABLE sessions (
	id_hash   BLOB PRIMARY KEY,
	user_id   INTEGER NOT NULL REFERENCES users (id),
	created   TEXT NOT NULL,
	last_seen TEXT NOT NULL,
	expires   TEXT NOT NULL -- the absolute end, whatever the activity
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Failed sign-ins in the rate-limit window, kept in the database so that the
-- limit holds across app instances. account is the hex SHA-256 of the
-- lower-cased email, so unknown accounts are counted too without storing the
-- address. Rows older than the window are deleted as new ones come in.
CREATE TABLE sign_in_failures (
	id      INTEGER PRIMARY KEY,
	at      TEXT NOT NULL,
	account TEXT NOT NULL,
	ip      TEXT NOT NULL
);
CREATE INDEX sign_in_failures_account ON sign_in_failures (account, at);
CREATE INDEX sign_in_failures_ip ON sign_in_failures (ip, at);
CREATE INDEX sign_in_failures_at ON sign_in_failures (at);

-- +goose Down
DROP TABLE sign_in_failures;
DROP TABLE sessions;
DROP TABLE passwords;
