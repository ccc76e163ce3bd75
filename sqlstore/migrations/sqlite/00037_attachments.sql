-- Letters, emails and documents attached to an escalation (doc/web.md,
-- "The child's file"). postgres/00037_attachments.sql says the same for
-- PostgreSQL.

-- +goose Up
-- kind is decided from the content (escalate.AttachmentKinds); sha256 is
-- of content, which is kept here so one backup holds the whole record.
-- Lists read every column but content.
CREATE TABLE attachments (
	id            INTEGER PRIMARY KEY,
	escalation_id INTEGER NOT NULL REFERENCES escalations (id),
	name          TEXT NOT NULL,
	kind          TEXT NOT NULL,
	content_type  TEXT NOT NULL,
	size          INTEGER NOT NULL,
	sha256        TEXT NOT NULL,
	description   TEXT NOT NULL,
	uploaded_by   INTEGER NOT NULL REFERENCES users (id),
	uploaded      TEXT NOT NULL,
	content       BLOB NOT NULL
);
CREATE INDEX attachments_escalation ON attachments (escalation_id, id);

-- +goose Down
DROP TABLE attachments;
