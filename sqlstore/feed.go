package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/escalate-project/escalate"
)

// Personal calendar feeds (doc/notifications.md, "Calendar feed and daily
// digest"). The secret is the feed URL's only credential, so it is stored
// as its SHA-256 alone, like an API token, and a user has at most one live
// feed: making a new link revokes the old one in the same transaction.

// feedSecretBytes is the randomness of a feed secret: 256 bits, twice the
// 128 a URL that must not be guessed needs.
const feedSecretBytes = 32

var errNoFeed = escalate.Errorf(escalate.ENOTFOUND, "Page not found")

// CreateFeed makes a new feed secret for the acting user, revoking any live
// one, and returns it; it cannot be shown again.
func (db *DB) CreateFeed(ctx context.Context) (string, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return "", err
	}
	b := make([]byte, feedSecretBytes)
	rand.Read(b) // never fails: crypto/rand panics rather than return an error
	secret := base64.RawURLEncoding.EncodeToString(b)
	err = db.WithTx(ctx, func(tx *Tx) error {
		u, err := tx.actingUser(actor)
		if err != nil {
			return err
		} else if u.Disabled {
			return escalate.Errorf(escalate.EUNAUTHORIZED, "Sign in to do this.")
		}
		if err := tx.revokeFeed(u.ID); err != nil {
			return err
		}
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO calendar_feeds (user_id, hash, created) VALUES ($1, $2, $3) RETURNING id`,
			u.ID, tokenHash(secret), timeArg(tx.now)).Scan(&id); err != nil {
			return err
		}
		who := fmt.Sprintf("user:%d", u.ID)
		return tx.Audit(who, "calendar-feed.create", who, map[string]any{"feed": id})
	})
	if err != nil {
		return "", WrapError(err)
	}
	return secret, nil
}

// RevokeFeed stops the acting user's live feed at once. With none live it
// changes nothing and is not an error.
func (db *DB) RevokeFeed(ctx context.Context) error {
	actor, err := actorOf(ctx)
	if err != nil {
		return err
	}
	return WrapError(db.WithTx(ctx, func(tx *Tx) error {
		u, err := tx.actingUser(actor)
		if err != nil {
			return err
		}
		return tx.revokeFeed(u.ID)
	}))
}

// revokeFeed revokes user's live feed, if any, and audits it.
func (tx *Tx) revokeFeed(user int64) error {
	var id int64
	err := tx.QueryRowContext(tx.ctx, `SELECT id FROM calendar_feeds WHERE user_id = $1 AND revoked IS NULL`, user).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	} else if err != nil {
		return err
	}
	if _, err := tx.ExecContext(tx.ctx, `UPDATE calendar_feeds SET revoked = $1 WHERE id = $2`, timeArg(tx.now), id); err != nil {
		return err
	}
	who := fmt.Sprintf("user:%d", user)
	return tx.Audit(who, "calendar-feed.revoke", who, map[string]any{"feed": id})
}

// FeedStatus returns the acting user's settings: whether a feed link is
// live and since when, and whether they asked for the daily digest.
func (db *DB) FeedStatus(ctx context.Context) (live bool, created time.Time, digest bool, err error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return false, created, false, err
	}
	err = db.db.QueryRowContext(ctx, `SELECT created FROM calendar_feeds WHERE user_id = $1 AND revoked IS NULL`,
		actor.ID).Scan(scanTime(&created))
	if err == nil {
		live = true
	} else if !errors.Is(err, sql.ErrNoRows) {
		return false, created, false, WrapError(err)
	}
	var n int
	if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM digest_subscribers WHERE user_id = $1`, actor.ID).Scan(&n); err != nil {
		return false, created, false, WrapError(err)
	}
	return live, created, n > 0, nil
}

// SetDigest records whether the acting user wants the daily digest.
func (db *DB) SetDigest(ctx context.Context, on bool) error {
	actor, err := actorOf(ctx)
	if err != nil {
		return err
	}
	return WrapError(db.WithTx(ctx, func(tx *Tx) error {
		u, err := tx.actingUser(actor)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(tx.ctx, `DELETE FROM digest_subscribers WHERE user_id = $1`, u.ID); err != nil || !on {
			return err
		}
		_, err = tx.ExecContext(tx.ctx, `INSERT INTO digest_subscribers (user_id, created) VALUES ($1, $2)`, u.ID, timeArg(tx.now))
		return err
	}))
}

// FeedUser returns the user whose live feed secret this is. An unknown,
// malformed or revoked secret, or a disabled user, is ENOTFOUND: to whoever
// holds the URL the feed simply is not there.
func (db *DB) FeedUser(ctx context.Context, secret string) (*escalate.User, error) {
	if b, err := base64.RawURLEncoding.DecodeString(secret); err != nil || len(b) != feedSecretBytes {
		return nil, errNoFeed
	}
	var userID int64
	err := db.db.QueryRowContext(ctx, `SELECT user_id FROM calendar_feeds WHERE hash = $1 AND revoked IS NULL`,
		tokenHash(secret)).Scan(&userID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoFeed
	} else if err != nil {
		return nil, WrapError(err)
	}
	u, err := findUser(ctx, db.db, `id = $1`, userID)
	if err != nil {
		return nil, WrapError(err)
	} else if u.Disabled {
		return nil, errNoFeed
	}
	return u, nil
}
