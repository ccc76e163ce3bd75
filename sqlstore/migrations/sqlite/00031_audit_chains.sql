-- One audit chain per partnership, and one for the service-wide events
-- (doc/audit.md "One chain per partnership"): chain is the partnership's ID,
-- or 0; chain_seq is the position in that chain (1, 2, 3 … without gaps),
-- the Seq an event's hash covers. seq stays the row's identity, given by
-- the database, in the order rows were written (audit_content is keyed by
-- it). Every event logged before this migration is in chain 0 with
-- chain_seq = seq, so the chain and its checkpoints verify as before.
-- +goose Up
ALTER TABLE audit_events ADD COLUMN chain INTEGER NOT NULL DEFAULT 0;
ALTER TABLE audit_events ADD COLUMN chain_seq INTEGER;
-- The append-only trigger is lifted for the one update that numbers the
-- existing events, and put back at once, in this same transaction.
DROP TRIGGER audit_events_no_update;
UPDATE audit_events SET chain_seq = seq;
-- +goose StatementBegin
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
	SELECT RAISE(ABORT, 'audit_events is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_events_chain_seq BEFORE INSERT ON audit_events
WHEN NEW.chain_seq IS NULL
BEGIN
	SELECT RAISE(ABORT, 'audit_events.chain_seq is required');
END;
-- +goose StatementEnd
CREATE UNIQUE INDEX audit_events_chain ON audit_events (chain, chain_seq);
-- Each checkpoint signs one chain's tree head.
ALTER TABLE audit_checkpoints ADD COLUMN chain INTEGER NOT NULL DEFAULT 0;
CREATE INDEX audit_checkpoints_chain ON audit_checkpoints (chain, n);

-- +goose Down
DROP INDEX audit_checkpoints_chain;
ALTER TABLE audit_checkpoints DROP COLUMN chain;
DROP INDEX audit_events_chain;
DROP TRIGGER audit_events_chain_seq;
ALTER TABLE audit_events DROP COLUMN chain_seq;
ALTER TABLE audit_events DROP COLUMN chain;
