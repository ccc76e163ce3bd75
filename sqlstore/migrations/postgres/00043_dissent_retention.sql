-- Retention of Child Protection Conference dissents (doc/privacy.md): a
-- closed dissent is erased under the retention schedule like a closed
-- escalation. dissents.erased marks when; its free text goes, the
-- de-identified row stays for the board's counts, and its entries may then
-- be deleted (and only then). sqlite/00043_dissent_retention.sql says the
-- same for SQLite.

-- +goose Up
ALTER TABLE dissents ADD COLUMN erased timestamptz; -- when retention erased it; NULL until then
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION dissent_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' AND (SELECT erased FROM dissents WHERE id = OLD.dissent_id) IS NOT NULL THEN
		RETURN OLD;
	END IF;
	RAISE EXCEPTION 'dissent entries are never edited or deleted';
END
$$;
-- +goose StatementEnd
-- Closed dissents by when they closed, for the retention job.
CREATE INDEX dissents_closed ON dissents (partnership_id, updated) WHERE step = 'closed' AND erased IS NULL;

-- +goose Down
DROP INDEX dissents_closed;
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION dissent_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'dissent entries are never edited or deleted';
END
$$;
-- +goose StatementEnd
ALTER TABLE dissents DROP COLUMN erased;
