-- A facilitated conversation before formal escalation (a stage with
-- facilitated: true; Portsmouth's "Re-think"): each record there names the
-- independent facilitator who held it. '' elsewhere, and for records made
-- before this column existed. The other dialect's 00042 says the same.

-- +goose Up
ALTER TABLE records ADD COLUMN facilitator TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE records DROP COLUMN facilitator;
