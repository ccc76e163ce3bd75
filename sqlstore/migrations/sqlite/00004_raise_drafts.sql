-- Half-finished multi-page forms ("raise a disagreement"), kept on the server
-- so that no answer travels in a URL or a hidden field. A draft belongs to one
-- session and goes with it: signing out, a new sign-in or disabling the user
-- deletes the session and so, by cascade, its drafts. Drafts older than a day
-- are deleted as new ones are saved. postgres/00004_raise_drafts.sql says the
-- same for PostgreSQL.

-- +goose Up
CREATE TABLE raise_drafts (
	session_hash BLOB NOT NULL REFERENCES sessions (id_hash) ON DELETE CASCADE,
	form         TEXT NOT NULL, -- which form, e.g. "raise"
	user_id      INTEGER NOT NULL REFERENCES users (id),
	data         TEXT NOT NULL, -- the answers so far, as JSON
	created      TEXT NOT NULL,
	updated      TEXT NOT NULL,
	PRIMARY KEY (session_hash, form)
);
CREATE INDEX raise_drafts_created ON raise_drafts (created);

-- +goose Down
DROP TABLE raise_drafts;
