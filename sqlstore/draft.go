package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/escalate-project/escalate"
)

// Drafts keep the answers of a multi-page form between its pages on the
// server, so that no answer (a child's reference, the issue) travels in a
// URL or a hidden field. A draft is keyed by the session token's hash and a
// form name, belongs to the session's user, dies with the session (the
// foreign key cascades), and is deleted a day after it was started.

// DraftLifetime is how long a draft lives after it was started.
const DraftLifetime = 24 * time.Hour

// maxDraft bounds a draft: the raise form's text fields are each at most
// escalate.MaxText characters.
const maxDraft = 256 << 10

// SaveDraft stores data as the draft of form for the session whose cookie
// holds token, replacing any earlier one, and deletes every draft older than
// DraftLifetime.
func (db *DB) SaveDraft(ctx context.Context, token, form string, userID int64, data []byte) error {
	if len(data) > maxDraft {
		return escalate.Errorf(escalate.EINVALID, "The answers are too long to keep.")
	}
	return db.WithTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM raise_drafts WHERE created < $1`,
			timeArg(tx.now.Add(-DraftLifetime))); err != nil {
			return err
		}
		// A draft left by another user of the same session hash cannot
		// happen (the session has one user), but the WHERE keeps a
		// mistake from handing one user's answers to another.
		_, err := tx.ExecContext(ctx, `
			INSERT INTO raise_drafts (session_hash, form, user_id, data, created, updated)
			VALUES ($1, $2, $3, $4, $5, $5)
			ON CONFLICT (session_hash, form) DO UPDATE SET data = excluded.data, updated = excluded.updated
			WHERE raise_drafts.user_id = excluded.user_id`,
			tokenHash(token), form, userID, string(data), timeArg(tx.now))
		return err
	})
}

// Draft returns the session's draft of form, or nil if there is none or it
// is older than DraftLifetime.
func (db *DB) Draft(ctx context.Context, token, form string, userID int64) ([]byte, error) {
	var data string
	err := db.db.QueryRowContext(ctx, `
		SELECT data FROM raise_drafts
		WHERE session_hash = $1 AND form = $2 AND user_id = $3 AND created >= $4`,
		tokenHash(token), form, userID, timeArg(db.Now().Add(-DraftLifetime))).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, WrapError(err)
	}
	return []byte(data), nil
}

// DeleteDraft deletes the session's draft of form, if any.
func (db *DB) DeleteDraft(ctx context.Context, token, form string) error {
	_, err := db.db.ExecContext(ctx, `DELETE FROM raise_drafts WHERE session_hash = $1 AND form = $2`,
		tokenHash(token), form)
	return WrapError(err)
}
