package sqlstore

import (
	"context"
	"testing"
	"time"
)

// TestDrafts keeps a draft per session and form, hides it from another user,
// deletes it with the session and after a day.
func TestDrafts(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		f := newSessFixture(t, db)
		u := f.user(t, "draft.user@example.org", "a long enough passphrase")
		other := f.user(t, "other.user@example.org", "")
		token, _, err := f.s.SignIn(ctx, "draft.user@example.org", "a long enough passphrase", "192.0.2.1", "")
		if err != nil {
			t.Fatal(err)
		}
		load := func(userID int64) string {
			t.Helper()
			b, err := db.Draft(ctx, token, "raise", userID)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
		t.Run("OK", func(t *testing.T) {
			if got := load(u.ID); got != "" {
				t.Fatalf("a new session has draft %q", got)
			}
			for _, v := range []string{`{"a":1}`, `{"a":2}`} {
				if err := db.SaveDraft(ctx, token, "raise", u.ID, []byte(v)); err != nil {
					t.Fatal(err)
				}
				if got := load(u.ID); got != v {
					t.Errorf("draft %q, want %q", got, v)
				}
			}
			if got := load(other.ID); got != "" {
				t.Errorf("another user read the draft %q", got)
			}
			if err := db.SaveDraft(ctx, token, "raise", other.ID, []byte(`{"stolen":1}`)); err != nil {
				t.Fatal(err)
			}
			if got := load(u.ID); got != `{"a":2}` {
				t.Errorf("another user overwrote the draft: %q", got)
			}
			if err := db.DeleteDraft(ctx, token, "raise"); err != nil {
				t.Fatal(err)
			}
			if got := load(u.ID); got != "" {
				t.Errorf("deleted draft still reads %q", got)
			}
		})
		t.Run("ErrTooLong", func(t *testing.T) {
			wantCode(t, db.SaveDraft(ctx, token, "raise", u.ID, make([]byte, maxDraft+1)), "invalid")
		})
		t.Run("AfterADay", func(t *testing.T) {
			if err := db.SaveDraft(ctx, token, "raise", u.ID, []byte(`{}`)); err != nil {
				t.Fatal(err)
			}
			f.clock.add(DraftLifetime + time.Minute)
			if got := load(u.ID); got != "" {
				t.Errorf("a draft over a day old reads %q", got)
			}
			if countRows(t, db, "raise_drafts") != 1 {
				t.Fatal("the old draft should still be stored until the next save")
			}
			// Any save purges old drafts, including other sessions'.
			token2, _, err := f.s.SignIn(ctx, "draft.user@example.org", "a long enough passphrase", "192.0.2.1", "")
			if err != nil {
				t.Fatal(err)
			}
			if err := db.SaveDraft(ctx, token2, "raise", u.ID, []byte(`{"b":1}`)); err != nil {
				t.Fatal(err)
			}
			if n := countRows(t, db, "raise_drafts"); n != 1 {
				t.Errorf("%d drafts stored, want only the new one", n)
			}
			token = token2
		})
		t.Run("GoesWithSession", func(t *testing.T) {
			if got := load(u.ID); got != `{"b":1}` {
				t.Fatalf("draft %q", got)
			}
			if err := f.s.SignOut(ctx, token); err != nil {
				t.Fatal(err)
			}
			if n := countRows(t, db, "raise_drafts"); n != 0 {
				t.Errorf("%d drafts outlive their session", n)
			}
		})
	})
}
