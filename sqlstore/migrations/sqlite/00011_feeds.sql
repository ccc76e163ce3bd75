-- Personal calendar feeds and the daily digest (doc/notifications.md,
-- "Calendar feed and daily digest"). postgres/00011_feeds.sql says the same
-- for PostgreSQL.

-- +goose Up
-- A feed's secret is in its URL and is never stored, only its SHA-256, like
-- an API token's. A user has at most one live feed: making a new link
-- revokes the old one.
CREATE TABLE calendar_feeds (
	id      INTEGER PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users (id),
	hash    BLOB NOT NULL UNIQUE,
	created TEXT NOT NULL,
	revoked TEXT
);
CREATE UNIQUE INDEX calendar_feeds_live ON calendar_feeds (user_id) WHERE revoked IS NULL;

-- Who asked for the daily digest.
CREATE TABLE digest_subscribers (
	user_id INTEGER PRIMARY KEY REFERENCES users (id),
	created TEXT NOT NULL
);

-- The days each user's digest pass ran: never twice a day, whichever
-- instance gets there first.
CREATE TABLE digest_sent (
	user_id INTEGER NOT NULL REFERENCES users (id),
	date    TEXT NOT NULL, -- YYYY-MM-DD, London
	items   INTEGER NOT NULL,
	PRIMARY KEY (user_id, date)
);

-- +goose Down
DROP TABLE digest_sent;
DROP TABLE digest_subscribers;
DROP TABLE calendar_feeds;
