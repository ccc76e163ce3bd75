-- One audit chain per partnership, and one for the service-wide events
-- (doc/audit.md "One chain per partnership"): chain is the partnership's ID,
-- or 0; chain_seq is the position in that chain (1, 2, 3 … without gaps),
-- the Seq an event's hash covers. seq stays the row's identity, now given
-- by a sequence (no lock: writers to different chains never wait for each
-- other), and audit_content is keyed by it. Every event logged before this
-- migration is in chain 0 with chain_seq = seq, so the chain and its
-- checkpoints verify as before.
-- +goose Up
ALTER TABLE audit_events ADD COLUMN chain bigint NOT NULL DEFAULT 0;
ALTER TABLE audit_events ADD COLUMN chain_seq bigint;
-- The append-only trigger is lifted for the one update that numbers the
-- existing events, and put back at once, in this same transaction.
ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only;
UPDATE audit_events SET chain_seq = seq;
ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only;
ALTER TABLE audit_events ALTER COLUMN chain_seq SET NOT NULL;
CREATE UNIQUE INDEX audit_events_chain ON audit_events (chain, chain_seq);
CREATE SEQUENCE audit_events_seq OWNED BY audit_events.seq;
SELECT setval('audit_events_seq', COALESCE((SELECT MAX(seq) FROM audit_events), 0) + 1, false);
ALTER TABLE audit_events ALTER COLUMN seq SET DEFAULT nextval('audit_events_seq');
-- Each checkpoint signs one chain's tree head.
ALTER TABLE audit_checkpoints ADD COLUMN chain bigint NOT NULL DEFAULT 0;
CREATE INDEX audit_checkpoints_chain ON audit_checkpoints (chain, n);

-- +goose Down
DROP INDEX audit_checkpoints_chain;
ALTER TABLE audit_checkpoints DROP COLUMN chain;
ALTER TABLE audit_events ALTER COLUMN seq DROP DEFAULT;
DROP SEQUENCE audit_events_seq;
DROP INDEX audit_events_chain;
ALTER TABLE audit_events DROP COLUMN chain_seq;
ALTER TABLE audit_events DROP COLUMN chain;
