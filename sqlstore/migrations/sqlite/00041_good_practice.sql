-- Recognising another agency's good practice (doc/learning.md, "Good
-- practice"): what a professional recorded that another agency did well.
-- It names no child. The board report counts them by agency recognised.
-- postgres/00041_good_practice.sql says the same.

-- +goose Up
CREATE TABLE good_practice (
	id             INTEGER PRIMARY KEY,
	partnership_id INTEGER NOT NULL REFERENCES partnerships (id),
	recorded_by    INTEGER NOT NULL REFERENCES users (id),
	from_agency_id INTEGER NOT NULL REFERENCES agencies (id), -- the recorder's agency
	agency_id      INTEGER NOT NULL REFERENCES agencies (id), -- the agency recognised
	what           TEXT NOT NULL,
	difference     TEXT NOT NULL DEFAULT '',
	at             TEXT NOT NULL
);
-- A partnership's recognitions, newest first, and the quarterly counts.
CREATE INDEX good_practice_partnership ON good_practice (partnership_id, at);

-- +goose Down
DROP INDEX good_practice_partnership;
DROP TABLE good_practice;
