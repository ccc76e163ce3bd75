-- Replaying the audit log against the stored record (doc/audit.md):
-- escalations.erased marks a case erased under the retention schedule,
-- whose personal data is gone and whose row stays, de-identified, for the
-- board's counts; audit_events_creations finds the event that created each
-- object, so verify finds a case, dissent, learning item or proforma whose
-- row was deleted outright. postgres/00025_audit_replay.sql says the same.

-- +goose Up
ALTER TABLE escalations ADD COLUMN erased TEXT; -- when retention erased it; NULL until then
-- (and the retention job finds deleted contacts and disabled accounts by it)
CREATE INDEX audit_events_creations ON audit_events (action, object)
	WHERE action IN ('escalation.raise', 'dissent.record', 'learning.item.create', 'proforma.create', 'contact.delete', 'user.disable');
-- The replay reads each case's events but its views, which change nothing
-- and are most of them: this index finds them without visiting the views.
CREATE INDEX audit_events_state ON audit_events (object, seq)
	WHERE action NOT IN ('escalation.view', 'dissent.view', 'learning.item.view', 'proforma.view');

-- +goose Down
DROP INDEX audit_events_state;
DROP INDEX audit_events_creations;
ALTER TABLE escalations DROP COLUMN erased;
