package sqlstore

import (
	"bytes"
	"context"
	"testing"

	"github.com/escalate-project/escalate"
)

func TestCalendarFeed(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db, "redbridge")
		ctx := w.as("rprac")
		bg := context.Background()
		wantUser := func(t *testing.T, secret string, id int64) {
			t.Helper()
			u, err := db.FeedUser(bg, secret)
			if id == 0 {
				if escalate.ErrorCode(err) != escalate.ENOTFOUND {
					t.Errorf("FeedUser: got %v, %v; want ENOTFOUND", u, err)
				}
				return
			}
			if err != nil || u.ID != id {
				t.Fatalf("FeedUser: got %v, %v; want user %d", u, err, id)
			}
		}
		if live, _, _, err := db.FeedStatus(ctx); err != nil || live {
			t.Fatalf("FeedStatus before: %v, %v", live, err)
		}
		first, err := db.CreateFeed(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(first) != 43 {
			t.Errorf("secret is %d characters, want 43 (256 bits)", len(first))
		}
		wantUser(t, first, w.users["rprac"].ID)
		if live, created, _, err := db.FeedStatus(ctx); err != nil || !live || created.IsZero() {
			t.Fatalf("FeedStatus after create: %v, %v, %v", live, created, err)
		}

		t.Run("StoredHashedAndNotAudited", func(t *testing.T) {
			var stored [][]byte
			rows, err := db.db.Query(`SELECT hash FROM calendar_feeds UNION ALL SELECT content FROM audit_content WHERE content IS NOT NULL`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			for rows.Next() {
				var b []byte
				if err := rows.Scan(&b); err != nil {
					t.Fatal(err)
				}
				stored = append(stored, b)
			}
			for _, b := range stored {
				if bytes.Contains(b, []byte(first)) {
					t.Errorf("the secret is stored in the clear: %q", b)
				}
			}
			var n int
			if err := db.db.QueryRow(`SELECT COUNT(*) FROM audit_events WHERE action = 'calendar-feed.create'`).Scan(&n); err != nil || n != 1 {
				t.Errorf("create audit events: %d, %v; want 1", n, err)
			}
		})

		second, err := db.CreateFeed(ctx)
		if err != nil {
			t.Fatal(err)
		}
		t.Run("NewLinkRevokesOld", func(t *testing.T) {
			wantUser(t, first, 0)
			wantUser(t, second, w.users["rprac"].ID)
		})
		t.Run("Revoke", func(t *testing.T) {
			if err := db.RevokeFeed(ctx); err != nil {
				t.Fatal(err)
			}
			wantUser(t, second, 0)
			if live, _, _, _ := db.FeedStatus(ctx); live {
				t.Error("still live after revoke")
			}
			if err := db.RevokeFeed(ctx); err != nil {
				t.Errorf("revoking with none live: %v", err)
			}
			var n int
			if err := db.db.QueryRow(`SELECT COUNT(*) FROM audit_events WHERE action = 'calendar-feed.revoke'`).Scan(&n); err != nil || n != 2 {
				t.Errorf("revoke audit events: %d, %v; want 2 (by the new link, then by revoking)", n, err)
			}
		})
		t.Run("Unknown", func(t *testing.T) {
			for _, s := range []string{"", "x", first + "A", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "../../etc/passwd"} {
				wantUser(t, s, 0)
			}
		})
		t.Run("Disabled", func(t *testing.T) {
			s, err := db.CreateFeed(w.as("stranger"))
			if err != nil {
				t.Fatal(err)
			}
			wantUser(t, s, w.users["stranger"].ID)
			if err := db.DisableUser(bg, w.users["stranger"].ID); err != nil {
				t.Fatal(err)
			}
			wantUser(t, s, 0)
		})
		t.Run("Digest", func(t *testing.T) {
			for _, on := range []bool{true, true, false, true} {
				if err := db.SetDigest(ctx, on); err != nil {
					t.Fatal(err)
				}
				if _, _, got, err := db.FeedStatus(ctx); err != nil || got != on {
					t.Errorf("after SetDigest(%v): %v, %v", on, got, err)
				}
			}
		})
		t.Run("SignedOut", func(t *testing.T) {
			if _, err := db.CreateFeed(bg); escalate.ErrorCode(err) != escalate.EUNAUTHORIZED {
				t.Errorf("CreateFeed signed out: %v", err)
			}
		})
	})
}
