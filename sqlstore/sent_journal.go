package sqlstore

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The sent journal (SQLite; doc/notifications.md "Idempotency"). The
// moment the mail server accepts a message, the worker's mark of it as sent
// is one write() of one line to a file of this handle's own next to the
// database ("escalate.db-sent-3f9c…"): a kill of the process cannot undo a
// write() that has returned, while a SQLite commit takes a hundred
// microseconds or more, and every kill inside it duplicated a message. The
// lines are folded into the outbox (MarkSent's update, for the very claim
// the line was written for: same id, still pending, same lease) at the end
// of each batch (FoldSentMarks) and inside every claim's transaction, so no
// claim can take a row whose mark is still in a journal:
//
//   - this handle's journal, which only it writes, in the claim and at the
//     end of each batch, well inside the batch's lease;
//   - the journal of any handle that is gone (killed, or closed without
//     folding): each handle holds an exclusive flock on its own file for
//     its life, so a file whose lock can be taken belongs to nobody. Its
//     lines are folded in the claiming transaction, under SQLite's write
//     lock, and the file is removed once that commits.
//
// A line is written only after the server accepted the message, so a line
// can only say what is true: folding it never marks an unsent message sent.
// A line lost (a power cut before the page cache reached the disk, a torn
// line, whose checksum fails) costs one duplicate, never an email.

// sentJournalInfix joins the database's path and a handle's random suffix.
const sentJournalInfix = "-sent-"

// sentJournal is one handle's journal file.
type sentJournal struct {
	once sync.Once
	err  error // why there is no journal: marks go to the database at once

	mu   sync.Mutex
	f    *os.File // O_APPEND, exclusively flocked; nil once closed
	size int64    // bytes of whole lines in f
	// start is how many bytes have been trimmed from f's front: f holds
	// bytes start to start+size of all the handle has written, so that a
	// fold trims only what it read, however folds interleave.
	start int64
	buf   []byte
}

// sentRecord is one line of a journal: row id, claimed until
// claimedUntil (as stored), was accepted with messageID.
type sentRecord struct {
	id           int64
	messageID    string
	claimedUntil string
}

// open creates the handle's journal next to the database at path.
func (j *sentJournal) open(path string) error {
	var suffix [8]byte
	rand.Read(suffix[:])
	name := path + sentJournalInfix + hex.EncodeToString(suffix[:])
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	if ok, err := tryLockFile(f); !ok || err != nil {
		f.Close()
		os.Remove(name)
		return fmt.Errorf("lock %s: %v", name, err)
	}
	j.f = f
	return nil
}

// appendSentRecord appends r's line to b: the id, the Message-ID, the
// lease and the CRC-32 of the three, space-separated.
func appendSentRecord(b []byte, r sentRecord) []byte {
	start := len(b)
	b = strconv.AppendInt(b, r.id, 10)
	b = append(b, ' ')
	b = append(b, r.messageID...)
	b = append(b, ' ')
	b = append(b, r.claimedUntil...)
	sum := crc32.ChecksumIEEE(b[start:])
	b = append(b, ' ')
	b = strconv.AppendUint(b, uint64(sum), 16)
	return append(b, '\n')
}

// parseSentRecords reads the whole lines of data; a line whose checksum
// fails (torn by a power cut) is skipped.
func parseSentRecords(data []byte) []sentRecord {
	var out []sentRecord
	for {
		line, rest, ok := bytes.Cut(data, []byte{'\n'})
		if !ok {
			return out
		}
		data = rest
		i := bytes.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		sum, err := strconv.ParseUint(string(line[i+1:]), 16, 32)
		if err != nil || crc32.ChecksumIEEE(line[:i]) != uint32(sum) {
			continue
		}
		f := strings.Fields(string(line[:i]))
		if len(f) != 3 {
			continue
		}
		id, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			continue
		}
		out = append(out, sentRecord{id, f[1], f[2]})
	}
}

// journalSent writes the mark of row id (claimed until claimedUntil) as
// sent with messageID to the handle's journal. It reports false when it
// could not (no journal here, a failed write), and the caller must mark the
// row in the database.
func (db *DB) journalSent(id int64, messageID, claimedUntil string) bool {
	j := &db.journal
	j.once.Do(func() { j.err = j.open(db.path) })
	if j.err != nil || messageID == "" || strings.ContainsAny(messageID+claimedUntil, " \r\n") {
		return false
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return false
	}
	j.buf = appendSentRecord(j.buf[:0], sentRecord{id, messageID, claimedUntil})
	n, err := j.f.Write(j.buf)
	if err != nil || n != len(j.buf) {
		j.f.Truncate(j.size) // no torn line for the next to follow
		return false
	}
	j.size += int64(n)
	return true
}

// snapshot returns the lines of the handle's journal so far and where
// they end, to trim the journal to once they are in the database; end 0 is
// an empty journal.
func (j *sentJournal) snapshot() (recs []sentRecord, end int64, err error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil || j.size == 0 {
		return nil, 0, nil
	}
	data := make([]byte, j.size)
	if _, err := j.f.ReadAt(data, 0); err != nil {
		return nil, 0, fmt.Errorf("read the sent journal: %w", err)
	}
	return parseSentRecords(data), j.start + j.size, nil
}

// trim drops the journal's lines up to end (a snapshot's, now in the
// database), keeping any written since; lines another fold trimmed already
// are not counted twice.
func (j *sentJournal) trim(end int64) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	n := end - j.start
	if j.f == nil || n <= 0 {
		return nil
	}
	rest := make([]byte, j.size-n)
	if _, err := j.f.ReadAt(rest, n); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	if err := j.f.Truncate(0); err != nil {
		return err
	}
	j.start, j.size = end, 0
	if len(rest) > 0 {
		if _, err := j.f.Write(rest); err != nil {
			return err
		}
		j.size = int64(len(rest))
	}
	return nil
}

// journalFold is the journals one claim folds: trim the handle's own and
// remove the orphans' once the transaction has committed.
type journalFold struct {
	own     *sentJournal
	ownEnd  int64
	orphans []*os.File
}

// foldSentJournals marks sent, in tx, every row whose mark is in this
// handle's journal or in the journal of a handle that is gone. Call done
// with whether tx committed.
func (tx *Tx) foldSentJournals() (*journalFold, error) {
	fold := &journalFold{own: &tx.db.journal}
	recs, end, err := fold.own.snapshot()
	if err != nil {
		return fold, err
	}
	fold.ownEnd = end
	if err := tx.markSentRecords(recs); err != nil {
		return fold, err
	}
	dir, base := filepath.Split(tx.db.path)
	if dir == "" {
		dir = "."
	}
	// A directory this process may not list hides the journals of dead
	// handles: claim without them (a duplicate each at worst) rather than
	// stop sending.
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), base+sentJournalInfix) {
			continue
		}
		f, err := os.OpenFile(filepath.Join(dir, e.Name()), os.O_RDWR, 0)
		if err != nil {
			continue // folded and removed by another handle just now
		}
		if ok, _ := tryLockFile(f); !ok {
			f.Close() // a live handle's own (this one's too): it folds it
			continue
		}
		fold.orphans = append(fold.orphans, f)
		data, err := io.ReadAll(f)
		if err != nil {
			return fold, fmt.Errorf("read a sent journal: %w", err)
		}
		if err := tx.markSentRecords(parseSentRecords(data)); err != nil {
			return fold, err
		}
	}
	return fold, nil
}

// done trims and removes the folded journals if their lines are now in the
// database, and unlocks the orphans either way.
func (f *journalFold) done(committed bool) error {
	var err error
	if committed {
		err = f.own.trim(f.ownEnd)
	}
	for _, o := range f.orphans {
		if committed {
			os.Remove(o.Name())
		}
		o.Close()
	}
	return err
}

// foldMarkSent is lazyMarkSent for a journal's line: only the claim the
// line was written for is marked, and a row no longer pending (already
// folded, or sent again by another worker) is left as it is.
const foldMarkSent = lazyMarkSent + ` AND claimed_until = $4`

// markSentRecords applies the journal's lines.
func (tx *Tx) markSentRecords(recs []sentRecord) error {
	for _, r := range recs {
		if _, err := tx.exec(foldMarkSent, r.id, timeArg(tx.now), r.messageID, r.claimedUntil); err != nil {
			return fmt.Errorf("fold the sent journal: %w", err)
		}
	}
	return nil
}

// FoldSentMarks moves the marks this handle has journalled (SQLite) into
// the outbox, on the connection that does not wait for the disk. The worker
// calls it at the end of each batch, so that the rows it sent are marked
// in the database well before their lease could lapse. It does nothing on
// PostgreSQL, where each mark is committed in the database.
func (db *DB) FoldSentMarks(ctx context.Context) error {
	if db.dialect == Postgres {
		return nil
	}
	recs, end, err := db.journal.snapshot()
	if err != nil || end == 0 {
		return err
	}
	l, err := db.lazyDB(ctx)
	if err != nil {
		return err
	}
	stx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return WrapError(fmt.Errorf("begin: %w", err))
	}
	now := timeArg(db.Now().UTC().Truncate(time.Microsecond))
	for _, r := range recs {
		if _, err := stx.ExecContext(ctx, foldMarkSent, r.id, now, r.messageID, r.claimedUntil); err != nil {
			stx.Rollback()
			return WrapError(fmt.Errorf("fold the sent journal: %w", err))
		}
	}
	if err := stx.Commit(); err != nil {
		return WrapError(fmt.Errorf("commit: %w", err))
	}
	return db.journal.trim(end)
}

// closeJournal folds what the handle's journal holds and removes it. A
// journal that cannot be folded now stays, for the next claim to fold.
func (db *DB) closeJournal() {
	j := &db.journal
	if db.dialect == Postgres {
		return
	}
	err := db.FoldSentMarks(context.Background())
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return
	}
	if err == nil && j.size == 0 {
		os.Remove(j.f.Name())
	}
	j.f.Close() // and its lock: another handle may fold what is left
	j.f = nil
}
