-- Delivering the outbox: a claim is a lease (claimed_until), so the rows of a
-- worker that crashed return to the queue when it lapses; a failure keeps its
-- last error; a row that failed too often is dead until an administrator
-- retries it. message_id is the Message-ID the row was sent with.
-- postgres/00008_outbox_delivery.sql says the same for PostgreSQL.
-- doc/notifications.md describes the protocol.

-- +goose Up
ALTER TABLE outbox ADD COLUMN claimed_until TEXT;
ALTER TABLE outbox ADD COLUMN last_error TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN message_id TEXT;
ALTER TABLE outbox ADD COLUMN dead_at TEXT;
-- The undelivered notifications of a partnership, newest first.
CREATE INDEX outbox_dead ON outbox (dead_at) WHERE status = 'dead';

-- +goose Down
DROP INDEX outbox_dead;
ALTER TABLE outbox DROP COLUMN dead_at;
ALTER TABLE outbox DROP COLUMN message_id;
ALTER TABLE outbox DROP COLUMN last_error;
ALTER TABLE outbox DROP COLUMN claimed_until;
