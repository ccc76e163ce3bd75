package sqlstore

import (
	"context"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
)

// TestDrafts keeps a draft per person and form across sign-ins, hides it
// from another user, and deletes it on request, when the user is disabled,
// and a week after it was last saved.
func TestDrafts(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		f := newSessFixture(t, db)
		u := f.user(t, "draft.user@example.org", "a long enough passphrase")
		other := f.user(t, "other.user@example.org", "")
		load := func(userID int64, form string) string {
			t.Helper()
			b, _, err := db.Draft(ctx, userID, form)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
		t.Run("OK", func(t *testing.T) {
			if got := load(u.ID, "raise"); got != "" {
				t.Fatalf("a new user has draft %q", got)
			}
			for _, v := range []string{`{"a":1}`, `{"a":2}`} {
				if err := db.SaveDraft(ctx, u.ID, "raise", []byte(v)); err != nil {
					t.Fatal(err)
				}
				if got := load(u.ID, "raise"); got != v {
					t.Errorf("draft %q, want %q", got, v)
				}
			}
			if _, saved, _ := db.Draft(ctx, u.ID, "raise"); !saved.Equal(f.clock.now()) {
				t.Errorf("saved at %v, want the store's now %v", saved, f.clock.now())
			}
			if err := db.SaveDraft(ctx, u.ID, "/escalations/X-1/record", []byte(`{"discussion":["x"]}`)); err != nil {
				t.Fatal(err)
			}
			if got := load(other.ID, "raise"); got != "" {
				t.Errorf("another user read the draft %q", got)
			}
			if got := load(u.ID, "raise"); got != `{"a":2}` {
				t.Errorf("a second form's draft changed the first: %q", got)
			}
			if err := db.DeleteDraft(ctx, u.ID, "raise"); err != nil {
				t.Fatal(err)
			}
			if got := load(u.ID, "raise"); got != "" {
				t.Errorf("deleted draft still reads %q", got)
			}
			if got := load(u.ID, "/escalations/X-1/record"); got == "" {
				t.Errorf("deleting one draft deleted another")
			}
		})
		t.Run("ErrTooLong", func(t *testing.T) {
			wantCode(t, db.SaveDraft(ctx, u.ID, "raise", make([]byte, maxDraft+1)), "invalid")
		})
		t.Run("AcrossSignIns", func(t *testing.T) {
			token, _, err := f.s.SignIn(ctx, "draft.user@example.org", "a long enough passphrase", "192.0.2.1", "")
			if err != nil {
				t.Fatal(err)
			}
			if err := db.SaveDraft(ctx, u.ID, "raise", []byte(`{"kept":1}`)); err != nil {
				t.Fatal(err)
			}
			if err := f.s.SignOut(ctx, token); err != nil {
				t.Fatal(err)
			}
			if _, _, err := f.s.SignIn(ctx, "draft.user@example.org", "a long enough passphrase", "192.0.2.1", ""); err != nil {
				t.Fatal(err)
			}
			if got := load(u.ID, "raise"); got != `{"kept":1}` {
				t.Errorf("after signing out and in: %q", got)
			}
		})
		t.Run("SessionEnded", func(t *testing.T) {
			token, _, err := f.s.SignIn(ctx, "draft.user@example.org", "a long enough passphrase", "192.0.2.1", "")
			if err != nil {
				t.Fatal(err)
			}
			f.clock.add(f.s.idle() + time.Minute)
			_, _, err = f.s.User(ctx, token)
			ended, ok := err.(*escalate.SessionEnded)
			if !ok || ended.UserID != u.ID || !ended.Idle || escalate.ErrorCode(err) != escalate.EUNAUTHORIZED {
				t.Fatalf("a timed-out session: %v", err)
			}
			if _, _, err = f.s.User(ctx, token); escalate.ErrorCode(err) != escalate.EUNAUTHORIZED {
				t.Fatalf("the ended session again: %v", err)
			}
			if _, ok := err.(*escalate.SessionEnded); ok {
				t.Errorf("an ended session names its user twice")
			}
		})
		t.Run("AfterAWeek", func(t *testing.T) {
			if err := db.SaveDraft(ctx, u.ID, "raise", []byte(`{}`)); err != nil {
				t.Fatal(err)
			}
			f.clock.add(DraftLifetime + time.Minute)
			if got := load(u.ID, "raise"); got != "" {
				t.Errorf("a draft over a week old reads %q", got)
			}
			// Any save purges old drafts, including other users'.
			if err := db.SaveDraft(ctx, other.ID, "raise", []byte(`{"b":1}`)); err != nil {
				t.Fatal(err)
			}
			if n := countRows(t, db, "drafts"); n != 1 {
				t.Errorf("%d drafts stored, want only the new one", n)
			}
		})
		t.Run("GoesWithTheUser", func(t *testing.T) {
			if err := db.DisableUser(ctx, other.ID); err != nil {
				t.Fatal(err)
			}
			if n := countRows(t, db, "drafts"); n != 0 {
				t.Errorf("%d drafts outlive their user's access", n)
			}
		})
	})
}
