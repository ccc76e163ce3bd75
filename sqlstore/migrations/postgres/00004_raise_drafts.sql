-- Half-finished multi-page forms ("raise a disagreement"), kept on the server
-- so that no answer travels in a URL or a hidden field. A draft belongs to one
-- session and goes with it: signing out, a new sign-in or disabling the user
-- deletes the session and so, by cascade, its drafts. Drafts older than a day
-- are deleted as new ones are saved. sqlite/00004_raise_drafts.sql says the
-- same for SQLite.

-- +goose Up
CREATE TABLE raise_drafts (
	session_hash bytea NOT NULL REFERENCES sessions (id_hash) ON DELETE CASCADE,
	form         text NOT NULL, -- which form, e.g. "raise"
	user_id      bigint NOT NULL REFERENCES users (id),
	data         text NOT NULL, -- the answers so far, as JSON
	created      timestamptz NOT NULL,
	updated      timestamptz NOT NULL,
	PRIMARY KEY (session_hash, form)
);
CREATE INDEX raise_drafts_created ON raise_drafts (created);

-- +goose Down
DROP TABLE raise_drafts;
