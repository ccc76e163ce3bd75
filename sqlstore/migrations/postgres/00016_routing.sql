-- Routing (doc/lifecycle.md "Routing"): each agency's escalation contacts,
-- people named to deal with a case (who can now be removed), the chair
-- appointed for a meeting, what a record's discussion came to, the meeting's
-- report, and routing's output per escalation: everyone tied to it and whose
-- turn it is, for My work and lists. A partnership's people generation goes
-- up with every change of its people, agencies or contacts (triggers), so a
-- cached directory and the stored routing know when they are stale.
-- sqlite/00016_routing.sql says the same for SQLite.

-- +goose Up
CREATE TABLE agency_contacts (
	agency_id bigint NOT NULL REFERENCES agencies (id),
	user_id   bigint NOT NULL REFERENCES users (id),
	added     timestamptz NOT NULL,
	added_by  bigint REFERENCES users (id), -- NULL: the command line or the demo
	PRIMARY KEY (agency_id, user_id)
);
CREATE INDEX agency_contacts_user ON agency_contacts (user_id);

ALTER TABLE escalation_parties ADD COLUMN removed timestamptz;
ALTER TABLE escalation_parties ADD COLUMN removed_by bigint REFERENCES users (id);

CREATE TABLE escalation_meeting_chairs (
	escalation_id bigint NOT NULL REFERENCES escalations (id),
	stage         text NOT NULL,
	user_id       bigint NOT NULL REFERENCES users (id),
	appointed     timestamptz NOT NULL,
	appointed_by  bigint NOT NULL REFERENCES users (id),
	PRIMARY KEY (escalation_id, stage)
);

ALTER TABLE records ADD COLUMN result text NOT NULL DEFAULT '';
ALTER TABLE escalations ADD COLUMN outcome_report text NOT NULL DEFAULT '';

CREATE TABLE escalation_people (
	escalation_id bigint NOT NULL REFERENCES escalations (id),
	user_id       bigint NOT NULL REFERENCES users (id),
	turn          boolean NOT NULL, -- a next step names them
	what          text NOT NULL,    -- the first step that names them, or ''
	due_at        timestamptz,      -- its deadline; NULL for none
	immediate     boolean NOT NULL, -- due at once
	PRIMARY KEY (escalation_id, user_id)
);
-- A person's cases, and whose turn it is, by deadline.
CREATE INDEX escalation_people_user ON escalation_people (user_id, escalation_id);
CREATE INDEX escalation_people_turn ON escalation_people (user_id, due_at) WHERE turn;

ALTER TABLE partnerships ADD COLUMN people_gen bigint NOT NULL DEFAULT 0;
-- The people generation escalation_people was last worked out at; -1: never.
ALTER TABLE partnerships ADD COLUMN routing_gen bigint NOT NULL DEFAULT -1;

-- +goose StatementBegin
CREATE FUNCTION bump_people_gen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_TABLE_NAME = 'agency_contacts' THEN
		UPDATE partnerships SET people_gen = (random() * 9e18)::bigint
		WHERE id = (SELECT partnership_id FROM agencies WHERE id = COALESCE(NEW.agency_id, OLD.agency_id));
	ELSE
		UPDATE partnerships SET people_gen = (random() * 9e18)::bigint WHERE id = NEW.partnership_id;
	END IF;
	RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER users_people_insert AFTER INSERT ON users FOR EACH ROW EXECUTE FUNCTION bump_people_gen();
CREATE TRIGGER users_people_update AFTER UPDATE OF agency_id, name, roles, manager_id, disabled ON users
	FOR EACH ROW EXECUTE FUNCTION bump_people_gen();
CREATE TRIGGER agencies_people_insert AFTER INSERT ON agencies FOR EACH ROW EXECUTE FUNCTION bump_people_gen();
CREATE TRIGGER agencies_people_update AFTER UPDATE OF name, kind ON agencies FOR EACH ROW EXECUTE FUNCTION bump_people_gen();
CREATE TRIGGER agency_contacts_people_insert AFTER INSERT ON agency_contacts FOR EACH ROW EXECUTE FUNCTION bump_people_gen();
CREATE TRIGGER agency_contacts_people_delete AFTER DELETE ON agency_contacts FOR EACH ROW EXECUTE FUNCTION bump_people_gen();

-- +goose Down
DROP TRIGGER agency_contacts_people_delete ON agency_contacts;
DROP TRIGGER agency_contacts_people_insert ON agency_contacts;
DROP TRIGGER agencies_people_update ON agencies;
DROP TRIGGER agencies_people_insert ON agencies;
DROP TRIGGER users_people_update ON users;
DROP TRIGGER users_people_insert ON users;
DROP FUNCTION bump_people_gen();
ALTER TABLE partnerships DROP COLUMN routing_gen;
ALTER TABLE partnerships DROP COLUMN people_gen;
DROP TABLE escalation_people;
ALTER TABLE escalations DROP COLUMN outcome_report;
ALTER TABLE records DROP COLUMN result;
DROP TABLE escalation_meeting_chairs;
ALTER TABLE escalation_parties DROP COLUMN removed_by;
ALTER TABLE escalation_parties DROP COLUMN removed;
DROP TABLE agency_contacts;
