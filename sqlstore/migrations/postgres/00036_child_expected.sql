-- An unborn baby has no initials: child_expected holds the month the baby
-- is due as YYYY-MM, and is '' for a child already born (issue 14; the
-- raise journey's child page, doc/web.md).

-- +goose Up
ALTER TABLE escalations ADD COLUMN child_expected text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE escalations DROP COLUMN child_expected;
