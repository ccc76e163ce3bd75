-- A partnership's escalations by the instant they were raised, for the
-- board's quarterly report (sqlstore/report.go): a quarter is one range of
-- this index, however long the partnership's history.

-- +goose Up
CREATE INDEX escalations_partnership_created ON escalations (partnership_id, created);

-- +goose Down
DROP INDEX escalations_partnership_created;
