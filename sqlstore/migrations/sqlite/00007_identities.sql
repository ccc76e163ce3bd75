-- Accounts at an OpenID Connect provider (single sign-on) linked to users.
-- postgres/00007_identities.sql says the same for PostgreSQL.

-- +goose Up
-- A person is known to a provider by its issuer and their subject (sub),
-- never by email, which can change or be reassigned. A user has at most one
-- identity per issuer, so a second account at the same provider cannot be
-- linked to them by a matching email.
CREATE TABLE user_identities (
	id      INTEGER PRIMARY KEY,
	issuer  TEXT NOT NULL,
	subject TEXT NOT NULL,
	user_id INTEGER NOT NULL REFERENCES users (id),
	created TEXT NOT NULL,
	UNIQUE (issuer, subject),
	UNIQUE (user_id, issuer)
);

-- +goose Down
DROP TABLE user_identities;
