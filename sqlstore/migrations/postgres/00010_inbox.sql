-- In-app notifications (doc/notifications.md "In-app notifications"). Every
-- outbox row is also a notification in the app for the users its recipient
-- stands for; a user's read state is one marker: every row with an id up to
-- read_upto is read. Three indexes serve the three ways a row names its
-- recipient, each scanned from the marker up, so the unread count costs what
-- is unread, not what is stored. sqlite/00010_inbox.sql says the same.

-- +goose Up
CREATE TABLE notification_reads (
	user_id   bigint PRIMARY KEY REFERENCES users (id),
	read_upto bigint NOT NULL
);
CREATE INDEX outbox_user ON outbox (recipient_user, id) WHERE recipient_user IS NOT NULL;
CREATE INDEX outbox_agency_role ON outbox (recipient_agency_id, id) WHERE recipient_user IS NULL AND recipient_agency_id IS NOT NULL;
CREATE INDEX outbox_partnership_role ON outbox (recipient_role, id) WHERE recipient_user IS NULL AND recipient_agency_id IS NULL;

-- +goose Down
DROP INDEX outbox_partnership_role;
DROP INDEX outbox_agency_role;
DROP INDEX outbox_user;
DROP TABLE notification_reads;
