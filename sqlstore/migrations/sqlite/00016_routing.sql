-- Routing (doc/lifecycle.md "Routing"): each agency's escalation contacts,
-- people named to deal with a case (who can now be removed), the chair
-- appointed for a meeting, what a record's discussion came to, the meeting's
-- report, and routing's output per escalation: everyone tied to it and whose
-- turn it is, for My work and lists. A partnership's people generation goes
-- up with every change of its people, agencies or contacts (triggers), so a
-- cached directory and the stored routing know when they are stale.
-- postgres/00016_routing.sql says the same for PostgreSQL.

-- +goose Up
CREATE TABLE agency_contacts (
	agency_id INTEGER NOT NULL REFERENCES agencies (id),
	user_id   INTEGER NOT NULL REFERENCES users (id),
	added     TEXT NOT NULL,
	added_by  INTEGER REFERENCES users (id), -- NULL: the command line or the demo
	PRIMARY KEY (agency_id, user_id)
);
CREATE INDEX agency_contacts_user ON agency_contacts (user_id);

ALTER TABLE escalation_parties ADD COLUMN removed TEXT;
ALTER TABLE escalation_parties ADD COLUMN removed_by INTEGER REFERENCES users (id);

CREATE TABLE escalation_meeting_chairs (
	escalation_id INTEGER NOT NULL REFERENCES escalations (id),
	stage         TEXT NOT NULL,
	user_id       INTEGER NOT NULL REFERENCES users (id),
	appointed     TEXT NOT NULL,
	appointed_by  INTEGER NOT NULL REFERENCES users (id),
	PRIMARY KEY (escalation_id, stage)
);

ALTER TABLE records ADD COLUMN result TEXT NOT NULL DEFAULT '';
ALTER TABLE escalations ADD COLUMN outcome_report TEXT NOT NULL DEFAULT '';

CREATE TABLE escalation_people (
	escalation_id INTEGER NOT NULL REFERENCES escalations (id),
	user_id       INTEGER NOT NULL REFERENCES users (id),
	turn          BOOLEAN NOT NULL, -- a next step names them
	what          TEXT NOT NULL,    -- the first step that names them, or ''
	due_at        TEXT,             -- its deadline; NULL for none
	immediate     BOOLEAN NOT NULL, -- due at once
	PRIMARY KEY (escalation_id, user_id)
);
-- A person's cases, and whose turn it is, by deadline.
CREATE INDEX escalation_people_user ON escalation_people (user_id, escalation_id);
CREATE INDEX escalation_people_turn ON escalation_people (user_id, due_at) WHERE turn;

ALTER TABLE partnerships ADD COLUMN people_gen INTEGER NOT NULL DEFAULT 0;
-- The people generation escalation_people was last worked out at; -1: never.
ALTER TABLE partnerships ADD COLUMN routing_gen INTEGER NOT NULL DEFAULT -1;

-- +goose StatementBegin
CREATE TRIGGER users_people_insert AFTER INSERT ON users BEGIN
	UPDATE partnerships SET people_gen = random() WHERE id = NEW.partnership_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER users_people_update AFTER UPDATE OF agency_id, name, roles, manager_id, disabled ON users BEGIN
	UPDATE partnerships SET people_gen = random() WHERE id = NEW.partnership_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER agencies_people_insert AFTER INSERT ON agencies BEGIN
	UPDATE partnerships SET people_gen = random() WHERE id = NEW.partnership_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER agencies_people_update AFTER UPDATE OF name, kind ON agencies BEGIN
	UPDATE partnerships SET people_gen = random() WHERE id = NEW.partnership_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER agency_contacts_people_insert AFTER INSERT ON agency_contacts BEGIN
	UPDATE partnerships SET people_gen = random()
	WHERE id = (SELECT partnership_id FROM agencies WHERE id = NEW.agency_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER agency_contacts_people_delete AFTER DELETE ON agency_contacts BEGIN
	UPDATE partnerships SET people_gen = random()
	WHERE id = (SELECT partnership_id FROM agencies WHERE id = OLD.agency_id);
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER agency_contacts_people_delete;
DROP TRIGGER agency_contacts_people_insert;
DROP TRIGGER agencies_people_update;
DROP TRIGGER agencies_people_insert;
DROP TRIGGER users_people_update;
DROP TRIGGER users_people_insert;
ALTER TABLE partnerships DROP COLUMN routing_gen;
ALTER TABLE partnerships DROP COLUMN people_gen;
DROP TABLE escalation_people;
ALTER TABLE escalations DROP COLUMN outcome_report;
ALTER TABLE records DROP COLUMN result;
DROP TABLE escalation_meeting_chairs;
ALTER TABLE escalation_parties DROP COLUMN removed_by;
ALTER TABLE escalation_parties DROP COLUMN removed;
DROP TABLE agency_contacts;
