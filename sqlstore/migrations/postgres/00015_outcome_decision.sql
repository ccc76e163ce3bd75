-- What an agreed outcome, determination or recommendations did to the
-- decision disagreed about: 'changed', 'upheld', or '' where not recorded
-- (outcomes recorded before the question was asked, redirects, withdrawals).
-- The board report's outcomes section counts it (doc/reports.md).

-- +goose Up
ALTER TABLE escalations ADD COLUMN outcome_decision TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE escalations DROP COLUMN outcome_decision;
