-- What a person has typed and not yet sent, kept per person on the server
-- across sign-ins (issue 14, "nothing typed is lost"): the raise journey's
-- answers so far ("raise"), and any form's fields by its path
-- ("/escalations/WIRRAL-2026-0001/record", "/raise/details"). A draft is
-- read only by its user and deleted when sent, when its user deletes it,
-- when the user is disabled, and a week after it was last saved.
-- It replaces raise_drafts, which ended with the session.
-- postgres/00038_drafts.sql says the same for PostgreSQL.

-- +goose Up
CREATE TABLE drafts (
	user_id INTEGER NOT NULL REFERENCES users (id),
	form    TEXT NOT NULL,
	data    TEXT NOT NULL, -- JSON
	created TEXT NOT NULL,
	updated TEXT NOT NULL,
	PRIMARY KEY (user_id, form)
);
CREATE INDEX drafts_updated ON drafts (updated);
DROP TABLE raise_drafts;

-- +goose Down
CREATE TABLE raise_drafts (
	session_hash BLOB NOT NULL REFERENCES sessions (id_hash) ON DELETE CASCADE,
	form         TEXT NOT NULL,
	user_id      INTEGER NOT NULL REFERENCES users (id),
	data         TEXT NOT NULL,
	created      TEXT NOT NULL,
	updated      TEXT NOT NULL,
	PRIMARY KEY (session_hash, form)
);
CREATE INDEX raise_drafts_created ON raise_drafts (created);
DROP TABLE drafts;
