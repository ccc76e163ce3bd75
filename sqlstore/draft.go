package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/escalate-project/escalate"
)

// Drafts keep what a person has typed and not yet sent on the server, per
// person and form, across sign-ins: the raise journey's answers between
// its pages (so that no answer, such as a child's reference, travels in a
// URL or a hidden field), and any form's fields as they were typed, so a
// session that ends while someone writes a record loses nothing. A draft
// is read only by its user, and deleted when sent, when its user deletes
// it or is disabled, and DraftLifetime after it was last saved.

// DraftLifetime is how long a draft lives after it was last saved.
const DraftLifetime = 7 * 24 * time.Hour

// maxDraft bounds a draft: the raise form's text fields are each at most
// escalate.MaxText characters.
const maxDraft = 256 << 10

// SaveDraft stores data as userID's draft of form, replacing any earlier
// one, and deletes every draft not saved for DraftLifetime.
func (db *DB) SaveDraft(ctx context.Context, userID int64, form string, data []byte) error {
	if len(data) > maxDraft {
		return escalate.Errorf(escalate.EINVALID, "The answers are too long to keep.")
	}
	return db.WithTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM drafts WHERE updated < $1`,
			timeArg(tx.now.Add(-DraftLifetime))); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `
			INSERT INTO drafts (user_id, form, data, created, updated) VALUES ($1, $2, $3, $4, $4)
			ON CONFLICT (user_id, form) DO UPDATE SET data = excluded.data, updated = excluded.updated`,
			userID, form, string(data), timeArg(tx.now))
		return err
	})
}

// Draft returns userID's draft of form and when it was last saved, or nil
// if there is none or it was last saved over DraftLifetime ago.
func (db *DB) Draft(ctx context.Context, userID int64, form string) ([]byte, time.Time, error) {
	var data string
	var saved time.Time
	err := db.db.QueryRowContext(ctx, `SELECT data, updated FROM drafts WHERE user_id = $1 AND form = $2 AND updated >= $3`,
		userID, form, timeArg(db.Now().Add(-DraftLifetime))).Scan(&data, scanTime(&saved))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, time.Time{}, nil
	} else if err != nil {
		return nil, time.Time{}, WrapError(err)
	}
	return []byte(data), saved, nil
}

// DeleteDraft deletes userID's draft of form, if any.
func (db *DB) DeleteDraft(ctx context.Context, userID int64, form string) error {
	_, err := db.db.ExecContext(ctx, `DELETE FROM drafts WHERE user_id = $1 AND form = $2`, userID, form)
	return WrapError(err)
}
