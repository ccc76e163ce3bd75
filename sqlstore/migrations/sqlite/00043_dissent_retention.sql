-- Retention of Child Protection Conference dissents (doc/privacy.md): a
-- closed dissent is erased under the retention schedule like a closed
-- escalation. dissents.erased marks when; its free text goes, the
-- de-identified row stays for the board's counts, and its entries may then
-- be deleted (and only then). postgres/00043_dissent_retention.sql says the
-- same for PostgreSQL.

-- +goose Up
ALTER TABLE dissents ADD COLUMN erased TEXT; -- when retention erased it; NULL until then
DROP TRIGGER dissent_entries_no_delete;
-- +goose StatementBegin
CREATE TRIGGER dissent_entries_no_delete BEFORE DELETE ON dissent_entries
WHEN (SELECT erased FROM dissents WHERE id = OLD.dissent_id) IS NULL
BEGIN
	SELECT RAISE(ABORT, 'dissent entries are never deleted');
END;
-- +goose StatementEnd
-- Closed dissents by when they closed, for the retention job.
CREATE INDEX dissents_closed ON dissents (partnership_id, updated) WHERE step = 'closed' AND erased IS NULL;

-- +goose Down
DROP INDEX dissents_closed;
DROP TRIGGER dissent_entries_no_delete;
-- +goose StatementBegin
CREATE TRIGGER dissent_entries_no_delete BEFORE DELETE ON dissent_entries
BEGIN
	SELECT RAISE(ABORT, 'dissent entries are never deleted');
END;
-- +goose StatementEnd
ALTER TABLE dissents DROP COLUMN erased;
