-- Proformas, the learning log and pattern flags (doc/learning.md).
-- postgres/00012_learning.sql says the same for PostgreSQL.

-- +goose Up
-- A proforma is written once, in the transaction that resolves an escalation
-- at a stage whose policy says so; body is its de-identified content as JSON
-- (escalate.ProformaBody). Only status and the review move afterwards.
CREATE TABLE proformas (
	id             INTEGER PRIMARY KEY,
	partnership_id INTEGER NOT NULL REFERENCES partnerships (id),
	escalation_id  INTEGER NOT NULL UNIQUE REFERENCES escalations (id),
	stage_key      TEXT NOT NULL,
	body           TEXT NOT NULL,
	status         TEXT NOT NULL CHECK (status IN ('new', 'reviewed')),
	created        TEXT NOT NULL,
	reviewed_by    INTEGER REFERENCES users (id),
	reviewed_at    TEXT,
	version        INTEGER NOT NULL
);
CREATE INDEX proformas_partnership ON proformas (partnership_id, status, created);

-- The partnership's learning log. assigned_role or assigned_subgroup says
-- who owns an item: a post (the chair) or a subgroup by name.
CREATE TABLE learning_items (
	id                INTEGER PRIMARY KEY,
	partnership_id    INTEGER NOT NULL REFERENCES partnerships (id),
	kind              TEXT NOT NULL CHECK (kind IN ('general', 'policy-gap', 'training')),
	description       TEXT NOT NULL,
	assigned_role     TEXT NOT NULL,
	assigned_subgroup TEXT NOT NULL,
	status            TEXT NOT NULL CHECK (status IN ('open', 'in-progress', 'done')),
	action_taken      TEXT NOT NULL,
	theme             TEXT NOT NULL,
	created_by        INTEGER NOT NULL REFERENCES users (id),
	created           TEXT NOT NULL,
	updated           TEXT NOT NULL,
	version           INTEGER NOT NULL
);
CREATE INDEX learning_items_partnership ON learning_items (partnership_id, created);

-- The escalations an item came from: one or several, of its partnership.
CREATE TABLE learning_links (
	item_id       INTEGER NOT NULL REFERENCES learning_items (id),
	escalation_id INTEGER NOT NULL REFERENCES escalations (id),
	linked_by     INTEGER NOT NULL REFERENCES users (id),
	linked        TEXT NOT NULL,
	PRIMARY KEY (item_id, escalation_id)
);
CREATE INDEX learning_links_escalation ON learning_links (escalation_id, item_id);

-- One answer per party to the learning step at closure: whether they
-- debriefed (the items they named are in learning_items).
CREATE TABLE learning_responses (
	escalation_id INTEGER NOT NULL REFERENCES escalations (id),
	user_id       INTEGER NOT NULL REFERENCES users (id),
	debriefed     BOOLEAN NOT NULL,
	items         INTEGER NOT NULL,
	created       TEXT NOT NULL,
	PRIMARY KEY (escalation_id, user_id)
);

-- The Business Manager's pattern threshold; no row: the policy's default.
CREATE TABLE learning_settings (
	partnership_id    INTEGER PRIMARY KEY REFERENCES partnerships (id),
	pattern_threshold INTEGER NOT NULL CHECK (pattern_threshold >= 0),
	updated_by        INTEGER NOT NULL REFERENCES users (id),
	updated           TEXT NOT NULL
);

-- A pattern: the same agency pair (agency_a < agency_b) and category seen
-- at least the threshold's number of times in one London quarter. The
-- unique key makes it once per pair, category and quarter.
CREATE TABLE pattern_flags (
	id             INTEGER PRIMARY KEY,
	partnership_id INTEGER NOT NULL REFERENCES partnerships (id),
	agency_a       INTEGER NOT NULL REFERENCES agencies (id),
	agency_b       INTEGER NOT NULL REFERENCES agencies (id),
	category       TEXT NOT NULL,
	quarter        TEXT NOT NULL, -- e.g. 2026-Q4, London
	count          INTEGER NOT NULL,
	threshold      INTEGER NOT NULL,
	escalation_id  INTEGER NOT NULL REFERENCES escalations (id),
	created        TEXT NOT NULL,
	UNIQUE (partnership_id, agency_a, agency_b, category, quarter)
);

-- The pattern check's one query on raise: an agency pair's escalations in
-- a quarter, either way round.
CREATE INDEX escalations_pair_created ON escalations (raising_agency_id, receiving_agency_id, created);

-- +goose Down
DROP INDEX escalations_pair_created;
DROP TABLE pattern_flags;
DROP TABLE learning_settings;
DROP TABLE learning_responses;
DROP TABLE learning_links;
DROP TABLE learning_items;
DROP TABLE proformas;
