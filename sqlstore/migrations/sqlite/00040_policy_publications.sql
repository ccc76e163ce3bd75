-- Changing a policy over a partnership's life (doc/policy-format.md,
-- "Changing a policy"). policy_publications is the version history: each
-- time a policy text was made the one new escalations follow, who did it and
-- when (a text published again is a new row on the same policy_versions
-- row). Rows from before the history was kept come from policy_versions,
-- with no publisher. policy_review_notices makes each review-date reminder
-- to the Business Manager once per partnership, review date and kind (a
-- month before, on the date), whichever scheduler gets there first.
-- postgres/00040_policy_publications.sql says the same.

-- +goose Up
CREATE TABLE policy_publications (
	id                INTEGER PRIMARY KEY,
	partnership_id    INTEGER NOT NULL REFERENCES partnerships (id),
	policy_version_id INTEGER NOT NULL REFERENCES policy_versions (id),
	published_by      INTEGER REFERENCES users (id), -- NULL: the command line, or before the history was kept
	actor             TEXT NOT NULL, -- the audit actor: user:N, cli:..., or '' before the history was kept
	published_at      TEXT NOT NULL
);
CREATE INDEX policy_publications_partnership ON policy_publications (partnership_id, id);
INSERT INTO policy_publications (partnership_id, policy_version_id, actor, published_at)
	SELECT partnership_id, id, '', created FROM policy_versions ORDER BY id;

CREATE TABLE policy_review_notices (
	partnership_id INTEGER NOT NULL REFERENCES partnerships (id),
	review_date    TEXT NOT NULL, -- YYYY-MM-DD, the policy's review_date
	kind           TEXT NOT NULL, -- month-before or due
	at             TEXT NOT NULL, -- when the scheduler wrote it
	PRIMARY KEY (partnership_id, review_date, kind)
);

-- +goose Down
DROP TABLE policy_review_notices;
DROP INDEX policy_publications_partnership;
DROP TABLE policy_publications;
