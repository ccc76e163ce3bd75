-- What audit verify checks is stored (doc/audit.md, "Rows deleted
-- outright"): audit_events_made finds the events that create recognitions
-- of good practice, accounts, agencies, partnerships and directory
-- contacts, as audit_events_creations (migration 00025) does for cases,
-- dissents, learning items and proformas, so the replay finds a row
-- deleted outright without reading the whole log, and an account, agency
-- or partnership stored with no event that added it.
-- postgres/00044_audit_made.sql says the same.

-- +goose Up
CREATE INDEX audit_events_made ON audit_events (action, object)
	WHERE action IN ('good-practice.record', 'user.add', 'agency.add', 'partnership.add', 'contact.add');

-- +goose Down
DROP INDEX audit_events_made;
