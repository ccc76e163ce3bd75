-- Second factors for password sign-in: an authenticator app (TOTP, RFC
-- 6238) with single-use recovery codes, and passkeys (WebAuthn); the
-- partnership's setting; and sessions that wait for a second factor
-- (doc/web.md, "Second factors"). postgres/00023_second_factors.sql says the
-- same for PostgreSQL.

-- +goose Up
-- Required unless the partnership relaxes it (the demo's do).
ALTER TABLE partnerships ADD COLUMN second_factor_optional BOOLEAN NOT NULL DEFAULT FALSE;

-- stage: full, or a password sign-in that still needs a second factor
-- (second-factor) or must set one up (enrol). Only a full session opens
-- pages. factor_failures counts wrong codes; webauthn holds a passkey
-- ceremony's challenge (JSON) until it is answered.
ALTER TABLE sessions ADD COLUMN stage TEXT NOT NULL DEFAULT 'full';
ALTER TABLE sessions ADD COLUMN factor_failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN webauthn TEXT;

-- One authenticator app per person. confirmed is NULL until a code from
-- it has been typed; last_step is the last 30-second step a code was
-- accepted for, so no code works twice.
CREATE TABLE totp_secrets (
	user_id   INTEGER PRIMARY KEY REFERENCES users (id),
	secret    TEXT NOT NULL, -- base32
	created   TEXT NOT NULL,
	confirmed TEXT,
	last_step INTEGER NOT NULL DEFAULT 0
);

-- Recovery codes are stored as their SHA-256 (80 random bits each).
CREATE TABLE recovery_codes (
	id      INTEGER PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users (id),
	hash    BLOB NOT NULL,
	created TEXT NOT NULL,
	used    TEXT
);
CREATE INDEX recovery_codes_user ON recovery_codes (user_id);

-- Passkeys: data is the go-webauthn credential as JSON (public key, sign
-- count, flags, transports); credential_id is its ID, for lookups.
CREATE TABLE passkeys (
	id            INTEGER PRIMARY KEY,
	user_id       INTEGER NOT NULL REFERENCES users (id),
	credential_id BLOB NOT NULL UNIQUE,
	name          TEXT NOT NULL,
	data          TEXT NOT NULL,
	created       TEXT NOT NULL,
	last_used     TEXT
);
CREATE INDEX passkeys_user ON passkeys (user_id);

-- +goose Down
DROP TABLE passkeys;
DROP TABLE recovery_codes;
DROP TABLE totp_secrets;
ALTER TABLE sessions DROP COLUMN webauthn;
ALTER TABLE sessions DROP COLUMN factor_failures;
ALTER TABLE sessions DROP COLUMN stage;
ALTER TABLE partnerships DROP COLUMN second_factor_optional;
