-- Child Protection Conference dissents (doc/dissents.md): the dissents, their
-- clocks, the steps recorded on them (never edited), the per-year reference
-- counter, and the clock notices the scheduler wrote for them. Same
-- conventions as 00001: instants are fixed-width UTC text, dates YYYY-MM-DD
-- text. postgres/00013_dissents.sql says the same for PostgreSQL.

-- +goose Up
CREATE TABLE dissent_refs (
	partnership_id INTEGER NOT NULL REFERENCES partnerships (id),
	year           INTEGER NOT NULL,
	n              INTEGER NOT NULL,
	PRIMARY KEY (partnership_id, year)
);

CREATE TABLE dissents (
	id                INTEGER PRIMARY KEY,
	ref               TEXT NOT NULL UNIQUE, -- e.g. SURREY-CPD-2026-0001
	partnership_id    INTEGER NOT NULL REFERENCES partnerships (id),
	policy_version_id INTEGER NOT NULL REFERENCES policy_versions (id), -- pinned for life
	recorded_by       INTEGER NOT NULL REFERENCES users (id), -- the conference chair
	conference_date   TEXT NOT NULL, -- YYYY-MM-DD
	conference_kind   TEXT NOT NULL, -- initial or review
	conference_ref    TEXT NOT NULL, -- the conference's own minimal reference
	agency_id         INTEGER NOT NULL REFERENCES agencies (id), -- the dissenting agency
	professional      TEXT NOT NULL, -- the dissenting professional's role, never a name
	nature            TEXT NOT NULL,
	grounds           TEXT NOT NULL,
	chair_decision    TEXT NOT NULL,
	step              TEXT NOT NULL,
	outcome           TEXT NOT NULL DEFAULT '', -- upheld, not-upheld or '' until decided
	meeting_date      TEXT NOT NULL DEFAULT '', -- YYYY-MM-DD of the group's meeting
	version           INTEGER NOT NULL,
	created           TEXT NOT NULL,
	updated           TEXT NOT NULL,
	next_due          TEXT -- the soonest running clock's due; NULL when none runs
);
-- A partnership's dissents, newest first, and the quarterly counts by created.
CREATE INDEX dissents_partnership ON dissents (partnership_id, created);

CREATE TABLE dissent_clocks (
	dissent_id  INTEGER NOT NULL REFERENCES dissents (id),
	id          INTEGER NOT NULL, -- 1..n within the dissent
	key         TEXT NOT NULL,    -- review or investigate
	action      TEXT NOT NULL,
	within      TEXT NOT NULL,
	start_at    TEXT NOT NULL,
	due_at      TEXT NOT NULL,
	explanation TEXT NOT NULL,
	status      TEXT NOT NULL,    -- running or met
	met_at      TEXT,
	PRIMARY KEY (dissent_id, id)
);
-- Every overdue running dissent clock, for the scheduler.
CREATE INDEX dissent_clocks_running_due ON dissent_clocks (due_at) WHERE status = 'running';

-- The steps recorded on a dissent. Never edited or deleted.
CREATE TABLE dissent_entries (
	dissent_id      INTEGER NOT NULL REFERENCES dissents (id),
	id              INTEGER NOT NULL, -- 1..n within the dissent
	action          TEXT NOT NULL,
	at              TEXT NOT NULL,
	by_user         INTEGER NOT NULL REFERENCES users (id),
	date            TEXT NOT NULL DEFAULT '',
	people          TEXT NOT NULL DEFAULT '[]', -- JSON array of strings
	outcome         TEXT NOT NULL DEFAULT '',
	text            TEXT NOT NULL DEFAULT '',
	feedback        TEXT NOT NULL DEFAULT '',
	recommendations TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (dissent_id, id)
);

-- Which dissent clock notices the scheduler has written: one of each kind
-- per clock, as clock_notices does for escalations.
CREATE TABLE dissent_clock_notices (
	dissent_id INTEGER NOT NULL,
	clock_id   INTEGER NOT NULL,
	kind       TEXT NOT NULL, -- reminder or overdue
	at         TEXT NOT NULL,
	PRIMARY KEY (dissent_id, clock_id, kind),
	FOREIGN KEY (dissent_id, clock_id) REFERENCES dissent_clocks (dissent_id, id)
);

-- +goose StatementBegin
CREATE TRIGGER dissent_entries_no_update BEFORE UPDATE ON dissent_entries
BEGIN
	SELECT RAISE(ABORT, 'dissent entries are never edited');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dissent_entries_no_delete BEFORE DELETE ON dissent_entries
BEGIN
	SELECT RAISE(ABORT, 'dissent entries are never deleted');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER dissent_entries_no_delete;
DROP TRIGGER dissent_entries_no_update;
DROP TABLE dissent_clock_notices;
DROP TABLE dissent_entries;
DROP TABLE dissent_clocks;
DROP TABLE dissents;
DROP TABLE dissent_refs;
