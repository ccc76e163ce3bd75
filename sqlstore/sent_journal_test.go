package sqlstore

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
)

// journalRows enqueues n notifications to one user, the first an account
// link whose payload holds a secret, and returns their ids.
func journalRows(t *testing.T, db *DB, n int) []int64 {
	t.Helper()
	ctx := context.Background()
	p := mustPartnership(t, db, "journal")
	u := mustUser(t, db, mustAgency(t, db, p.ID, "School", "school"), "ann@example.org", 0, escalate.RoleManager)
	ids := make([]int64, n)
	for i := range ids {
		kind, subject, payload := escalate.ActionRaise, "escalation-raised", map[string]any{"ref": "X-1"}
		if i == 0 {
			kind, subject, payload = "account.link", "account-invite", map[string]any{"secret": "s3cret-token"}
		}
		id, err := db.EnqueueOutbox(ctx, kind, 0, escalate.Recipient{User: u.ID}, subject, payload)
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = id
	}
	return ids
}

// outboxState returns row id's status and payload.
func outboxState(t *testing.T, db *DB, id int64) (status, payload string) {
	t.Helper()
	err := db.db.QueryRowContext(context.Background(), `SELECT status, payload FROM outbox WHERE id = $1`, id).
		Scan(&status, &payload)
	if err != nil {
		t.Fatal(err)
	}
	return status, payload
}

// commitMark marks row id sent as the worker does once the server accepts.
func commitMark(t *testing.T, db *DB, id int64) {
	t.Helper()
	m, err := db.PrepareMarkSent(context.Background(), id, "escalate-outbox-1@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Commit(); err != nil {
		t.Fatal(err)
	}
}

// A committed mark is never sent again: after the lease lapses the next
// claim passes over it, whether or not it has reached the outbox yet
// (SQLite's journal), and once folded the row is sent with its secret gone.
func TestSentMarkNotClaimedAgain(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		ids := journalRows(t, db, 3)
		now := testNow.Add(time.Hour)
		got, err := db.ClaimOutbox(ctx, "w1", now, now.Add(escalate.OutboxLease), 10)
		if err != nil || len(got) != 3 {
			t.Fatalf("claim = %d rows, %v; want 3", len(got), err)
		}
		commitMark(t, db, ids[0])
		commitMark(t, db, ids[1])
		later := now.Add(escalate.OutboxLease + time.Second)
		again, err := db.ClaimOutbox(ctx, "w2", later, later.Add(escalate.OutboxLease), 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(again) != 1 || again[0].ID != ids[2] {
			t.Fatalf("after the lease lapsed claimed %+v, want only row %d (not the marked ones)", again, ids[2])
		}
		for _, id := range ids[:2] {
			if status, payload := outboxState(t, db, id); status != "sent" || strings.Contains(payload, "s3cret") {
				t.Errorf("row %d: %s %s, want sent with no secret", id, status, payload)
			}
		}
		if err := db.FoldSentMarks(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

// The worker's fold at the end of a batch puts the journal's marks in the
// outbox (and erases the link's secret) without waiting for a claim.
func TestFoldSentMarks(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		ids := journalRows(t, db, 2)
		now := testNow.Add(time.Hour)
		if _, err := db.ClaimOutbox(ctx, "w1", now, now.Add(escalate.OutboxLease), 10); err != nil {
			t.Fatal(err)
		}
		commitMark(t, db, ids[0])
		if err := db.FoldSentMarks(ctx); err != nil {
			t.Fatal(err)
		}
		if status, payload := outboxState(t, db, ids[0]); status != "sent" || strings.Contains(payload, "s3cret") {
			t.Errorf("after the fold row %d is %s %s, want sent with no secret", ids[0], status, payload)
		}
		if status, _ := outboxState(t, db, ids[1]); status != "pending" {
			t.Errorf("row %d, never accepted, is %s", ids[1], status)
		}
		if db.dialect == SQLite && db.journal.size != 0 {
			t.Errorf("the journal holds %d bytes after the fold, want none", db.journal.size)
		}
	})
}

// journalFiles lists the sent journals next to the SQLite file at path.
func journalFiles(t *testing.T, path string) []string {
	t.Helper()
	got, err := filepath.Glob(path + sentJournalInfix + "*")
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// The sent journal is SQLite's alone (PostgreSQL commits each mark): a
// handle that dies with marks in its journal leaves them for the next
// claim by any other handle, which folds them before claiming and removes
// the file; a live handle's journal is left to it; a torn line is skipped
// (its row is sent again: at least once); a handle that closes folds its
// own and leaves no file.
func TestSentJournalHandles(t *testing.T) {
	ctx := context.Background()
	dead := MustOpenDB(t, SQLite)
	ids := journalRows(t, dead, 4)
	now := testNow.Add(time.Hour)
	if _, err := dead.ClaimOutbox(ctx, "w1", now, now.Add(escalate.OutboxLease), 10); err != nil {
		t.Fatal(err)
	}
	commitMark(t, dead, ids[0])
	commitMark(t, dead, ids[1])
	files := journalFiles(t, dead.path)
	if len(files) != 1 {
		t.Fatalf("journals %v, want the handle's one", files)
	}
	if status, _ := outboxState(t, dead, ids[1]); status != "pending" {
		t.Fatalf("row %d is %s before any fold: the mark did not go through the journal", ids[1], status)
	}
	// A torn line for row 3 (a power cut), a line for row 4 written for
	// another claim than the row's (a journal from before a restore), and
	// a partial last line.
	f, err := os.OpenFile(files[0], os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	torn := appendSentRecord(nil, sentRecord{ids[2], "escalate-outbox-3@example.org", timeArg(now.Add(escalate.OutboxLease))})
	torn[0] ^= 1
	stale := appendSentRecord(nil, sentRecord{ids[3], "escalate-outbox-4@example.org", timeArg(now)})
	f.Write(append(append(torn, stale...), "17 escalate-outb"...))
	f.Close()

	other, err := Open(ctx, dead.path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	other.Now = dead.Now
	// While the handle lives, its journal is its own.
	if _, err := other.ClaimOutbox(ctx, "w2", now, now.Add(escalate.OutboxLease), 10); err != nil {
		t.Fatal(err)
	}
	if got := journalFiles(t, dead.path); len(got) != 1 {
		t.Fatalf("journals %v after another handle's claim, want the live handle's still there", got)
	}
	if status, _ := outboxState(t, dead, ids[0]); status != "pending" {
		t.Fatalf("another handle folded a live handle's journal (row %d is %s)", ids[0], status)
	}

	// Killed: its file stays, unlocked, unfolded.
	dead.journal.f.Close()
	dead.journal.f = nil
	later := now.Add(escalate.OutboxLease + time.Second)
	got, err := other.ClaimOutbox(ctx, "w2", later, later.Add(escalate.OutboxLease), 10)
	if err != nil {
		t.Fatal(err)
	}
	var claimed []int64
	for _, d := range got {
		claimed = append(claimed, d.ID)
	}
	if len(claimed) != 2 || claimed[0] != ids[2] || claimed[1] != ids[3] {
		t.Fatalf("claimed %v after the handle died, want %v (the torn and the stale lines' rows)", claimed, ids[2:])
	}
	for _, id := range ids[:2] {
		if status, payload := outboxState(t, other, id); status != "sent" || strings.Contains(payload, "s3cret") {
			t.Errorf("row %d is %s %s, want sent with no secret", id, status, payload)
		}
	}
	if got := journalFiles(t, dead.path); len(got) != 0 {
		t.Errorf("journals %v left after the fold, want none", got)
	}

	commitMark(t, other, ids[2])
	if got := journalFiles(t, dead.path); len(got) != 1 {
		t.Fatalf("journals %v, want the second handle's", got)
	}
	if err := other.Close(); err != nil {
		t.Fatal(err)
	}
	if got := journalFiles(t, dead.path); len(got) != 0 {
		t.Errorf("journals %v left after Close, want none", got)
	}
	if status, _ := outboxState(t, dead, ids[2]); status != "sent" {
		t.Errorf("row %d is %s after Close, want sent (folded as it closed)", ids[2], status)
	}
}

func TestParseSentRecords(t *testing.T) {
	var b []byte
	first := sentRecord{42, "escalate-outbox-42@example.org", "2026-12-24T15:31:00.000000Z"}
	b = appendSentRecord(b, first)
	b = appendSentRecord(b, sentRecord{7, "escalate-outbox-7@example.org", "2026-12-24T15:31:00.000000Z"})
	got := parseSentRecords(append(b, "9 half"...))
	if len(got) != 2 || got[0] != first || got[1].id != 7 {
		t.Fatalf("parsed %+v", got)
	}
	bad := append([]byte(nil), b...)
	bad[1] = '3' // 43, not 42: the checksum fails
	if got := parseSentRecords(bad); len(got) != 1 || got[0].id != 7 {
		t.Fatalf("parsed %+v from a damaged first line, want only the second", got)
	}
}

// Two folds of one handle's journal that overlap (two workers sharing a
// handle) trim only what each read, in either order: no line is dropped
// unfolded.
func TestSentJournalInterleavedFolds(t *testing.T) {
	db := MustOpenDB(t, SQLite)
	j := &db.journal
	write := func(id int64) {
		t.Helper()
		if !db.journalSent(id, "m@example.org", "2026-12-24T15:31:00.000000Z") {
			t.Fatalf("line %d not written: %v", id, j.err)
		}
	}
	lines := func() []int64 {
		t.Helper()
		recs, _, err := j.snapshot()
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, r := range recs {
			ids = append(ids, r.id)
		}
		return ids
	}
	for _, laterFirst := range []bool{true, false} {
		write(1)
		write(2)
		_, end1, _ := j.snapshot()
		write(3)
		_, end2, _ := j.snapshot()
		write(4) // not yet read by any fold
		first, second := end1, end2
		if laterFirst {
			first, second = end2, end1
		}
		if err := j.trim(first); err != nil {
			t.Fatal(err)
		}
		if err := j.trim(second); err != nil {
			t.Fatal(err)
		}
		if got := lines(); len(got) != 1 || got[0] != 4 {
			t.Fatalf("later fold first %v: journal holds %v, want only the line no fold read (4)", laterFirst, got)
		}
		_, end, _ := j.snapshot()
		j.trim(end)
		if got := lines(); len(got) != 0 {
			t.Fatalf("journal holds %v after a full fold", got)
		}
	}
}
