-- Who has seen what (doc/privacy.md): one person's activity over a period is
-- a range of this index, however long the log. sqlite/00026_audit_by_actor.sql
-- says the same.

-- +goose Up
CREATE INDEX audit_events_actor ON audit_events (actor, at);

-- +goose Down
DROP INDEX audit_events_actor;
