-- Throttling that never locks the real person out (doc/web.md, "Throttling").
-- postgres/00020_sign_in_throttle.sql says the same for PostgreSQL.

-- +goose Up
-- Failures are now counted per account and client together, and per client.
CREATE INDEX sign_in_failures_pair ON sign_in_failures (account, ip, at);

-- One audit event per throttled key per window, not one per refused request:
-- key is "pair:<account>|<client>" or "client:<client>", window_start when
-- its current window's first refusal was audited, refused how many requests
-- the window has refused so far.
CREATE TABLE sign_in_throttles (
	key          TEXT PRIMARY KEY,
	window_start TEXT NOT NULL,
	refused      INTEGER NOT NULL
);
CREATE INDEX sign_in_throttles_window ON sign_in_throttles (window_start);

-- +goose Down
DROP TABLE sign_in_throttles;
DROP INDEX sign_in_failures_pair;
