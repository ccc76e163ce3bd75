-- Reminders and overdue prompts: which clock notices have been written, so
-- the scheduler (notify.Scheduler, doc/notifications.md) never writes the
-- same one twice. A notice row goes in the transaction of its outbox rows;
-- the primary key makes a second insert impossible, also between several
-- instances on PostgreSQL. postgres/00009_reminders.sql says the same.

-- +goose Up
CREATE TABLE clock_notices (
	escalation_id INTEGER NOT NULL,
	clock_id      INTEGER NOT NULL,
	kind          TEXT NOT NULL, -- reminder or overdue
	at            TEXT NOT NULL, -- when the scheduler wrote it
	PRIMARY KEY (escalation_id, clock_id, kind),
	FOREIGN KEY (escalation_id, clock_id) REFERENCES clocks (escalation_id, id)
);

-- +goose Down
DROP TABLE clock_notices;
