-- Retention and legal hold (doc/privacy.md): each partnership's period per
-- class of data, the legal holds that stop erasure, and the log of what the
-- retention job erased or kept under a hold. Same conventions as 00001:
-- instants are fixed-width UTC text. postgres/00027_retention.sql says the
-- same for PostgreSQL.

-- +goose Up
-- A partnership's own period for a class; no row: the default
-- (escalate.DefaultRetentionDays).
CREATE TABLE retention_periods (
	partnership_id INTEGER NOT NULL REFERENCES partnerships (id),
	class          TEXT NOT NULL,
	days           INTEGER NOT NULL CHECK (days > 0),
	updated_by     TEXT NOT NULL, -- the audit actor who set it
	updated        TEXT NOT NULL,
	PRIMARY KEY (partnership_id, class)
);

-- A hold on one escalation, or on the whole partnership when escalation_id
-- is NULL. Lifting keeps the row.
CREATE TABLE legal_holds (
	id             INTEGER PRIMARY KEY,
	partnership_id INTEGER NOT NULL REFERENCES partnerships (id),
	escalation_id  INTEGER REFERENCES escalations (id),
	reason         TEXT NOT NULL,
	placed_by      TEXT NOT NULL,
	placed         TEXT NOT NULL,
	lifted_by      TEXT,
	lifted         TEXT,
	lift_reason    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX legal_holds_partnership ON legal_holds (partnership_id, escalation_id) WHERE lifted IS NULL;

-- What the retention job erased, or kept because a hold stood: the report
-- of what went and when.
CREATE TABLE retention_log (
	id             INTEGER PRIMARY KEY,
	at             TEXT NOT NULL,
	partnership_id INTEGER REFERENCES partnerships (id),
	class          TEXT NOT NULL,
	object         TEXT NOT NULL,
	count          INTEGER NOT NULL,
	ended          TEXT NOT NULL,
	held           BOOLEAN NOT NULL,
	hold_id        INTEGER REFERENCES legal_holds (id)
);
CREATE INDEX retention_log_at ON retention_log (partnership_id, at);

-- Closed escalations by when they closed, for the retention job.
CREATE INDEX escalations_closed ON escalations (partnership_id, outcome_at) WHERE status <> 'open' AND erased IS NULL;

-- +goose Down
DROP INDEX escalations_closed;
DROP TABLE retention_log;
DROP TABLE legal_holds;
DROP TABLE retention_periods;
