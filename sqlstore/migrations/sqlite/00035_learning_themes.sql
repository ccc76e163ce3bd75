-- The learning themes a partnership's Business Manager keeps (doc/learning.md).
-- postgres/00035_learning_themes.sql says the same for PostgreSQL.

-- +goose Up
-- A learning item's theme is chosen from this list, so the board report
-- counts "Thresholds" and "thresholds" as one. name_key is the name in
-- lower case: two themes of a partnership may not differ only by case.
CREATE TABLE learning_themes (
	id             INTEGER PRIMARY KEY,
	partnership_id INTEGER NOT NULL REFERENCES partnerships (id),
	name           TEXT NOT NULL,
	name_key       TEXT NOT NULL,
	created_by     INTEGER NOT NULL REFERENCES users (id),
	created        TEXT NOT NULL,
	UNIQUE (partnership_id, name_key)
);

-- +goose Down
DROP TABLE learning_themes;
