package sqlstore

import (
	"context"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
)

func TestSetPasswordHash(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := newWorld(t, db, "surrey")
		hash, err := HashPassword("otter-lantern-quartz-fern")
		if err != nil {
			t.Fatal(err)
		}
		t.Run("ErrNotAHash", func(t *testing.T) {
			err := db.SetPasswordHash(ctx, w.users["prac"].ID, "otter-lantern-quartz-fern")
			wantEscErr(t, err, escalate.EINVALID, "")
		})
		t.Run("ErrNoUser", func(t *testing.T) {
			wantEscErr(t, db.SetPasswordHash(ctx, 1<<40, hash), escalate.ENOTFOUND, "")
		})
		t.Run("OK", func(t *testing.T) {
			s := &Sessions{DB: db, Idle: time.Hour, Lifetime: time.Hour}
			for _, name := range []string{"prac", "mgr"} {
				if err := db.SetPasswordHash(ctx, w.users[name].ID, hash); err != nil {
					t.Fatal(err)
				}
				if _, u, err := s.SignIn(ctx, name+"@example.org", "otter-lantern-quartz-fern", "127.0.0.1", ""); err != nil || u.ID != w.users[name].ID {
					t.Fatalf("SignIn as %s: %v", name, err)
				}
			}
			mustVerifyAudit(t, db)
		})
	})
}
