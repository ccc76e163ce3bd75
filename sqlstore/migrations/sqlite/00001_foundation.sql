-- Escalate's foundation: partnerships and their pinned policy versions,
-- agencies, users, calendar events and the append-only audit trail.
-- Instants are fixed-width UTC text (2006-01-02T15:04:05.000000Z) so they sort
-- in time order; dates without a time are YYYY-MM-DD text.
-- postgres/00001_foundation.sql says the same for PostgreSQL.

-- +goose Up
CREATE TABLE partnerships (
	id                INTEGER PRIMARY KEY,
	key               TEXT NOT NULL UNIQUE,
	name              TEXT NOT NULL,
	policy_id         TEXT NOT NULL,
	-- the version new escalations pin; NULL only inside the transaction
	-- that adds the partnership
	policy_version_id INTEGER REFERENCES policy_versions (id),
	created           TEXT NOT NULL
);

-- Every policy a partnership has followed, verbatim. An escalation pins one
-- row and stays on it.
CREATE TABLE policy_versions (
	id               INTEGER PRIMARY KEY,
	partnership_id   INTEGER NOT NULL REFERENCES partnerships (id),
	policy_id        TEXT NOT NULL,
	version          TEXT NOT NULL,
	sha256           TEXT NOT NULL, -- hex SHA-256 of yaml
	yaml             TEXT NOT NULL,
	division         TEXT NOT NULL, -- the policy's calendar, copied for Calendar
	working_day_ends TEXT NOT NULL, -- HH:MM London time
	created          TEXT NOT NULL,
	UNIQUE (partnership_id, sha256)
);

CREATE TABLE agencies (
	id             INTEGER PRIMARY KEY,
	partnership_id INTEGER NOT NULL REFERENCES partnerships (id),
	name           TEXT NOT NULL,
	kind           TEXT NOT NULL,
	created        TEXT NOT NULL,
	UNIQUE (partnership_id, name),
	UNIQUE (id, partnership_id) -- lets users require an agency of their partnership
);

CREATE TABLE users (
	id             INTEGER PRIMARY KEY,
	partnership_id INTEGER NOT NULL REFERENCES partnerships (id),
	agency_id      INTEGER NOT NULL,
	name           TEXT NOT NULL,
	email          TEXT NOT NULL, -- lower case
	roles          TEXT NOT NULL, -- comma-separated escalate.UserRoles
	manager_id     INTEGER,
	disabled       BOOLEAN NOT NULL DEFAULT FALSE,
	created        TEXT NOT NULL,
	UNIQUE (partnership_id, email),
	UNIQUE (id, partnership_id),
	FOREIGN KEY (agency_id, partnership_id) REFERENCES agencies (id, partnership_id),
	FOREIGN KEY (manager_id, partnership_id) REFERENCES users (id, partnership_id)
);
CREATE INDEX users_manager ON users (manager_id);

-- Holidays imported from GOV.UK and local closures. A NULL partnership_id
-- applies to every partnership whose policy uses the division.
CREATE TABLE calendar_events (
	id             INTEGER PRIMARY KEY,
	partnership_id INTEGER REFERENCES partnerships (id),
	division       TEXT NOT NULL,
	date           TEXT NOT NULL, -- YYYY-MM-DD
	name           TEXT NOT NULL,
	notes          TEXT NOT NULL,
	source         TEXT NOT NULL,
	created        TEXT NOT NULL
);
CREATE UNIQUE INDEX calendar_events_day ON calendar_events (COALESCE(partnership_id, 0), division, date);

-- The audit chain: append-only, gapless, each row's hash covering the one
-- before. Content is not here: only a salted commitment to it (see
-- audit_content).
CREATE TABLE audit_events (
	seq        INTEGER PRIMARY KEY, -- 1, 2, 3 … set by the writer, never by the engine
	at         TEXT NOT NULL,
	actor      TEXT NOT NULL,
	action     TEXT NOT NULL,
	object     TEXT NOT NULL,
	commitment BLOB NOT NULL,
	prev_hash  BLOB NOT NULL,
	hash       BLOB NOT NULL
);

-- What each event's commitment was made from. Erasing it (content and salt to
-- NULL) is the retention path; the chain still verifies without it.
CREATE TABLE audit_content (
	seq     INTEGER PRIMARY KEY REFERENCES audit_events (seq),
	salt    BLOB,
	content BLOB,
	erased  TEXT
);

-- Signed tree heads of the chain, in the order they were made.
CREATE TABLE audit_checkpoints (
	id      INTEGER PRIMARY KEY,
	n       INTEGER NOT NULL, -- how many events the tree covers
	root    BLOB NOT NULL,
	note    TEXT NOT NULL,    -- the signed note (golang.org/x/mod/sumdb/note)
	created TEXT NOT NULL
);

-- +goose StatementBegin
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
	SELECT RAISE(ABORT, 'audit_events is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
	SELECT RAISE(ABORT, 'audit_events is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_content_erase_only BEFORE UPDATE ON audit_content
WHEN NEW.seq IS NOT OLD.seq OR NEW.content IS NOT NULL OR NEW.salt IS NOT NULL
BEGIN
	SELECT RAISE(ABORT, 'audit_content may only be erased');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_content_no_delete BEFORE DELETE ON audit_content
BEGIN
	SELECT RAISE(ABORT, 'audit_content may only be erased');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
BEGIN
	SELECT RAISE(ABORT, 'audit_checkpoints is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
BEGIN
	SELECT RAISE(ABORT, 'audit_checkpoints is append-only');
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE audit_checkpoints;
DROP TABLE audit_content;
DROP TABLE audit_events;
DROP TABLE calendar_events;
DROP TABLE users;
DROP TABLE agencies;
DROP TABLE policy_versions;
DROP TABLE partnerships;
