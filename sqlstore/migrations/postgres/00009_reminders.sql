-- Reminders and overdue prompts: which clock notices have been written, so
-- the scheduler (notify.Scheduler, doc/notifications.md) never writes the
-- same one twice. A notice row goes in the transaction of its outbox rows;
-- the primary key makes a second insert impossible, also between several
-- instances. sqlite/00009_reminders.sql says the same for SQLite.

-- +goose Up
CREATE TABLE clock_notices (
	escalation_id bigint NOT NULL,
	clock_id      integer NOT NULL,
	kind          text NOT NULL, -- reminder or overdue
	at            timestamptz NOT NULL, -- when the scheduler wrote it
	PRIMARY KEY (escalation_id, clock_id, kind),
	FOREIGN KEY (escalation_id, clock_id) REFERENCES clocks (escalation_id, id)
);

-- +goose Down
DROP TABLE clock_notices;
