-- The contacts directory: the people a policy's roles are reached through,
-- by agency. postgres/00005_contacts.sql says the same for PostgreSQL.

-- +goose Up
CREATE TABLE contacts (
	id             INTEGER PRIMARY KEY,
	partnership_id INTEGER NOT NULL REFERENCES partnerships (id),
	agency_id      INTEGER NOT NULL,
	role           TEXT NOT NULL, -- an escalate.Role the policy knows
	name           TEXT NOT NULL,
	job_title      TEXT NOT NULL,
	phone          TEXT NOT NULL,
	email          TEXT NOT NULL,
	last_verified  TEXT NOT NULL, -- YYYY-MM-DD
	created        TEXT NOT NULL,
	FOREIGN KEY (agency_id, partnership_id) REFERENCES agencies (id, partnership_id)
);
CREATE INDEX contacts_role ON contacts (partnership_id, role);

-- +goose Down
DROP TABLE contacts;
