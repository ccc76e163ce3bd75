-- +goose Up
-- A table a readiness check writes to (and empties in the same
-- transaction) only while the database has lately refused a write for want
-- of disk space: a real write that needs new space is the only way to know
-- the disk takes writes again (sqlstore/ready.go).
CREATE TABLE readiness_probe (
	id     integer PRIMARY KEY,
	at     timestamptz NOT NULL,
	filler bytea NOT NULL
);

-- +goose Down
DROP TABLE readiness_probe;
