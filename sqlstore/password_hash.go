package sqlstore

import (
	"context"

	"github.com/escalate-project/escalate"
)

// SetPasswordHash stores hash, made by HashPassword, as the password of
// userID, as SetPassword does. It lets a seeder that gives many accounts one
// password hash it once: argon2id is slow on purpose.
func (db *DB) SetPasswordHash(ctx context.Context, userID int64, hash string) error {
	if _, err := ParsePasswordHash(hash); err != nil {
		return escalate.Errorf(escalate.EINVALID, "not a password hash made by HashPassword")
	}
	return db.WithTx(ctx, func(tx *Tx) error {
		if _, err := findUser(ctx, tx, `id = $1`, userID); err != nil {
			return err
		}
		return tx.setPassword(userID, hash, "password.set")
	})
}
