-- Escalations: the cases, their clocks and records, the per-year reference
-- counter and the notification outbox. Same conventions as 00001: instants are
-- fixed-width UTC text (2006-01-02T15:04:05.000000Z), dates YYYY-MM-DD text.
-- postgres/00002_escalations.sql says the same for PostgreSQL.
-- doc/storage.md lists which query each index serves.

-- +goose Up

-- The last reference number given per partnership and year, so a reference
-- is allocated by one row update inside the raising transaction.
CREATE TABLE escalation_refs (
	partnership_id INTEGER NOT NULL REFERENCES partnerships (id),
	year           INTEGER NOT NULL,
	n              INTEGER NOT NULL,
	PRIMARY KEY (partnership_id, year)
);

CREATE TABLE escalations (
	id                   INTEGER PRIMARY KEY,
	ref                  TEXT NOT NULL UNIQUE, -- e.g. REDBRIDGE-2026-0042
	partnership_id       INTEGER NOT NULL REFERENCES partnerships (id),
	policy_version_id    INTEGER NOT NULL REFERENCES policy_versions (id), -- pinned for life
	raised_by            INTEGER NOT NULL REFERENCES users (id),
	raised_role          TEXT NOT NULL,
	raising_agency_id    INTEGER NOT NULL REFERENCES agencies (id),
	receiving_agency_id  INTEGER NOT NULL REFERENCES agencies (id),
	receiving_contact    TEXT NOT NULL,
	decision             TEXT NOT NULL,
	decision_date        TEXT NOT NULL, -- YYYY-MM-DD
	child_ref            TEXT NOT NULL, -- the raising agency's reference only
	child_initials       TEXT NOT NULL,
	categories           TEXT NOT NULL, -- JSON array of policy category keys
	issue                TEXT NOT NULL,
	risk                 TEXT NOT NULL,
	disagreement         TEXT NOT NULL,
	outcome_sought       TEXT NOT NULL,
	risk_level           TEXT NOT NULL,
	stage                INTEGER NOT NULL, -- index into the pinned policy's stages
	status               TEXT NOT NULL,
	outcome_kind         TEXT,             -- NULL until an outcome is agreed or the case closes
	outcome_text         TEXT NOT NULL DEFAULT '',
	outcome_outstanding  TEXT NOT NULL DEFAULT '',
	outcome_redirect_to  TEXT NOT NULL DEFAULT '',
	outcome_reason       TEXT NOT NULL DEFAULT '',
	outcome_at           TEXT,
	outcome_by           INTEGER REFERENCES users (id),
	outcome_confirmed_at TEXT,
	immediate_action     TEXT,             -- NULL unless an immediate-risk action was recorded
	immediate_at         TEXT,
	immediate_by         INTEGER REFERENCES users (id),
	version              INTEGER NOT NULL,
	created              TEXT NOT NULL,
	updated              TEXT NOT NULL,
	next_due             TEXT              -- the soonest running clock's due; NULL when none runs
);
-- A person's open escalations by next deadline, raised or received.
CREATE INDEX escalations_raised_due ON escalations (raised_by, status, next_due);
CREATE INDEX escalations_receiving_due ON escalations (receiving_agency_id, status, next_due);
CREATE INDEX escalations_raising_due ON escalations (raising_agency_id, status, next_due);
-- Oversight: a partnership's escalations, and its open ones for recompute.
CREATE INDEX escalations_partnership ON escalations (partnership_id, status, next_due);

CREATE TABLE clocks (
	escalation_id    INTEGER NOT NULL REFERENCES escalations (id),
	id               INTEGER NOT NULL, -- 1..n within the escalation
	stage            TEXT NOT NULL,    -- the stage key
	key              TEXT NOT NULL,
	action           TEXT NOT NULL,
	by_side          TEXT NOT NULL,    -- raising or receiving
	within           TEXT NOT NULL,
	start_at         TEXT NOT NULL,
	due_at           TEXT NOT NULL,    -- the start when immediate: due at once
	immediate        BOOLEAN NOT NULL,
	explanation      TEXT NOT NULL,
	status           TEXT NOT NULL,    -- running, met or stopped
	met_at           TEXT,
	shortened_reason TEXT NOT NULL DEFAULT '',
	recomputed       INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (escalation_id, id)
);
-- Every overdue running clock: a range scan of the running ones by due.
CREATE INDEX clocks_running_due ON clocks (due_at) WHERE status = 'running';

-- Records are never edited: the only update allowed sets the approval once.
CREATE TABLE records (
	escalation_id INTEGER NOT NULL REFERENCES escalations (id),
	id            INTEGER NOT NULL, -- 1..n within the escalation
	stage         TEXT NOT NULL,
	at            TEXT NOT NULL,
	form          TEXT NOT NULL,
	participants  TEXT NOT NULL, -- JSON array of strings
	discussion    TEXT NOT NULL,
	outcome       TEXT NOT NULL,
	corrects      INTEGER,       -- the record this one corrects
	by_user       INTEGER NOT NULL REFERENCES users (id),
	created       TEXT NOT NULL,
	approved_by   INTEGER REFERENCES users (id),
	approved_at   TEXT,
	PRIMARY KEY (escalation_id, id),
	FOREIGN KEY (escalation_id, corrects) REFERENCES records (escalation_id, id)
);

-- Users named to deal with an escalation (e.g. the receiving practitioner),
-- who are parties for need-to-know before they have added a record.
CREATE TABLE escalation_parties (
	escalation_id INTEGER NOT NULL REFERENCES escalations (id),
	user_id       INTEGER NOT NULL REFERENCES users (id),
	added_by      INTEGER NOT NULL REFERENCES users (id),
	added         TEXT NOT NULL,
	PRIMARY KEY (escalation_id, user_id)
);
-- What a user is involved in, for their list (involvingQuery in access.go):
-- each covers the escalation_id it is read for, so a person's history is
-- walked in the index alone; outcome_by and immediate_by are mostly NULL.
CREATE INDEX escalation_parties_user ON escalation_parties (user_id, escalation_id);
CREATE INDEX records_by_user ON records (by_user, escalation_id);
CREATE INDEX records_approved_by ON records (approved_by, escalation_id) WHERE approved_by IS NOT NULL;
CREATE INDEX escalations_outcome_by ON escalations (outcome_by) WHERE outcome_by IS NOT NULL;
CREATE INDEX escalations_immediate_by ON escalations (immediate_by) WHERE immediate_by IS NOT NULL;
-- Which of those cases are open, without reading their rows.
CREATE INDEX escalations_open ON escalations (id, partnership_id) WHERE status = 'open';

-- Notifications to send, written in the transaction of the change that causes
-- them. Payloads hold the reference, the action and deadlines: no child data.
CREATE TABLE outbox (
	id              INTEGER PRIMARY KEY,
	created         TEXT NOT NULL,
	kind            TEXT NOT NULL, -- the domain event's action
	escalation_id   INTEGER REFERENCES escalations (id), -- NULL for an immediate action before a raise
	recipient_role  TEXT NOT NULL DEFAULT '',  -- a role at recipient_agency_id, or partnership-wide when NULL
	recipient_agency_id INTEGER REFERENCES agencies (id),
	recipient_user  INTEGER REFERENCES users (id),
	subject_key     TEXT NOT NULL, -- names the message template
	payload         TEXT NOT NULL, -- JSON
	status          TEXT NOT NULL DEFAULT 'pending', -- pending, sent or failed
	attempts        INTEGER NOT NULL DEFAULT 0,
	next_attempt_at TEXT NOT NULL,
	claimed_by      TEXT,
	sent_at         TEXT
);
CREATE INDEX outbox_pending ON outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX outbox_escalation ON outbox (escalation_id);

-- One escalation's timeline: its audit events by object, in order.
CREATE INDEX audit_events_object ON audit_events (object, seq);

-- +goose StatementBegin
CREATE TRIGGER records_approve_only BEFORE UPDATE ON records
WHEN OLD.approved_by IS NOT NULL
	OR NEW.escalation_id IS NOT OLD.escalation_id OR NEW.id IS NOT OLD.id
	OR NEW.stage IS NOT OLD.stage OR NEW.at IS NOT OLD.at OR NEW.form IS NOT OLD.form
	OR NEW.participants IS NOT OLD.participants OR NEW.discussion IS NOT OLD.discussion
	OR NEW.outcome IS NOT OLD.outcome OR NEW.corrects IS NOT OLD.corrects
	OR NEW.by_user IS NOT OLD.by_user OR NEW.created IS NOT OLD.created
BEGIN
	SELECT RAISE(ABORT, 'records are never edited, only approved once');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER records_approve_only;
DROP INDEX audit_events_object;
DROP TABLE outbox;
DROP TABLE escalation_parties;
DROP TABLE records;
DROP TABLE clocks;
DROP TABLE escalations;
DROP TABLE escalation_refs;
